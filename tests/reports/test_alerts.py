"""Alerts: renewal thresholds, dissatisfaction, usage anomalies, competitor
contacts and stagnant deals, each dated and with a stable id."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from b2bcore import (
    B2BCore,
    BusinessLine,
    FixedClock,
    LossReason,
    Money,
    ObsoleteReason,
    OpportunityView,
    UsagePattern,
    deterministic_id,
)
from b2bcore.application.settings import Settings
from b2bcore.domain.views import AssetView
from b2bcore.reports.alerts import Alert, AlertKind, alerts
from tests.helpers import register_account
from tests.reports.installed_base import installed_asset

SETTINGS = Settings()
INSTALLED_ON = date(2024, 1, 15)
USAGE_END_ON = date(2024, 12, 31)
# Dec 31 minus 90, 60 and 30 days.
NOTICE_90 = date(2024, 10, 2)
NOTICE_60 = date(2024, 11, 1)
NOTICE_30 = date(2024, 12, 1)


def fleet(core: B2BCore, usage_end_on: date | None = USAGE_END_ON) -> UUID:
    """A fleet installed on Jan 15, owned by park, used until Dec 31."""
    return installed_asset(
        core,
        register_account(core),
        installed_on=INSTALLED_ON,
        usage_end_on=usage_end_on,
        owner="park",
    )


def asset_alerts(
    asset: AssetView, as_of: date, settings: Settings = SETTINGS
) -> tuple[Alert, ...]:
    return alerts([asset], [], as_of=as_of, settings=settings)


def deal_alerts(deal: OpportunityView, as_of: date) -> tuple[Alert, ...]:
    return alerts([], [deal], as_of=as_of, settings=SETTINGS)


def open_deal(core: B2BCore, on: date, account_id: UUID | None = None) -> UUID:
    return core.open_opportunity(
        account_id=account_id,
        name="EV fleet for the Busan plant",
        amount=Money.of(50_000_000, "KRW"),
        owner="kim",
        business_line=BusinessLine.DOMESTIC,
        region="Busan",
        country="KR",
        product="Fleet subscription",
        expected_close_on=date(2024, 9, 30),
        on=on,
    )


def record_usage(
    core: B2BCore,
    asset_id: UUID,
    month: date,
    count: int,
    on: date,
    distance_km: int | None = None,
) -> None:
    core.record_usage(
        asset_id,
        period=month,
        count=count,
        distance_km=count * 10 if distance_km is None else distance_km,
        region="Seoul",
        pattern=UsagePattern.BUSINESS,
        on=on,
    )


def test_nothing_recorded_gives_no_alert() -> None:
    assert alerts([], [], as_of=date(2024, 6, 1), settings=SETTINGS) == ()


# -- renewal ------------------------------------------------------------------


def test_no_renewal_alert_before_the_first_threshold(memory_core: B2BCore) -> None:
    asset = memory_core.asset(fleet(memory_core))

    assert asset_alerts(asset, date(2024, 10, 1)) == ()


def test_the_90_day_threshold_raises_a_renewal_alert_dated_that_day(
    memory_core: B2BCore,
) -> None:
    asset = memory_core.asset(fleet(memory_core))

    (alert,) = asset_alerts(asset, NOTICE_90)

    assert (alert.kind, alert.dated_on) == (AlertKind.RENEWAL, NOTICE_90)
    assert (alert.subject, alert.subject_id) == ("asset", asset.id)
    assert (alert.account_id, alert.owner) == (asset.account_id, "park")
    assert alert.detail == "usage ends on 2024-12-31: 90 days or fewer left"
    assert alert.acknowledged is False


def test_with_exactly_30_days_left_all_three_thresholds_are_crossed(
    memory_core: B2BCore,
) -> None:
    asset = memory_core.asset(fleet(memory_core))

    found = asset_alerts(asset, NOTICE_30)

    assert [(a.kind, a.dated_on) for a in found] == [
        (AlertKind.RENEWAL, NOTICE_90),
        (AlertKind.RENEWAL, NOTICE_60),
        (AlertKind.RENEWAL, NOTICE_30),
    ]


def test_renewal_alerts_last_through_the_usage_end_day(memory_core: B2BCore) -> None:
    asset = memory_core.asset(fleet(memory_core))

    assert len(asset_alerts(asset, USAGE_END_ON)) == 3


def test_a_passed_usage_end_keeps_its_renewal_alerts_and_raises_an_overdue_one(
    memory_core: B2BCore,
) -> None:
    asset = memory_core.asset(fleet(memory_core))

    found = asset_alerts(asset, date(2025, 1, 1))

    assert [(a.kind, a.dated_on) for a in found] == [
        (AlertKind.RENEWAL, NOTICE_90),
        (AlertKind.RENEWAL, NOTICE_60),
        (AlertKind.RENEWAL, NOTICE_30),
        (AlertKind.OVERDUE, date(2025, 1, 1)),
    ]


def test_the_overdue_alert_is_dated_the_day_after_the_usage_end(
    memory_core: B2BCore,
) -> None:
    asset = memory_core.asset(fleet(memory_core))

    found = asset_alerts(asset, date(2025, 6, 1))
    overdue = [a for a in found if a.kind is AlertKind.OVERDUE]

    assert [(a.dated_on, a.detail) for a in overdue] == [
        (date(2025, 1, 1), "usage ended on 2024-12-31: not renewed")
    ]
    assert (overdue[0].subject, overdue[0].subject_id) == ("asset", asset.id)
    assert overdue[0].id == deterministic_id("alert", f"overdue:{asset.id}:2024-12-31")


def test_no_overdue_alert_on_the_usage_end_day(memory_core: B2BCore) -> None:
    asset = memory_core.asset(fleet(memory_core))

    kinds = {a.kind for a in asset_alerts(asset, USAGE_END_ON)}

    assert kinds == {AlertKind.RENEWAL}


def test_a_late_renewal_ends_the_overdue_alert(memory_core: B2BCore) -> None:
    asset_id = fleet(memory_core)
    memory_core.renew_asset(
        asset_id, usage_end_on=date(2025, 12, 31), on=date(2025, 2, 10)
    )
    asset = memory_core.asset(asset_id)

    before = {a.kind for a in asset_alerts(asset, date(2025, 2, 9))}
    after = {a.kind for a in asset_alerts(asset, date(2025, 2, 10))}

    assert AlertKind.OVERDUE in before
    assert after == set()


def test_an_obsolete_record_ends_the_overdue_alert(memory_core: B2BCore) -> None:
    asset_id = fleet(memory_core)
    memory_core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.PRICE, on=date(2025, 3, 1)
    )
    asset = memory_core.asset(asset_id)

    assert AlertKind.OVERDUE in {a.kind for a in asset_alerts(asset, date(2025, 2, 28))}
    assert asset_alerts(asset, date(2025, 3, 1)) == ()


def test_an_open_ended_asset_is_never_overdue(memory_core: B2BCore) -> None:
    asset = memory_core.asset(fleet(memory_core, usage_end_on=None))

    assert asset_alerts(asset, date(2030, 1, 1)) == ()


def test_an_obsolete_asset_has_no_renewal_alert(memory_core: B2BCore) -> None:
    asset_id = fleet(memory_core)
    memory_core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.BUDGET, on=date(2024, 11, 15)
    )
    asset = memory_core.asset(asset_id)

    assert asset_alerts(asset, date(2024, 11, 15)) == ()
    assert len(asset_alerts(asset, date(2024, 11, 14))) == 2


def test_a_renewal_replaces_the_alerts_of_the_old_usage_end(
    memory_core: B2BCore,
) -> None:
    asset_id = fleet(memory_core)
    memory_core.renew_asset(asset_id, usage_end_on=date(2025, 12, 31), on=NOTICE_30)
    asset = memory_core.asset(asset_id)
    before = asset_alerts(asset, date(2024, 11, 30))

    after = asset_alerts(asset, date(2025, 12, 1))

    assert {a.detail for a in after} == {
        f"usage ends on 2025-12-31: {days} days or fewer left" for days in (30, 60, 90)
    }
    assert not {a.id for a in before} & {a.id for a in after}
    assert asset_alerts(asset, NOTICE_30) == ()


def test_the_renewal_windows_come_from_the_settings(memory_core: B2BCore) -> None:
    asset = memory_core.asset(fleet(memory_core))

    found = asset_alerts(asset, NOTICE_30, Settings(renewal_windows=(45,)))

    assert [a.dated_on for a in found] == [date(2024, 11, 16)]


def test_windows_already_reached_at_the_install_are_listed_too(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(
        memory_core,
        register_account(memory_core),
        installed_on=date(2024, 12, 11),
        usage_end_on=USAGE_END_ON,
    )

    found = asset_alerts(memory_core.asset(asset_id), date(2024, 12, 11))

    assert [a.dated_on for a in found] == [NOTICE_90, NOTICE_60, NOTICE_30]


# -- dissatisfaction ----------------------------------------------------------


def test_each_score_below_the_threshold_is_a_dissatisfaction_alert(
    memory_core: B2BCore,
) -> None:
    asset_id = fleet(memory_core)
    memory_core.record_satisfaction(asset_id, score=5, on=date(2024, 3, 1))
    memory_core.record_satisfaction(asset_id, score=6, on=date(2024, 4, 1))
    memory_core.record_satisfaction(
        asset_id, score=2, comment="cars late", on=date(2024, 5, 1)
    )
    asset = memory_core.asset(asset_id)

    found = asset_alerts(asset, date(2024, 5, 1))

    assert [(a.kind, a.dated_on, a.detail) for a in found] == [
        (AlertKind.DISSATISFACTION, date(2024, 3, 1), "satisfaction 5/10, below 6"),
        (
            AlertKind.DISSATISFACTION,
            date(2024, 5, 1),
            "satisfaction 2/10, below 6: cars late",
        ),
    ]
    assert len(asset_alerts(asset, date(2024, 4, 30))) == 1


def test_two_low_scores_on_one_day_are_two_alerts(memory_core: B2BCore) -> None:
    asset_id = fleet(memory_core)
    memory_core.record_satisfaction(asset_id, score=1, on=date(2024, 3, 1))
    memory_core.record_satisfaction(asset_id, score=1, on=date(2024, 3, 1))

    found = asset_alerts(memory_core.asset(asset_id), date(2024, 3, 1))

    assert len({a.id for a in found}) == 2


def test_a_dissatisfaction_stays_listed_after_the_asset_is_obsolete(
    memory_core: B2BCore,
) -> None:
    asset_id = fleet(memory_core)
    memory_core.record_satisfaction(asset_id, score=1, on=date(2024, 3, 1))
    memory_core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.SUPPORT, on=date(2024, 4, 1)
    )

    found = asset_alerts(memory_core.asset(asset_id), date(2024, 6, 1))

    assert [(a.kind, a.dated_on) for a in found] == [
        (AlertKind.DISSATISFACTION, date(2024, 3, 1))
    ]


# -- usage anomaly ------------------------------------------------------------


def test_a_month_changing_by_more_than_the_share_is_a_usage_anomaly(
    memory_core: B2BCore,
) -> None:
    asset_id = fleet(memory_core)
    record_usage(memory_core, asset_id, date(2024, 1, 1), 100, date(2024, 2, 1))
    record_usage(memory_core, asset_id, date(2024, 2, 1), 60, date(2024, 3, 1))
    record_usage(memory_core, asset_id, date(2024, 3, 1), 78, date(2024, 4, 1))
    record_usage(memory_core, asset_id, date(2024, 4, 1), 0, date(2024, 5, 2))
    record_usage(memory_core, asset_id, date(2024, 5, 1), 50, date(2024, 6, 3))
    record_usage(memory_core, asset_id, date(2024, 7, 1), 10, date(2024, 8, 1))

    found = asset_alerts(memory_core.asset(asset_id), date(2024, 8, 1))

    # Feb −40 % and Apr −100 % are anomalies; Mar +30 % is not beyond 30 %;
    # May follows a zero month and Jul a missing one: nothing to compare.
    assert [(a.kind, a.dated_on, a.detail) for a in found] == [
        (AlertKind.USAGE_ANOMALY, date(2024, 3, 1), "usage 2024-02: 100 → 60 (-40.0%)"),
        (AlertKind.USAGE_ANOMALY, date(2024, 5, 2), "usage 2024-04: 78 → 0 (-100.0%)"),
    ]


def test_a_usage_rise_beyond_the_share_is_an_anomaly_too(
    memory_core: B2BCore,
) -> None:
    asset_id = fleet(memory_core)
    record_usage(memory_core, asset_id, date(2024, 1, 1), 40, date(2024, 2, 1))
    record_usage(memory_core, asset_id, date(2024, 2, 1), 53, date(2024, 3, 1))

    (alert,) = asset_alerts(memory_core.asset(asset_id), date(2024, 3, 1))

    assert alert.detail == "usage 2024-02: 40 → 53 (+32.5%)"


def test_a_usage_anomaly_is_dated_when_both_months_are_known(
    memory_core: B2BCore,
) -> None:
    asset_id = fleet(memory_core)
    record_usage(memory_core, asset_id, date(2024, 2, 1), 50, date(2024, 3, 1))
    record_usage(memory_core, asset_id, date(2024, 1, 1), 100, date(2024, 3, 10))
    asset = memory_core.asset(asset_id)

    assert asset_alerts(asset, date(2024, 3, 9)) == ()
    assert [a.dated_on for a in asset_alerts(asset, date(2024, 3, 10))] == [
        date(2024, 3, 10)
    ]


def test_the_usage_anomaly_share_comes_from_the_settings(
    memory_core: B2BCore,
) -> None:
    asset_id = fleet(memory_core)
    record_usage(memory_core, asset_id, date(2024, 1, 1), 100, date(2024, 2, 1))
    record_usage(memory_core, asset_id, date(2024, 2, 1), 60, date(2024, 3, 1))

    found = asset_alerts(
        memory_core.asset(asset_id),
        date(2024, 3, 1),
        Settings(usage_anomaly=Decimal("0.5")),
    )

    assert found == ()


# -- competitor contact -------------------------------------------------------


def test_each_competitor_contact_is_an_alert_dated_its_report(
    memory_core: B2BCore,
) -> None:
    asset_id = fleet(memory_core)
    memory_core.report_competitor_contact(
        asset_id, competitor="Socar", note="offered 10 % off", on=date(2024, 5, 10)
    )
    asset = memory_core.asset(asset_id)

    (alert,) = asset_alerts(asset, date(2024, 5, 10))

    assert (alert.kind, alert.dated_on) == (
        AlertKind.COMPETITOR_CONTACT,
        date(2024, 5, 10),
    )
    assert alert.detail == "contacted by Socar: offered 10 % off"
    assert asset_alerts(asset, date(2024, 5, 9)) == ()


# -- stagnation ---------------------------------------------------------------


def test_an_open_deal_unmoved_for_the_stagnation_days_is_stagnant(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)
    deal = memory_core.opportunity(open_deal(memory_core, date(2024, 3, 1), account_id))

    (alert,) = deal_alerts(deal, date(2024, 3, 15))

    assert (alert.kind, alert.dated_on) == (AlertKind.STAGNATION, date(2024, 3, 15))
    assert (alert.subject, alert.subject_id) == ("opportunity", deal.id)
    assert (alert.account_id, alert.owner) == (account_id, "kim")
    assert alert.detail == "at tier 4 since 2024-03-01, no move for 14 days"
    assert deal_alerts(deal, date(2024, 3, 14)) == ()


def test_a_deal_with_no_account_has_no_account_on_its_alert(
    memory_core: B2BCore,
) -> None:
    deal = memory_core.opportunity(open_deal(memory_core, date(2024, 3, 1)))

    (alert,) = deal_alerts(deal, date(2024, 3, 15))

    assert alert.account_id is None


def test_a_tier_move_restarts_the_stagnation_count(memory_core: B2BCore) -> None:
    deal_id = open_deal(memory_core, date(2024, 3, 1))
    memory_core.change_tier(deal_id, tier=3, on=date(2024, 3, 20))
    deal = memory_core.opportunity(deal_id)

    assert deal_alerts(deal, date(2024, 4, 2)) == ()
    (alert,) = deal_alerts(deal, date(2024, 4, 3))
    assert alert.detail == "at tier 3 since 2024-03-20, no move for 14 days"


def test_a_deal_stagnant_in_the_past_is_reported_as_it_was_then(
    memory_core: B2BCore,
) -> None:
    deal_id = open_deal(memory_core, date(2024, 3, 1))
    memory_core.change_tier(deal_id, tier=3, on=date(2024, 3, 20))
    deal = memory_core.opportunity(deal_id)

    (alert,) = deal_alerts(deal, date(2024, 3, 18))

    assert alert.dated_on == date(2024, 3, 15)
    assert alert.detail.startswith("at tier 4")


def test_a_closed_deal_is_not_stagnant(memory_core: B2BCore) -> None:
    deal_id = open_deal(memory_core, date(2024, 3, 1))
    memory_core.lose_opportunity(
        deal_id, reason_code=LossReason.PRICE, on=date(2024, 3, 20)
    )
    deal = memory_core.opportunity(deal_id)

    assert deal_alerts(deal, date(2024, 3, 20)) == ()
    assert len(deal_alerts(deal, date(2024, 3, 19))) == 1


def test_a_deal_opened_after_the_date_has_no_alert(memory_core: B2BCore) -> None:
    deal = memory_core.opportunity(open_deal(memory_core, date(2024, 3, 1)))

    assert deal_alerts(deal, date(2024, 2, 1)) == ()


# -- ids, acknowledgement, order ----------------------------------------------


def test_the_same_situation_always_gives_the_same_id(memory_core: B2BCore) -> None:
    asset = memory_core.asset(fleet(memory_core))

    first = asset_alerts(asset, NOTICE_90)
    later = asset_alerts(asset, NOTICE_30)

    assert first[0].id == later[0].id
    assert len({a.id for a in later}) == 3


def test_acknowledged_ids_are_marked_acknowledged(memory_core: B2BCore) -> None:
    asset = memory_core.asset(fleet(memory_core))
    ninety, *_ = asset_alerts(asset, NOTICE_30)

    found = alerts(
        [asset], [], as_of=NOTICE_30, settings=SETTINGS, acknowledged={ninety.id}
    )

    assert [a.acknowledged for a in found] == [True, False, False]


def test_alerts_are_sorted_by_date_then_id(memory_core: B2BCore) -> None:
    asset_id = fleet(memory_core)
    memory_core.report_competitor_contact(
        asset_id, competitor="Socar", on=date(2024, 11, 1)
    )
    memory_core.record_satisfaction(asset_id, score=3, on=date(2024, 4, 1))
    deal = memory_core.opportunity(open_deal(memory_core, date(2024, 10, 1)))

    found = alerts(
        [memory_core.asset(asset_id)], [deal], as_of=NOTICE_60, settings=SETTINGS
    )

    same_day = sorted(
        [a for a in found if a.dated_on == NOTICE_60], key=lambda a: str(a.id)
    )
    assert [(a.dated_on, a.kind) for a in found[:3]] == [
        (date(2024, 4, 1), AlertKind.DISSATISFACTION),
        (NOTICE_90, AlertKind.RENEWAL),
        (date(2024, 10, 15), AlertKind.STAGNATION),
    ]
    assert found[3:] == tuple(same_day)
    assert {a.kind for a in same_day} == {
        AlertKind.RENEWAL,
        AlertKind.COMPETITOR_CONTACT,
    }


def test_what_happened_after_the_date_does_not_change_its_alerts(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    asset_id = fleet(core)
    record_usage(core, asset_id, date(2024, 9, 1), 100, date(2024, 10, 1))
    record_usage(core, asset_id, date(2024, 10, 1), 50, date(2024, 11, 20))
    core.record_satisfaction(asset_id, score=2, on=date(2024, 11, 1))
    core.record_satisfaction(asset_id, score=1, on=date(2024, 11, 16))
    core.report_competitor_contact(asset_id, competitor="Socar", on=date(2024, 11, 17))
    core.renew_asset(asset_id, usage_end_on=date(2025, 12, 31), on=date(2024, 11, 18))
    deal_id = open_deal(core, date(2024, 10, 1))
    core.change_tier(deal_id, tier=3, on=date(2024, 11, 18))
    as_of = date(2024, 11, 15)

    now = alerts(
        [core.asset(asset_id)],
        [core.opportunity(deal_id)],
        as_of=as_of,
        settings=SETTINGS,
    )
    then = alerts(
        [core.asset(asset_id, as_of=as_of)],
        [core.opportunity(deal_id, as_of=as_of)],
        as_of=as_of,
        settings=SETTINGS,
    )

    assert now == then
    assert sorted((a.dated_on, a.kind.value) for a in now) == [
        (NOTICE_90, "renewal"),
        (date(2024, 10, 15), "stagnation"),
        (NOTICE_60, "dissatisfaction"),
        (NOTICE_60, "renewal"),
    ]


def test_usage_counts_beyond_64_bits_times_a_million_still_give_alerts(
    durable_url: str,
) -> None:
    """The alerts' SQL compares counts as NUMERIC: a count of 10¹⁴ (within
    the largest whole number a command may bring) times 10⁶ overflows
    PostgreSQL's bigint, which must not stop the alerts."""
    with B2BCore.open(durable_url, clock=FixedClock(date(2024, 8, 1))) as core:
        asset_id = fleet(core)
        for month, count, on in (
            (date(2024, 1, 1), 10**14, date(2024, 2, 1)),
            (date(2024, 2, 1), 10**13, date(2024, 3, 1)),
        ):
            record_usage(core, asset_id, month, count, on, distance_km=count)

        found = core.alerts(as_of=date(2024, 8, 1))

    assert [a.dated_on for a in found if a.kind is AlertKind.USAGE_ANOMALY] == [
        date(2024, 3, 1)
    ]
