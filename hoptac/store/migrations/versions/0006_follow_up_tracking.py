"""Follow-up tracking: programs followed across articles, their links, points, commitments,
action items and notes, and analysts' decisions on alerts.

Existing stores get their programs with ``hoptac programs refresh`` (or the next ingest).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("program_links", "program_points", "program_parties", "program_notes", "program_commitments", "action_items",
          "programs", "alert_decisions")


def upgrade() -> None:
    op.create_table("alert_decisions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("alert_key", sa.String(length=200), nullable=False),
    sa.Column("decision", sa.String(length=16), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("author", sa.String(length=200), nullable=False),
    sa.Column("at", sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_decisions")),
    sa.UniqueConstraint("alert_key", name=op.f("uq_alert_decisions_alert_key"))
    )
    op.create_table("programs",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=32), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("signed_on", sa.String(length=10), nullable=True),
    sa.Column("period_start", sa.Integer(), nullable=True),
    sa.Column("period_end", sa.Integer(), nullable=True),
    sa.Column("orientation_to", sa.Integer(), nullable=True),
    sa.Column("content_items", sa.Integer(), nullable=True),
    sa.Column("province", sa.String(length=80), nullable=True),
    sa.Column("province_now", sa.String(length=80), nullable=True),
    sa.Column("parties", sa.JSON(), nullable=False),
    sa.Column("known_since", sa.String(length=10), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.Column("updated_at", sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_programs"))
    )
    op.create_index(op.f("ix_programs_province"), "programs", ["province"], unique=False)
    op.create_index(op.f("ix_programs_province_now"), "programs", ["province_now"], unique=False)
    op.create_table("action_items",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("program_id", sa.Integer(), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("owner", sa.Text(), nullable=True),
    sa.Column("focal_person", sa.Text(), nullable=True),
    sa.Column("due", sa.String(length=10), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("evidence_url", sa.Text(), nullable=True),
    sa.Column("created_by", sa.String(length=200), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.Column("updated_by", sa.String(length=200), nullable=False),
    sa.Column("updated_at", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_action_items_program_id_programs"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items"))
    )
    op.create_index(op.f("ix_action_items_program_id"), "action_items", ["program_id"], unique=False)
    op.create_table("program_commitments",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("program_id", sa.Integer(), nullable=False),
    sa.Column("origin", sa.String(length=16), nullable=False),
    sa.Column("document_key", sa.String(length=1000), nullable=True),
    sa.Column("fact_key", sa.String(length=600), nullable=True),
    sa.Column("kind", sa.String(length=32), nullable=False),
    sa.Column("actor", sa.Text(), nullable=True),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("made_on", sa.String(length=10), nullable=True),
    sa.Column("due_stated", sa.String(length=10), nullable=True),
    sa.Column("due", sa.String(length=10), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("evidence", sa.Text(), nullable=True),
    sa.Column("evidence_url", sa.Text(), nullable=True),
    sa.Column("status_by", sa.String(length=200), nullable=True),
    sa.Column("status_at", sa.String(length=32), nullable=True),
    sa.Column("created_by", sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_program_commitments_program_id_programs"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_program_commitments")),
    sa.UniqueConstraint("program_id", "document_key", "fact_key", name=op.f("uq_program_commitments_program_id_document_key_fact_key"))
    )
    op.create_table("program_notes",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("program_id", sa.Integer(), nullable=False),
    sa.Column("author", sa.String(length=200), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_program_notes_program_id_programs"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_program_notes"))
    )
    op.create_index(op.f("ix_program_notes_program_id"), "program_notes", ["program_id"], unique=False)
    op.create_table("program_parties",
    sa.Column("program_id", sa.Integer(), nullable=False),
    sa.Column("entity_id", sa.Integer(), nullable=False),
    sa.Column("side", sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_program_parties_entity_id_entities")),
    sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_program_parties_program_id_programs"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("program_id", "entity_id", name=op.f("pk_program_parties"))
    )
    op.create_index(op.f("ix_program_parties_entity_id"), "program_parties", ["entity_id"], unique=False)
    op.create_index(op.f("ix_program_parties_side"), "program_parties", ["side"], unique=False)
    op.create_table("program_points",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("program_id", sa.Integer(), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("text", sa.Text(), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("origin", sa.String(length=16), nullable=False),
    sa.Column("updated_by", sa.String(length=200), nullable=True),
    sa.Column("updated_at", sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_program_points_program_id_programs"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_program_points")),
    sa.UniqueConstraint("program_id", "number", name=op.f("uq_program_points_program_id_number"))
    )
    op.create_table("program_links",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("program_id", sa.Integer(), nullable=False),
    sa.Column("document_id", sa.Integer(), nullable=False),
    sa.Column("document_key", sa.String(length=1000), nullable=False),
    sa.Column("agreement_key", sa.String(length=600), nullable=True),
    sa.Column("role", sa.String(length=16), nullable=False),
    sa.Column("date", sa.String(length=10), nullable=True),
    sa.Column("rule", sa.String(length=40), nullable=False),
    sa.Column("confidence", sa.Float(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("origin", sa.String(length=16), nullable=False),
    sa.Column("decision", sa.String(length=16), nullable=True),
    sa.Column("decided_by", sa.String(length=200), nullable=True),
    sa.Column("decided_at", sa.String(length=32), nullable=True),
    sa.Column("decision_reason", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_program_links_document_id_documents"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_program_links_program_id_programs"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_program_links")),
    sa.UniqueConstraint("program_id", "document_id", name=op.f("uq_program_links_program_id_document_id"))
    )
    op.create_index(op.f("ix_program_links_document_id"), "program_links", ["document_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:  # dependents first; their indexes go with them
        op.drop_table(table)
