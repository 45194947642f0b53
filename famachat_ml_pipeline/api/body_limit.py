"""Request bodies are read up to MAX_BODY_BYTES, then refused (413) before any parsing: the largest
valid request (a 4,000-character message, a comment) is a few KB, and FastAPI would otherwise parse a
body of any size and only then refuse it with a 422."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# 4,000 characters of UTF-8 are at most 16 KB; JSON escapes can double that
MAX_BODY_BYTES = 64 * 1024
TOO_LARGE = f"Request body over {MAX_BODY_BYTES // 1024} KB."


class BodyLimit:
    """Pure ASGI: the body is buffered (it is small by construction), then replayed to the app; later
    `receive` calls go to the server, so a streaming response still hears the client leave."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left before sending it all
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await _refuse(send)
                return
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Send) -> None:
    body = json.dumps({"detail": TOO_LARGE}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
