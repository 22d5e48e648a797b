"""What every response gets: security headers, ETags that spare clients re-downloading, and
for anonymous readers, pages kept until the store changes.

All are plain ASGI middleware so that they see every response, the API's, the pages' and
the error pages' alike.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages load scripts and styles only from this site; nothing may frame them.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
# Swagger UI starts itself with an inline script.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def security_headers(path: str) -> dict[str, str]:
    """The headers every response carries. The 500 handler sets them itself: Starlette runs it
    outside all middleware."""
    return {
        "Content-Security-Policy": DOCS_CSP if path == "/api/docs" else CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(scope["path"]).items():
                    headers.setdefault(name, value)
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


class PageCache:
    """Whole responses to anonymous reads, kept until the store's generation changes or the day turns.

    The public reads the same pages again and again (the home page, a ministry, a common
    search); rendering one can take a hundred milliseconds at 100,000 articles, answering
    from here well under one. Requests that carry a session or a token, responses that set
    a cookie and anything but a 200 are never kept; the language cookie is part of the key.
    Programs and alerts are judged as of today, so a page kept yesterday is stale even when
    the store has not changed.
    """

    def __init__(self, app: ASGIApp, generation: Callable[[], str], session_cookie: str, size: int = 4096, largest: int = 1 << 20) -> None:
        self.app, self.generation, self.session, self.size, self.largest = app, generation, session_cookie + "=", size, largest
        self._items: OrderedDict[tuple, tuple[tuple[str, str], Message, bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        if headers is None or scope["method"] != "GET" or scope["path"].startswith("/static/") or "authorization" in headers \
                or self.session in headers.get("cookie", ""):
            return await self.app(scope, receive, send)
        key = (scope["path"], scope["query_string"], _cookie(headers.get("cookie", ""), "lang"))
        current = (await run_in_threadpool(self.generation), date.today().isoformat())
        if (hit := self._items.get(key)) and hit[0] == current:
            self._items.move_to_end(key)
            await send({**hit[1], "headers": list(hit[1]["headers"])})  # outer middleware edits what it is sent
            return await send({"type": "http.response.body", "body": hit[2]})
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and self._keepable(start, chunks):
                    self._store(key, current, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, keep)

    def _keepable(self, start: Message, chunks: list[bytes]) -> bool:
        names = {name.lower() for name, _ in start.get("headers", [])}
        return start.get("status") == 200 and b"set-cookie" not in names and sum(map(len, chunks)) <= self.largest

    def _store(self, key: tuple, current: tuple[str, str], start: Message, body: bytes) -> None:
        self._items[key] = (current, {**start, "headers": list(start["headers"])}, body)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _tags(value: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in value.split(",") if t.strip()}


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with a 413 before anything reads it: the
    largest the API takes (a note, a correction's sentence) is some tens of kilobytes."""

    def __init__(self, app: ASGIApp, limit: int = 1 << 20) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            return await self._refuse(scope, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # sent in chunks without a length
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:  # (SecurityHeaders, outside, adds its headers)
        body = f'{{"error": {{"status": 413, "code": "too_large", "message": "the request body is over {self.limit} bytes", "details": []}}}}'.encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
