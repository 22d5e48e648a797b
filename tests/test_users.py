"""Users and sessions: passwords kept only as hashes, tokens only as digests, roles, expiry, throttling."""
from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hoptac.store import users as users_module
from hoptac.store.db import connect
from hoptac.store.schema import audit, sessions, users
from hoptac.store.users import (
    LoginThrottle, UserError, add_user, authenticate, can, close_session, close_sessions, disable_user, get_user,
    hash_password, list_users, mark_seen, open_session, purge_expired, seen_long_ago, session_for, set_password, set_role, verify_password,
)

PASSWORD = "mật khẩu dài"
T0 = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(store_url):
    engine = connect(store_url)
    yield engine
    engine.dispose()


def _add(engine, name="lan", role="editor", password=PASSWORD):
    with engine.begin() as conn:
        return add_user(conn, name, password, role, actor="admin-cli")


# ---------------------------------------------------------------------------- passwords


def test_a_password_hash_is_salted_and_verifies_only_its_password():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$16384$8$1$") and first.count("$") == 5
    assert first != second  # a random salt each time
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "!", first)
    # Typed with decomposed letters, it is the same password.
    assert verify_password(unicodedata.normalize("NFD", PASSWORD), first)
    assert not verify_password(PASSWORD, "not a hash") and not verify_password(PASSWORD, "scrypt$1$2$3$@@$@@")


def test_short_passwords_and_empty_names_are_refused_clearly(engine):
    with pytest.raises(UserError, match="at least 8 characters"):
        hash_password("1234567")
    with engine.begin() as conn:
        with pytest.raises(UserError, match="at least 8"):
            add_user(conn, "lan", "short", actor="admin-cli")
        with pytest.raises(UserError, match="needs a name"):
            add_user(conn, "  ", PASSWORD, actor="admin-cli")
        with pytest.raises(UserError, match="unknown role"):
            add_user(conn, "lan", PASSWORD, "owner", actor="admin-cli")
        with pytest.raises(UserError, match="actor"):
            add_user(conn, "lan", PASSWORD, actor=" ")
        assert list_users(conn) == []


# ---------------------------------------------------------------------------- users


def test_names_are_normalised_and_unique_with_a_clear_error(engine):
    decomposed = unicodedata.normalize("NFD", "  Nguyễn Thị Lan ")
    user = _add(engine, decomposed)
    assert user.name == "Nguyễn Thị Lan" and user.role == "editor" and not user.disabled
    with engine.begin() as conn:
        with pytest.raises(UserError, match="already a user named 'Nguyễn Thị Lan'"):
            add_user(conn, "Nguyễn Thị Lan", PASSWORD, actor="admin-cli")
        # The caller's transaction is still usable after the refusal (PostgreSQL would abort it otherwise).
        add_user(conn, "minh", PASSWORD, "viewer", actor="admin-cli")
    with engine.connect() as conn:
        assert [u.name for u in list_users(conn)] == ["Nguyễn Thị Lan", "minh"]
        assert get_user(conn, decomposed) == user
        assert get_user(conn, "nobody") is None


def test_authenticate_needs_the_right_password_of_a_known_user(engine):
    user = _add(engine)
    with engine.connect() as conn:
        assert authenticate(conn, " lan ", unicodedata.normalize("NFD", PASSWORD)) == user
        assert authenticate(conn, "lan", "mật khẩu sai!") is None
        assert authenticate(conn, "ai đó", PASSWORD) is None
        assert authenticate(conn, "", "") is None


def test_an_unknown_user_costs_a_hash_like_a_wrong_password(engine, monkeypatch):
    _add(engine)
    users_module._dummy_hash()  # made once per process, before the first unknown name: not what is measured
    calls = []
    real = hashlib.scrypt
    monkeypatch.setattr(users_module.hashlib, "scrypt", lambda *a, **k: calls.append(k["n"]) or real(*a, **k))
    with engine.connect() as conn:
        authenticate(conn, "lan", "wrong password")
        wrong = list(calls)
        calls.clear()
        authenticate(conn, "nobody", "wrong password")
    assert calls == wrong == [2**14]


def test_set_password_replaces_the_old_one(engine):
    _add(engine)
    with engine.begin() as conn:
        set_password(conn, "lan", "một mật khẩu mới", actor="lan")
        with pytest.raises(UserError, match="no user named 'nobody'"):
            set_password(conn, "nobody", "một mật khẩu mới", actor="lan")
    with engine.connect() as conn:
        assert authenticate(conn, "lan", PASSWORD) is None
        assert authenticate(conn, "lan", "một mật khẩu mới").name == "lan"


def test_roles_are_ordered_viewer_editor_admin(engine):
    viewer, editor, admin = _add(engine, "v", "viewer"), _add(engine, "e", "editor"), _add(engine, "a", "admin")
    assert [can(u, "viewer") for u in (viewer, editor, admin)] == [True, True, True]
    assert [can(u, "editor") for u in (viewer, editor, admin)] == [False, True, True]
    assert [can(u, "admin") for u in (viewer, editor, admin)] == [False, False, True]
    with pytest.raises(UserError, match="unknown role"):
        can(admin, "root")
    with engine.begin() as conn:
        assert set_role(conn, "v", "editor", actor="a").role == "editor"
        assert get_user(conn, "v").role == "editor"
        with pytest.raises(UserError, match="unknown role"):
            set_role(conn, "v", "root", actor="a")


def test_the_last_admin_cannot_be_demoted_or_disabled(engine):
    _add(engine, "a", "admin")
    with engine.begin() as conn:
        with pytest.raises(UserError, match="last admin"):
            set_role(conn, "a", "editor", actor="a")
        with pytest.raises(UserError, match="last admin"):
            disable_user(conn, "a", actor="a")
        add_user(conn, "b", PASSWORD, "admin", actor="a")
        assert disable_user(conn, "a", actor="b").disabled
        with pytest.raises(UserError, match="last admin"):
            set_role(conn, "b", "viewer", actor="b")


def test_a_disabled_user_cannot_sign_in_and_their_sessions_stop_working(engine):
    user = _add(engine)
    with engine.begin() as conn:
        web, _ = open_session(conn, user)
        api, _ = open_session(conn, user, "api", ttl_hours=None, label="nightly export")
        assert session_for(conn, web) and session_for(conn, api)
        disabled = disable_user(conn, "lan", actor="admin-cli")
    assert disabled.disabled and not can(disabled, "viewer")
    with engine.begin() as conn:
        assert authenticate(conn, "lan", PASSWORD) is None
        assert session_for(conn, web) is None and session_for(conn, api) is None
        assert conn.execute(select(sessions)).all() == []
        with pytest.raises(UserError, match="disabled"):
            open_session(conn, disabled)


# ---------------------------------------------------------------------------- sessions


def test_a_session_is_found_by_its_token_and_of_its_kind(engine):
    user = _add(engine)
    with engine.begin() as conn:
        web_token, web = open_session(conn, user, now=T0)
        api_token, api = open_session(conn, user, "api", ttl_hours=None, label="nightly export", now=T0)
        assert web.kind == "web" and web.csrf and len(web.csrf) <= 64
        assert api.kind == "api" and api.csrf is None and api.expires_at is None and api.label == "nightly export"
        assert session_for(conn, web_token, now=T0) == (user, web)
        assert session_for(conn, api_token, "api", now=T0) == (user, api)
        assert session_for(conn, api_token, "web", now=T0) is None  # a token is not a browser session
        assert session_for(conn, web_token + "x") is None and session_for(conn, "") is None
        with pytest.raises(UserError, match="unknown session kind"):
            open_session(conn, user, "cookie")


def test_the_token_is_stored_only_as_its_digest(engine):
    user = _add(engine)
    with engine.begin() as conn:
        tokens = [open_session(conn, user)[0], open_session(conn, user, "api", ttl_hours=None)[0]]
        rows = conn.execute(select(sessions)).mappings().all()
    stored = json.dumps([dict(row) for row in rows])
    for token in tokens:
        assert len(token) >= 43
        assert token not in stored
        assert hashlib.sha256(token.encode()).hexdigest() in stored


def test_a_session_expires_after_its_time(engine):
    user = _add(engine)
    with engine.begin() as conn:
        web, session = open_session(conn, user, ttl_hours=12, now=T0)
        api, _ = open_session(conn, user, "api", ttl_hours=None, now=T0)
        assert session.expires_at == (T0 + timedelta(hours=12)).isoformat()
        assert session_for(conn, web, now=T0 + timedelta(hours=11, minutes=59)) is not None
        assert session_for(conn, web, now=T0 + timedelta(hours=12)) is None
        assert session_for(conn, api, now=T0 + timedelta(days=3650)) is not None
        with pytest.raises(UserError, match="never expires"):
            open_session(conn, user, ttl_hours=0)
    with engine.begin() as conn:
        assert purge_expired(conn, now=T0 + timedelta(hours=1)) == 0
        assert purge_expired(conn, now=T0 + timedelta(hours=13)) == 1
        assert [row.kind for row in conn.execute(select(sessions))] == ["api"]


def test_looking_up_a_session_only_reads_and_last_seen_is_due_every_few_minutes(engine):
    user = _add(engine)
    with engine.begin() as conn:
        token, _ = open_session(conn, user, now=T0)
    with engine.connect() as conn:
        _, session = session_for(conn, token, now=T0 + timedelta(hours=1))
        assert session.last_seen_at == conn.execute(select(sessions.c.last_seen_at)).scalar_one() == T0.isoformat()  # a read never writes
    assert not seen_long_ago(session, now=T0 + timedelta(minutes=4, seconds=59))
    later = T0 + timedelta(minutes=5)
    assert seen_long_ago(session, now=later)
    with engine.begin() as conn:
        assert mark_seen(conn, session, now=later).last_seen_at == later.isoformat()
        assert conn.execute(select(sessions.c.last_seen_at)).scalar_one() == later.isoformat()


def test_closing_sessions(engine):
    lan, minh = _add(engine, "lan"), _add(engine, "minh")
    with engine.begin() as conn:
        first, _ = open_session(conn, lan)
        second, _ = open_session(conn, lan, "api", ttl_hours=None)
        other, _ = open_session(conn, minh)
        assert close_session(conn, first) is True
        assert close_session(conn, first) is False
        assert session_for(conn, first) is None and session_for(conn, second) is not None
        assert close_sessions(conn, lan) == 1
        assert session_for(conn, second) is None and session_for(conn, other) is not None


# ---------------------------------------------------------------------------- audit


def test_changes_to_users_are_audited_without_secrets(engine):
    _add(engine, "root", "admin")
    _add(engine)
    with engine.begin() as conn:
        set_password(conn, "lan", "một mật khẩu mới", actor="root")
        set_role(conn, "lan", "admin", actor="root")
        disable_user(conn, "lan", actor="root")
        rows = conn.execute(select(audit).where(audit.c.target == "user:lan").order_by(audit.c.id)).all()
        password_hash = conn.execute(select(users.c.password_hash).where(users.c.name == "lan")).scalar_one()
    assert [(r.actor, r.action) for r in rows] == [
        ("admin-cli", "user.add"), ("root", "user.password"), ("root", "user.role"), ("root", "user.disable")]
    assert rows[0].detail == {"role": "editor"} and rows[2].detail == {"old": "editor", "new": "admin"}
    logged = json.dumps([r.detail for r in rows], ensure_ascii=False)
    for secret in (PASSWORD, "một mật khẩu mới", password_hash, "scrypt"):
        assert secret not in logged


# ---------------------------------------------------------------------------- throttle


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_blocks_after_five_failures_until_the_window_passes():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    key = "10.0.0.1|lan"
    for _ in range(4):
        throttle.failure(key)
        clock.now += 10
    assert throttle.check(key) == 0
    throttle.failure(key)  # the fifth, at 1040
    assert throttle.check(key) == pytest.approx(300 - 40)  # until the first (at 1000) is 300 s old
    assert throttle.check("10.0.0.2|lan") == 0  # other keys are not held up
    clock.now = 1000 + 299
    assert throttle.check(key) == pytest.approx(1)
    clock.now = 1000 + 300
    assert throttle.check(key) == 0
    throttle.failure(key)  # four failures remain in the window: this one makes five again
    assert throttle.check(key) == pytest.approx(10)  # the second (at 1010) leaves the window at 1310


def test_a_success_clears_the_failures():
    clock = FakeClock()
    throttle = LoginThrottle(attempts=2, window=60, clock=clock)
    throttle.failure("k")
    throttle.success("k")
    throttle.failure("k")
    assert throttle.check("k") == 0
    throttle.failure("k")
    assert throttle.check("k") == pytest.approx(60)
