"""The "(주)효원" key-account story: a fleet of ten cars bought in four
installments, all paid on time, used, inspected and praised, then a van fleet
expansion that climbs the tiers, passes the VRB and is won.

Every date is fixed and every id derived, so the story is always the same.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from b2bcore import (
    B2BCore,
    BusinessLine,
    ContactChannel,
    Grade,
    Money,
    OrderLine,
    ReviewArea,
    Temperature,
    UsagePattern,
    deterministic_id,
    installment_plan,
)

#: The story's first and last business dates.
REGISTERED_ON = date(2023, 12, 4)
WON_ON = date(2024, 10, 28)


def record_hyowon(core: B2BCore) -> tuple[UUID, UUID, UUID]:
    """Record the key-account story; returns (account, asset, deal) ids."""
    account = core.register_account(
        account_id=deterministic_id("account", "hyowon"),
        name="(주)효원",
        grade=Grade.KEY,
        sector="manufacturing",
        region="Gyeonggi",
        country="KR",
        business_line=BusinessLine.DOMESTIC,
        preferred_channel=ContactChannel.VISIT,
        on=REGISTERED_ON,
    )
    value = Money.of(23_800_000, "KRW")
    plan = installment_plan(value, 4, first_due_on=date(2024, 2, 15))
    asset = core.purchase_asset(
        asset_id=deterministic_id("asset", "order-00000166"),
        account_id=account,
        product="B2B car-sharing fleet (10 vehicles)",
        order_reference="Order 00000166",
        contact="이지은 (fleet manager)",
        value=value,
        installments=plan,
        owner="park.minjun",
        on=date(2024, 1, 15),
        reason="order completed",
    )
    core.install_asset(asset, usage_end_on=date(2025, 1, 19), on=date(2024, 1, 20))
    for installment, paid_on in zip(
        plan,
        (date(2024, 2, 14), date(2024, 3, 15), date(2024, 4, 10), date(2024, 5, 15)),
        strict=True,
    ):
        core.pay_installment(
            asset, number=installment.number, amount=installment.amount, on=paid_on
        )
    inspection = core.schedule_inspection(
        asset, due_on=date(2024, 7, 20), on=date(2024, 7, 1)
    )
    core.complete_inspection(
        asset,
        number=inspection,
        findings="all vehicles in service; two tyre replacements recommended",
        on=date(2024, 7, 18),
    )
    core.record_satisfaction(
        asset, score=9, comment="fast support", on=date(2024, 7, 18)
    )
    for month, (trips, km) in enumerate(((412, 9_870), (398, 9_340), (455, 10_920))):
        core.record_usage(
            asset,
            period=date(2024, 7 + month, 1),
            count=trips,
            distance_km=km,
            region="Suwon",
            pattern=UsagePattern.BUSINESS,
            on=date(2024, 8 + month, 1),
        )

    lead = core.capture_lead(
        lead_id=deterministic_id("lead", "hyowon-vans-2024"),
        company="(주)효원",
        source="quarterly business review",
        temperature=Temperature.HOT,
        account_id=account,
        on=date(2024, 9, 2),
    )
    core.qualify_lead(
        lead,
        contact="이지은 (fleet manager)",
        need="five more vans for the Pyeongtaek plant",
        on=date(2024, 9, 5),
    )
    deal = core.convert_lead(
        lead,
        opportunity_id=deterministic_id("opportunity", "hyowon-vans-2024"),
        name="효원 van fleet expansion",
        amount=Money.of(14_500_000, "KRW"),
        owner="park.minjun",
        business_line=BusinessLine.DOMESTIC,
        region="Gyeonggi",
        country="KR",
        product="B2B car-sharing vans",
        expected_close_on=date(2024, 12, 20),
        competitors=["Lotte Rental"],
        on=date(2024, 9, 6),
    )
    core.change_tier(deal, tier=3, on=date(2024, 9, 20))
    core.change_tier(deal, tier=2, on=date(2024, 10, 4))
    (finding,) = core.review_gate(
        deal,
        gate=1,
        findings=[(ReviewArea.LEGAL, "insurance clause for night use")],
        on=date(2024, 10, 8),
    )
    core.resolve_finding(
        deal, number=finding, resolution="clause 7.2 amended", on=date(2024, 10, 15)
    )
    core.pass_gate(deal, gate=1, on=date(2024, 10, 16))
    core.change_tier(deal, tier=1, on=date(2024, 10, 21))
    vans = Money.of(14_500_000, "KRW")
    core.win_opportunity(
        deal,
        value=vans,
        order=[
            OrderLine(
                product="B2B car-sharing vans (5 vehicles)",
                value=vans,
                order_reference="Order 00000201",
                contact="이지은 (fleet manager)",
                installments=installment_plan(vans, 2, date(2024, 11, 30)),
            )
        ],
        on=WON_ON,
        reason="price matched, faster delivery than Lotte Rental",
    )
    return account, asset, deal
