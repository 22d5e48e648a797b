"""One full-text index per kind of result (SQLite), ranked by BM25 with titles weighted.

With documents and entities in one FTS5 index, every query ranked both and dropped half;
at 100,000 articles that made search several times slower than it needs to be.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

KINDS = {"documents_fts": "document", "entities_fts": "entity"}


def _create(table: str, kind: str) -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5(title, body, content='search_index', content_rowid='id', tokenize='unicode61')",
        f"INSERT INTO {table}({table}, rank) VALUES ('rank', 'bm25(10.0, 1.0)')",
        f"""CREATE TRIGGER {table}_ai AFTER INSERT ON search_index WHEN new.kind = '{kind}' BEGIN
            INSERT INTO {table}(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
        f"""CREATE TRIGGER {table}_ad AFTER DELETE ON search_index WHEN old.kind = '{kind}' BEGIN
            INSERT INTO {table}({table}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END""",
        f"""CREATE TRIGGER {table}_au AFTER UPDATE ON search_index WHEN old.kind = '{kind}' BEGIN
            INSERT INTO {table}({table}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
            INSERT INTO {table}(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
        f"INSERT INTO {table}(rowid, title, body) SELECT id, title, body FROM search_index WHERE kind = '{kind}'",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("search_index_ai", "search_index_ad", "search_index_au"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE search_fts")
    for table, kind in KINDS.items():
        for statement in _create(table, kind):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in KINDS:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER {table}_{suffix}")
        op.execute(f"DROP TABLE {table}")
    op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_index', content_rowid='id', tokenize='unicode61')")
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    for trigger, event, body in (
        ("search_index_ai", "INSERT", "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);"),
        ("search_index_ad", "DELETE", "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);"),
        ("search_index_au", "UPDATE", "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);"
                                      " INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);"),
    ):
        op.execute(f"CREATE TRIGGER {trigger} AFTER {event} ON search_index BEGIN {body} END")
