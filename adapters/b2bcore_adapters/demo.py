"""The demo: a generated book of business, starting with the "(주)효원"
key-account story, recorded in a fresh store; the (주)효원 story and a summary
of the book are printed back.

Run ``b2bcore-demo --db sqlite:///b2bcore-demo.db [--accounts 50] [--seed
2024]`` (what ``make demo`` does).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from uuid import UUID

from b2bcore import B2BCore, FixedClock
from b2bcore.storage import environment_for
from b2bcore_adapters.generator import GeneratedStory, generate
from b2bcore_adapters.story.hyowon import record_hyowon

__all__ = ["AS_OF", "describe", "main", "record_hyowon", "run", "summarize"]

#: The day the story is told on (its last business day), so the output never
#: changes.
AS_OF = date(2024, 11, 1)
DEFAULT_ACCOUNTS = 50
DEFAULT_SEED = 2024


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


def summarize(core: B2BCore, story: GeneratedStory) -> str:
    """The generated book's counts and shape, as of ``AS_OF``, as plain text."""
    pipeline = core.pipeline_kpis(as_of=AS_OF)
    due = core.renewal_queue(as_of=AS_OF, within=90)
    win_rate = "n/a" if pipeline.win_rate is None else f"{pipeline.win_rate:.0%}"
    return "\n".join(
        [
            f"Book     {story.accounts} accounts, {story.assets} assets, "
            f"{story.deals} deals, {story.leads} leads",
            f"         deals won {pipeline.won}, lost {pipeline.lost}, "
            f"dropped {pipeline.dropped}, open {pipeline.open} "
            f"({len(pipeline.stagnant)} stagnant); win rate {win_rate}",
            f"         renewals due within 90 days: {len(due)} "
            f"({sum(1 for item in due if item.risks)} at risk)",
        ]
    )


def run(
    url: str,
    *,
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = DEFAULT_SEED,
    out: Callable[[str], object] = print,
) -> date:
    """Record the generated book in a fresh store at ``url`` (a SQLite file
    is recreated), print the (주)효원 story and the book's summary with
    ``out``; returns the day they are told on."""
    env = environment_for(url)
    if "SQLITE_DBNAME" in env:
        Path(env["SQLITE_DBNAME"]).unlink(missing_ok=True)
    with B2BCore.open(url, actor="demo", clock=FixedClock(AS_OF)) as core:
        story = generate(core, accounts=accounts, seed=seed, end=AS_OF)
        out(describe(core, *story.hyowon))
        out("")
        out(summarize(core, story))
        out(f"\n{story.events} events recorded in {url}")
    return AS_OF


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="b2bcore-demo", description=__doc__)
    parser.add_argument(
        "--db",
        default="sqlite:///b2bcore-demo.db",
        help="database URL; a SQLite file is recreated (default: %(default)s)",
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=DEFAULT_ACCOUNTS,
        help="accounts to generate, (주)효원 first (default: %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="seed of the generated story (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.accounts < 1:
        parser.error("--accounts must be at least 1")
    run(args.db, accounts=args.accounts, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
