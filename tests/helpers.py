"""Small builders shared by tests: a registered account, a purchased asset."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from b2bcore import (
    B2BCore,
    BusinessLine,
    ContactChannel,
    Grade,
    Money,
    installment_plan,
)
from b2bcore.values import add_months


def register_account(
    core: B2BCore, *, name: str = "(주)효원", **kwargs: object
) -> UUID:
    fields: dict[str, object] = {
        "grade": Grade.KEY,
        "sector": "manufacturing",
        "region": "Seoul",
        "country": "KR",
        "business_line": BusinessLine.DOMESTIC,
        "preferred_channel": ContactChannel.VISIT,
        "on": date(2024, 1, 2),
    }
    fields.update(kwargs)
    return core.register_account(name=name, **fields)  # type: ignore[arg-type]


def purchase_asset(
    core: B2BCore,
    account_id: UUID,
    *,
    value: Money | None = None,
    installments: int = 4,
    on: date = date(2024, 1, 15),
    **kwargs: object,
) -> UUID:
    value = value or Money.of(23_800_000, "KRW")
    fields: dict[str, object] = {
        "product": "Fleet subscription",
        "order_reference": "00000166",
        "contact": "이지은",
        "owner": "park",
    }
    fields.update(kwargs)
    return core.purchase_asset(
        account_id=account_id,
        value=value,
        installments=installment_plan(value, installments, add_months(on, 1)),
        on=on,
        **fields,  # type: ignore[arg-type]
    )
