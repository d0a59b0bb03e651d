"""A command's body is JSON in UTF-8 (RFC 8259, 8.1) sent as
``application/json``: a body of another type is refused (415), and one
with a byte order mark, in another encoding, holding a key twice in one
object or ``NaN`` (not JSON either) is refused (422), rather than read as
something its sender may not have meant."""

from __future__ import annotations

import codecs
import json
from email.message import Message

from fastapi import Request

from b2bcore_adapters.entrypoints.http.errors import ApiError


class NotJsonError(Exception):
    """What a strict reading of a body found that JSON does not allow."""


def unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise NotJsonError(f'holds the key "{key}" twice in one object')
        found[key] = value
    return found


def no_constant(name: str) -> object:
    raise NotJsonError(f"holds {name}, which is not JSON")


def is_json(content_type: str | None) -> bool:
    """``application/json``, in UTF-8 if a charset is named."""
    message = Message()
    message["Content-Type"] = content_type or ""
    return (
        message.get_content_type() == "application/json"
        and message.get_content_charset("utf-8") == "utf-8"
    )


def invalid(rule: str) -> ApiError:
    return ApiError(422, "validation", "request", "body", rule)


async def json_body(request: Request) -> None:
    """Refuses a body that is not strictly JSON in UTF-8 (an empty one is
    left to the route, which requires one)."""
    body = await request.body()
    if not body:
        return
    if not is_json(request.headers.get("Content-Type")):
        raise ApiError(
            415,
            "unsupported_media_type",
            "request",
            "Content-Type",
            "must be application/json: a command's body is JSON in UTF-8",
        )
    if body.startswith(codecs.BOM_UTF8):
        raise invalid("starts with a byte order mark: send UTF-8 without one")
    try:
        json.loads(
            body.decode("utf-8"),
            object_pairs_hook=unique_keys,
            parse_constant=no_constant,
        )
    except NotJsonError as error:
        raise invalid(str(error)) from None
    except RecursionError:
        raise invalid("JSON nested too deeply") from None
    except ValueError:
        raise invalid("is not JSON in UTF-8") from None
