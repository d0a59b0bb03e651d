"""Thresholds and weights of the reports, and the value review board's
rules, with their documented defaults (see docs/kpis.md and docs/domain.md).
Pass a ``Settings`` to ``B2BCore.open``."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from b2bcore.domain.errors import ValidationError
from b2bcore.domain.review_board import ReviewBoardRules

DEFAULT_TIER_PROBABILITIES = MappingProxyType(
    {4: Decimal("0.10"), 3: Decimal("0.25"), 2: Decimal("0.50"), 1: Decimal("0.75")}
)


def _probabilities(value: Any) -> MappingProxyType[int, Decimal]:
    probabilities = {int(tier): Decimal(p) for tier, p in dict(value).items()}
    if sorted(probabilities) != [1, 2, 3, 4] or not all(
        0 <= p <= 1 for p in probabilities.values()
    ):
        raise ValidationError(
            "settings",
            "tier_probabilities",
            "needs a probability between 0 and 1 for each of tiers 4, 3, 2 and 1",
        )
    return MappingProxyType(probabilities)


def _positive(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value <= 0:
        raise ValidationError("settings", attribute.name, f"must be positive: {value}")


@attrs.frozen
class Settings:
    #: Renewal buckets: days before the usage end (ascending).
    renewal_windows: tuple[int, ...] = (30, 60, 90)
    #: A satisfaction score below this is a dissatisfaction (0..10 scale).
    satisfaction_threshold: int = attrs.field(default=6, validator=_positive)
    #: A month-over-month usage change beyond ± this share is an anomaly.
    usage_anomaly: Decimal = attrs.field(
        default=Decimal("0.30"), converter=Decimal, validator=_positive
    )
    #: An open deal whose tier has not moved for this many days is stagnant.
    stagnation_days: int = attrs.field(default=14, validator=_positive)
    #: A competitor contact counts as a renewal risk for this many days.
    competitor_risk_days: int = attrs.field(default=90, validator=_positive)
    #: An installed asset whose usage end passed this many days ago with no
    #: renewal and no obsolete record counts as lapsed (churned).
    lapse_grace_days: int = attrs.field(default=30, validator=_positive)
    #: The chance a deal at each open tier is won (weighted pipeline).
    tier_probabilities: MappingProxyType[int, Decimal] = attrs.field(
        default=DEFAULT_TIER_PROBABILITIES, converter=_probabilities
    )
    #: The margin a gate needs, the tolerance below the reviewed price a win
    #: may have and the gates a win needs (docs/domain.md, "Value review
    #: board").
    review_board: ReviewBoardRules = attrs.field(factory=ReviewBoardRules)

    def __attrs_post_init__(self) -> None:
        windows = self.renewal_windows
        if not windows or list(windows) != sorted(set(windows)) or windows[0] <= 0:
            raise ValidationError(
                "settings",
                "renewal_windows",
                f"must be positive days in ascending order: {windows}",
            )
