"""Account (고객사): a customer company, its grade and segmentation attributes."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import DomainAggregate, Provenance, check_text, check_type
from b2bcore.domain.values import BusinessLine, ContactChannel, Grade

_ENUM_ATTRIBUTES: dict[str, type[Any]] = {
    "business_line": BusinessLine,
    "preferred_channel": ContactChannel,
}
_TEXT_ATTRIBUTES = ("name", "sector", "region", "country")


class Account(DomainAggregate):
    """A customer company."""

    TOPIC = "b2bcore:account"
    KIND = "account"

    class Registered(DomainAggregate.Event, AggregateCreated):
        TOPIC = "b2bcore:account:Registered"
        name: str
        grade: Grade
        sector: str
        region: str
        country: str
        business_line: BusinessLine
        preferred_channel: ContactChannel

    class GradeChanged(DomainAggregate.Event):
        TOPIC = "b2bcore:account:GradeChanged"
        grade: Grade

        def apply(self, account: Account) -> None:
            account.grade = self.grade

    class AttributesChanged(DomainAggregate.Event):
        """Only the attributes that changed; ``None`` means unchanged."""

        TOPIC = "b2bcore:account:AttributesChanged"
        name: str | None
        sector: str | None
        region: str | None
        country: str | None
        business_line: BusinessLine | None
        preferred_channel: ContactChannel | None

        def apply(self, account: Account) -> None:
            for attribute in (*_TEXT_ATTRIBUTES, *_ENUM_ATTRIBUTES):
                value = getattr(self, attribute)
                if value is not None:
                    setattr(account, attribute, value)

    def __init__(
        self,
        name: str,
        grade: Grade,
        sector: str,
        region: str,
        country: str,
        business_line: BusinessLine,
        preferred_channel: ContactChannel,
        effective_on: date,
    ) -> None:
        self.name = name
        self.grade = grade
        self.sector = sector
        self.region = region
        self.country = country
        self.business_line = business_line
        self.preferred_channel = preferred_channel
        self.registered_on = effective_on

    @classmethod
    def register(
        cls,
        account_id: UUID,
        *,
        name: str,
        grade: Grade,
        sector: str,
        region: str,
        country: str,
        business_line: BusinessLine,
        preferred_channel: ContactChannel,
        on: date,
        meta: Provenance,
    ) -> Account:
        subject = f"account {account_id}"
        fields: dict[str, Any] = {
            attribute: check_text(subject, attribute, value)
            for attribute, value in (
                ("name", name),
                ("sector", sector),
                ("region", region),
                ("country", country),
            )
        }
        return cls._begin(
            cls.Registered,
            account_id,
            on,
            meta,
            grade=check_type(subject, "grade", grade, Grade),
            business_line=check_type(
                subject, "business_line", business_line, BusinessLine
            ),
            preferred_channel=check_type(
                subject, "preferred_channel", preferred_channel, ContactChannel
            ),
            **fields,
        )

    def change_grade(self, *, on: date, grade: Grade, meta: Provenance) -> None:
        self._check_on(on, self.registered_on, "the registration on")
        check_type(self.subject, "grade", grade, Grade)
        if grade is self.grade:
            self._refuse("grade", f"the account is already {grade.value}")
        self._record(self.GradeChanged, on, meta, grade=grade)

    def change_attributes(
        self,
        *,
        on: date,
        meta: Provenance,
        name: str | None = None,
        sector: str | None = None,
        region: str | None = None,
        country: str | None = None,
        business_line: BusinessLine | None = None,
        preferred_channel: ContactChannel | None = None,
    ) -> None:
        """Change the given attributes; those equal to the current ones are
        ignored, and a change that changes nothing is refused."""
        self._check_on(on, self.registered_on, "the registration on")
        given: dict[str, Any] = {
            "name": name,
            "sector": sector,
            "region": region,
            "country": country,
            "business_line": business_line,
            "preferred_channel": preferred_channel,
        }
        changes: dict[str, Any] = dict.fromkeys(given)
        for attribute, value in given.items():
            if value is None:
                continue
            if attribute in _ENUM_ATTRIBUTES:
                new = check_type(
                    self.subject, attribute, value, _ENUM_ATTRIBUTES[attribute]
                )
            else:
                new = check_text(self.subject, attribute, value)
            if new != getattr(self, attribute):
                changes[attribute] = new
        if all(value is None for value in changes.values()):
            self._refuse("attributes", "nothing would change")
        self._record(self.AttributesChanged, on, meta, **changes)
