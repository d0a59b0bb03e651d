"""The catalogue of queries: the ``B2BCore`` methods that read and never
record, each marked once with ``@query(route)``. ``QUERIES`` maps each to
where it is asked (``"reports/renewals"``; None for one no front end
serves): the HTTP API serves a ``GET`` there made from the method's
signature, and ``AsyncB2BCore`` runs queries at once, commands one at a
time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

#: Every query by method name, with where it is asked.
QUERIES: dict[str, str | None] = {}


def query(route: str | None = None) -> Callable[[F], F]:
    """Mark a ``B2BCore`` method as a query asked at ``route`` (its path
    parameters are the method's positional parameters: ``{account_id}``)."""

    def mark(method: F) -> F:
        QUERIES[method.__name__] = route
        return method

    return mark
