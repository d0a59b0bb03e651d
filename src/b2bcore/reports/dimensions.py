"""The dimensions a deal report can be cut by: owner, manager, region,
business line, country, product or account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import TypeVar
from uuid import UUID

from b2bcore.reports.records import DealRecord, Named

#: No owner → manager assignments: every deal's manager is "unassigned".
NO_MANAGERS: Mapping[str, str] = MappingProxyType({})
#: No accounts known: a deal with an account fails its ACCOUNT key lookup.
NO_ACCOUNTS: Mapping[UUID, Named] = MappingProxyType({})

#: The key of a deal whose manager is not in the managers mapping.
UNASSIGNED = "unassigned"
#: The key of a deal whose account is not known (``account_id`` None).
UNKNOWN_ACCOUNT = "unknown"


class Dimension(Enum):
    OWNER = "owner"
    MANAGER = "manager"
    REGION = "region"
    BUSINESS_LINE = "business_line"
    COUNTRY = "country"
    PRODUCT = "product"
    ACCOUNT = "account"


def key(
    deal: DealRecord,
    dimension: Dimension,
    *,
    managers: Mapping[str, str],
    accounts: Mapping[UUID, Named],
) -> str:
    """The row ``deal`` falls in when cut by ``dimension``.

    The manager is ``managers[deal.owner]`` ("unassigned" when absent); the
    account is the account's name ("unknown" when the deal has no account;
    a deal whose account is missing from ``accounts`` raises ``KeyError``);
    the business line is its value ("domestic", "overseas").
    """
    if dimension is Dimension.OWNER:
        return deal.owner
    if dimension is Dimension.MANAGER:
        return managers.get(deal.owner, UNASSIGNED)
    if dimension is Dimension.REGION:
        return deal.region
    if dimension is Dimension.BUSINESS_LINE:
        return deal.business_line.value
    if dimension is Dimension.COUNTRY:
        return deal.country
    if dimension is Dimension.PRODUCT:
        return deal.product
    if deal.account_id is None:
        return UNKNOWN_ACCOUNT
    return accounts[deal.account_id].name


D = TypeVar("D", bound=DealRecord)


def grouped(
    deals: Iterable[D],
    dimension: Dimension,
    *,
    managers: Mapping[str, str],
    accounts: Mapping[UUID, Named],
) -> dict[str, list[D]]:
    """``deals`` grouped by their ``dimension`` key, keys sorted."""
    groups: dict[str, list[D]] = {}
    for deal in deals:
        groups.setdefault(
            key(deal, dimension, managers=managers, accounts=accounts), []
        ).append(deal)
    return {k: groups[k] for k in sorted(groups)}
