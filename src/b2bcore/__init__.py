"""b2bcore: event-sourced B2B account management.

The public API is re-exported here; everything else is importable but
internal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b2bcore.aio import AsyncB2BCore
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
    from b2bcore.personal_data import KeyErasure
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
    from b2bcore.views import (
        AccountView,
        AssetView,
        LeadView,
        OpportunityView,
        TierStint,
    )

#: Each public name and the module that defines it: importing ``b2bcore``
#: loads a module only when one of its names is first used, so a command
#: line that needs only an enum starts fast.
_HOMES = {
    "AccountView": "b2bcore.views",
    "AlreadyExistsError": "b2bcore.errors",
    "AssetStatus": "b2bcore.values",
    "AssetView": "b2bcore.views",
    "AsyncB2BCore": "b2bcore.aio",
    "B2BCore": "b2bcore.application",
    "B2BCoreError": "b2bcore.errors",
    "BusinessLine": "b2bcore.values",
    "BusinessRuleError": "b2bcore.errors",
    "Clock": "b2bcore.clock",
    "ConcurrencyError": "b2bcore.errors",
    "ConfigurationError": "b2bcore.errors",
    "ConflictError": "b2bcore.errors",
    "Consistency": "b2bcore.readmodel",
    "Contact": "b2bcore.values",
    "ContactChannel": "b2bcore.values",
    "CurrencyMismatchError": "b2bcore.errors",
    "DomainError": "b2bcore.errors",
    "FixedClock": "b2bcore.clock",
    "Grade": "b2bcore.values",
    "Horizon": "b2bcore.values",
    "Installment": "b2bcore.values",
    "LeadStatus": "b2bcore.values",
    "LeadView": "b2bcore.views",
    "LossReason": "b2bcore.values",
    "KeyErasure": "b2bcore.personal_data",
    "Money": "b2bcore.money",
    "NotFoundError": "b2bcore.errors",
    "ObsoleteReason": "b2bcore.values",
    "OpportunityView": "b2bcore.views",
    "OrderLine": "b2bcore.values",
    "Outcome": "b2bcore.values",
    "ReadModelBehindError": "b2bcore.errors",
    "ReviewArea": "b2bcore.values",
    "SalesStage": "b2bcore.values",
    "SystemClock": "b2bcore.clock",
    "Temperature": "b2bcore.values",
    "TierStint": "b2bcore.views",
    "UsagePattern": "b2bcore.values",
    "ValidationError": "b2bcore.errors",
    "deterministic_id": "b2bcore.ids",
    "installment_plan": "b2bcore.values",
}


def __getattr__(name: str) -> Any:
    try:
        home = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "AccountView",
    "AlreadyExistsError",
    "AssetStatus",
    "AssetView",
    "AsyncB2BCore",
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
    "KeyErasure",
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
