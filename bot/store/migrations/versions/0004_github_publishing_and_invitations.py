"""GitHub publishing and invitations: members.file_keys (key order as imported), github_invitations

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:31:54.098035
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "github_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("org", sa.String(length=100), nullable=False),
        sa.Column("login", sa.String(length=100), nullable=False),
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
            name=op.f("fk_github_invitations_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_github_invitations")),
        sa.UniqueConstraint("key", name=op.f("uq_github_invitations_key")),
    )
    with op.batch_alter_table("github_invitations", schema=None) as batch_op:
        batch_op.create_index("ix_github_invitations_due", ["status", "next_attempt_at"], unique=False)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_keys", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("file_keys")

    with op.batch_alter_table("github_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_github_invitations_due")

    op.drop_table("github_invitations")
