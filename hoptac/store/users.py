"""Users, passwords and sessions: who may read the store through the web app, and who may change it.

Three roles, each allowed all that the one before it is: a viewer reads, an editor also
makes corrections, an admin also manages users. Passwords are kept as scrypt hashes (in the
standard library, so no new dependency), and sessions and API tokens as the SHA-256 of a
random secret only the user holds: a copy of the database lets no one sign in. Every
change to a user goes to the audit log, never with a password or a hash in it.

Functions take a Connection and leave the transaction to the caller, as corrections.py does.
Times that decide expiry can be given (``now=``) so that tests and tools need not wait.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from hoptac.store.db import now as timestamp
from hoptac.store.schema import audit, sessions, users

ROLES = ("viewer", "editor", "admin")  # each may do all that the ones before it may
KINDS = ("web", "api")
MIN_PASSWORD = 8
MAX_NAME = 100  # leaves room for "user:<name>" in the audit log's 200-character target
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # 16 MiB and some 50 ms per hash: cheap for a login, dear for a guesser
_SEEN_EVERY = timedelta(minutes=5)  # how stale a session's last_seen_at may get: a page view is a read, not a write


class UserError(ValueError):
    """A change to users or sessions that cannot be made: a bad name or password, an unknown role."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created_at: str
    disabled: bool


@dataclass(frozen=True)
class Session:
    id: int
    user_id: int
    kind: str  # web | api
    csrf: str | None  # web sessions: what forms must send back
    created_at: str
    expires_at: str | None  # None: never
    last_seen_at: str
    label: str


def can(user: User, role: str) -> bool:
    """Whether ``user`` may do what ``role`` may; a disabled user may do nothing."""
    return not user.disabled and _rank(user.role) >= _rank(role)


# ---------------------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash``: the costs travel with the hash, so they can be raised later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_password(password).encode(), salt=salt, **_SCRYPT, dklen=32)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from; False for a malformed ``stored``."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.scrypt(_nfc(password).encode(), salt=base64.b64decode(salt, validate=True),
                                n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except ValueError:  # wrong number of fields, bad base64, impossible costs
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


def _password(password: str) -> str:
    password = _nfc(password)
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def _nfc(text: str) -> str:
    # Vietnamese keyboards send either composed or decomposed letters; "ệ" typed either way is one password.
    return unicodedata.normalize("NFC", text)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


# ---------------------------------------------------------------------------- users


def add_user(conn: Connection, name: str, password: str, role: str = "editor", *, actor: str) -> User:
    actor, name, password_hash = _actor(actor), _name(name), hash_password(password)
    _rank(role)
    try:
        with conn.begin_nested():  # a taken name leaves the caller's transaction usable
            conn.execute(insert(users).values(name=name, password_hash=password_hash, role=role, created_at=timestamp(), disabled=False))
    except IntegrityError as e:
        raise UserError(f"there is already a user named {name!r}") from e
    _audit(conn, actor, "user.add", name, {"role": role})
    return get_user(conn, name)


def set_password(conn: Connection, name: str, password: str, *, actor: str) -> None:
    """Sessions already open stay open; close them with ``close_sessions`` when the password leaked."""
    actor, password_hash = _actor(actor), hash_password(password)
    user = user_named(conn, name)
    conn.execute(update(users).where(users.c.id == user.id).values(password_hash=password_hash))
    _audit(conn, actor, "user.password", user.name, {})


def set_role(conn: Connection, name: str, role: str, *, actor: str) -> User:
    actor = _actor(actor)
    _rank(role)
    user = user_named(conn, name)
    if role != "admin":
        _keep_an_admin(conn, user)
    conn.execute(update(users).where(users.c.id == user.id).values(role=role))
    _audit(conn, actor, "user.role", user.name, {"old": user.role, "new": role})
    return replace(user, role=role)


def disable_user(conn: Connection, name: str, *, actor: str) -> User:
    """The user can no longer sign in, and every session and token they had stops working."""
    actor = _actor(actor)
    user = user_named(conn, name)
    _keep_an_admin(conn, user)
    conn.execute(update(users).where(users.c.id == user.id).values(disabled=True))
    closed = close_sessions(conn, user)
    _audit(conn, actor, "user.disable", user.name, {"sessions_closed": closed})
    return replace(user, disabled=True)


def list_users(conn: Connection) -> list[User]:
    return [_user(row) for row in conn.execute(select(*_USER).order_by(users.c.name))]


def get_user(conn: Connection, name: str) -> User | None:
    row = conn.execute(select(*_USER).where(users.c.name == _normal(name))).first()
    return _user(row) if row else None


def authenticate(conn: Connection, name: str, password: str) -> User | None:
    """The user, if ``password`` is theirs and they are not disabled.

    An unknown name costs a hash too, so the time taken does not tell which names exist.
    """
    row = conn.execute(select(*_USER, users.c.password_hash).where(users.c.name == _normal(name))).first()
    if row is None:
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, row.password_hash) or row.disabled:
        return None
    return _user(row)


_USER = (users.c.id, users.c.name, users.c.role, users.c.created_at, users.c.disabled)


def _user(row) -> User:
    return User(id=row.id, name=row.name, role=row.role, created_at=row.created_at, disabled=bool(row.disabled))


def user_named(conn: Connection, name: str) -> User:
    """The user of that name; a clear UserError when there is none."""
    user = get_user(conn, name)
    if user is None:
        raise UserError(f"no user named {_normal(name)!r}")
    return user


def _keep_an_admin(conn: Connection, user: User) -> None:
    """Refuse to demote or disable the last enabled admin: no one could manage users from the web app."""
    if user.role != "admin" or user.disabled:
        return
    others = conn.execute(select(users.c.id).where(users.c.role == "admin", users.c.disabled.is_(False), users.c.id != user.id)).first()
    if others is None:
        raise UserError(f"{user.name!r} is the last admin; make another user admin first")


def _normal(name: str) -> str:
    return _nfc(name).strip()


def _name(name: str) -> str:
    name = _normal(name)
    if not name:
        raise UserError("a user needs a name")
    if len(name) > MAX_NAME:
        raise UserError(f"a user name has at most {MAX_NAME} characters")
    return name


def _rank(role: str) -> int:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    return ROLES.index(role)


def _actor(actor: str) -> str:
    if not actor.strip():
        raise UserError("a change to users needs an actor, for the audit log")
    return actor.strip()


def _audit(conn: Connection, actor: str, action: str, name: str, detail: dict) -> None:
    conn.execute(insert(audit).values(at=timestamp(), actor=actor, action=action, target=f"user:{name}", detail=detail))


# ---------------------------------------------------------------------------- sessions


def open_session(conn: Connection, user: User, kind: str = "web", ttl_hours: float | None = 12, label: str = "", *,
                 now: datetime | None = None) -> tuple[str, Session]:
    """A new session or API token: the secret to hand to the user (shown once, never stored) and its row.

    ``ttl_hours=None`` makes one that never expires, as API tokens do.
    """
    if kind not in KINDS:
        raise UserError(f"unknown session kind {kind!r}; kinds are {', '.join(KINDS)}")
    if ttl_hours is not None and ttl_hours <= 0:
        raise UserError("a session must last some time; ttl_hours=None makes one that never expires")
    if user.disabled:
        raise UserError(f"{user.name!r} is disabled")
    at = _now(now)
    token = secrets.token_urlsafe(32)
    values = {
        "user_id": user.id, "kind": kind, "csrf": secrets.token_urlsafe(32) if kind == "web" else None,
        "created_at": _stamp(at), "expires_at": None if ttl_hours is None else _stamp(at + timedelta(hours=ttl_hours)),
        "last_seen_at": _stamp(at), "label": label,
    }
    session_id = conn.execute(insert(sessions).values(token_hash=_digest(token), **values).returning(sessions.c.id)).scalar_one()
    return token, Session(id=session_id, **values)


def session_for(conn: Connection, token: str, kind: str | None = None, *,
                now: datetime | None = None) -> tuple[User, Session] | None:
    """Who holds ``token``: None when it is unknown, expired, of another kind, or its user is disabled.

    Only reads: marking the session seen is ``mark_seen``'s, in a write of its own, when ``seen_long_ago``.
    """
    if not token:
        return None
    row = conn.execute(select(sessions, users.c.name, users.c.role, users.c.disabled, users.c.created_at.label("user_created_at"))
                       .join_from(sessions, users).where(sessions.c.token_hash == _digest(token))).first()
    at = _now(now)
    if row is None or row.disabled or (kind is not None and row.kind != kind) or _expired(row.expires_at, at):
        return None
    user = User(id=row.user_id, name=row.name, role=row.role, created_at=row.user_created_at, disabled=False)
    session = Session(id=row.id, user_id=row.user_id, kind=row.kind, csrf=row.csrf, created_at=row.created_at,
                      expires_at=row.expires_at, last_seen_at=row.last_seen_at, label=row.label)
    return user, session


def seen_long_ago(session: Session, *, now: datetime | None = None) -> bool:
    """Whether ``last_seen_at`` is old enough to be written again (every few minutes at most)."""
    return _now(now) - datetime.fromisoformat(session.last_seen_at) >= _SEEN_EVERY


def mark_seen(conn: Connection, session: Session, *, now: datetime | None = None) -> Session:
    session = replace(session, last_seen_at=_stamp(_now(now)))
    conn.execute(update(sessions).where(sessions.c.id == session.id).values(last_seen_at=session.last_seen_at))
    return session


def close_session(conn: Connection, token: str) -> bool:
    """Sign out, or revoke a token; False when there was no such session."""
    return conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token))).rowcount > 0


def close_sessions(conn: Connection, user: User) -> int:
    """Sign the user out everywhere and revoke their API tokens; returns how many there were."""
    return conn.execute(delete(sessions).where(sessions.c.user_id == user.id)).rowcount


def purge_expired(conn: Connection, *, now: datetime | None = None) -> int:
    """Delete expired sessions, which ``session_for`` already refuses; returns how many."""
    return conn.execute(delete(sessions).where(sessions.c.expires_at <= _stamp(_now(now)))).rowcount


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _stamp(at: datetime) -> str:
    # The same form as db.now(), so that stored times compare as strings too (purge_expired does, in SQL).
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _expired(expires_at: str | None, at: datetime) -> bool:
    return expires_at is not None and datetime.fromisoformat(expires_at) <= at


# ---------------------------------------------------------------------------- login throttle


class LoginThrottle:
    """Slows password guessing: a key (say "ip|name") with ``attempts`` failures within ``window``
    seconds must wait until the oldest of them is ``window`` seconds old.

    In memory and per process, thread-safe: enough for one web server, and nothing to clean
    up in the store. ``clock`` is injectable so that tests move time instead of sleeping.
    """

    def __init__(self, attempts: int = 5, window: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.window, self._clock = attempts, window, clock
        self._failures: dict[str, deque[float]] = {}  # the last `attempts` failure times of each key
        self._lock = threading.Lock()
        self._swept = clock()

    def check(self, key: str) -> float:
        """Seconds ``key`` must wait before trying again; 0 when it may try now."""
        with self._lock:
            failures = self._failures.get(key)
            if failures is None or len(failures) < self.attempts:
                return 0.0
            return max(0.0, failures[0] + self.window - self._clock())

    def failure(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            self._failures.setdefault(key, deque(maxlen=self.attempts)).append(now)
            self._sweep(now)

    def success(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _sweep(self, now: float) -> None:
        """Forget keys with no failure in the window, once a window: made-up names must not grow memory without end."""
        if now - self._swept < self.window:
            return
        self._swept = now
        self._failures = {key: f for key, f in self._failures.items() if f[-1] > now - self.window}
