"""Index facts by document and kind: search filters ask whether a document has a fact of a kind.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_facts_document_id_kind", "facts", ["document_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_facts_document_id_kind", "facts")
