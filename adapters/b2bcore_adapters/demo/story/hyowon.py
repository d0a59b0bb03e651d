"""The "(주)효원" key-account story: a fleet of ten cars bought in four
installments, all paid on time, used, inspected and praised (the score first
keyed in wrong and corrected the next day), a delivery complaint resolved
within the week and a good survey; then a van fleet expansion that climbs
the tiers, is refused at the VRB while its estimate shows a loss, passes it
once a cheaper supplier restores the margin, and is won; meanwhile the fleet
enters its renewal window and its renewal deal is opened.

Every date is fixed and every id derived, so the story is always the same.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from b2bcore import (
    B2BCore,
    BusinessLine,
    BusinessRuleError,
    ContactChannel,
    FeedbackCategory,
    FeedbackKind,
    Grade,
    Money,
    OrderLine,
    ReviewArea,
    Severity,
    Temperature,
    UsagePattern,
    deterministic_id,
    installment_plan,
)

#: The story's first and last business dates.
REGISTERED_ON = date(2023, 12, 4)
WON_ON = date(2024, 10, 28)
#: The customer's voice: a complaint about late cars, and a quarterly survey.
COMPLAINT = deterministic_id("feedback", "hyowon-late-cars-2024-08")
SURVEY = deterministic_id("feedback", "hyowon-survey-2024-q3")
FEEDBACK = (COMPLAINT, SURVEY)


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
    # The survey said 9; the form was keyed in as 2, and fixed the next day
    # (until then the score raised a dissatisfaction alert).
    surveyed = date(2024, 7, 18)
    core.record_satisfaction(asset, score=2, comment="fast support", on=surveyed)
    core.correct_satisfaction(
        asset,
        recorded_on=surveyed,
        score=9,
        reason="keyed in as 2; the survey form says 9",
        on=date(2024, 7, 19),
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
    core.record_feedback(
        feedback_id=COMPLAINT,
        account_id=account,
        asset_id=asset,
        kind=FeedbackKind.COMPLAINT,
        channel=ContactChannel.PHONE,
        category=FeedbackCategory.DELIVERY,
        severity=Severity.MEDIUM,
        text="two cars late for the morning shift",
        needs=["cars at the plant by 07:00"],
        on=date(2024, 8, 12),
    )
    core.resolve_complaint(
        COMPLAINT,
        resolution="handover moved to 06:30, a spare car parked at the Suwon plant",
        on=date(2024, 8, 16),
    )
    core.record_feedback(
        feedback_id=SURVEY,
        account_id=account,
        asset_id=asset,
        kind=FeedbackKind.SURVEY,
        channel=ContactChannel.EMAIL,
        category=FeedbackCategory.SERVICE,
        score=8,
        text="quick fix after the late cars; the Pyeongtaek plant needs vans",
        needs=["vans for the Pyeongtaek plant"],
        on=date(2024, 8, 30),
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
    vans = Money.of(14_500_000, "KRW")
    (finding,) = core.review_gate(
        deal,
        gate=1,
        findings=[(ReviewArea.LEGAL, "insurance clause for night use")],
        cost=Money.of(15_080_000, "KRW"),
        price=vans,
        on=date(2024, 10, 8),
    )
    core.resolve_finding(
        deal, number=finding, resolution="clause 7.2 amended", on=date(2024, 10, 15)
    )
    try:
        core.pass_gate(deal, gate=1, on=date(2024, 10, 16))
    except BusinessRuleError as refused:
        # The board doing its job: at a margin of −4 % the gate stays shut
        # and nothing is recorded, until the deal is estimated again.
        if refused.field != "margin":
            raise
    core.review_gate(
        deal,
        gate=1,
        cost=Money.of(12_325_000, "KRW"),
        price=vans,
        on=date(2024, 10, 17),
        reason="vans from a cheaper leasing partner: margin 15 %",
    )
    core.pass_gate(deal, gate=1, on=date(2024, 10, 18))
    core.change_tier(deal, tier=1, on=date(2024, 10, 21))
    # The fleet's usage ends on 19 January: its renewal window opened on
    # 21 October, and the renewal is worked as a deal of its own.
    renewal = core.open_renewal_deal(
        asset,
        competitors=["Lotte Rental"],
        on=date(2024, 10, 22),
        reason="renewal window open, 89 days to the usage end",
    )
    core.change_tier(
        renewal,
        tier=3,
        on=date(2024, 10, 25),
        reason="이지은 wants to renew; asks for a quote with two EVs",
    )
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
