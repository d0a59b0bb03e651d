"""SalesRep: an owner of deals and assets, with the manager and the regional
office that reports cut the pipeline by."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import DomainAggregate, Provenance, check_text


class SalesRep(DomainAggregate):
    TOPIC = "b2bcore:sales_rep"
    KIND = "sales_rep"

    class Registered(DomainAggregate.Event, AggregateCreated):
        TOPIC = "b2bcore:sales_rep:Registered"
        name: str
        manager: str
        office: str

    class Reassigned(DomainAggregate.Event):
        TOPIC = "b2bcore:sales_rep:Reassigned"
        manager: str
        office: str

        def apply(self, rep: SalesRep) -> None:
            rep.manager = self.manager
            rep.office = self.office

    def __init__(
        self, name: str, manager: str, office: str, effective_on: date
    ) -> None:
        self.name = name
        self.manager = manager
        self.office = office
        self.registered_on = effective_on

    @classmethod
    def register(
        cls,
        rep_id: UUID,
        *,
        name: str,
        manager: str,
        office: str,
        on: date,
        meta: Provenance,
    ) -> SalesRep:
        subject = f"sales rep {rep_id}"
        return cls._begin(
            cls.Registered,
            rep_id,
            on,
            meta,
            name=check_text(subject, "name", name),
            manager=check_text(subject, "manager", manager),
            office=check_text(subject, "office", office),
        )

    def reassign(
        self, *, manager: str, office: str, on: date, meta: Provenance
    ) -> None:
        """Move the rep to another manager and/or office."""
        self._check_on(on, self.registered_on, "the registration on")
        manager = check_text(self.subject, "manager", manager)
        office = check_text(self.subject, "office", office)
        if (manager, office) == (self.manager, self.office):
            self._refuse("manager", "nothing would change")
        self._record(self.Reassigned, on, meta, manager=manager, office=office)
