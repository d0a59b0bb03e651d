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
from b2bcore.domain.values import Severity, Temperature

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


def _points(value: Any) -> MappingProxyType[Any, int]:
    return MappingProxyType(dict(value))


@attrs.frozen
class LeadScoring:
    """The points of the lead score (docs/kpis.md, "Lead score"); at most
    100 in all."""

    #: Points for the lead's temperature.
    temperature: MappingProxyType[Temperature, int] = attrs.field(
        default=MappingProxyType(
            {Temperature.HOT: 35, Temperature.WARM: 20, Temperature.COLD: 5}
        ),
        converter=_points,
    )
    #: Points for a lead qualified (SQL) by the report date.
    qualified: int = 20
    #: Points for a contact, for a need recorded.
    contact: int = 10
    need: int = 10
    #: Points for the source (matched ignoring case and spaces around it);
    #: a source not listed scores 0.
    sources: MappingProxyType[str, int] = attrs.field(
        default=MappingProxyType(
            {"referral": 10, "partner": 10, "fair": 5, "event": 5, "web": 5}
        ),
        converter=_points,
    )
    #: Freshness: ``fresh_points`` on the day of capture, falling linearly
    #: to 0 at ``fresh_days`` days old.
    fresh_points: int = 15
    fresh_days: int = attrs.field(default=90, validator=_positive)

    def source_points(self, source: str) -> int:
        """The points of ``source``, ignoring case and surrounding spaces."""
        wanted = source.strip().casefold()
        return next(
            (p for s, p in self.sources.items() if s.strip().casefold() == wanted), 0
        )

    def __attrs_post_init__(self) -> None:
        points = [
            *self.temperature.values(),
            self.qualified,
            self.contact,
            self.need,
            *self.sources.values(),
            self.fresh_points,
        ]
        if set(self.temperature) != set(Temperature):
            raise ValidationError(
                "settings", "lead_scoring", "needs points for every temperature"
            )
        top = (
            max(self.temperature.values())
            + self.qualified
            + self.contact
            + self.need
            + max(self.sources.values(), default=0)
            + self.fresh_points
        )
        if min(points) < 0 or top > 100:
            raise ValidationError(
                "settings",
                "lead_scoring",
                f"points must be 0 or more and add up to at most 100: {top}",
            )


def _severity(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Severity):
        raise ValidationError(
            "settings", attribute.name, f"must be a Severity: {value!r}"
        )


@attrs.frozen
class Settings:
    #: Renewal buckets: days before the usage end (ascending).
    renewal_windows: tuple[int, ...] = (30, 60, 90)
    #: A satisfaction score below this is a dissatisfaction (0..10 scale).
    satisfaction_threshold: int = attrs.field(default=6, validator=_positive)
    #: A complaint this severe or worse is a dissatisfaction while unresolved.
    complaint_severity: Severity = attrs.field(
        default=Severity.MEDIUM, validator=_severity
    )
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
    #: A renewal deal may be opened from this many days before an asset's
    #: usage end (until it lapses): docs/domain.md, "Renewal deals".
    renewal_deal_days: int = attrs.field(default=90, validator=_positive)
    #: The chance a deal at each open tier is won (weighted pipeline).
    tier_probabilities: MappingProxyType[int, Decimal] = attrs.field(
        default=DEFAULT_TIER_PROBABILITIES, converter=_probabilities
    )
    #: The margin a gate needs, the tolerance below the reviewed price a win
    #: may have and the gates a win needs (docs/domain.md, "Value review
    #: board").
    review_board: ReviewBoardRules = attrs.field(factory=ReviewBoardRules)
    #: The points of the lead score (docs/kpis.md, "Lead score").
    lead_scoring: LeadScoring = attrs.field(factory=LeadScoring)

    def __attrs_post_init__(self) -> None:
        windows = self.renewal_windows
        if not windows or list(windows) != sorted(set(windows)) or windows[0] <= 0:
            raise ValidationError(
                "settings",
                "renewal_windows",
                f"must be positive days in ascending order: {windows}",
            )
