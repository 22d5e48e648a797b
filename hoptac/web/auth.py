"""Who is asking: a web session (cookie, with a CSRF token for every change) or an API token.

Passwords, sessions and tokens live in the store (``hoptac.store.users``); this module
reads them off requests and turns missing rights into 401/403 errors.
"""
from __future__ import annotations

import hmac
import logging
import secrets
import unicodedata
from dataclasses import dataclass

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.exc import OperationalError

from hoptac.store.db import write
from hoptac.store.users import Session, User, authenticate, can, mark_seen, seen_long_ago, session_for

log = logging.getLogger(__name__)

SESSION_COOKIE = "hoptac_session"
LOGIN_CSRF_COOKIE = "hoptac_login_csrf"


@dataclass(frozen=True)
class Visitor:
    user: User | None = None
    session: Session | None = None
    via: str | None = None  # cookie | token

    def can(self, role: str) -> bool:
        return self.user is not None and can(self.user, role)

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session and self.session.csrf else ""


ANONYMOUS = Visitor()


def visitor(request: Request) -> Visitor:
    """The request's user, if a valid session cookie or ``Authorization: Bearer`` token says so."""
    if (known := getattr(request.state, "visitor", None)) is not None:
        return known
    found = ANONYMOUS
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        found = _lookup(request, token.strip(), "api", "token")
    elif cookie := request.cookies.get(SESSION_COOKIE):
        found = _lookup(request, cookie, "web", "cookie")
    request.state.visitor = found
    return found


def _lookup(request: Request, token: str, kind: str, via: str) -> Visitor:
    engine = request.app.state.engine
    with engine.connect() as conn:
        found = session_for(conn, token, kind=kind)
    if found is None:
        if via == "token":
            raise HTTPException(401, "the API token is unknown, expired or revoked", headers={"WWW-Authenticate": "Bearer"})
        return ANONYMOUS
    user, session = found
    if seen_long_ago(session):
        try:
            with write(engine) as conn:
                session = mark_seen(conn, session)
        except OperationalError as e:  # the store busier than the busy timeout: the page matters more
            log.warning("could not mark session %s seen: %s", session.id, e)
    return Visitor(user, session, via)


def reader(request: Request) -> Visitor:
    """Anyone may read, unless the server was started with ``--private``."""
    who = visitor(request)
    if request.app.state.private and not who.can("viewer"):
        raise HTTPException(401, "log in to read this store", headers={"WWW-Authenticate": "Bearer"})
    return who


def editor(request: Request) -> Visitor:
    return _with_role(request, "editor")


def admin(request: Request) -> Visitor:
    return _with_role(request, "admin")


# What handlers declare they need (the API, the pages and the reports alike).
Reader = Annotated[Visitor, Depends(reader)]
Editor = Annotated[Visitor, Depends(editor)]
Admin = Annotated[Visitor, Depends(admin)]


def _with_role(request: Request, role: str) -> Visitor:
    who = visitor(request)
    if who.user is None:
        raise HTTPException(401, "log in (or send an API token) to make changes", headers={"WWW-Authenticate": "Bearer"})
    if not who.can(role):
        raise HTTPException(403, f"this needs the {role} role; {who.user.name} is a {who.user.role}")
    if who.via == "cookie" and request.url.path.startswith("/api/"):
        check_csrf(who.csrf, request.headers.get("x-csrf-token", ""))
    return who


def check_csrf(expected: str, given: str) -> None:
    """A change made with a cookie must carry the session's CSRF token: pages post it in a
    form field, scripts send it as ``X-CSRF-Token``. Token requests need none."""
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "the form has expired or did not come from this site (CSRF check failed); reload the page and try again")


class Refused(Exception):
    """A sign-in that failed (401) or must wait (429, ``wait`` seconds)."""

    def __init__(self, status: int, wait: int = 0) -> None:
        super().__init__(status)
        self.status, self.wait = status, wait


def sign_in(request: Request, conn, name: str, password: str) -> User:
    """The user these credentials name, counting failures per address and name, and, more
    gently, per name alone.

    One address guessing a name is slowed after a few failures without locking the name's
    owner out from elsewhere; guessing one name from many addresses is slowed too, after
    more. The address is the client's as the server sees it: behind a reverse proxy, start
    the server with ``--trusted-proxy`` so that it is the proxy's ``X-Forwarded-For``, not
    the proxy itself. The name is keyed as sign-in reads it (NFC, trimmed, any case), so
    " ed" and "ED" share ed's failures.
    """
    named = unicodedata.normalize("NFC", name).strip().casefold()
    keys = ((request.app.state.throttle, f"{request.client.host if request.client else '-'}|{named}"),
            (request.app.state.name_throttle, named))
    if wait := max(throttle.check(key) for throttle, key in keys):
        raise Refused(429, int(wait) + 1)
    user = authenticate(conn, name, password)
    for throttle, key in keys:
        (throttle.success if user else throttle.failure)(key)
    if user is None:
        raise Refused(401)
    return user


def login_csrf(request: Request) -> str:
    """A token for the login form, before there is a session: the same value in a cookie and the form."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
