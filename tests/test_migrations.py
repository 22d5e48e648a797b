"""The schema: migrations build exactly what the code reads, on both databases, safely."""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select

from hoptac.store.db import alembic_config, connect, migrate, url_of
from hoptac.store.ingest import ingest
from hoptac.store.schema import documents, metadata, programs
from hoptac.store.search import search
from hoptac.track import sync


def test_migrations_build_the_schema_the_code_reads(store_url):
    engine = connect(store_url)
    with engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), metadata)
    # The search index's own structures (FTS5 tables, the tsvector column) are not in the metadata.
    drift = [d for d in drift if not any(own in repr(d) for own in ("_fts", "tsv", "trgm"))]
    assert drift == []


def test_opening_a_store_again_changes_nothing(store_url):
    engine = connect(store_url)
    with engine.connect() as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    again = connect(store_url)
    with again.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == before
        assert set(inspect(conn).get_table_names()) == tables
    assert {"documents", "document_versions", "runs", "facts", "entities", "links", "corrections", "audit", "users", "sessions"} <= tables


def _open_and_close(url: str) -> None:
    connect(url).dispose()


def test_processes_opening_a_new_store_at_once_all_succeed(store_url):
    # Separate processes, as when the web app and an ingest start together.
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        pool.map(_open_and_close, [store_url] * 3)
    engine = connect(store_url)
    with ThreadPoolExecutor(3) as threads:  # and threads of one process (a web server's)
        for future in [threads.submit(migrate, engine) for _ in range(3)]:
            future.result()
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0006"


def test_a_store_made_by_an_older_release_is_upgraded_in_place_with_its_data(store_url, shared, monkeypatch):
    old = create_engine(url_of(store_url))
    config = alembic_config()
    with old.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    with monkeypatch.context() as m:
        m.setattr(sync, "refresh", lambda conn, ids=None: None)  # releases before 0006 kept no programs
        ingest(old, [str(shared / "corpus" / "seeds")], jobs=1)
    old.dispose()
    engine = connect(store_url)  # the current release opens it: migrated, data kept
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0006"
        assert "ix_facts_document_id_kind" in {i["name"] for i in inspect(conn).get_indexes("facts")}
        assert conn.execute(select(func.count()).select_from(documents)).scalar() == 5
        # The search index built under the old schema was carried over.
        assert len(search(conn, "can tho", kinds=("document",))) == 2
        assert conn.execute(select(func.count()).select_from(programs)).scalar() == 0
    with engine.begin() as conn:  # what `hoptac programs refresh` does for such a store
        sync.refresh(conn)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(programs)).scalar() == 5
