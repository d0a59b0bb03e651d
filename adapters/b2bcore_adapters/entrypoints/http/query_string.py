"""The query string: a route takes only the query parameters it declares,
each once and in UTF-8, so a typo (``asof``) or a repeat is refused rather
than ignored or overridden."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError

#: What ``surrogateescape`` makes of a percent-encoded byte that is not
#: part of UTF-8 text.
NOT_UTF8 = re.compile("[\udc80-\udcff]")


def declared_query(request: Request) -> None:
    """Refuses (422) a query parameter the request's route does not declare,
    one given twice, and one whose value, percent-decoded, is not UTF-8."""
    route = request.scope["route"]
    declared = [
        field.alias
        for field in get_flat_params(route.dependant)
        if isinstance(field.field_info, params.Query)
    ]
    unknown = (
        f"is not a parameter of {request.method} {route.path}"
        f" (it takes {', '.join(declared) or 'none'})"
    )
    seen: set[str] = set()
    problems: list[dict[str, Any]] = []
    for name, value in parse_qsl(
        request.scope["query_string"].decode("latin-1"),
        keep_blank_values=True,
        errors="surrogateescape",
    ):
        if name not in declared:
            rule = unknown
        elif name in seen:
            rule = "is given more than once"
        elif NOT_UTF8.search(value):
            rule = (
                "is not valid Unicode text (percent-encoded bytes that are not UTF-8)"
            )
        else:
            rule = ""
        seen.add(name)
        if rule:
            problems.append({"type": "query", "loc": ("query", name), "msg": rule})
    if problems:
        raise RequestValidationError(problems)
