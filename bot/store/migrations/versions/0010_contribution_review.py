"""The TSC's optional review of contributions: contributions.review_state (existing rows "none": they
count as before), review_round, review_message_key, reviewed_by, reviewed_at, review_note

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-20 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Partial indexes: a log with the review off writes neither.
PENDING = "review_state = 'pending'"
LISTED = "review_message_key IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_state", sa.String(length=16), server_default=sa.text("'none'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("review_round", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(sa.Column("review_message_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", bot.store.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_contributions_review_pending"),
            ["review_state"],
            unique=False,
            sqlite_where=sa.text(PENDING),
            postgresql_where=sa.text(PENDING),
        )
        batch_op.create_index(
            batch_op.f("ix_contributions_review_message_key"),
            ["review_message_key"],
            unique=False,
            sqlite_where=sa.text(LISTED),
            postgresql_where=sa.text(LISTED),
        )


def downgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributions_review_message_key"))
        batch_op.drop_index(batch_op.f("ix_contributions_review_pending"))
        batch_op.drop_column("review_note")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_message_key")
        batch_op.drop_column("review_round")
        batch_op.drop_column("review_state")
