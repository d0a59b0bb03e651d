"""The demo: the "(주)효원" key-account story recorded in a fresh store and
printed back.

Run ``b2bcore-demo --db sqlite:///b2bcore-demo.db`` (what ``make demo`` does).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from uuid import UUID

from b2bcore import (
    B2BCore,
    BusinessLine,
    ContactChannel,
    FixedClock,
    Grade,
    Money,
    OrderLine,
    ReviewArea,
    Temperature,
    UsagePattern,
    deterministic_id,
    installment_plan,
)
from b2bcore.storage import environment_for

#: The day the story is told on, so the output never changes.
AS_OF = date(2024, 11, 1)


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
        on=date(2023, 12, 4),
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

    lead = core.capture_lead(
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
        on=date(2024, 10, 28),
        reason="price matched, faster delivery than Lotte Rental",
    )
    return account, asset, deal


def describe(core: B2BCore, account: UUID, asset: UUID, deal: UUID) -> str:
    """The story's state, as of ``AS_OF``, as plain text."""
    a = core.account(account)
    s = core.asset(asset)
    d = core.opportunity(deal)
    compliance = s.payment_compliance
    lines = [
        f"Account  {a.name}  grade {a.grade.value}  ({a.sector}, {a.region}, "
        f"{a.country})",
        f"Asset    {s.product}  [{s.order_reference}]",
        f"         status {s.status.value}, installed {s.installed_on}, "
        f"usage ends {s.usage_end_on}",
        f"         value {s.value}, paid {len(s.payments)}/{len(s.installments)} "
        f"({'fully paid' if s.fully_paid else 'outstanding ' + str(s.outstanding)})",
        f"         late payments {s.late_payments}, payment compliance "
        + ("n/a" if compliance is None else f"{compliance:.0%}"),
        f"         days left until usage end as of {AS_OF}: {s.days_left(AS_OF)}",
        f"         satisfaction {s.satisfaction[-1].score}/10, "
        f"usage {', '.join(f'{u.period:%Y-%m} {u.distance_km:,} km' for u in s.usage)}",
        f"Deal     {d.name}  {d.outcome.value if d.outcome else 'open'} "
        f"at {d.won_value or d.amount} on {d.closed_on}",
        "         tiers "
        + " → ".join(f"T{stint.tier} {stint.days(AS_OF)}d" for stint in d.stints())
        + f" → T0 {d.outcome.value if d.outcome else ''}",
        f"         new assets from the order: {len(d.asset_ids)}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="b2bcore-demo", description=__doc__)
    parser.add_argument(
        "--db",
        default="sqlite:///b2bcore-demo.db",
        help="database URL; a SQLite file is recreated (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    env = environment_for(args.db)
    if "SQLITE_DBNAME" in env:
        Path(env["SQLITE_DBNAME"]).unlink(missing_ok=True)
    with B2BCore.open(args.db, actor="demo", clock=FixedClock(AS_OF)) as core:
        ids = record_hyowon(core)
        print(describe(core, *ids))
        print(f"\n{core.log_position()} events recorded in {args.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
