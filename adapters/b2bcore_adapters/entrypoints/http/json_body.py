"""A command's body is JSON in UTF-8 (RFC 8259, 8.1) sent as
``application/json``: a body of another type is refused (415), and one
with a byte order mark, in another encoding, holding a key twice in one
object or ``NaN`` (not JSON either) is refused (422), rather than read as
something its sender may not have meant."""

from __future__ import annotations

import codecs
from email.message import Message

from fastapi import Request

from b2bcore_adapters.entrypoints.http.errors import ApiError
from b2bcore_adapters.render.plain import NotJsonError, strict_json


def is_json(content_type: str | None) -> bool:
    """``application/json``, in UTF-8 if a charset is named."""
    message = Message()
    message["Content-Type"] = content_type or ""
    try:
        charset = codecs.lookup(message.get_content_charset("utf-8")).name
    except LookupError:  # no such encoding
        return False
    return message.get_content_type() == "application/json" and charset == "utf-8"


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
        strict_json(body.decode("utf-8"))
    except NotJsonError as error:
        raise invalid(str(error)) from None
    except ValueError:
        raise invalid("is not JSON in UTF-8") from None
