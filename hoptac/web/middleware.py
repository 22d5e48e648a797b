"""What every response gets: security headers, and ETags that spare clients re-downloading.

Both are plain ASGI middleware so that they see every response, the API's, the pages' and
the error pages' alike.
"""
from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages load scripts and styles only from this site; nothing may frame them.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
# Swagger UI starts itself with an inline script.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", DOCS_CSP if scope["path"] == "/api/docs" else CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
            await send(message)

        await self.app(scope, receive, with_headers)


class ETags:
    """A strong ETag from the body of each successful GET; a matching If-None-Match gets 304.

    Responses that say nothing about caching are marked ``no-cache``: clients may keep them
    but must revalidate, which costs a 304 and no body when nothing changed.
    """

    def __init__(self, app: ASGIApp, skip: tuple[str, ...] = ("/static/",)) -> None:
        self.app, self.skip = app, skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"].startswith(self.skip):
            return await self.app(scope, receive, send)
        start: Message = {}
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            if message["type"] not in ("http.response.start", "http.response.body"):
                return await send(message)  # test clients' debug messages
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                await self._send(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffered)

    async def _send(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        headers = MutableHeaders(scope=start)
        if start["status"] == 200:
            etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
            headers["ETag"] = etag
            headers.setdefault("Cache-Control", "no-cache")
            if etag in _tags(Headers(scope=scope).get("if-none-match", "")):
                start["status"] = 304
                body = b""
                del headers["content-length"]
                if "content-type" in headers:
                    del headers["content-type"]
        await send(start)
        await send({"type": "http.response.body", "body": body})


def _tags(value: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in value.split(",") if t.strip()}
