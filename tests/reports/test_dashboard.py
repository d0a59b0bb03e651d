"""The rep dashboard: assets by status, renewals due per window, top assets by
value and assets at risk, on a date, for one owner or everyone."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from b2bcore import AssetStatus, B2BCore, Money, ObsoleteReason
from b2bcore.application.settings import Settings
from b2bcore.reports.dashboard import RepDashboard, rep_dashboard
from b2bcore.reports.renewals import Risk
from tests.helpers import purchase_asset, register_account
from tests.reports.installed_base import installed_asset

AS_OF = date(2024, 6, 1)
INSTALLED_ON = date(2024, 5, 15)
SETTINGS = Settings()


def krw(amount: int) -> Money:
    return Money.of(amount, "KRW")


def dashboard(
    core: B2BCore, asset_ids: list[UUID], owner: str | None = None
) -> RepDashboard:
    assets = [core.asset(i) for i in asset_ids]
    accounts = {a.account_id: core.account(a.account_id) for a in assets}
    return rep_dashboard(assets, accounts, owner=owner, as_of=AS_OF, settings=SETTINGS)


def fleet(
    core: B2BCore,
    usage_end_on: date | None,
    value: Money,
    *,
    owner: str = "park",
    asset_id: UUID | None = None,
) -> UUID:
    """An asset of (주)효원 bought and installed on May 15 until
    ``usage_end_on``, its first installment due on Jun 15 (none overdue)."""
    return installed_asset(
        core,
        register_account(core),
        installed_on=INSTALLED_ON,
        usage_end_on=usage_end_on,
        value=value,
        owner=owner,
        asset_id=asset_id,
    )


def test_no_assets_give_an_empty_dashboard() -> None:
    result = rep_dashboard([], {}, owner=None, as_of=AS_OF, settings=SETTINGS)

    assert result.by_status == dict.fromkeys(AssetStatus, 0)
    assert result.renewals_due == {30: 0, 60: 0, 90: 0}
    assert (result.overdue, result.lapsed) == (0, 0)
    assert result.top_assets == {}
    assert result.at_risk == ()


def test_assets_are_counted_by_their_status_on_the_date(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    account_id = register_account(core)
    installed = fleet(core, None, krw(10_000_000))
    purchased = purchase_asset(core, account_id, on=date(2024, 5, 1))
    obsolete = fleet(core, None, krw(10_000_000))
    core.make_asset_obsolete(
        obsolete, reason_code=ObsoleteReason.PRICE, on=date(2024, 5, 20)
    )
    obsolete_later = fleet(core, None, krw(10_000_000))
    core.make_asset_obsolete(
        obsolete_later, reason_code=ObsoleteReason.PRICE, on=date(2024, 6, 2)
    )
    purchased_later = purchase_asset(core, account_id, on=date(2024, 6, 10))

    result = dashboard(
        core, [installed, purchased, obsolete, obsolete_later, purchased_later]
    )

    assert result.by_status == {
        AssetStatus.PURCHASED: 1,
        AssetStatus.INSTALLED: 2,
        AssetStatus.OBSOLETE: 1,
    }


def test_renewals_due_are_counted_in_their_smallest_window(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    ids = [
        fleet(core, date(2024, 6, 1), krw(4_000_000)),  # 0 days left: 30
        fleet(core, date(2024, 7, 1), krw(4_000_000)),  # exactly 30 days: 30
        fleet(core, date(2024, 7, 2), krw(4_000_000)),  # 31 days: 60
        fleet(core, date(2024, 7, 31), krw(4_000_000)),  # exactly 60 days: 60
        fleet(core, date(2024, 8, 30), krw(4_000_000)),  # exactly 90 days: 90
        fleet(core, date(2024, 8, 31), krw(4_000_000)),  # 91 days: none
        fleet(core, None, krw(4_000_000)),  # open-ended: none
    ]

    result = dashboard(core, ids)

    assert result.renewals_due == {30: 2, 60: 2, 90: 1}
    assert (result.overdue, result.lapsed) == (0, 0)


def test_assets_past_their_usage_end_are_counted_overdue_then_lapsed(
    memory_core: B2BCore,
) -> None:
    core = memory_core

    def ended_on(usage_end_on: date) -> UUID:
        return installed_asset(
            core,
            register_account(core),
            installed_on=date(2024, 2, 1),
            usage_end_on=usage_end_on,
        )

    ids = [
        ended_on(date(2024, 5, 31)),  # 1 day overdue
        ended_on(date(2024, 5, 2)),  # 30 days overdue: the last day of grace
        ended_on(date(2024, 5, 1)),  # 31 days overdue: lapsed
    ]

    result = dashboard(core, ids)

    assert (result.overdue, result.lapsed) == (2, 1)
    assert result.renewals_due == {30: 0, 60: 0, 90: 0}


def test_top_assets_rank_active_assets_by_value_per_currency(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    values = [5, 40, 30, 20, 10, 35, 25, 15, 45, 50, 55]
    ids = [fleet(core, None, krw(v * 1_000_000)) for v in values]
    obsolete = fleet(core, None, krw(99_000_000))
    core.make_asset_obsolete(
        obsolete, reason_code=ObsoleteReason.PRICE, on=date(2024, 5, 20)
    )
    dollars = fleet(core, None, Money.of(1000, "USD"))

    result = dashboard(core, [*ids, obsolete, dollars])

    assert [item.value for item in result.top_assets["KRW"]] == [
        krw(v * 1_000_000) for v in (55, 50, 45, 40, 35, 30, 25, 20, 15, 10)
    ]
    assert [item.asset_id for item in result.top_assets["USD"]] == [dollars]
    assert list(result.top_assets) == ["KRW", "USD"]


def test_top_assets_of_equal_value_are_ordered_by_id(memory_core: B2BCore) -> None:
    second = fleet(memory_core, None, krw(1_000_000), asset_id=UUID(int=2))
    first = fleet(memory_core, None, krw(1_000_000), asset_id=UUID(int=1))

    result = dashboard(memory_core, [second, first])

    assert [item.asset_id for item in result.top_assets["KRW"]] == [first, second]


def test_top_assets_rank_by_the_value_in_force_on_the_date(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    small_then = fleet(core, None, krw(1_000_000))
    core.upgrade_asset(
        small_then, product="Fleet 90", value=krw(90_000_000), on=date(2024, 6, 2)
    )
    bigger = fleet(core, None, krw(2_000_000))

    result = dashboard(core, [small_then, bigger])

    assert [(i.asset_id, i.value) for i in result.top_assets["KRW"]] == [
        (bigger, krw(2_000_000)),
        (small_then, krw(1_000_000)),
    ]


def test_at_risk_lists_active_assets_with_a_risk_soonest_end_first(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    unhappy = fleet(core, date(2024, 6, 20), krw(10_000_000))
    core.record_satisfaction(unhappy, score=3, on=date(2024, 5, 20))
    courted = fleet(core, date(2024, 8, 30), krw(5_000_000))
    core.report_competitor_contact(courted, competitor="Socar", on=date(2024, 5, 25))
    open_ended = fleet(core, None, krw(5_000_000))
    core.report_competitor_contact(open_ended, competitor="Socar", on=date(2024, 5, 25))
    calm = fleet(core, date(2024, 7, 1), krw(20_000_000))
    gone = fleet(core, date(2024, 7, 1), krw(20_000_000))
    core.record_satisfaction(gone, score=1, on=date(2024, 5, 20))
    core.make_asset_obsolete(
        gone, reason_code=ObsoleteReason.PRICE, on=date(2024, 5, 21)
    )

    result = dashboard(core, [open_ended, courted, calm, unhappy, gone])

    assert [(i.asset_id, i.usage_end_on, i.risks) for i in result.at_risk] == [
        (unhappy, date(2024, 6, 20), frozenset({Risk.LOW_SATISFACTION})),
        (courted, date(2024, 8, 30), frozenset({Risk.COMPETITOR_CONTACT})),
        (open_ended, None, frozenset({Risk.COMPETITOR_CONTACT})),
    ]
    assert result.at_risk[0].account == "(주)효원"


def test_an_owner_sees_only_their_assets(memory_core: B2BCore) -> None:
    core = memory_core
    parks = fleet(core, date(2024, 6, 20), krw(10_000_000))
    core.record_satisfaction(parks, score=3, on=date(2024, 5, 20))
    kims = fleet(core, date(2024, 6, 10), krw(50_000_000), owner="kim")
    core.record_satisfaction(kims, score=3, on=date(2024, 5, 20))

    result = dashboard(core, [parks, kims], owner="park")

    assert result.owner == "park"
    assert result.by_status[AssetStatus.INSTALLED] == 1
    assert result.renewals_due == {30: 1, 60: 0, 90: 0}
    assert [i.asset_id for i in result.top_assets["KRW"]] == [parks]
    assert [i.asset_id for i in result.at_risk] == [parks]


def test_everyone_sees_every_owners_assets(memory_core: B2BCore) -> None:
    core = memory_core
    parks = fleet(core, None, krw(10_000_000))
    kims = fleet(core, None, krw(50_000_000), owner="kim")

    result = dashboard(core, [parks, kims])

    assert [i.asset_id for i in result.top_assets["KRW"]] == [kims, parks]


def test_an_owner_without_assets_gets_an_empty_dashboard(
    memory_core: B2BCore,
) -> None:
    kims = fleet(memory_core, date(2024, 6, 10), krw(50_000_000), owner="kim")

    result = dashboard(memory_core, [kims], owner="lee")

    assert result.by_status == dict.fromkeys(AssetStatus, 0)
    assert result.renewals_due == {30: 0, 60: 0, 90: 0}
    assert result.top_assets == {}
    assert result.at_risk == ()


def test_what_happened_after_the_date_does_not_change_the_dashboard(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    upgraded = fleet(core, date(2024, 6, 20), krw(10_000_000))
    core.upgrade_asset(
        upgraded, product="Fleet 90", value=krw(90_000_000), on=date(2024, 6, 2)
    )
    core.record_satisfaction(upgraded, score=1, on=date(2024, 6, 3))
    renewed = fleet(core, date(2024, 7, 20), krw(20_000_000))
    core.report_competitor_contact(renewed, competitor="Socar", on=date(2024, 5, 25))
    core.renew_asset(renewed, usage_end_on=date(2025, 7, 20), on=date(2024, 6, 5))
    churned = fleet(core, None, krw(30_000_000))
    core.make_asset_obsolete(
        churned, reason_code=ObsoleteReason.PRICE, on=date(2024, 6, 2)
    )
    ids = [upgraded, renewed, churned]
    accounts = {
        core.asset(i).account_id: core.account(core.asset(i).account_id) for i in ids
    }

    now = dashboard(core, ids)
    then = rep_dashboard(
        [core.asset(i, as_of=AS_OF) for i in ids],
        accounts,
        owner=None,
        as_of=AS_OF,
        settings=SETTINGS,
    )

    assert now == then
    assert now.renewals_due == {30: 1, 60: 1, 90: 0}
    assert [i.asset_id for i in now.at_risk] == [renewed]
