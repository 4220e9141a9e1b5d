"""Between renewals: pauses, inactivity_notices (each step once per stretch), emeritus_proposals (the
TSC decides), members.emeritus_reason and terms.paused_days

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-12 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0008"
# After the impact fields (0006), which came after 0009: one head.
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inactivity_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("stretch_start", sa.Date(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("noticed_on", sa.Date(), nullable=False),
        sa.Column("created_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_inactivity_notices_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inactivity_notices")),
        sa.UniqueConstraint(
            "member_id",
            "stretch_start",
            "step",
            name=op.f("uq_inactivity_notices_member_id_stretch_start_step"),
        ),
    )
    op.create_table(
        "emeritus_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=True),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("proposed_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.Column("message_key", sa.String(length=200), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_emeritus_proposals_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["term_id"], ["terms.id"], name=op.f("fk_emeritus_proposals_term_id_terms"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emeritus_proposals")),
        sa.UniqueConstraint("key", name=op.f("uq_emeritus_proposals_key")),
    )
    with op.batch_alter_table("emeritus_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emeritus_proposals_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_emeritus_proposals_message_key"), ["message_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_emeritus_proposals_status"), ["status"], unique=False)

    op.create_table(
        "pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("until_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("paused_by", sa.String(length=64), nullable=False),
        sa.Column("term_days", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_pauses_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["term_id"], ["terms.id"], name=op.f("fk_pauses_term_id_terms"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pauses")),
    )
    with op.batch_alter_table("pauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pauses_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pauses_until_on"), ["until_on"], unique=False)
        batch_op.create_index(
            "uq_pauses_one_open_per_member",
            ["member_id"],
            unique=True,
            sqlite_where=sa.text("closed_on IS NULL"),
            postgresql_where=sa.text("closed_on IS NULL"),
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emeritus_reason", sa.String(length=16), nullable=True))

    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paused_days", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_column("paused_days")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("emeritus_reason")

    with op.batch_alter_table("pauses", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_pauses_one_open_per_member",
            sqlite_where=sa.text("closed_on IS NULL"),
            postgresql_where=sa.text("closed_on IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_pauses_until_on"))
        batch_op.drop_index(batch_op.f("ix_pauses_member_id"))

    op.drop_table("pauses")
    with op.batch_alter_table("emeritus_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emeritus_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_emeritus_proposals_message_key"))
        batch_op.drop_index(batch_op.f("ix_emeritus_proposals_member_id"))

    op.drop_table("emeritus_proposals")
    op.drop_table("inactivity_notices")
