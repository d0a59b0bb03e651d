"""Every report as known at a recorded time, on every store: computed from
only the events recorded by then, so a correction recorded later does not
show yet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from b2bcore import B2BCore, NotFoundError, ValidationError
from tests.helpers import purchase_asset, register_account, stored_events
from tests.reports.deals import book

AS_OF = date(2024, 6, 1)
USAGE_END_ON = date(2024, 8, 31)
CORRECTED = date(2024, 7, 31)
NOW = datetime.max.replace(tzinfo=UTC)


class Book:
    """An account with an installed asset whose usage end was corrected, and
    the six deals of ``deals.book`` (deal A on the account)."""

    def __init__(self, core: B2BCore) -> None:
        self.account_id = register_account(core)
        self.asset_id = purchase_asset(core, self.account_id)
        core.install_asset(
            self.asset_id, usage_end_on=USAGE_END_ON, on=date(2024, 1, 20)
        )
        *_, installed = stored_events(core, self.asset_id)
        self.before_correction = installed.timestamp
        self.deal_id = book(core)["A"]
        core.correct_usage_end(
            self.asset_id, usage_end_on=CORRECTED, reason="typo in the contract"
        )


Report = Callable[..., object]
REPORTS: dict[str, Callable[[B2BCore, Book], Report]] = {
    "renewal_queue": lambda core, _: (
        lambda **kw: core.renewal_queue(as_of=AS_OF, within=365, **kw)
    ),
    "alerts": lambda core, _: lambda **kw: core.alerts(as_of=AS_OF, **kw),
    "asset_kpis": lambda core, _: (
        lambda **kw: core.asset_kpis(
            start=date(2024, 1, 1), end=date(2024, 12, 31), **kw
        )
    ),
    "pipeline_kpis": lambda core, _: lambda **kw: core.pipeline_kpis(as_of=AS_OF, **kw),
    "tier_matrix": lambda core, _: lambda **kw: core.tier_matrix(as_of=AS_OF, **kw),
    "rep_dashboard": lambda core, _: lambda **kw: core.rep_dashboard(as_of=AS_OF, **kw),
    "timeline": lambda core, b: (
        lambda **kw: core.timeline(b.deal_id, as_of=AS_OF, **kw)
    ),
    "win_loss": lambda core, _: lambda **kw: core.win_loss(as_of=AS_OF, **kw),
    "account_history": lambda core, b: (
        lambda **kw: core.account_history(b.account_id, as_of=AS_OF, **kw)
    ),
    "segmentation": lambda core, _: lambda **kw: core.segmentation(as_of=AS_OF, **kw),
}


@pytest.mark.parametrize("name", REPORTS)
def test_a_report_known_now_is_the_report(core: B2BCore, name: str) -> None:
    report = REPORTS[name](core, Book(core))

    assert report(known_at=NOW) == report()


@pytest.mark.parametrize("name", REPORTS)
def test_a_report_known_at_a_naive_time_is_refused(
    memory_core: B2BCore, name: str
) -> None:
    report = REPORTS[name](memory_core, Book(memory_core))

    with pytest.raises(ValidationError) as excinfo:
        report(known_at=datetime(2030, 1, 1))

    assert excinfo.value.field == "known_at"


def test_the_renewal_queue_known_before_a_correction_shows_the_old_end(
    core: B2BCore,
) -> None:
    known = Book(core)

    [before] = core.renewal_queue(
        as_of=AS_OF, within=365, known_at=known.before_correction
    )
    [after] = core.renewal_queue(as_of=AS_OF, within=365)

    assert before.usage_end_on == USAGE_END_ON
    assert after.usage_end_on == CORRECTED


def test_the_account_history_known_before_a_correction_shows_the_old_end(
    memory_core: B2BCore,
) -> None:
    known = Book(memory_core)

    past = memory_core.account_history(
        known.account_id, as_of=AS_OF, known_at=known.before_correction
    )

    [asset] = past.assets
    assert asset.usage_end_on == USAGE_END_ON


def test_deals_recorded_later_are_not_known_yet(core: B2BCore) -> None:
    known = Book(core)

    kpis = core.pipeline_kpis(as_of=AS_OF, known_at=known.before_correction)

    assert (kpis.open, kpis.won, kpis.lost, kpis.dropped) == (0, 0, 0, 0)
    assert core.pipeline_kpis(as_of=AS_OF).won == 1


def test_an_account_not_recorded_yet_has_no_history(memory_core: B2BCore) -> None:
    known = Book(memory_core)
    registered, *_ = stored_events(memory_core, known.account_id)

    with pytest.raises(NotFoundError):
        memory_core.account_history(
            known.account_id,
            known_at=registered.timestamp.replace(year=2000),
        )
