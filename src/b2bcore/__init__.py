"""b2bcore: event-sourced B2B account management.

The public API is re-exported here; everything else is importable but
internal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from b2bcore import _moved

_moved.install()

if TYPE_CHECKING:
    from b2bcore.application.aio import AsyncB2BCore
    from b2bcore.application.core import B2BCore
    from b2bcore.domain.clock import Clock, FixedClock, SystemClock
    from b2bcore.domain.errors import (
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
        StoreClosedError,
        ValidationError,
    )
    from b2bcore.domain.ids import deterministic_id
    from b2bcore.domain.money import Money
    from b2bcore.domain.personal_data import KeyErasure
    from b2bcore.domain.values import (
        AssetStatus,
        BusinessLine,
        Contact,
        ContactChannel,
        FeedbackCategory,
        FeedbackKind,
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
        Severity,
        Temperature,
        UsagePattern,
        installment_plan,
    )
    from b2bcore.domain.views import (
        AccountView,
        AssetView,
        FeedbackView,
        LeadView,
        OpportunityView,
        TierStint,
    )
    from b2bcore.readmodels.readmodel import Consistency

#: Each public name and the module that defines it: importing ``b2bcore``
#: loads a module only when one of its names is first used, so a command
#: line that needs only an enum starts fast.
_HOMES = {
    "AccountView": "b2bcore.domain.views",
    "AlreadyExistsError": "b2bcore.domain.errors",
    "AssetStatus": "b2bcore.domain.values",
    "AssetView": "b2bcore.domain.views",
    "AsyncB2BCore": "b2bcore.application.aio",
    "B2BCore": "b2bcore.application.core",
    "B2BCoreError": "b2bcore.domain.errors",
    "BusinessLine": "b2bcore.domain.values",
    "BusinessRuleError": "b2bcore.domain.errors",
    "Clock": "b2bcore.domain.clock",
    "ConcurrencyError": "b2bcore.domain.errors",
    "ConfigurationError": "b2bcore.domain.errors",
    "ConflictError": "b2bcore.domain.errors",
    "Consistency": "b2bcore.readmodels.readmodel",
    "Contact": "b2bcore.domain.values",
    "ContactChannel": "b2bcore.domain.values",
    "CurrencyMismatchError": "b2bcore.domain.errors",
    "DomainError": "b2bcore.domain.errors",
    "FeedbackCategory": "b2bcore.domain.values",
    "FeedbackKind": "b2bcore.domain.values",
    "FeedbackView": "b2bcore.domain.views",
    "FixedClock": "b2bcore.domain.clock",
    "Grade": "b2bcore.domain.values",
    "Horizon": "b2bcore.domain.values",
    "Installment": "b2bcore.domain.values",
    "LeadStatus": "b2bcore.domain.values",
    "LeadView": "b2bcore.domain.views",
    "LossReason": "b2bcore.domain.values",
    "KeyErasure": "b2bcore.domain.personal_data",
    "Money": "b2bcore.domain.money",
    "NotFoundError": "b2bcore.domain.errors",
    "ObsoleteReason": "b2bcore.domain.values",
    "OpportunityView": "b2bcore.domain.views",
    "OrderLine": "b2bcore.domain.values",
    "Outcome": "b2bcore.domain.values",
    "ReadModelBehindError": "b2bcore.domain.errors",
    "ReviewArea": "b2bcore.domain.values",
    "SalesStage": "b2bcore.domain.values",
    "Severity": "b2bcore.domain.values",
    "StoreClosedError": "b2bcore.domain.errors",
    "SystemClock": "b2bcore.domain.clock",
    "Temperature": "b2bcore.domain.values",
    "TierStint": "b2bcore.domain.views",
    "UsagePattern": "b2bcore.domain.values",
    "ValidationError": "b2bcore.domain.errors",
    "deterministic_id": "b2bcore.domain.ids",
    "installment_plan": "b2bcore.domain.values",
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
    "FeedbackCategory",
    "FeedbackKind",
    "FeedbackView",
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
    "Severity",
    "StoreClosedError",
    "SystemClock",
    "Temperature",
    "TierStint",
    "UsagePattern",
    "ValidationError",
    "deterministic_id",
    "installment_plan",
]
