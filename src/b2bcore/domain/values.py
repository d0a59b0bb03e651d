"""The domain's vocabulary: enumerations and small immutable value records.

Enumerations are plain ``Enum`` (not ``StrEnum``) on purpose: the event
transcoder only sees non-``str`` types, so a ``StrEnum`` would come back from
the store as a bare string.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar
from uuid import UUID

import attrs

from b2bcore.domain.errors import ValidationError
from b2bcore.domain.ids import deterministic_id
from b2bcore.domain.money import MINOR_UNITS, Money

T_co = TypeVar("T_co", covariant=True)

#: What a forgotten person's name, email and phone read as.
ERASED = "[erased]"


class Grade(Enum):
    """An account's grade (고객 등급)."""

    KEY = "key"
    MAJOR = "major"
    STANDARD = "standard"


class BusinessLine(Enum):
    DOMESTIC = "domestic"
    OVERSEAS = "overseas"
    #: Not known (e.g. imported from a source that does not say).
    UNKNOWN = "unknown"


class ContactChannel(Enum):
    """The channel an account prefers to be reached on."""

    EMAIL = "email"
    PHONE = "phone"
    VISIT = "visit"
    MESSENGER = "messenger"
    WEB = "web"
    #: Not known (e.g. imported from a source that does not say).
    UNKNOWN = "unknown"


class FeedbackKind(Enum):
    """How the voice of the customer was heard (seed 003: VOC)."""

    SURVEY = "survey"
    COMPLAINT = "complaint"
    INTERVIEW = "interview"


class FeedbackCategory(Enum):
    """What a piece of feedback is about: the product, after-sales service,
    order handling, delivery, billing, the price, or something else."""

    PRODUCT = "product"
    SERVICE = "service"
    ORDERING = "ordering"
    DELIVERY = "delivery"
    BILLING = "billing"
    PRICE = "price"
    OTHER = "other"


class Severity(Enum):
    """How serious a complaint is, least first: members compare by rank."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low … 3 for critical."""
        return list(Severity).index(self)


class AssetStatus(Enum):
    PURCHASED = "purchased"
    INSTALLED = "installed"
    OBSOLETE = "obsolete"


class ObsoleteReason(Enum):
    """Why an asset left the installed base (the churn reason)."""

    PRICE = "price"
    BUDGET = "budget"
    COMPETITOR = "competitor"
    FEATURES = "features"
    SUPPORT = "support"
    REPLACED = "replaced"
    UNKNOWN = "unknown"
    OTHER = "other"


class UsagePattern(Enum):
    COMMUTE = "commute"
    BUSINESS = "business"
    LEISURE = "leisure"


class Temperature(Enum):
    """How warm a marketing lead is."""

    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class LeadStatus(Enum):
    MQL = "mql"
    SQL = "sql"
    DISQUALIFIED = "disqualified"
    CONVERTED = "converted"


class SalesStage(Enum):
    """The five stages of the sales cycle a tier sits in."""

    INITIAL_CONTACT = "initial_contact"
    OPPORTUNITY_DEVELOPMENT = "opportunity_development"
    OPPORTUNITY_EVALUATION = "opportunity_evaluation"
    PROPOSAL_AND_CONTRACT = "proposal_and_contract"
    CLOSE_AND_REVIEW = "close_and_review"


#: The stage a tier sits in unless a command says otherwise.
DEFAULT_STAGE: dict[int, SalesStage] = {
    4: SalesStage.INITIAL_CONTACT,
    3: SalesStage.OPPORTUNITY_DEVELOPMENT,
    2: SalesStage.OPPORTUNITY_EVALUATION,
    1: SalesStage.PROPOSAL_AND_CONTRACT,
    0: SalesStage.CLOSE_AND_REVIEW,
}

OPEN_TIERS = (4, 3, 2, 1)


class Outcome(Enum):
    """How a deal left the pipeline at Tier 0."""

    WON = "won"
    LOST = "lost"
    DROPPED = "dropped"


class LossReason(Enum):
    PRICE = "price"
    BUDGET = "budget"
    COMPETITOR = "competitor"
    FEATURES = "features"
    SUPPORT = "support"
    TIMING = "timing"
    NO_DECISION = "no_decision"
    UNKNOWN = "unknown"
    OTHER = "other"


class ReviewArea(Enum):
    """The areas a value review board (VRB) finding can concern."""

    FINANCE = "finance"
    LEGAL = "legal"
    PURCHASING = "purchasing"
    TECHNICAL = "technical"


class Horizon(Enum):
    """How far away a deal's expected close is: short 2–4 months (or less),
    mid 5–12, long beyond 12."""

    SHORT = "short"
    MID = "mid"
    LONG = "long"


#: VRB stage gates are numbered 1..MAX_GATE and passed in order.
MAX_GATE = 5


def horizon(expected_close_on: date, as_of: date) -> Horizon:
    """The horizon of a deal expected to close on ``expected_close_on``.

    Whole calendar months from ``as_of``: up to 4 is short (an overdue or
    imminent deal is short too), 5–12 mid, more than 12 long.
    """
    months = (expected_close_on.year - as_of.year) * 12 + (
        expected_close_on.month - as_of.month
    )
    if expected_close_on.day < as_of.day:
        months -= 1
    if months <= 4:
        return Horizon.SHORT
    if months <= 12:
        return Horizon.MID
    return Horizon.LONG


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def shifted(day: date, days: int) -> date:
    """``day`` moved by ``days``, held at the calendar's first or last day
    (a renewal window or a next term running past 9999-12-31 ends there)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _texts(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@attrs.frozen
class Installment:
    """One planned payment of an asset's contract value."""

    number: int
    due_on: date
    amount: Money


def _installments(items: Iterable[Installment]) -> tuple[Installment, ...]:
    return tuple(items)


@attrs.frozen
class Payment:
    """An installment paid: late when ``paid_on`` is after its due date."""

    number: int
    amount: Money
    paid_on: date
    late: bool


@attrs.frozen
class Renewal:
    """A renewal of an installed asset's contract."""

    renewed_on: date
    previous_usage_end_on: date
    usage_end_on: date
    previous_value: Money
    value: Money

    @property
    def is_upsell(self) -> bool:
        return self.value > self.previous_value


@attrs.frozen
class Upgrade:
    """A move to another product or plan; an upsell when the value rose."""

    upgraded_on: date
    previous_product: str
    product: str
    previous_value: Money
    value: Money

    @property
    def is_upsell(self) -> bool:
        return self.value > self.previous_value


@attrs.frozen
class Inspection:
    number: int
    scheduled_on: date
    due_on: date
    completed_on: date | None = None
    findings: str = ""


@attrs.frozen
class SatisfactionScore:
    recorded_on: date
    score: int
    comment: str


@attrs.frozen
class MonthlyUsage:
    """A month of vehicle use: ``period`` is the first day of the month,
    ``recorded_on`` the business date it was reported."""

    period: date
    count: int
    distance_km: int
    region: str
    pattern: UsagePattern
    recorded_on: date


@attrs.frozen
class CompetitorContact:
    reported_on: date
    competitor: str
    note: str


@attrs.frozen
class TierMove:
    """A deal entering ``tier`` on ``moved_on`` (``from_tier`` None at opening)."""

    moved_on: date
    from_tier: int | None
    tier: int
    stage: SalesStage


class GateStep(Enum):
    REVIEWED = "reviewed"
    PASSED = "passed"
    FAILED = "failed"


@attrs.frozen
class GateRecord:
    """One step of a VRB gate on a date: reviewed, passed or failed."""

    gate: int
    step: GateStep
    on: date


@attrs.frozen
class Profitability:
    """What the VRB estimates a deal costs and the price it is offered at,
    both in the deal's currency (docs/domain.md, "Value review board")."""

    #: The figures worked out from the fields, shown beside them (JSON).
    DERIVED: ClassVar[tuple[str, ...]] = ("margin", "roi")

    cost: Money
    price: Money

    @property
    def margin(self) -> Decimal:
        """(price − cost) ÷ price: the share of the price kept."""
        return (self.price - self.cost).amount / self.price.amount

    @property
    def roi(self) -> Decimal:
        """(price − cost) ÷ cost: the return on what the deal costs."""
        return (self.price - self.cost).amount / self.cost.amount


@attrs.frozen
class GateReview:
    """A VRB review of a gate on a date, with the profitability it estimated
    (None when it estimated none: the previous estimate holds)."""

    gate: int
    reviewed_on: date
    profitability: Profitability | None = None


@attrs.frozen
class AmountEdit:
    """A deal's amount changed on ``changed_on`` from ``previous`` to
    ``value``."""

    changed_on: date
    previous: Money
    value: Money


@attrs.frozen
class OwnerEdit:
    """A deal handed on ``changed_on`` from ``previous`` to ``value``."""

    changed_on: date
    previous: str
    value: str


@attrs.frozen
class ExpectedCloseEdit:
    """A deal's expected close moved on ``changed_on`` from ``previous`` to
    ``value``."""

    changed_on: date
    previous: date
    value: date


class DealEdit(Protocol[T_co]):
    """An edit of one of a deal's terms (``AmountEdit``, ``OwnerEdit``,
    ``ExpectedCloseEdit``)."""

    @property
    def changed_on(self) -> date: ...
    @property
    def previous(self) -> T_co: ...
    @property
    def value(self) -> T_co: ...


@attrs.frozen
class Finding:
    """A VRB finding raised at a gate review; open until resolved."""

    number: int
    gate: int
    area: ReviewArea
    description: str
    raised_on: date
    resolved_on: date | None = None
    resolution: str = ""

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None


@attrs.frozen
class Postmortem:
    """A blameless win/loss analysis recorded after Tier 0."""

    summary: str
    root_causes: tuple[str, ...] = attrs.field(converter=_texts)
    lessons: tuple[str, ...] = attrs.field(converter=_texts)


def _person_id(contact: Contact) -> UUID:
    return deterministic_id("contact", contact.name)


class SealedFields(Protocol):
    """A contact's name, email and phone as stored, sealed: opened only when
    one of them is read (``b2bcore.domain.personal_data``). Equal to another when
    both are the same ciphertext of the same person."""

    def open(self) -> tuple[str, str | None, str | None] | None:
        """The name, email and phone; None once the person is forgotten."""
        ...


#: A contact's fields that are personal data, set together when it is opened.
_PERSONAL = ("name", "email", "phone", "erased")


class _Sealable:
    # Not an attrs field: where a contact read from storage was sealed is no
    # part of its value (not compared, shown or exported).
    __slots__ = ("_sealed",)
    _sealed: SealedFields | None


@attrs.frozen(eq=False)
class Contact(_Sealable):
    """A person at a customer. Name, email and phone are personal data: they
    are stored sealed with the person's own key and read as ``[erased]`` once
    the person is forgotten (docs/audit.md). ``id`` names the key; by default
    it is derived from the name, so one person has one key everywhere.

    A contact read from storage stays sealed until its name, email, phone or
    ``erased`` is first read. Two contacts are equal when their fields are;
    two read from the same ciphertext are equal without opening it, and the
    hash is the id's, so neither opens anything."""

    name: str
    email: str | None = None
    phone: str | None = None
    id: UUID = attrs.field(default=attrs.Factory(_person_id, takes_self=True))
    #: The person was forgotten: every field reads ``[erased]``.
    erased: bool = False

    @classmethod
    def forgotten(cls, person_id: UUID) -> Contact:
        """The contact ``person_id`` after its key was deleted."""
        return cls(ERASED, ERASED, ERASED, id=person_id, erased=True)

    @classmethod
    def unopened(cls, person_id: UUID, sealed: SealedFields) -> Contact:
        """The contact ``person_id`` as stored: ``sealed`` is opened when a
        personal field is first read, never before, and what it opens to is
        kept by this object alone."""
        contact = object.__new__(cls)
        object.__setattr__(contact, "id", person_id)
        object.__setattr__(contact, "_sealed", sealed)
        return contact

    @property
    def sealed(self) -> SealedFields | None:
        """Where this contact was read from, opened yet or not; None for a
        contact made in this process."""
        return self._sealed

    if not TYPE_CHECKING:  # mypy would take every attribute for one

        def __getattr__(self, attribute: str) -> Any:
            # Reached only for a slot never set: ``_sealed`` of a contact made
            # here, or the personal fields of one read from storage, which are
            # opened now, all four at once.
            if attribute == "_sealed":
                return None
            sealed = self._sealed
            if sealed is None or attribute not in _PERSONAL:
                raise AttributeError(f"'Contact' object has no attribute {attribute!r}")
            fields = sealed.open()
            opened = (
                (ERASED, ERASED, ERASED, True) if fields is None else (*fields, False)
            )
            for name, value in zip(_PERSONAL, opened, strict=True):
                object.__setattr__(self, name, value)
            return object.__getattribute__(self, attribute)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Contact):
            return NotImplemented
        if self.id != other.id:
            return False
        if self._sealed is not None and self._sealed == other._sealed:
            return True
        return (self.name, self.email, self.phone, self.erased) == (
            other.name,
            other.email,
            other.phone,
            other.erased,
        )

    def __hash__(self) -> int:
        return hash(self.id)

    def __copy__(self) -> Contact:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Contact:
        # Immutable: a deep copy (of an aggregate, a cached state) shares it,
        # still sealed, and never copies the vault it opens with.
        return self

    def __str__(self) -> str:
        return self.name


def contact_of(value: str | Contact) -> Contact:
    """A contact given as a bare name or as a ``Contact``."""
    return value if isinstance(value, Contact) else Contact(value)


@attrs.frozen
class OrderLine:
    """One asset a won deal's order creates."""

    product: str
    value: Money
    order_reference: str
    contact: Contact = attrs.field(converter=contact_of)
    installments: tuple[Installment, ...] = attrs.field(converter=_installments)


def installment_plan(
    total: Money, count: int, first_due_on: date, every_months: int = 1
) -> tuple[Installment, ...]:
    """Split ``total`` into ``count`` installments due ``every_months`` apart.

    Each installment is the total divided evenly at the currency's minor unit;
    the last one takes the remainder, so the plan always sums to ``total``.
    """
    if count < 1:
        raise ValidationError("installment plan", "count", "must be at least 1")
    if every_months < 1:
        raise ValidationError("installment plan", "every_months", "must be at least 1")
    last_due_month = (
        first_due_on.year * 12 + first_due_on.month - 1 + (count - 1) * every_months
    )
    if last_due_month // 12 > date.max.year:
        raise ValidationError(
            "installment plan",
            "count",
            f"{count} installments every {every_months} month(s) from "
            f"{first_due_on} would fall due after {date.max}, the last date",
        )
    quantum = Decimal(1).scaleb(-MINOR_UNITS[total.currency])
    share = (total.amount / count).quantize(quantum, rounding="ROUND_DOWN")
    if share <= 0:
        raise ValidationError(
            "installment plan",
            "count",
            f"{total} cannot be split into {count} positive installments",
        )
    last = total.amount - share * (count - 1)
    return tuple(
        Installment(
            number=n + 1,
            due_on=add_months(first_due_on, n * every_months),
            amount=Money(last if n == count - 1 else share, total.currency),
        )
        for n in range(count)
    )
