"""The dimensions a deal report can be cut by: owner, manager, region,
business line, country, product, account or horizon."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import Enum
from types import MappingProxyType
from typing import TypeVar
from uuid import UUID

from b2bcore.domain.values import horizon
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
    #: short, mid or long: how far the expected close in force on the
    #: report date is from it (``b2bcore.domain.values.horizon``).
    HORIZON = "horizon"


def key(
    deal: DealRecord,
    dimension: Dimension,
    *,
    managers: Mapping[str, str],
    accounts: Mapping[UUID, Named],
    as_of: date | None = None,
) -> str:
    """The row ``deal`` falls in when cut by ``dimension``.

    The manager is ``managers[deal.owner]`` ("unassigned" when absent); the
    account is the account's name ("unknown" when the deal has no account;
    a deal whose account is missing from ``accounts`` raises ``KeyError``);
    the business line is its value ("domestic", "overseas"); the horizon
    that of its expected close from ``as_of`` (required for it).
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
    if dimension is Dimension.HORIZON:
        if as_of is None:
            raise ValueError("the horizon of a deal needs the report date")
        return horizon(deal.expected_close_on, as_of).value
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
    as_of: date | None = None,
) -> dict[str, list[D]]:
    """``deals`` grouped by their ``dimension`` key, keys sorted."""
    groups: dict[str, list[D]] = {}
    for deal in deals:
        groups.setdefault(
            key(deal, dimension, managers=managers, accounts=accounts, as_of=as_of),
            [],
        ).append(deal)
    return {k: groups[k] for k in sorted(groups)}
