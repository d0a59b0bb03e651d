"""For random valid histories, the reports answered from the report tables
equal the oracle (every state decoded, the pure report run over the views),
as of several business dates and as known at several recorded times, kept
up by the saves or by catch-ups, and again after a rebuild — on every
store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b2bcore import B2BCore, Consistency, FixedClock, NotFoundError
from b2bcore.application.paging import notifications
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.reports.dimensions import Dimension
from tests import oracle
from tests.conftest import fresh_store
from tests.histories import PRELUDE, History, operations


def recorded_times(core: B2BCore) -> list[datetime]:
    """The recorded time of every event in the log."""
    log = core.event_log
    return [
        mapped.timestamp
        for n in notifications(log.recorder)
        if isinstance(mapped := log.mapper.to_domain_event(n), DomainAggregate.Event)
    ]


def outcome(report: Callable[..., object], *args: Any, **kwargs: Any) -> object:
    """What ``report`` answers, or that it found no such account."""
    try:
        return report(*args, **kwargs)
    except NotFoundError as error:
        return str(error)


def check_reports_equal_the_oracle(
    store: str, history: list[tuple[Any, ...]], consistency: Consistency, data: Any
) -> None:
    with (
        fresh_store(store) as url,
        B2BCore.open(
            url, clock=FixedClock(date(2025, 1, 1)), consistency=consistency
        ) as core,
    ):
        player = History(core)
        for operation in PRELUDE + history:
            player.play(operation)
        core.catch_up()
        moments = recorded_times(core)
        cuts = [None, *data.draw(st.lists(st.sampled_from(moments), max_size=3))]
        days = data.draw(
            st.lists(
                st.dates(date(2024, 1, 1), player.day), min_size=1, max_size=3
            ).map(lambda found: [*found, player.day])
        )
        for rebuilt in (False, True):
            if rebuilt:
                core.projector.rebuild()
            for known_at in cuts:
                for day in days:
                    cut = {"as_of": day, "known_at": known_at}
                    for by in Dimension:
                        assert core.tier_matrix(by=by, **cut) == oracle.tier_matrix(
                            core, by=by, **cut
                        ), (by, cut, rebuilt)
                    for within in (30, 400):
                        assert core.renewal_queue(
                            within=within, **cut
                        ) == oracle.renewal_queue(core, within=within, **cut), (
                            within,
                            cut,
                            rebuilt,
                        )
                    assert core.alerts(**cut) == oracle.all_alerts(core, **cut)
                    assert core.segmentation(**cut) == oracle.segmentation(core, **cut)
                    assert core.grade_suggestions(**cut) == (
                        oracle.grade_suggestions(core, **cut)
                    )
                    assert core.suggestions(**cut) == oracle.suggestions(core, **cut)
                    for cut_by in (None, Dimension.MANAGER, Dimension.ACCOUNT):
                        assert core.win_loss(by=cut_by, **cut) == oracle.win_loss(
                            core, by=cut_by, **cut
                        )
                    for account in player.accounts:
                        assert outcome(core.account_history, account, **cut) == outcome(
                            oracle.account_history, core, account, **cut
                        )
                    for owner in (None, "kim"):
                        assert core.rep_dashboard(
                            owner=owner, **cut
                        ) == oracle.rep_dashboard(core, owner=owner, **cut)
                    for of_account in (None, *player.accounts[:1]):
                        assert core.health(
                            account_id=of_account, **cut
                        ) == oracle.health_report(core, account_id=of_account, **cut)
                    period = {"start": min(days), "end": day, "known_at": known_at}
                    assert core.asset_kpis(**period) == oracle.installed_base_kpis(
                        core, **period
                    )
                    assert core.tier_movement(**period) == oracle.movement(
                        core, **period
                    )
                    for since in (None, min(days)):
                        assert core.lead_funnel(
                            since=since, **cut
                        ) == oracle.lead_funnel(core, since=since, **cut)
                    assert core.lead_scores(**cut) == oracle.lead_scores(core, **cut)
                    assert core.postmortem_rollup(**cut) == (
                        oracle.postmortem_rollup(core, **cut)
                    )
                    for cut_by in (None, *Dimension):
                        assert core.pipeline_kpis(
                            by=cut_by, **cut
                        ) == oracle.pipeline_kpis(core, by=cut_by, **cut), (
                            cut_by,
                            cut,
                            rebuilt,
                        )


SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(SETTINGS, max_examples=30)
@given(history=operations, consistency=st.sampled_from(Consistency), data=st.data())
def test_reports_from_the_report_tables_equal_the_oracle_in_memory(
    history: list[tuple[Any, ...]], consistency: Consistency, data: Any
) -> None:
    check_reports_equal_the_oracle("memory", history, consistency, data)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
@settings(SETTINGS, max_examples=6)
@given(history=operations, consistency=st.sampled_from(Consistency), data=st.data())
def test_reports_from_the_report_tables_equal_the_oracle_on_a_database(
    store: str, history: list[tuple[Any, ...]], consistency: Consistency, data: Any
) -> None:
    check_reports_equal_the_oracle(store, history, consistency, data)
