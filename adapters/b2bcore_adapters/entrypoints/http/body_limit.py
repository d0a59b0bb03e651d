"""The request body limit: a body larger than the limit is refused with 413
before the application reads any of it, so it is never parsed or recorded."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from b2bcore_adapters.entrypoints.http.errors import error_body

#: The default limit: the largest command (a won deal with its order lines
#: and installment plans) is a few kilobytes.
MAX_BODY_BYTES = 1024 * 1024


class BodyLimit:
    """ASGI middleware: answers 413 to a request whose body is larger than
    ``max_bytes``, whether its ``Content-Length`` says so or its chunks add
    up to more; passes any other request on with its body read ahead."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > self.max_bytes:
            await self.refuse(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self.refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        read_ahead = iter(messages)

        async def replay() -> Message:
            return next(read_ahead, None) or await receive()

        await self.app(scope, replay, send)

    async def refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = JSONResponse(
            error_body(
                "too_large",
                "request",
                "body",
                f"must be at most {self.max_bytes} bytes",
            ),
            status_code=413,
            headers={"Connection": "close"},
        )
        await refusal(scope, receive, send)
