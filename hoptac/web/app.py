"""The ASGI application: the JSON API under ``/api/v1``, the pages everywhere else.

``create_app`` opens the store once; each request borrows a connection. Errors have one
shape on the API (``{"error": {"status", "code", "message", "details"}}``) and one page on
the site, whatever raised them; nothing a user sends should end in a 500.
"""
from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from importlib import resources

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from hoptac import __version__
from hoptac.store.browse import generation
from hoptac.store.corrections import CorrectionError
from hoptac.store.db import connect
from hoptac.store.search import SearchError
from hoptac.store.show import NotFound
from hoptac.store.users import LoginThrottle, UserError
from hoptac.web import api, pages, reports
from hoptac.track import settings as monitor_settings
from hoptac.web.auth import SESSION_COOKIE
from hoptac.web.deps import no_nul
from hoptac.web.middleware import BodyLimit, ETags, PageCache, SecurityHeaders, security_headers

log = logging.getLogger("hoptac.web")

DEFAULT_BASE_URL = "http://localhost:8000/"  # hoptac serve's own default address
_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "too_large", 422: "invalid", 429: "too_many_requests", 500: "internal_error"}


def create_app(db: str | None = None, *, private: bool = False, secure_cookies: bool = False, settings: str | None = None,
               base_url: str | None = None, trusted_hosts: Sequence[str] | None = None) -> FastAPI:
    """The app over the store at ``db`` (a path or URL; see ``hoptac.store.db.url_of``).

    ``private``: reading needs a login too. ``secure_cookies``: send cookies over HTTPS only
    (set it when serving behind TLS). ``settings``: the monitor's rules file (see ``hoptac.track.settings``).
    ``base_url``: the address readers reach the app at, for the absolute links of the feeds
    (never taken from a request's Host header, which any client sets). ``trusted_hosts``: the
    Host headers answered (``*.example.vn`` patterns); any other gets a 400. None: any.
    """
    app = FastAPI(title="hoptac", version=__version__, docs_url=None, redoc_url=None, openapi_url="/api/openapi.json", dependencies=[Depends(no_nul)],
                  description="Vietnam's science-and-technology cooperation programs, read from the agencies' news. "
                              "Reads are public unless the server is private; changes need an editor's API token "
                              "(`Authorization: Bearer …`, from `POST /api/v1/auth/token` or `hoptac user token`).")
    app.state.engine = connect(db)
    app.state.private = private
    app.state.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/") + "/"
    app.state.secure_cookies = secure_cookies
    app.state.monitor_settings = monitor_settings.load(settings)
    app.state.memo = Memo()
    app.state.throttle = LoginThrottle()  # per address and name
    app.state.name_throttle = LoginThrottle(attempts=25)  # per name, from any address
    app.add_middleware(PageCache, generation=lambda: _generation(app.state.engine), session_cookie=SESSION_COOKIE)
    app.add_middleware(ETags)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    if trusted_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(trusted_hosts))
    # The more specific mount first: /static would otherwise answer /static/swagger/... with 404.
    app.mount("/static/swagger", StaticFiles(directory=str(resources.files("fastapi_swagger") / "resources")), name="swagger")
    app.mount("/static", StaticFiles(directory=str(resources.files("hoptac.web") / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(reports.router)
    _errors(app)

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="hoptac API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js", swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")
    return app


def _generation(engine) -> str:
    with engine.connect() as conn:
        return generation(conn)


class Memo:
    """Results computed from the store, kept until the store's generation changes.

    Home-page counts and networks scan many facts; they change only when an ingest batch or
    a correction lands, which ``generation`` notices with two index lookups.
    """

    def __init__(self, size: int = 2048) -> None:
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}

    def get(self, conn, key: tuple, compute: Callable[[], object]):
        current = generation(conn)
        if (found := self._fresh(key, current)) is not None:
            return found[0]
        # One thread computes (the counts of a large store take seconds); the others wait for it.
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            if (found := self._fresh(key, current)) is not None:
                return found[0]
            value = compute()
            with self._lock:
                self._items[key] = (current, value)
                self._items.move_to_end(key)
                if len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._computing.pop(key, None)
        return value

    def _fresh(self, key: tuple, current: str) -> tuple | None:
        with self._lock:
            hit = self._items.get(key)
            if hit and hit[0] == current:
                self._items.move_to_end(key)
                return (hit[1],)
        return None


def _errors(app: FastAPI) -> None:
    def reply(request: Request, status: int, message: str, details: list | None = None, headers: dict | None = None):
        if request.url.path.startswith("/api/"):
            body = {"error": {"status": status, "code": _CODES.get(status, "error"), "message": message, "details": details or []}}
            return JSONResponse(body, status_code=status, headers=headers)
        return pages.error_page(request, status, message, headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        return reply(request, e.status_code, str(e.detail), headers=getattr(e, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError):
        details = [{"where": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]} for err in e.errors()]
        summary = "; ".join(f"{d['where']}: {d['problem']}" for d in details)
        return reply(request, 400, f"invalid request: {summary}", details)

    for kind, status in ((NotFound, 404), (SearchError, 400), (CorrectionError, 400), (UserError, 400), (ValidationError, 400)):
        app.add_exception_handler(kind, _handler(reply, status))

    @app.exception_handler(Exception)
    async def crash(request: Request, e: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return reply(request, 500, "something went wrong on our side; it has been logged", headers=security_headers(request.url.path))


def _handler(reply, status: int):
    async def handle(request: Request, e: Exception):
        return reply(request, status, str(e))
    return handle



def from_environment() -> FastAPI:
    """The app ``hoptac serve`` starts in each server process, configured by its environment."""
    return create_app(os.environ["HOPTAC_SERVE_DB"], private=bool(os.environ.get("HOPTAC_SERVE_PRIVATE")),
                      secure_cookies=bool(os.environ.get("HOPTAC_SERVE_SECURE")), settings=os.environ.get("HOPTAC_SERVE_SETTINGS"),
                      base_url=os.environ.get("HOPTAC_SERVE_BASE_URL"),
                      trusted_hosts=[h for h in os.environ.get("HOPTAC_SERVE_TRUSTED_HOSTS", "").split(",") if h])
