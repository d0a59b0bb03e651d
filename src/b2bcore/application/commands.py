"""Every command, declared once: its fields and their types, the aggregate it
acts on and the aggregate method that carries it out, where it sits below
that aggregate, and its docs. ``B2BCore.handle`` runs one
(``b2bcore.application.handlers``); the typed ``B2BCore`` methods, the ``b2b`` command
line and the HTTP routes are made from these declarations.

A command's one positional field (``attrs.field(kw_only=False)``), when it
has one, names the aggregate it acts on (its *target*); a command without
one creates the aggregate, under the id its ``<kind>_id`` field gives or a
new one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin, get_type_hints
from uuid import UUID

import attrs

from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.aggregate import (
    CONTROL_CHARACTERS,
    DomainAggregate,
    Provenance,
    check_magnitude,
    check_plain,
    too_large,
)
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.ids import deterministic_id
from b2bcore.domain.lead import Lead
from b2bcore.domain.money import Money
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.sales_rep import SalesRep
from b2bcore.domain.values import (
    BusinessLine,
    Contact,
    ContactChannel,
    FeedbackCategory,
    FeedbackKind,
    Grade,
    Installment,
    LossReason,
    ObsoleteReason,
    OrderLine,
    ReviewArea,
    SalesStage,
    Severity,
    Temperature,
    UsagePattern,
)

R_co = TypeVar("R_co", covariant=True)

NOTHING: Mapping[str, type[DomainAggregate]] = MappingProxyType({})


@attrs.frozen(kw_only=True)
class Command(Generic[R_co]):
    """A request to record a fact; ``R_co`` is what running it returns."""

    #: The aggregate the command acts on, or creates.
    ACTS_ON: ClassVar[type[DomainAggregate]]
    #: The aggregate's method that carries the command out (a class method
    #: creating it, for a command without a target); "" for a command with
    #: a handler of its own (``b2bcore.application.handlers.HANDLERS``).
    CALLS: ClassVar[str] = ""
    #: Where the command sits below its aggregate: its HTTP path below the
    #: aggregate's (``{field}`` for a field taken from the path) and its
    #: ``b2b`` sub-command; "" for a command that creates the aggregate.
    ROUTE: ClassVar[str]
    #: The other aggregates the command names by id, by field: each must
    #: exist (a field left None names none).
    NAMES: ClassVar[Mapping[str, type[DomainAggregate]]] = NOTHING
    #: What an answer calls the result, for one that is not an id.
    RESULT: ClassVar[str] = ""

    #: The business date the fact is effective on (default: today).
    on: date | None = None
    #: Why, in words, kept with the events.
    reason: str | None = None
    #: Who records it (default: the core's actor), and in answer to what.
    actor: str | None = None
    correlation_id: UUID | None = None
    causation_id: UUID | None = None

    @classmethod
    def label(cls) -> str:
        """The command's name in words: ``InstallAsset`` → ``install asset``."""
        return "".join(f" {c.lower()}" if c.isupper() else c for c in cls.__name__)[1:]

    @classmethod
    @functools.cache
    def target_field(cls) -> attrs.Attribute[Any] | None:
        """The field naming the aggregate the command acts on, if any (once
        per class: an import runs thousands of commands)."""
        return next(
            (f for f in attrs.fields(cls) if not f.kw_only),
            None,
        )

    @classmethod
    def creates(cls) -> bool:
        return cls.target_field() is None

    def target(self) -> UUID | None:
        """The id of the aggregate the command acts on (None: creates one)."""
        field = self.target_field()
        return None if field is None else getattr(self, field.name)

    def arguments(self) -> dict[str, Any]:
        """The fields the aggregate's method takes, by name."""
        return {name: getattr(self, name) for name in self.passed()}

    @classmethod
    @functools.cache
    def passed(cls) -> tuple[str, ...]:
        """The names of the fields the aggregate's method takes: all but the
        target, the new aggregate's id and those every command has."""
        left_out = {*COMMON, f"{cls.ACTS_ON.KIND}_id"}
        if (field := cls.target_field()) is not None:
            left_out.add(field.name)
        return tuple(f.name for f in attrs.fields(cls) if f.name not in left_out)

    @classmethod
    @functools.cache
    def checked_fields(cls) -> tuple[str, ...]:
        """The fields whose type can hold a text, a whole number or money."""
        hints = get_type_hints(cls)
        return tuple(f.name for f in attrs.fields(cls) if _checked(hints[f.name]))

    def check_input(self) -> None:
        """Refuse a control character in any text the command brings
        (``check_plain``), and a whole number or an amount beyond what the
        read models keep (``check_magnitude``): its fields', their value
        objects' (a contact's email, an installment's amount) and their
        items', naming the field (``contact.email``,
        ``installments[2].amount``). Only the fields whose type can hold one
        are read (once per class: an import runs thousands of commands)."""
        for name in self.checked_fields():
            if not _refused(value := getattr(self, name)):
                continue
            for path, leaf in _leaves(value, name):  # which one, named
                if isinstance(leaf, str):
                    check_plain(self.label(), path, leaf)
                else:
                    check_magnitude(self.label(), path, leaf)

    def provenance(self, actor: str) -> Provenance:
        """Who, why and in answer to what (``actor`` when it names nobody)."""
        return Provenance(
            actor=self.actor or actor,
            reason=self.reason,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
        )


#: The fields every command has.
COMMON = frozenset(f.name for f in attrs.fields(Command))


#: What ``check_input`` reads: texts, whole numbers and money.
CHECKED = (str, int, Money)


def _checked(hint: Any) -> bool:
    """Whether a value of type ``hint`` can hold a text, a whole number or
    money: one of ``CHECKED``, a union or sequence of one, a value object
    with one."""
    if hint in CHECKED:
        return True
    if get_origin(hint) is not None:
        return any(_checked(argument) for argument in get_args(hint))
    if isinstance(hint, type) and attrs.has(hint):
        return any(map(_checked, get_type_hints(hint).values()))
    return False


def _refused(value: object) -> bool:
    """Whether ``value`` holds a text with a control character, or a whole
    number or an amount beyond the largest (``too_large``): the walk of
    ``_leaves`` without building paths (an import checks every command it
    runs)."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.search(value) is not None
    if isinstance(value, Money) or (
        isinstance(value, int) and not isinstance(value, bool)
    ):
        return too_large(value)
    if isinstance(value, (tuple, list)):
        return any(map(_refused, value))
    return any(_refused(getattr(value, name)) for name in _checked_names(type(value)))


#: The fields of each value object ``_refused`` reads, found once per class.
_CHECKED_NAMES: dict[type, tuple[str, ...]] = {}


def _checked_names(kind: type) -> tuple[str, ...]:
    """The fields of a value object that can hold what ``_refused`` reads."""
    if (names := _CHECKED_NAMES.get(kind)) is None:
        hints = get_type_hints(kind) if attrs.has(kind) else {}
        names = tuple(n for n, hint in hints.items() if _checked(hint))
        _CHECKED_NAMES[kind] = names
    return names


def _leaves(value: object, path: str) -> Iterator[tuple[str, str | int | Money]]:
    """Every text, whole number and money ``value`` holds, with where:
    ``name``, ``contact.email``, ``installments[1].amount``."""
    if isinstance(value, str | Money) or (
        isinstance(value, int) and not isinstance(value, bool)
    ):
        yield path, value
    elif isinstance(value, tuple | list):
        for n, item in enumerate(value):
            yield from _leaves(item, f"{path}[{n}]")
    elif attrs.has(kind := type(value)):
        for field in attrs.fields(kind):
            yield from _leaves(getattr(value, field.name), f"{path}.{field.name}")


# -- accounts -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RegisterAccount(Command[UUID]):
    """Register a customer company; returns its id."""

    ACTS_ON = Account
    CALLS = "register"
    ROUTE = ""

    name: str
    grade: Grade
    sector: str
    region: str
    country: str
    business_line: BusinessLine
    preferred_channel: ContactChannel
    account_id: UUID | None = None


@attrs.frozen(kw_only=True)
class ChangeAccountGrade(Command[None]):
    """Change the account's grade (a human decision, kept as a fact)."""

    ACTS_ON = Account
    CALLS = "change_grade"
    ROUTE = "grade"

    account_id: UUID = attrs.field(kw_only=False)
    grade: Grade


@attrs.frozen(kw_only=True)
class ChangeAccountAttributes(Command[None]):
    """Change the given segmentation attributes (None leaves one as is)."""

    ACTS_ON = Account
    CALLS = "change_attributes"
    ROUTE = "attributes"

    account_id: UUID = attrs.field(kw_only=False)
    name: str | None = None
    sector: str | None = None
    region: str | None = None
    country: str | None = None
    business_line: BusinessLine | None = None
    preferred_channel: ContactChannel | None = None


@attrs.frozen(kw_only=True)
class OpenRenewalDeals(Command[tuple[UUID, ...]]):
    """The renewal policy for the account: open a renewal deal, with its
    defaults, for each installed asset of it within its renewal window on
    ``on`` that has none open and none opened for its current usage end;
    returns the deals' ids. Running it again opens nothing new."""

    ACTS_ON = Account
    ROUTE = "renewal-deals"
    RESULT = "opportunity_ids"

    account_id: UUID = attrs.field(kw_only=False)


# -- assets ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PurchaseAsset(Command[UUID]):
    """Record a completed order creating an asset of ``account_id``
    (``upsell`` when it adds to what the account had); returns the asset's
    id. ``installments`` must sum to ``value`` (see
    ``b2bcore.installment_plan``)."""

    ACTS_ON = Asset
    CALLS = "purchase"
    ROUTE = ""
    NAMES = MappingProxyType({"account_id": Account})

    account_id: UUID
    product: str
    order_reference: str
    contact: str | Contact
    value: Money
    installments: Sequence[Installment]
    owner: str
    asset_id: UUID | None = None
    opportunity_id: UUID | None = None
    upsell: bool = False


@attrs.frozen(kw_only=True)
class InstallAsset(Command[None]):
    """Install the asset; ``usage_end_on=None`` makes it open-ended."""

    ACTS_ON = Asset
    CALLS = "install"
    ROUTE = "install"

    asset_id: UUID = attrs.field(kw_only=False)
    usage_end_on: date | None


@attrs.frozen(kw_only=True)
class RenewAsset(Command[None]):
    """Extend the usage end date, optionally at a new value (an upsell when
    higher) with the new term's installments (numbered after the plan's)."""

    ACTS_ON = Asset
    CALLS = "renew"
    ROUTE = "renew"

    asset_id: UUID = attrs.field(kw_only=False)
    usage_end_on: date
    value: Money | None = None
    installments: Sequence[Installment] = ()


@attrs.frozen(kw_only=True)
class OpenRenewalDeal(Command[UUID]):
    """Open the deal renewing the installed asset, within its renewal window
    (``Settings.renewal_deal_days`` before the usage end until it lapses),
    while no other renewal deal of it is open; returns the deal's id. Name,
    amount, owner and expected close default to "Renewal of <product>", the
    asset's value, owner and usage end (docs/domain.md, "Renewal deals")."""

    ACTS_ON = Asset
    ROUTE = "renewal-deals"

    asset_id: UUID = attrs.field(kw_only=False)
    name: str | None = None
    amount: Money | None = None
    owner: str | None = None
    expected_close_on: date | None = None
    tier: int = 4
    stage: SalesStage | None = None
    competitors: Sequence[str] = ()
    #: Default: ``b2bcore.domain.ids.renewal_deal_id``.
    opportunity_id: UUID | None = None


@attrs.frozen(kw_only=True)
class CorrectUsageEnd(Command[None]):
    """Correct a wrong current usage end date retroactively: the correction
    takes effect on the business date of the install or renewal that set it
    (docs/audit.md); ``on`` is the day it is made."""

    ACTS_ON = Asset
    CALLS = "correct_usage_end"
    ROUTE = "usage-end/correct"

    asset_id: UUID = attrs.field(kw_only=False)
    usage_end_on: date
    reason: str


@attrs.frozen(kw_only=True)
class UpgradeAsset(Command[None]):
    """Move the asset to another product at a new contract value."""

    ACTS_ON = Asset
    CALLS = "upgrade"
    ROUTE = "upgrade"

    asset_id: UUID = attrs.field(kw_only=False)
    product: str
    value: Money


@attrs.frozen(kw_only=True)
class ReplaceAsset(Command[None]):
    """Make the asset obsolete, replaced by ``successor_id`` (an asset of
    the same account)."""

    ACTS_ON = Asset
    ROUTE = "replace"

    asset_id: UUID = attrs.field(kw_only=False)
    successor_id: UUID
    note: str = ""


@attrs.frozen(kw_only=True)
class MakeAssetObsolete(Command[None]):
    """End the asset's life (churn); obsolete is terminal."""

    ACTS_ON = Asset
    CALLS = "make_obsolete"
    ROUTE = "obsolete"

    asset_id: UUID = attrs.field(kw_only=False)
    reason_code: ObsoleteReason
    note: str = ""


@attrs.frozen(kw_only=True)
class ScheduleInspection(Command[int]):
    """Plan an inspection of an installed asset; returns its number."""

    ACTS_ON = Asset
    CALLS = "schedule_inspection"
    ROUTE = "inspections"
    RESULT = "number"

    asset_id: UUID = attrs.field(kw_only=False)
    due_on: date


@attrs.frozen(kw_only=True)
class CompleteInspection(Command[None]):
    """Record a scheduled inspection done, with what it found."""

    ACTS_ON = Asset
    CALLS = "complete_inspection"
    ROUTE = "inspections/{number}/complete"

    asset_id: UUID = attrs.field(kw_only=False)
    number: int
    findings: str = ""


@attrs.frozen(kw_only=True)
class CorrectInspection(Command[None]):
    """Correct what completed inspection ``number`` found, as of the day it
    was completed."""

    ACTS_ON = Asset
    CALLS = "correct_inspection"
    ROUTE = "inspections/{number}/correct"

    asset_id: UUID = attrs.field(kw_only=False)
    number: int
    findings: str
    reason: str


@attrs.frozen(kw_only=True)
class RecordSatisfaction(Command[None]):
    """Record a satisfaction score from 0 to 10."""

    ACTS_ON = Asset
    CALLS = "record_satisfaction"
    ROUTE = "satisfaction"

    asset_id: UUID = attrs.field(kw_only=False)
    score: int
    comment: str = ""


@attrs.frozen(kw_only=True)
class CorrectSatisfaction(Command[None]):
    """Correct the satisfaction score recorded on ``recorded_on``, as of
    that day."""

    ACTS_ON = Asset
    CALLS = "correct_satisfaction"
    ROUTE = "satisfaction/correct"

    asset_id: UUID = attrs.field(kw_only=False)
    recorded_on: date
    score: int
    reason: str


@attrs.frozen(kw_only=True)
class RecordUsage(Command[None]):
    """Record a month's usage (``period`` is any day of the month)."""

    ACTS_ON = Asset
    CALLS = "record_usage"
    ROUTE = "usage"

    asset_id: UUID = attrs.field(kw_only=False)
    period: date
    count: int
    distance_km: int
    region: str
    pattern: UsagePattern


@attrs.frozen(kw_only=True)
class CorrectUsage(Command[None]):
    """Correct the count and distance recorded for the month of ``period``,
    as of the day they were recorded."""

    ACTS_ON = Asset
    CALLS = "correct_usage"
    ROUTE = "usage/correct"

    asset_id: UUID = attrs.field(kw_only=False)
    period: date
    count: int
    distance_km: int
    reason: str


@attrs.frozen(kw_only=True)
class ReportCompetitorContact(Command[None]):
    """Record that a competitor approached the customer about the asset."""

    ACTS_ON = Asset
    CALLS = "report_competitor_contact"
    ROUTE = "competitor-contacts"

    asset_id: UUID = attrs.field(kw_only=False)
    competitor: str
    note: str = ""


@attrs.frozen(kw_only=True)
class PayInstallment(Command[None]):
    """Record installment ``number`` paid in full on ``on`` (late when after
    its due date)."""

    ACTS_ON = Asset
    CALLS = "pay_installment"
    ROUTE = "installments/{number}/payments"

    asset_id: UUID = attrs.field(kw_only=False)
    number: int
    amount: Money


@attrs.frozen(kw_only=True)
class CorrectPayment(Command[None]):
    """Correct the day installment ``number`` was paid (and so whether it
    was late), as of the day it was said to be paid (docs/audit.md)."""

    ACTS_ON = Asset
    CALLS = "correct_payment"
    ROUTE = "installments/{number}/payments/correct"

    asset_id: UUID = attrs.field(kw_only=False)
    number: int
    paid_on: date
    reason: str


@attrs.frozen(kw_only=True)
class ReversePayment(Command[None]):
    """Reverse the payment of installment ``number``, which never happened:
    the installment is unpaid again, as of the day it was said to be paid."""

    ACTS_ON = Asset
    CALLS = "reverse_payment"
    ROUTE = "installments/{number}/payments/reverse"

    asset_id: UUID = attrs.field(kw_only=False)
    number: int
    reason: str


# -- leads ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CaptureLead(Command[UUID]):
    """Capture a marketing-qualified lead (MQL); returns its id."""

    ACTS_ON = Lead
    CALLS = "capture"
    ROUTE = ""
    NAMES = MappingProxyType({"account_id": Account})

    company: str
    source: str
    temperature: Temperature
    contact: str | Contact | None = None
    need: str | None = None
    account_id: UUID | None = None
    lead_id: UUID | None = None


@attrs.frozen(kw_only=True)
class ChangeLeadTemperature(Command[None]):
    """Mark the lead hot, warm or cold."""

    ACTS_ON = Lead
    CALLS = "change_temperature"
    ROUTE = "temperature"

    lead_id: UUID = attrs.field(kw_only=False)
    temperature: Temperature


@attrs.frozen(kw_only=True)
class QualifyLead(Command[None]):
    """Make an MQL a sales lead (SQL); it needs a contact and a need."""

    ACTS_ON = Lead
    CALLS = "qualify"
    ROUTE = "qualify"

    lead_id: UUID = attrs.field(kw_only=False)
    contact: str | Contact | None = None
    need: str | None = None


@attrs.frozen(kw_only=True)
class DisqualifyLead(Command[None]):
    """Drop the lead, saying why."""

    ACTS_ON = Lead
    CALLS = "disqualify"
    ROUTE = "disqualify"

    lead_id: UUID = attrs.field(kw_only=False)
    reason: str


@attrs.frozen(kw_only=True)
class DealTerms(Command[UUID]):
    """What a deal is opened with (by converting a lead or directly)."""

    name: str
    amount: Money
    owner: str
    business_line: BusinessLine
    region: str
    country: str
    product: str
    expected_close_on: date
    competitors: Sequence[str] = ()
    opportunity_id: UUID | None = None


@attrs.frozen(kw_only=True)
class ConvertLead(DealTerms):
    """Convert a sales lead into a Tier 4 opportunity, both in one save;
    returns the opportunity's id. The account defaults to the lead's."""

    ACTS_ON = Lead
    ROUTE = "convert"
    NAMES = MappingProxyType({"account_id": Account})

    lead_id: UUID = attrs.field(kw_only=False)
    account_id: UUID | None = None


# -- opportunities --------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OpenOpportunity(DealTerms):
    """Open a deal (at Tier 4 unless told); ``account_id`` may be None when
    the account is unknown. Returns its id."""

    ACTS_ON = Opportunity
    CALLS = "open"
    ROUTE = ""
    NAMES = MappingProxyType({"account_id": Account})

    account_id: UUID | None
    tier: int = 4
    stage: SalesStage | None = None


@attrs.frozen(kw_only=True)
class ChangeTier(Command[None]):
    """Move the deal to another tier (and sales stage)."""

    ACTS_ON = Opportunity
    CALLS = "change_tier"
    ROUTE = "tier"

    opportunity_id: UUID = attrs.field(kw_only=False)
    tier: int
    stage: SalesStage | None = None


@attrs.frozen(kw_only=True)
class ReviewGate(Command[list[int]]):
    """Record a VRB review of the next gate, with the cost and price it
    estimates, if any; returns the findings' numbers."""

    ACTS_ON = Opportunity
    CALLS = "review_gate"
    ROUTE = "gates/{gate}/review"
    RESULT = "finding_numbers"

    opportunity_id: UUID = attrs.field(kw_only=False)
    gate: int
    findings: Sequence[tuple[ReviewArea, str]] = ()
    #: The estimated cost and price, in the deal's currency (both or neither).
    cost: Money | None = None
    price: Money | None = None


@attrs.frozen(kw_only=True)
class ResolveFinding(Command[None]):
    """Close a review finding, saying how it was resolved."""

    ACTS_ON = Opportunity
    CALLS = "resolve_finding"
    ROUTE = "findings/{number}/resolve"

    opportunity_id: UUID = attrs.field(kw_only=False)
    number: int
    resolution: str


@attrs.frozen(kw_only=True)
class PassGate(Command[None]):
    """Pass a reviewed gate; refused while any of its findings is open or
    the deal's estimated margin is below the board's minimum."""

    ACTS_ON = Opportunity
    ROUTE = "gates/{gate}/pass"

    opportunity_id: UUID = attrs.field(kw_only=False)
    gate: int


@attrs.frozen(kw_only=True)
class FailGate(Command[None]):
    """Fail a gate, saying why."""

    ACTS_ON = Opportunity
    CALLS = "fail_gate"
    ROUTE = "gates/{gate}/fail"

    opportunity_id: UUID = attrs.field(kw_only=False)
    gate: int
    reason: str


@attrs.frozen(kw_only=True)
class WinOpportunity(Command[tuple[UUID, ...]]):
    """Close the deal as won; each order line becomes an asset purchased on
    the same day (``upsell`` when they add to what the account had), saved
    atomically with the win (``b2bcore.domain.policies``). Returns the new assets'
    ids. Refused before the gates the board requires are passed, or below
    the reviewed price beyond its tolerance. A renewal deal renews its asset
    in the same save, at ``value``, to ``usage_end_on`` (default: one more
    term of the current one's length)."""

    ACTS_ON = Opportunity
    ROUTE = "win"
    RESULT = "asset_ids"

    opportunity_id: UUID = attrs.field(kw_only=False)
    value: Money
    order: Sequence[OrderLine] = ()
    upsell: bool = False
    #: A renewal deal's new usage end for its asset.
    usage_end_on: date | None = None


@attrs.frozen(kw_only=True)
class ChangeOpportunityAmount(Command[None]):
    """Change the open deal's amount (in its currency), saying why."""

    ACTS_ON = Opportunity
    CALLS = "change_amount"
    ROUTE = "amount"

    opportunity_id: UUID = attrs.field(kw_only=False)
    amount: Money
    reason: str


@attrs.frozen(kw_only=True)
class ReassignOpportunity(Command[None]):
    """Hand the open deal to another owner, saying why."""

    ACTS_ON = Opportunity
    CALLS = "reassign"
    ROUTE = "owner"

    opportunity_id: UUID = attrs.field(kw_only=False)
    owner: str
    reason: str


@attrs.frozen(kw_only=True)
class MoveExpectedClose(Command[None]):
    """Move the open deal's expected close date, saying why."""

    ACTS_ON = Opportunity
    CALLS = "move_expected_close"
    ROUTE = "expected-close"

    opportunity_id: UUID = attrs.field(kw_only=False)
    expected_close_on: date
    reason: str


@attrs.frozen(kw_only=True)
class LoseOpportunity(Command[None]):
    """Close the deal as lost, with the reason and the competitor it went to;
    a renewal deal's asset is made obsolete in the same save, its churn
    reason from the loss reason (docs/domain.md, "Renewal deals")."""

    ACTS_ON = Opportunity
    ROUTE = "lose"

    opportunity_id: UUID = attrs.field(kw_only=False)
    reason_code: LossReason
    competitor: str | None = None


@attrs.frozen(kw_only=True)
class DropOpportunity(Command[None]):
    """Close the deal as dropped (no decision), saying why."""

    ACTS_ON = Opportunity
    CALLS = "drop"
    ROUTE = "drop"

    opportunity_id: UUID = attrs.field(kw_only=False)
    reason: str


@attrs.frozen(kw_only=True)
class CorrectTierMove(Command[None]):
    """Correct the day of tier move ``position`` (1 is the first move after
    the opening), as of the day it was recorded (docs/audit.md)."""

    ACTS_ON = Opportunity
    CALLS = "correct_tier_move"
    ROUTE = "tier-moves/{position}/correct"

    opportunity_id: UUID = attrs.field(kw_only=False)
    position: int
    moved_on: date
    reason: str


@attrs.frozen(kw_only=True)
class CorrectOutcomeDate(Command[None]):
    """Correct the day the deal was won, lost or dropped, as of the day it
    was recorded (docs/audit.md)."""

    ACTS_ON = Opportunity
    CALLS = "correct_outcome_date"
    ROUTE = "outcome/correct"

    opportunity_id: UUID = attrs.field(kw_only=False)
    closed_on: date
    reason: str


@attrs.frozen(kw_only=True)
class RecordPostmortem(Command[None]):
    """Record the blameless win/loss analysis of a closed deal."""

    ACTS_ON = Opportunity
    ROUTE = "postmortem"

    opportunity_id: UUID = attrs.field(kw_only=False)
    summary: str
    root_causes: Sequence[str] = ()
    lessons: Sequence[str] = ()


# -- the voice of the customer -----------------------------------------------


@attrs.frozen(kw_only=True)
class RecordFeedback(Command[UUID]):
    """Record a survey (with its ``score``, 0..10), a complaint (with its
    ``severity``) or an interview of ``account_id``, about ``asset_id`` (one
    of its assets) or the account as a whole; returns its id."""

    ACTS_ON = Feedback
    ROUTE = ""
    NAMES = MappingProxyType({"account_id": Account, "asset_id": Asset})

    account_id: UUID
    kind: FeedbackKind
    channel: ContactChannel
    category: FeedbackCategory
    text: str = ""
    severity: Severity | None = None
    score: int | None = None
    #: The needs the customer named (labels, for needs-based segmentation).
    needs: Sequence[str] = ()
    asset_id: UUID | None = None
    feedback_id: UUID | None = None


@attrs.frozen(kw_only=True)
class ResolveComplaint(Command[None]):
    """Close the complaint, saying how it was resolved (once)."""

    ACTS_ON = Feedback
    CALLS = "resolve"
    ROUTE = "resolve"

    feedback_id: UUID = attrs.field(kw_only=False)
    resolution: str


# -- sales reps and alerts ------------------------------------------------------


def sales_rep_id(name: str) -> UUID:
    """A sales rep's id: from the name, so a rep is registered once."""
    return deterministic_id("sales_rep", name.strip())


@attrs.frozen(kw_only=True)
class RegisterSalesRep(Command[UUID]):
    """Register a deal owner with their manager and regional office; the id
    derives from the name, so a rep is registered once."""

    ACTS_ON = SalesRep
    ROUTE = ""

    name: str
    manager: str
    office: str


@attrs.frozen(kw_only=True)
class ReassignSalesRep(Command[None]):
    """Give the sales rep another manager and office."""

    ACTS_ON = SalesRep
    CALLS = "reassign"
    ROUTE = "reassign"

    name: str = attrs.field(kw_only=False)
    manager: str
    office: str

    def target(self) -> UUID:
        return sales_rep_id(self.name)


@attrs.frozen(kw_only=True)
class AcknowledgeAlert(Command[None]):
    """Record that someone took the alert in hand (once per alert)."""

    ACTS_ON = Acknowledgement
    ROUTE = "acknowledge"

    alert_id: UUID = attrs.field(kw_only=False)
    note: str = ""


#: Every command, in the order the docs list them.
COMMANDS: tuple[type[Command[Any]], ...] = (
    RegisterAccount,
    ChangeAccountGrade,
    ChangeAccountAttributes,
    OpenRenewalDeals,
    PurchaseAsset,
    InstallAsset,
    RenewAsset,
    OpenRenewalDeal,
    CorrectUsageEnd,
    UpgradeAsset,
    ReplaceAsset,
    MakeAssetObsolete,
    ScheduleInspection,
    CompleteInspection,
    CorrectInspection,
    RecordSatisfaction,
    CorrectSatisfaction,
    RecordUsage,
    CorrectUsage,
    ReportCompetitorContact,
    PayInstallment,
    CorrectPayment,
    ReversePayment,
    CaptureLead,
    ChangeLeadTemperature,
    QualifyLead,
    DisqualifyLead,
    ConvertLead,
    OpenOpportunity,
    ChangeTier,
    ReviewGate,
    ResolveFinding,
    PassGate,
    FailGate,
    ChangeOpportunityAmount,
    ReassignOpportunity,
    MoveExpectedClose,
    WinOpportunity,
    LoseOpportunity,
    DropOpportunity,
    CorrectTierMove,
    CorrectOutcomeDate,
    RecordPostmortem,
    RecordFeedback,
    ResolveComplaint,
    RegisterSalesRep,
    ReassignSalesRep,
    AcknowledgeAlert,
)
