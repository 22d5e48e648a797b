"""Opening a store: a database URL (or a file path) to a migrated SQLAlchemy engine.

The embedded default is ``hoptac.db`` (SQLite) in the working directory; ``--db`` or the
``HOPTAC_DB`` environment variable choose another file or a PostgreSQL server
(``postgresql://user@host/dbname``). Migrations run on every open, inside a transaction and,
on PostgreSQL, under an advisory lock, so two processes starting together cannot both
apply them.
"""
from __future__ import annotations

import json
import os
import threading
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text

DEFAULT = "hoptac.db"
_MIGRATION_LOCK = 0x686F70  # "hop": any constant shared by every hoptac process
_MIGRATING = threading.Lock()


class StoreError(Exception):
    """The database cannot be opened or is not a hoptac store."""


def url_of(db: str | None) -> str:
    """A SQLAlchemy URL from what a user typed: a URL, a file path, or nothing (the default)."""
    db = db or os.environ.get("HOPTAC_DB") or DEFAULT
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser()}"
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def connect(db: str | None = None) -> Engine:
    url = url_of(db)
    try:
        sqlite = url.startswith("sqlite")
        # JSON columns as UTF-8 text ("Sở", not "\u1edf"): readable in Datasette, psql and SQL's LIKE
        engine = create_engine(url, pool_pre_ping=not sqlite, connect_args={"isolation_level": None} if sqlite else {},
                               json_serializer=_json_text)
    except Exception as e:  # a malformed URL or an unknown driver
        raise StoreError(f"cannot open {url}: {e}") from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling skips DDL and SAVEPOINTs; begin explicitly so
        # that a migration or an ingest batch is all-or-nothing.
        event.listen(engine, "begin", _sqlite_begin)
    try:
        migrate(engine)
    except Exception as e:
        engine.dispose()
        raise StoreError(f"cannot open {engine.url.render_as_string(hide_password=True)}: {e}") from e
    return engine


def _json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (search, the web app) run during an ingest; NORMAL sync in WAL mode
    # loses at most the last transactions on power loss, never consistency.
    # The busy timeout first: switching a new store to WAL needs its lock, and a second
    # process opening the store at the same moment must wait for it, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # Writers (``write``) take the write lock up front; readers stay deferred, so search runs
    # while an ingest writes.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("immediate") else "BEGIN")


def write(engine: Engine) -> AbstractContextManager[Connection]:
    """A write transaction: ``with write(engine) as conn: ...``, committed at the end.

    On SQLite it takes the write lock when it begins. A deferred transaction that has read
    and then writes must upgrade its lock, and when another writer got there first SQLite
    fails it at once ("database is locked") instead of waiting: the busy timeout only applies
    to a lock asked for at BEGIN. So every writer (ingest batches, web edits, the CLI) waits
    its turn, for up to the busy timeout, and none fails because another was writing.
    """
    return engine.execution_options(immediate=True).begin()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("hoptac.store") / "migrations"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    # Alembic's migration context is process-global: one migration at a time per process;
    # across processes, the database's own lock (advisory on PostgreSQL, the write lock on SQLite).
    with _MIGRATING, write(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL; a larger one names nothing


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
