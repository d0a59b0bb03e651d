"""The log benchmarks run on: a generated book of business
(``b2bcore_adapters.generator``), so they measure realistic shapes: assets
with a few dozen events, deals through the tiers and the VRB, leads."""

from __future__ import annotations

import math

from b2bcore import B2BCore
from b2bcore_adapters.generator import generate

#: Accounts of the dry run that estimates how many events an account brings.
SAMPLE_ACCOUNTS = 200
#: Extra accounts beyond the estimate, so the log surely reaches its size
#: (the events per account of a seed vary by a few percent with the size).
MARGIN = 1.1
SPARE_ACCOUNTS = 10


def accounts_for(events: int, seed: int) -> int:
    """Enough accounts of the ``seed``'s book for ``events`` events."""
    with B2BCore.open("memory://") as sample:
        story = generate(sample, accounts=SAMPLE_ACCOUNTS, seed=seed)
    per_account = story.events / story.accounts
    return math.ceil(events / per_account * MARGIN) + SPARE_ACCOUNTS


def record(core: B2BCore, events: int, seed: int = 7) -> int:
    """Record a generated book of at least ``events`` events into the empty
    ``core``; returns the log position reached."""
    generate(core, accounts=accounts_for(events, seed), seed=seed)
    reached = core.log_position()
    if reached < events:
        raise RuntimeError(
            f"the book of seed {seed} reached {reached:,} events, not {events:,}: "
            "raise benchmarks.history.MARGIN"
        )
    return reached
