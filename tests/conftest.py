from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from hoptac.extract.pipeline import extract
from hoptac.records import Record
from hoptac.store.db import url_of
from hoptac.text.article import RawDocument

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "corpus" / "sample"

# The seed articles (../shared/corpus/seeds), by file name.
CAO_BANG = "000_7243f7be2558e0df.txt"  # signing in Cao Bằng, with Deputy Minister Nguyễn Hoàng Giang
HAI_PHONG = "001_0aee5d788ca160ce.txt"
CAN_THO_VISIT = "002_0aed7de9cb9b6fdf.txt"  # the Deputy Minister visits the Cần Thơ department
CAN_THO_SIGNING = "003_79dcb4bc5f052b9c.txt"  # the Cần Thơ department and police sign
QUANG_NINH = "004_164a40917918f8b9.txt"


def run(text: str, name: str = "article.txt") -> Record:
    """Extract one article given as text, through the same path as the CLI."""
    return extract(RawDocument(name=name, data=text.encode("utf-8")))


def own_pg_database(suffix: str, url: str) -> str:
    """A test module's own database beside $HOPTAC_TEST_PG's (its name + ``_suffix``), emptied:
    other modules empty that one for each of their tests, and may run at the same time."""
    base = make_url(url_of(url))
    own = base.set(database=f"{base.database}_{suffix}")
    server = create_engine(base, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}).scalar():
            conn.exec_driver_sql(f'CREATE DATABASE "{own.database}"')
    server.dispose()
    engine = create_engine(own)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "corpus" / "seeds").is_dir():
        pytest.skip(f"../shared is not beside the project ({SHARED}); the seed evaluation needs it")
    return SHARED


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """An empty store for one test: a new SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    url = os.environ.get("HOPTAC_TEST_PG")
    if not url:
        pytest.skip("PostgreSQL store tests need HOPTAC_TEST_PG=postgresql://... (scripts/pg_test_server.sh DIR starts a server and prints it)")
    # Everything the migrations create lives in the public schema (alembic_version and
    # pg_trgm included), so recreating it gives the next connect() a never-migrated database.
    engine = create_engine(url_of(url))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url
