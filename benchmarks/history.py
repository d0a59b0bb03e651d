"""A synthetic log for benchmarks: accounts with installed, paid, inspected
and renewed assets, about ten to twenty events each, saved in batches."""

from __future__ import annotations

import random
from datetime import date, timedelta

from b2bcore import B2BCore, BusinessLine, ContactChannel, Grade, Money, UsagePattern
from b2bcore.account import Account
from b2bcore.aggregate import DomainAggregate, Provenance
from b2bcore.asset import Asset
from b2bcore.ids import deterministic_id
from b2bcore.values import add_months, installment_plan

META = Provenance("benchmark")
START = date(2022, 1, 3)


def account_history(n: int, rng: random.Random) -> list[DomainAggregate]:
    """One account and its asset: register, purchase, install, 6 payments,
    a few months of usage, a satisfaction score, maybe a renewal."""
    account = Account.register(
        deterministic_id("account", f"bench-{n}"),
        name=f"Account {n}",
        grade=rng.choice(list(Grade)),
        sector=rng.choice(["logistics", "retail", "manufacturing", "services"]),
        region=rng.choice(["Seoul", "Busan", "Gyeonggi", "Daegu"]),
        country="KR",
        business_line=BusinessLine.DOMESTIC,
        preferred_channel=rng.choice(list(ContactChannel)),
        on=START,
        meta=META,
    )
    bought = START + timedelta(days=rng.randrange(365))
    value = Money.of(rng.randrange(1, 500) * 100_000, "KRW")
    plan = installment_plan(value, 6, add_months(bought, 1))
    asset = Asset.purchase(
        deterministic_id("asset", f"bench-{n}"),
        account_id=account.id,
        product=rng.choice(["fleet S", "fleet M", "fleet L"]),
        order_reference=f"order {n}",
        contact="fleet manager",
        value=value,
        installments=plan,
        owner=f"rep {n % 40}",
        on=bought,
        meta=META,
    )
    asset.install(on=bought, usage_end_on=add_months(bought, 12), meta=META)
    for installment in plan:
        late = rng.random() < 0.1
        asset.pay_installment(
            on=installment.due_on + timedelta(days=5 if late else 0),
            number=installment.number,
            amount=installment.amount,
            meta=META,
        )
    for month in range(rng.randrange(0, 4)):
        asset.record_usage(
            on=add_months(bought, month + 1),
            period=add_months(bought, month),
            count=rng.randrange(50, 500),
            distance_km=rng.randrange(1_000, 20_000),
            region="Seoul",
            pattern=rng.choice(list(UsagePattern)),
            meta=META,
        )
    asset.record_satisfaction(
        on=add_months(bought, 6), score=rng.randrange(11), comment="", meta=META
    )
    return [account, asset]


def record(core: B2BCore, events: int, seed: int = 7) -> int:
    """Record accounts until the log holds at least ``events`` events."""
    rng = random.Random(seed)
    n = 0
    while core.log_position() < events:
        batch: list[DomainAggregate] = []
        for _ in range(100):
            batch += account_history(n, rng)
            n += 1
        core.event_log.save(*batch)
    return core.log_position()
