"""Thresholds and weights of the reports, and the value review board's
rules, with their documented defaults (see docs/kpis.md and docs/domain.md).
Pass a ``Settings`` to ``B2BCore.open``."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from b2bcore.domain.errors import ValidationError
from b2bcore.domain.money import Money
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


def _share(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not 0 < value <= 1:
        raise ValidationError(
            "settings", attribute.name, f"must be a share above 0, at most 1: {value}"
        )


@attrs.frozen
class SuggestionRules:
    """The thresholds of the cross-sell and upgrade suggestions (docs/kpis.md,
    "Cross-sell and upgrade suggestions")."""

    #: A term ending no later than this many months after it began is short.
    short_term_months: int = attrs.field(default=12, validator=_positive)
    #: The uses one vehicle can take in a month: a plan's capacity is its
    #: vehicles (the "(N vehicles)" of its product name) times this.
    uses_per_vehicle: int = attrs.field(default=40, validator=_positive)
    #: How many of the latest usage months the usage rules read.
    recent_months: int = attrs.field(default=3, validator=_positive)
    #: Each recent month at this share of capacity or more: near the limit.
    near_limit: Decimal = attrs.field(
        default=Decimal("0.85"), converter=Decimal, validator=_share
    )
    #: Words (whole, ignoring case) that mark a product as the standard tier.
    standard_words: tuple[str, ...] = ("basic", "standard")
    #: Each recent month at this share of capacity or more: a standard-tier
    #: plan used enough for the premium one.
    premium_usage: Decimal = attrs.field(
        default=Decimal("0.60"), converter=Decimal, validator=_share
    )
    #: A product line held by this share of an account's sector peers or
    #: more, and by at least ``cross_sell_peers`` peers, is cross-sold.
    cross_sell_share: Decimal = attrs.field(
        default=Decimal("0.50"), converter=Decimal, validator=_share
    )
    cross_sell_peers: int = attrs.field(default=3, validator=_positive)


def _rate(value: Any) -> MappingProxyType[str, SavingRate]:
    rates = dict(value)
    for currency, rate in rates.items():
        if not isinstance(rate, SavingRate) or rate.currency != currency:
            raise ValidationError(
                "settings",
                "customer_savings",
                f"the rate of {currency} must be a SavingRate in {currency}",
            )
    return MappingProxyType(rates)


@attrs.frozen
class SavingRate:
    """What one use and one kilometre of the service save a customer against
    its alternative (a taxi, a rental, its own cars), in one currency: the
    customer's ROI (docs/kpis.md, "Customer ROI")."""

    per_use: Money
    per_km: Money

    def __attrs_post_init__(self) -> None:
        if self.per_use.currency != self.per_km.currency:
            raise ValidationError(
                "settings", "customer_savings", "a rate's two amounts need one currency"
            )
        if self.per_use.amount < 0 or self.per_km.amount < 0:
            raise ValidationError(
                "settings", "customer_savings", "a saving rate cannot be negative"
            )

    @property
    def currency(self) -> str:
        return self.per_use.currency


#: The inputs of the health score, each with the most points it gives
#: (``HealthScoring``) and the points it gave (``health.HealthPoints``).
HEALTH_INPUTS = ("usage", "satisfaction", "complaints", "payments", "competitor")


def points_of(inputs: object) -> int:
    """The sum of the health score's inputs of ``inputs``."""
    return sum(getattr(inputs, name) for name in HEALTH_INPUTS)


@attrs.frozen
class HealthScoring:
    """The points of the health score and the renewal likelihood's
    thresholds (docs/kpis.md, "Health score and renewal likelihood"); at
    most 100 points in all."""

    #: The most points each input gives.
    usage: int = 25
    satisfaction: int = 25
    complaints: int = 20
    payments: int = 20
    competitor: int = 10
    #: What each open complaint takes off the complaints' points, by severity.
    complaint_weights: MappingProxyType[Severity, int] = attrs.field(
        default=MappingProxyType(
            {
                Severity.LOW: 2,
                Severity.MEDIUM: 5,
                Severity.HIGH: 10,
                Severity.CRITICAL: 20,
            }
        ),
        converter=_points,
    )
    #: What each installment paid late, and each one overdue, takes off the
    #: payments' points.
    late_payment: int = 5
    overdue_installment: int = 10
    #: A score from ``high`` up is a high renewal likelihood, from ``medium``
    #: up a medium one, below it a low one.
    high: int = 70
    medium: int = 40

    @property
    def most(self) -> int:
        """The best possible score."""
        return points_of(self)

    def __attrs_post_init__(self) -> None:
        points = [
            *(getattr(self, name) for name in HEALTH_INPUTS),
            *self.complaint_weights.values(),
            self.late_payment,
            self.overdue_installment,
        ]
        if set(self.complaint_weights) != set(Severity):
            raise ValidationError(
                "settings", "health", "needs a complaint weight for every severity"
            )
        if min(points) < 0 or self.most > 100:
            raise ValidationError(
                "settings",
                "health",
                f"points must be 0 or more and add up to at most 100: {self.most}",
            )
        if not 0 <= self.medium <= self.high <= 100:
            raise ValidationError(
                "settings",
                "health",
                "the likelihood thresholds need 0 <= medium <= high <= 100: "
                f"{self.medium}, {self.high}",
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
    #: The health score's points and the renewal likelihood's thresholds
    #: (docs/kpis.md, "Health score and renewal likelihood").
    health: HealthScoring = attrs.field(factory=HealthScoring)
    #: The cross-sell and upgrade suggestions' thresholds.
    suggestion_rules: SuggestionRules = attrs.field(factory=SuggestionRules)
    #: The customer's savings per use and per km, by currency (a
    #: ``SavingRate`` under its currency's code); none by default, and the
    #: customer's ROI is not worked out in a currency without one.
    customer_savings: MappingProxyType[str, SavingRate] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_rate
    )

    def __attrs_post_init__(self) -> None:
        windows = self.renewal_windows
        if not windows or list(windows) != sorted(set(windows)) or windows[0] <= 0:
            raise ValidationError(
                "settings",
                "renewal_windows",
                f"must be positive days in ascending order: {windows}",
            )
