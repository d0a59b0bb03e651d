"""b2bcore: event-sourced B2B account management.

The public API is re-exported here; everything else is importable but
internal.
"""

from b2bcore.application import B2BCore
from b2bcore.clock import Clock, FixedClock, SystemClock
from b2bcore.errors import (
    AlreadyExistsError,
    B2BCoreError,
    BusinessRuleError,
    ConcurrencyError,
    ConfigurationError,
    ConflictError,
    CurrencyMismatchError,
    DomainError,
    NotFoundError,
    ReadModelBehindError,
    ValidationError,
)
from b2bcore.ids import deterministic_id
from b2bcore.money import Money
from b2bcore.readmodel import Consistency
from b2bcore.values import (
    AssetStatus,
    BusinessLine,
    Contact,
    ContactChannel,
    Grade,
    Horizon,
    Installment,
    LeadStatus,
    LossReason,
    ObsoleteReason,
    OrderLine,
    Outcome,
    ReviewArea,
    SalesStage,
    Temperature,
    UsagePattern,
    installment_plan,
)
from b2bcore.views import AccountView, AssetView, LeadView, OpportunityView, TierStint

__all__ = [
    "AccountView",
    "AlreadyExistsError",
    "AssetStatus",
    "AssetView",
    "B2BCore",
    "B2BCoreError",
    "BusinessLine",
    "BusinessRuleError",
    "Clock",
    "ConcurrencyError",
    "ConfigurationError",
    "ConflictError",
    "Consistency",
    "Contact",
    "ContactChannel",
    "CurrencyMismatchError",
    "DomainError",
    "FixedClock",
    "Grade",
    "Horizon",
    "Installment",
    "LeadStatus",
    "LeadView",
    "LossReason",
    "Money",
    "NotFoundError",
    "ObsoleteReason",
    "OpportunityView",
    "OrderLine",
    "Outcome",
    "ReadModelBehindError",
    "ReviewArea",
    "SalesStage",
    "SystemClock",
    "Temperature",
    "TierStint",
    "UsagePattern",
    "ValidationError",
    "deterministic_id",
    "installment_plan",
]
