"""What every b2bcore aggregate and event shares.

Each event carries, besides its own fields, the business date it takes effect
(``effective_on``), who recorded it (``actor``), why (``reason``), and the
``correlation_id``/``causation_id`` that tie it to the request and the event
that caused it. The recorded time is the library's ``timestamp``, set by the
system when the event is created.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    NoReturn,
    Self,
    TypeVar,
    get_args,
    get_origin,
    get_type_hints,
)
from uuid import UUID, uuid5

import attrs
from eventsourcing.domain import (
    AggregateCreated,
    AggregateEvent,
    BaseAggregate,
    Snapshot,
)

from b2bcore.domain.errors import BusinessRuleError, ValidationError, shortened
from b2bcore.domain.money import MINOR_UNITS, Money
from b2bcore.domain.values import Contact

V = TypeVar("V")


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("provenance", attribute.name, "must be a non-empty text")
    _provenance_text(attribute.name, value, MAX_LABEL_LENGTH)


def _optional_text(
    instance: object, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    if value is not None and not isinstance(value, str):
        raise ValidationError(
            "provenance", attribute.name, f"must be a text: {value!r}"
        )
    if value is not None:
        _provenance_text(attribute.name, value, MAX_NOTE_LENGTH)


def _provenance_text(field: str, value: str, limit: int) -> None:
    """Who or why: storable Unicode, at most ``limit`` characters, no
    control character."""
    text = _unicode("provenance", field, value)
    check_length("provenance", field, text, limit)
    check_plain("provenance", field, text)


def _optional_uuid(
    instance: object, attribute: attrs.Attribute[UUID | None], value: UUID | None
) -> None:
    if value is not None and not isinstance(value, UUID):
        raise ValidationError(
            "provenance", attribute.name, f"must be a UUID: {value!r}"
        )


@attrs.frozen
class Provenance:
    """Who records a change, why, and in answer to what."""

    actor: str = attrs.field(validator=_non_empty)
    reason: str | None = attrs.field(default=None, validator=_optional_text)
    correlation_id: UUID | None = attrs.field(default=None, validator=_optional_uuid)
    causation_id: UUID | None = attrs.field(default=None, validator=_optional_uuid)


def event_id(event: DomainAggregate.Event) -> UUID:
    """A stable id for a stored event, usable as another event's causation id."""
    return uuid5(event.originator_id, str(event.originator_version))


class DomainAggregate(BaseAggregate[UUID]):
    """Base of Account, Asset, Lead and Opportunity."""

    KIND = "aggregate"

    if TYPE_CHECKING:  # set by every event; not a class annotation at run time,
        # where annotations would make the library treat aggregates as dataclasses
        #: The latest business date of the events applied.
        last_fact_on: date

    class Event(AggregateEvent):
        #: The stable name events of this class are stored under.
        TOPIC: ClassVar[str]

        effective_on: date
        actor: str
        reason: str | None
        correlation_id: UUID | None
        causation_id: UUID | None

        def mutate(self, aggregate: Any) -> Any:
            aggregate = super().mutate(aggregate)
            self._note_date(aggregate)
            return aggregate

        def replay_onto(self, aggregate: Any) -> None:
            """Apply this event to ``aggregate`` even when events before it
            were left out (an as-of replay): no sequence check."""
            self.apply(aggregate)
            aggregate.version = self.originator_version
            aggregate.modified_on = self.timestamp
            self._note_date(aggregate)

        def _note_date(self, aggregate: Any) -> None:
            latest = aggregate.__dict__.get("last_fact_on")
            if latest is None or self.effective_on > latest:
                aggregate.last_fact_on = self.effective_on

        def __post_init__(self) -> None:
            super().__post_init__()
            # The JSON transcoder gives tuples back as lists; keep events
            # immutable and equal to themselves after a round trip.
            for name in tuple_fields(type(self)):
                value = getattr(self, name)
                if isinstance(value, list):
                    object.__setattr__(self, name, tuple(value))

    Snapshot = Snapshot

    @property
    def subject(self) -> str:
        """How error messages name this aggregate."""
        return f"{self.KIND} {self.id}"

    @classmethod
    def _begin(
        cls,
        event_class: type[AggregateCreated],
        aggregate_id: UUID,
        on: date,
        meta: Provenance,
        **fields: Any,
    ) -> Self:
        check_date(f"{cls.KIND} {aggregate_id}", "on", on)
        return cls._create(
            event_class,
            id=aggregate_id,
            effective_on=on,
            **_provenance_fields(meta),
            **fields,
        )

    def _record(
        self,
        event_class: type[DomainAggregate.Event],
        on: date,
        meta: Provenance,
        **fields: Any,
    ) -> None:
        self.trigger_event(
            event_class, effective_on=on, **_provenance_fields(meta), **fields
        )

    def _record_correction(
        self,
        event_class: type[DomainAggregate.Event],
        fact_on: date,
        on: date,
        meta: Provenance,
        **fields: object,
    ) -> None:
        """Record a correction of the fact of ``fact_on``: effective then,
        made ``on`` (which may not predate it)."""
        self._check_on(on, fact_on, "the corrected fact on")
        self._record(event_class, fact_on, meta, corrected_on=on, **fields)

    def _refuse(self, field: str, rule: str) -> NoReturn:
        raise BusinessRuleError(self.subject, field, rule)

    def _require_reason(self, meta: Provenance, action: str) -> None:
        if meta.reason is None or not meta.reason.strip():
            self._refuse("reason", f"{action} needs a reason")

    def _check_after_last_fact(self, on: date) -> None:
        """A terminal change may not predate a fact the aggregate holds."""
        self._check_on(on, self.last_fact_on, "its last recorded fact, on")

    def _check_on(self, on: date, not_before: date, what: str) -> None:
        check_date(self.subject, "on", on)
        if on < not_before:
            self._refuse("on", f"{on} is before {what} {not_before}")


@functools.cache
def tuple_fields(event_class: type) -> tuple[str, ...]:
    """The fields of ``event_class`` declared as tuples (optional or not),
    worked out once per class: events are built and decoded by the
    thousand."""
    return tuple(
        name
        for name, hint in get_type_hints(event_class).items()
        if tuple in (get_origin(hint), *map(get_origin, get_args(hint)))
    )


def _provenance_fields(meta: Provenance) -> dict[str, Any]:
    if not isinstance(meta, Provenance):
        raise ValidationError("provenance", "meta", "must be a Provenance")
    return attrs.asdict(meta, recurse=False)


def check_type(subject: str, field: str, value: V, kind: type[V]) -> V:
    """``value`` if it is a ``kind``, else a ValidationError naming ``field``."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValidationError(
            subject, field, f"must be a {kind.__name__}, got {value!r}"
        )
    return value


def check_date(subject: str, field: str, value: date) -> date:
    """A business date: a ``date``, never a ``datetime``."""
    if type(value) is not date:
        raise ValidationError(subject, field, f"must be a date, got {value!r}")
    return value


#: The most characters a name or short label may have: an account's, a
#: deal's or a person's name, a product, a region, an owner, an actor.
MAX_LABEL_LENGTH = 200
#: The most characters a free text may have: a reason, a note, findings, a
#: comment, a need, a resolution, a postmortem's summary.
MAX_NOTE_LENGTH = 5_000


def check_length(subject: str, field: str, value: str, limit: int) -> str:
    """``value`` when it has at most ``limit`` characters (docs/domain.md,
    "Texts"), else a ValidationError naming ``field`` and the limit."""
    if len(value) > limit:
        raise ValidationError(
            subject,
            field,
            f"must be at most {limit:,} characters, got {len(value):,}",
        )
    return value


def check_text(
    subject: str, field: str, value: str, *, limit: int = MAX_LABEL_LENGTH
) -> str:
    """A required text, stripped; blank, not valid Unicode or longer than
    ``limit`` is refused."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(subject, field, "must be a non-empty text")
    return check_length(subject, field, _unicode(subject, field, value).strip(), limit)


#: What no text coming in may hold: NUL, which PostgreSQL cannot store in a
#: text, and the other control characters but tab and line breaks (an escape
#: sequence in a name would act on the terminal showing it), and the bidi
#: controls that embed, override or isolate (U+202A–U+202E, U+2066–U+2069:
#: a name holding one shows its letters in another order than they are).
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def check_plain(subject: str, field: str, value: str) -> str:
    """``value`` when it holds no control character (``CONTROL_CHARACTERS``).
    Checked on what comes in (every text of a command, who and why), not
    by the aggregates: a text they copy from what is recorded passes."""
    if (found := CONTROL_CHARACTERS.search(value)) is not None:
        raise ValidationError(
            subject,
            field,
            f"must not hold a control character (U+{ord(found.group()):04X})",
        )
    return value


#: The largest magnitude of a whole number coming in, and of an amount in
#: minor units (15 digits: USD 9,999,999,999,999.99, KRW
#: 999,999,999,999,999): the read models keep both in 64-bit integers, and
#: a sum of up to 9,223 of the largest stays within them.
MAX_WHOLE_NUMBER = 10**15 - 1
#: The largest amount, by currency: ``MAX_WHOLE_NUMBER`` minor units.
LARGEST_AMOUNT = {
    currency: Decimal(MAX_WHOLE_NUMBER).scaleb(-units)
    for currency, units in MINOR_UNITS.items()
}


def too_large(value: int | Money) -> bool:
    """Whether a whole number, or an amount, is beyond the largest either
    side of zero."""
    if isinstance(value, Money):
        return abs(value.amount) > LARGEST_AMOUNT[value.currency]
    return abs(value) > MAX_WHOLE_NUMBER


def check_magnitude(subject: str, field: str, value: int | Money) -> None:
    """Refuse a whole number, or an amount, beyond the largest
    (``too_large``). Checked on what comes in (every number and amount of a
    command), as ``check_plain``."""
    if not too_large(value):
        return
    largest = (
        f"amount, {Money(LARGEST_AMOUNT[value.currency], value.currency)}"
        if isinstance(value, Money)
        else f"whole number, {MAX_WHOLE_NUMBER:,}"
    )
    raise ValidationError(
        subject,
        field,
        f"{shortened(value)} is beyond the largest {largest} (either side of zero)",
    )


def _unicode(subject: str, field: str, value: str) -> str:
    """``value`` when it can be stored (no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(subject, field, "is not valid Unicode text") from None
    return value


def check_note(subject: str, field: str, value: str) -> str:
    """A free text that may be blank, stripped, at most MAX_NOTE_LENGTH
    characters."""
    check_type(subject, field, value, str)
    return check_length(
        subject, field, _unicode(subject, field, value).strip(), MAX_NOTE_LENGTH
    )


def check_positive(subject: str, field: str, value: Money) -> Money:
    check_type(subject, field, value, Money)
    if not value.is_positive:
        raise ValidationError(subject, field, f"must be positive, got {value}")
    return value


def check_contact(subject: str, field: str, value: str | Contact) -> Contact:
    """A contact given as a bare name or a ``Contact``; its name is required
    text, its email and phone optional text."""
    if not isinstance(value, Contact):
        return Contact(check_text(subject, field, value))
    for name, part in (("email", value.email), ("phone", value.phone)):
        if part is not None:
            check_text(subject, f"{field}.{name}", part)
    name = check_text(subject, f"{field}.name", value.name)
    return attrs.evolve(value, name=name) if name != value.name else value
