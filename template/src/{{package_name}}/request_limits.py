"""Request limits: refuse a body larger than APP_MAX_BODY_BYTES with 413 before parsing it.

Starlette (1.10) has its own `max_body_size`, but when the declared Content-Length is
over the limit it replaces whatever the application answered with a plain-text 413, so
the JSON error envelope would be lost; this middleware answers with the envelope.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http_errors import error_response


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        if declared is None and scope["method"] in ("POST", "PUT", "PATCH"):
            # No declared length (chunked): read up to the limit, then replay what was read.
            messages: list[Message] = []
            size = 0
            while True:
                message = await receive()
                messages.append(message)
                size += len(message.get("body", b""))
                if size > self.max_bytes:
                    await self._refuse(scope, receive, send)
                    return
                if message["type"] != "http.request" or not message.get("more_body"):
                    break

            async def replay() -> Message:
                return messages.pop(0) if messages else await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = (
            f"The request body is larger than {self.max_bytes} bytes (APP_MAX_BODY_BYTES): "
            "send a shorter question."
        )
        response = error_response(Request(scope), 413, "payload_too_large", message)
        await response(scope, receive, send)
