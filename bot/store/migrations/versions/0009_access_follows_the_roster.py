"""Access that follows the roster: access_changes (each change to the Slack user group, the private
channel or the GitHub team, made once) and access_requests (roster changes access must follow)

Revision ID: 0009
Revises: 0004
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=150), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.Column("claimed_until", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("done_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_access_changes_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_changes")),
        sa.UniqueConstraint("key", name=op.f("uq_access_changes_key")),
    )
    with op.batch_alter_table("access_changes", schema=None) as batch_op:
        batch_op.create_index("ix_access_changes_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_access_changes_target", ["system", "target", "status"], unique=False)

    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.Column("expanded_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_access_requests_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
        sa.UniqueConstraint("key", name=op.f("uq_access_requests_key")),
    )
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_requests_expanded_at"), ["expanded_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_requests_expanded_at"))

    op.drop_table("access_requests")
    with op.batch_alter_table("access_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_access_changes_target")
        batch_op.drop_index("ix_access_changes_due")

    op.drop_table("access_changes")
