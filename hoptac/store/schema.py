"""The knowledge store's tables, as SQLAlchemy Core metadata shared by SQLite and PostgreSQL.

Extraction output and analysts' work live apart: ``facts`` and ``links`` are rewritten
every time a document is (re-)extracted; ``corrections`` and ``audit`` are only ever
appended to by people, and corrections are re-applied on top of each new extraction.
``users`` and ``sessions`` are who may read and change the store through the web app and
its API. The migrations in ``migrations/versions`` create exactly these tables.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# One ingest or re-extraction: which extractor produced the facts, and what it did.
runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("extractor_version", String(80), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("status", String(16), nullable=False),  # running | done | failed; a killed run stays "running"
    Column("added", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("reextracted", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
)

# A document is an article known by its URL or else its file name; its current text is here,
# each distinct content it ever had is in document_versions.
documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(1000), nullable=False, unique=True),
    Column("name", String(1000), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("source", Text),
    Column("published_at", String(32)),
    Column("views", Integer),
    Column("encoding", String(32)),
    Column("text", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("extractor_version", String(80), nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("first_seen", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index(None, "published_at"),
)

document_versions = Table(
    "document_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size", Integer, nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("seen_at", String(32), nullable=False),
    UniqueConstraint("document_id", "version"),
)

failures = Table(
    "failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

# People and organizations resolved across documents. An entity merged into another keeps
# its row (and id) and points at the survivor, so old ids still lead somewhere.
entities = Table(
    "entities", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # person | organization
    Column("name", Text, nullable=False),
    Column("block", String(400), nullable=False),  # the blocking key: only entities sharing it are compared
    Column("org_kind", String(32)),
    Column("province", String(80)),
    Column("province_now", String(80)),
    Column("aliases", JSON, nullable=False, default=list),
    Column("merged_into", ForeignKey("entities.id")),
    Column("created_at", String(32), nullable=False),
    Index(None, "kind", "block"),
    Index(None, "merged_into"),
)

# One extracted (or analyst-added) item of a document. ``key`` names it stably within its
# document across re-extractions, so that corrections can find it again.
facts = Table(
    "facts", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # event | person | position | organization | agreement | legal_ref | commitment
    Column("key", String(600), nullable=False),
    Column("label", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),  # [[start, end], ...] into the document's text
    Column("sentence", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("date", String(10)),
    Column("province", String(80)),
    Column("province_now", String(80)),
    Column("origin", String(16), nullable=False, default="extracted"),  # extracted | analyst
    Column("suppressed_by", ForeignKey("corrections.id")),
    Column("corrected_by", ForeignKey("corrections.id")),
    UniqueConstraint("document_id", "key"),
    Index(None, "kind", "label"),
    Index(None, "document_id", "kind"),  # what search filters ask: does this document have a fact of this kind?
    # What the counts by province read, and nothing else (migration 0005).
    Index(None, "kind", "province", "document_id", "suppressed_by"),
    Index(None, "kind", "province_now", "document_id", "suppressed_by"),
)

# Which entity a fact is about, in which role, and why resolution put it there.
links = Table(
    "links", metadata,
    Column("id", Integer, primary_key=True),
    Column("fact_id", ForeignKey("facts.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", ForeignKey("entities.id"), nullable=False),
    Column("role", String(16), nullable=False),  # subject | organization | party
    Column("rule", String(40), nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Index(None, "entity_id"),
    Index(None, "fact_id"),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True),
    Column("action", String(16), nullable=False),  # set | delete | add | merge | split | rename
    Column("document_key", String(1000)),
    Column("fact_key", String(600)),
    Column("entity_id", ForeignKey("entities.id")),
    Column("other_entity_id", ForeignKey("entities.id")),
    Column("payload", JSON, nullable=False),
    Column("author", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # applied | orphaned | undone
    Column("status_detail", Text),
    Index(None, "document_key"),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=False),
    Column("detail", JSON, nullable=False),
)

# What search reads: one row per document or entity, text folded (no accents, lower case).
# SQLite indexes it with an FTS5 table, PostgreSQL with a tsvector column and trigrams;
# both are created by the migration for their dialect.
search_index = Table(
    "search_index", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # document | person | organization
    Column("ref_id", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("kind", "ref_id"),
)

# People who sign in to the web app or call its API. Only a hash of the password is kept
# (see users.py); a user is disabled rather than deleted, so the audit log's names stay meaningful.
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(16), nullable=False),  # viewer | editor | admin
    Column("created_at", String(32), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

# A signed-in browser or an API token. The secret token is only ever in the user's hands:
# the store keeps its SHA-256, so reading this table does not let anyone act as the user.
sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),  # web | api
    Column("csrf", String(64)),  # web sessions only: forms must send it back
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32)),  # NULL: never (API tokens)
    Column("last_seen_at", String(32), nullable=False),
    Column("label", Text, nullable=False, default=""),  # what a token is for
    Index(None, "user_id"),
)

# ---------------------------------------------------------------------------- follow-up tracking
# A program is a cooperation agreement followed across articles. Its rows persist (their ids are
# in URLs and analysts' work hangs on them); what extraction says about it is refreshed after
# every ingest batch by hoptac.track.sync, and analysts' decisions are never overwritten.
programs = Table(
    "programs", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("signed_on", String(10)),
    Column("period_start", Integer),
    Column("period_end", Integer),
    Column("orientation_to", Integer),
    Column("content_items", Integer),
    Column("province", String(80)),
    Column("province_now", String(80)),
    Column("parties", JSON, nullable=False, default=list),  # [{"entity_id", "name"}] as read from the articles
    Column("known_since", String(10)),  # the date of the earliest article that names it
    Column("status", String(16), nullable=False, default="active"),  # active | orphaned (no article names it any more)
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index(None, "province"),
    Index(None, "province_now"),
)

# Whose program it is: the index that finds candidate programs for a new article.
program_parties = Table(
    "program_parties", metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", ForeignKey("entities.id"), primary_key=True),
    Column("side", String(120), nullable=False),  # the administration the party belongs to (see track.parties)
    Index(None, "entity_id"),
    Index(None, "side"),
)

# An article in a program's life: the one that reports its signing, its action plan, a review,
# a visit, a task carried out under it. Rows with a decision are the analysts': a re-ingest
# refreshes their automatic fields but never their decision, nor deletes them.
program_links = Table(
    "program_links", metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("document_key", String(1000), nullable=False),
    Column("agreement_key", String(600)),  # the article's agreement fact that names this program, if any
    Column("role", String(16), nullable=False),  # signing | action_plan | review_interim | review_final | visit | task | response | mention
    Column("date", String(10)),
    Column("rule", String(40), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("origin", String(16), nullable=False, default="auto"),  # auto | analyst
    Column("decision", String(16)),  # NULL | confirmed | rejected
    Column("decided_by", String(200)),
    Column("decided_at", String(32)),
    Column("decision_reason", Text),
    UniqueConstraint("program_id", "document_id"),
    Index(None, "document_id"),
)

program_points = Table(
    "program_points", metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text),
    Column("status", String(16), nullable=False, default="unknown"),  # unknown | not_started | in_progress | done
    Column("origin", String(16), nullable=False, default="extracted"),
    Column("updated_by", String(200)),  # set once an analyst touched it: extraction leaves it alone from then on
    Column("updated_at", String(32)),
    UniqueConstraint("program_id", "number"),
)

program_commitments = Table(
    "program_commitments", metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    Column("origin", String(16), nullable=False),  # extracted | analyst
    Column("document_key", String(1000)),
    Column("fact_key", String(600)),
    Column("kind", String(32), nullable=False),
    Column("actor", Text),
    Column("text", Text, nullable=False),
    Column("made_on", String(10)),
    Column("due_stated", String(10)),  # a deadline the sentence itself gives
    Column("due", String(10)),  # an analyst's deadline, over any other
    Column("status", String(16), nullable=False, default="open"),  # open | fulfilled | dropped
    Column("evidence", Text),
    Column("evidence_url", Text),
    Column("status_by", String(200)),
    Column("status_at", String(32)),
    Column("created_by", String(200)),
    UniqueConstraint("program_id", "document_key", "fact_key"),
)

action_items = Table(
    "action_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    Column("title", Text, nullable=False),
    Column("owner", Text),
    Column("focal_person", Text),
    Column("due", String(10)),
    Column("status", String(16), nullable=False),  # planned | in_progress | done | cancelled
    Column("evidence_url", Text),
    Column("created_by", String(200), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index(None, "program_id"),
)

program_notes = Table(
    "program_notes", metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    Column("author", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Index(None, "program_id"),
)

# An analyst's word on one alert ("the plan was issued by letter 12/KH-UBND"): it stays resolved.
alert_decisions = Table(
    "alert_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_key", String(200), nullable=False, unique=True),
    Column("decision", String(16), nullable=False),  # resolved | reopened
    Column("note", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("at", String(32), nullable=False),
)
