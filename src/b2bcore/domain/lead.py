"""Lead (리드): a marketing lead (MQL) qualified into a sales lead (SQL) once it
has a contact and a need, then converted into an opportunity or disqualified."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import (
    MAX_NOTE_LENGTH,
    DomainAggregate,
    Provenance,
    check_contact,
    check_text,
    check_type,
)
from b2bcore.domain.values import Contact, LeadStatus, Temperature


class Lead(DomainAggregate):
    TOPIC = "b2bcore:lead"
    KIND = "lead"

    class Captured(DomainAggregate.Event, AggregateCreated):
        TOPIC = "b2bcore:lead:Captured"
        company: str
        source: str
        temperature: Temperature
        contact: Contact | None
        need: str | None
        account_id: UUID | None

    class TemperatureChanged(DomainAggregate.Event):
        TOPIC = "b2bcore:lead:TemperatureChanged"
        temperature: Temperature

        def apply(self, lead: Lead) -> None:
            lead.temperature = self.temperature

    class Qualified(DomainAggregate.Event):
        TOPIC = "b2bcore:lead:Qualified"
        contact: Contact
        need: str

        def apply(self, lead: Lead) -> None:
            lead.status = LeadStatus.SQL
            lead.contact = self.contact
            lead.need = self.need
            lead.qualified_on = self.effective_on

    class Disqualified(DomainAggregate.Event):
        """Disqualified for the event's ``reason``."""

        TOPIC = "b2bcore:lead:Disqualified"

        def apply(self, lead: Lead) -> None:
            lead.status = LeadStatus.DISQUALIFIED
            lead.closed_on = self.effective_on
            lead.disqualified_reason = self.reason

    class Converted(DomainAggregate.Event):
        TOPIC = "b2bcore:lead:Converted"
        opportunity_id: UUID

        def apply(self, lead: Lead) -> None:
            lead.status = LeadStatus.CONVERTED
            lead.closed_on = self.effective_on
            lead.opportunity_id = self.opportunity_id

    def __init__(
        self,
        company: str,
        source: str,
        temperature: Temperature,
        contact: Contact | None,
        need: str | None,
        account_id: UUID | None,
        effective_on: date,
    ) -> None:
        self.company = company
        self.source = source
        self.temperature = temperature
        self.contact = contact
        self.need = need
        self.account_id = account_id
        self.captured_on = effective_on
        self.status = LeadStatus.MQL
        self.qualified_on: date | None = None
        self.closed_on: date | None = None
        self.disqualified_reason: str | None = None
        self.opportunity_id: UUID | None = None

    @classmethod
    def capture(
        cls,
        lead_id: UUID,
        *,
        company: str,
        source: str,
        temperature: Temperature,
        on: date,
        meta: Provenance,
        contact: str | Contact | None = None,
        need: str | None = None,
        account_id: UUID | None = None,
    ) -> Lead:
        """Capture a marketing-qualified lead (MQL)."""
        subject = f"lead {lead_id}"
        return cls._begin(
            cls.Captured,
            lead_id,
            on,
            meta,
            company=check_text(subject, "company", company),
            source=check_text(subject, "source", source),
            temperature=check_type(subject, "temperature", temperature, Temperature),
            contact=None
            if contact is None
            else check_contact(subject, "contact", contact),
            need=None
            if need is None
            else check_text(subject, "need", need, limit=MAX_NOTE_LENGTH),
            account_id=account_id,
        )

    def change_temperature(
        self, *, on: date, temperature: Temperature, meta: Provenance
    ) -> None:
        self._require_open("change the temperature of")
        self._check_on(on, self.captured_on, "the capture on")
        check_type(self.subject, "temperature", temperature, Temperature)
        if temperature is self.temperature:
            self._refuse("temperature", f"the lead is already {temperature.value}")
        self._record(self.TemperatureChanged, on, meta, temperature=temperature)

    def qualify(
        self,
        *,
        on: date,
        meta: Provenance,
        contact: str | Contact | None = None,
        need: str | None = None,
    ) -> None:
        """Make the MQL a sales-qualified lead; it needs a contact and a need,
        given now or at capture."""
        if self.status is not LeadStatus.MQL:
            self._refuse(
                "status", f"cannot qualify a lead in status {self.status.value}"
            )
        self._check_on(on, self.captured_on, "the capture on")
        contact = contact if contact is not None else self.contact
        need = need if need is not None else self.need
        if contact is None:
            self._refuse("contact", "a lead needs a contact to be qualified")
        if need is None:
            self._refuse("need", "a lead needs a need to be qualified")
        self._record(
            self.Qualified,
            on,
            meta,
            contact=check_contact(self.subject, "contact", contact),
            need=check_text(self.subject, "need", need, limit=MAX_NOTE_LENGTH),
        )

    def disqualify(self, *, on: date, meta: Provenance) -> None:
        """Disqualify the lead; ``meta.reason`` says why and is required."""
        self._require_open("disqualify")
        self._check_after_last_fact(on)
        self._require_reason(meta, "disqualifying a lead")
        self._record(self.Disqualified, on, meta)

    def convert(self, *, on: date, opportunity_id: UUID, meta: Provenance) -> None:
        """Mark the sales lead converted into ``opportunity_id``."""
        if self.status is not LeadStatus.SQL:
            self._refuse(
                "status",
                "only a qualified lead (sql) converts, "
                f"this one is {self.status.value}",
            )
        self._check_after_last_fact(on)
        self._record(self.Converted, on, meta, opportunity_id=opportunity_id)

    def _require_open(self, action: str) -> None:
        if self.status in (LeadStatus.DISQUALIFIED, LeadStatus.CONVERTED):
            self._refuse(
                "status", f"cannot {action} a lead in status {self.status.value}"
            )
