"""Builders of installed-base histories shared by the report tests."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from b2bcore import B2BCore, Money
from tests.helpers import purchase_asset

KRW_10M = Money.of(10_000_000, "KRW")


def installed_asset(
    core: B2BCore,
    account_id: UUID,
    *,
    installed_on: date,
    usage_end_on: date | None,
    value: Money = KRW_10M,
    purchased_on: date | None = None,
    owner: str = "park",
    asset_id: UUID | None = None,
) -> UUID:
    """An asset of ``owner`` purchased on ``purchased_on`` (default: the
    install day) in four monthly installments from a month later, and
    installed on ``installed_on`` until ``usage_end_on``."""
    asset_id = purchase_asset(
        core,
        account_id,
        value=value,
        on=purchased_on or installed_on,
        owner=owner,
        asset_id=asset_id,
    )
    core.install_asset(asset_id, usage_end_on=usage_end_on, on=installed_on)
    return asset_id
