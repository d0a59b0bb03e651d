"""Every report read from the report tables gives the answers the oracle
(every state rebuilt from the log, the pure reports over the views) gives,
on both real data sets and on the demo book, as of several dates and as
known at a moment inside the log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TypedDict

import pytest

from b2bcore import B2BCore, FixedClock
from b2bcore.application.paging import notifications
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.reports.dimensions import Dimension
from b2bcore_adapters.demo.book import AS_OF
from b2bcore_adapters.demo.generator import generate
from b2bcore_adapters.importers import import_maven_crm, import_ravenstack
from tests import oracle
from tests.importers.importing import shared_data

DAYS = (date(2016, 12, 31), date(2017, 6, 30), date(2023, 6, 30), date(2024, 11, 1))


class Cut(TypedDict):
    """The business date and recorded moment every report is read at."""

    as_of: date
    known_at: datetime | None


class Period(TypedDict):
    """The business dates and recorded moment a KPI period is read at."""

    start: date
    end: date
    known_at: datetime | None


@pytest.fixture(scope="module")
def book() -> Iterator[B2BCore]:
    """Both real exports and a generated book, in one store."""
    maven = shared_data("maven-crm")
    ravenstack = shared_data("ravenstack") / "ravenstack_subscriptions.csv"
    with B2BCore.open("memory://", clock=FixedClock(AS_OF)) as core:
        import_maven_crm(core, maven)
        import_ravenstack(core, ravenstack)
        generate(core, accounts=40, seed=3, end=AS_OF)
        yield core


def middle_of_the_log(core: B2BCore) -> datetime:
    """The recorded time of the event half way through the log."""
    log = core.event_log
    half = core.log_position() // 2
    (notification,) = list(notifications(log.recorder, after=half - 1, stop=half))
    event = log.mapper.to_domain_event(notification)
    assert isinstance(event, DomainAggregate.Event)
    return event.timestamp


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("moment", ["now", "middle"])
def test_every_report_equals_the_oracle(book: B2BCore, day: date, moment: str) -> None:
    known_at = None if moment == "now" else middle_of_the_log(book)
    cut: Cut = {"as_of": day, "known_at": known_at}

    for by in (Dimension.OWNER, Dimension.REGION, Dimension.ACCOUNT, Dimension.HORIZON):
        assert book.tier_matrix(by=by, **cut) == oracle.tier_matrix(book, by=by, **cut)
    for cut_by in (None, Dimension.MANAGER):
        assert book.pipeline_kpis(by=cut_by, **cut) == oracle.pipeline_kpis(
            book, by=cut_by, **cut
        )
        assert book.win_loss(by=cut_by, **cut) == oracle.win_loss(
            book, by=cut_by, **cut
        )
    assert book.renewal_queue(within=90, **cut) == oracle.renewal_queue(
        book, within=90, **cut
    )
    assert book.alerts(**cut) == oracle.all_alerts(book, **cut)
    assert book.rep_dashboard(owner=None, **cut) == oracle.rep_dashboard(
        book, owner=None, **cut
    )
    assert book.segmentation(**cut) == oracle.segmentation(book, **cut)
    assert book.grade_suggestions(**cut) == oracle.grade_suggestions(book, **cut)
    assert book.suggestions(**cut) == oracle.suggestions(book, **cut)
    period: Period = {"start": date(day.year, 1, 1), "end": day, "known_at": known_at}
    assert book.asset_kpis(**period) == oracle.installed_base_kpis(book, **period)
    assert book.tier_movement(**period) == oracle.movement(book, **period)
    assert book.lead_funnel(since=None, **cut) == oracle.lead_funnel(
        book, since=None, **cut
    )
    assert book.lead_scores(**cut) == oracle.lead_scores(book, **cut)
    assert book.postmortem_rollup(**cut) == oracle.postmortem_rollup(book, **cut)
