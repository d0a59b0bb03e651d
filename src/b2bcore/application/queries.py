"""The catalogue of queries: the ``B2BCore`` methods that read and never
record, each marked once with ``@query(route)``. ``QUERIES`` maps each to
where it is asked (``"reports/renewals"``; None for one no front end
serves): the HTTP API serves a ``GET`` there made from the method's
signature, and ``AsyncB2BCore`` runs queries at once, commands one at a
time."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import MAX_WHOLE_NUMBER, check_plain

F = TypeVar("F", bound=Callable[..., object])

#: Every query by method name, with where it is asked.
QUERIES: dict[str, str | None] = {}

#: What a query's parameter means, by its name: the command line's help and
#: the HTTP API's description of it.
PARAMETERS = {
    "as_of": "Business date (default: today).",
    "known_at": "As recorded by this time (ISO 8601 with a time zone).",
    "within": "Days ahead.",
    "owner": "Only this owner's.",
    "grade": "Only this grade.",
    "by": "Cut by a dimension.",
    "account_id": "Only this account's (its id).",
    "name": "Only names containing this (any case).",
    "since": "Only leads captured from this day.",
    "currency": "Rank in this currency.",
    "start": "The first day (included).",
    "end": "The last day (included; default: today where optional).",
    "unacknowledged": "Leave out acknowledged alerts.",
    "changes": "Only the accounts whose grade would change.",
    "version": "As it was at this version.",
    "month": "The month's first day.",
    # Not a query's own: how many items of a listing the front ends show.
    "limit": "Only the first N.",
}
#: The range of a whole-number parameter, by its name (both ends included).
BOUNDS = {"within": (0, 36_500), "version": (1, MAX_WHOLE_NUMBER)}
#: The parameters that name an aggregate, with its kind: one naming none of
#: that kind is refused (NotFoundError: ``--account`` given a deal's id
#: answered an empty report).
NAMED = {"account_id": Account}


def query(route: str | None = None) -> Callable[[F], F]:
    """Mark a ``B2BCore`` method as a query asked at ``route`` (its path
    parameters are the method's positional parameters: ``{account_id}``).
    A text it is given with a control character is refused (``check_plain``),
    as a command's: a NUL reaching PostgreSQL is a driver error; so is an
    id of ``NAMED`` naming nothing of its kind."""

    def mark(method: F) -> F:
        QUERIES[method.__name__] = route
        subject = method.__name__.replace("_", " ")

        @functools.wraps(method)
        def checked(core: Any, *args: Any, **kwargs: Any) -> Any:
            for name, value in kwargs.items():
                if isinstance(value, str):
                    check_plain(subject, name, value)
                elif name in NAMED and value is not None:
                    core._check_named(NAMED[name], value)
            return method(core, *args, **kwargs)

        return cast(F, checked)

    return mark
