"""The JSON bodies of the commands: typed, unknown fields refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from b2bcore import Money
from b2bcore.values import (
    BusinessLine,
    ContactChannel,
    Grade,
    Installment,
    LossReason,
    ObsoleteReason,
    OrderLine,
    ReviewArea,
    SalesStage,
    Temperature,
    UsagePattern,
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def unicode_text(cls, value: object) -> object:
        """Every text field, before anything reads the body (the idempotency
        key's fingerprint serialises it): JSON's ``"\\ud800"`` is a lone
        surrogate, half a character, which no UTF-8 text can hold."""
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise PydanticCustomError(
                        "unicode_text", "is not valid Unicode text (a lone surrogate)"
                    ) from None
        return value


class MoneyBody(Body):
    amount: Decimal = Field(allow_inf_nan=False)
    currency: str

    def money(self) -> Money:
        return Money(self.amount, self.currency)


class InstallmentBody(Body):
    number: int
    due_on: date
    amount: MoneyBody

    def installment(self) -> Installment:
        return Installment(self.number, self.due_on, self.amount.money())


def installments(items: list[InstallmentBody]) -> tuple[Installment, ...]:
    return tuple(item.installment() for item in items)


class Command(Body):
    """Fields every command takes: the business date and why."""

    on: date | None = None
    reason: str | None = None


class RegisterAccount(Command):
    name: str
    grade: Grade
    sector: str
    region: str
    country: str
    business_line: BusinessLine
    preferred_channel: ContactChannel
    account_id: UUID | None = None


class ChangeGrade(Command):
    grade: Grade


class ChangeAttributes(Command):
    name: str | None = None
    sector: str | None = None
    region: str | None = None
    country: str | None = None
    business_line: BusinessLine | None = None
    preferred_channel: ContactChannel | None = None


class PurchaseAsset(Command):
    account_id: UUID
    product: str
    order_reference: str
    contact: str
    value: MoneyBody
    installments: list[InstallmentBody]
    owner: str
    asset_id: UUID | None = None
    opportunity_id: UUID | None = None
    upsell: bool = False


class InstallAsset(Command):
    usage_end_on: date | None


class RenewAsset(Command):
    usage_end_on: date
    value: MoneyBody | None = None
    installments: list[InstallmentBody] = []


class UpgradeAsset(Command):
    product: str
    value: MoneyBody


class ReplaceAsset(Command):
    successor_id: UUID
    note: str = ""


class MakeObsolete(Command):
    reason_code: ObsoleteReason
    note: str = ""


class ScheduleInspection(Command):
    due_on: date


class CompleteInspection(Command):
    findings: str = ""


class RecordSatisfaction(Command):
    score: int
    comment: str = ""


class RecordUsage(Command):
    period: date
    count: int
    distance_km: int
    region: str
    pattern: UsagePattern


class ReportCompetitorContact(Command):
    competitor: str
    note: str = ""


class PayInstallment(Command):
    amount: MoneyBody


class CaptureLead(Command):
    company: str
    source: str
    temperature: Temperature
    contact: str | None = None
    need: str | None = None
    account_id: UUID | None = None
    lead_id: UUID | None = None


class ChangeTemperature(Command):
    temperature: Temperature


class QualifyLead(Command):
    contact: str | None = None
    need: str | None = None


class WithReason(Body):
    """A command whose reason is required."""

    on: date | None = None
    reason: str


class DealTerms(Command):
    name: str
    amount: MoneyBody
    owner: str
    business_line: BusinessLine
    region: str
    country: str
    product: str
    expected_close_on: date
    competitors: list[str] = []
    opportunity_id: UUID | None = None


class ConvertLead(DealTerms):
    account_id: UUID | None = None


class OpenOpportunity(DealTerms):
    account_id: UUID | None
    tier: int = 4
    stage: SalesStage | None = None


class ChangeTier(Command):
    tier: int
    stage: SalesStage | None = None


class FindingBody(Body):
    area: ReviewArea
    description: str


class ReviewGate(Command):
    findings: list[FindingBody] = []


class ResolveFinding(Command):
    resolution: str


class OrderLineBody(Body):
    product: str
    value: MoneyBody
    order_reference: str
    contact: str
    installments: list[InstallmentBody] = []

    def order_line(self) -> OrderLine:
        return OrderLine(
            self.product,
            self.value.money(),
            self.order_reference,
            self.contact,
            installments(self.installments),
        )


class WinOpportunity(Command):
    value: MoneyBody
    order: list[OrderLineBody] = []
    upsell: bool = False


class LoseOpportunity(Command):
    reason_code: LossReason
    competitor: str | None = None


class RecordPostmortem(Command):
    summary: str
    root_causes: list[str] = []
    lessons: list[str] = []


class RegisterSalesRep(Command):
    name: str
    manager: str
    office: str


class ReassignSalesRep(Command):
    manager: str
    office: str


class AcknowledgeAlert(Command):
    note: str = ""
