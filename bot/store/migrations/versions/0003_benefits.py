"""benefits: the catalogue and the requests (the defaults are added on first use)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 02:31:12.523354
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("needs_shipping", sa.Boolean(), nullable=False),
        sa.Column("needs_event", sa.Boolean(), nullable=False),
        sa.Column("limit_per_term", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefits")),
        sa.UniqueConstraint("key", name=op.f("uq_benefits_key")),
    )
    op.create_table(
        "benefit_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("event_name", sa.String(length=200), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("event_link", sa.String(length=1000), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("shipping_name", sa.String(length=200), nullable=True),
        sa.Column("shipping_address", sa.Text(), nullable=True),
        sa.Column("shipping_country", sa.String(length=100), nullable=True),
        sa.Column("shipping_phone", sa.String(length=50), nullable=True),
        sa.Column("shipping_erased_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("requested_at", bot.store.models.UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("fulfilled_by", sa.String(length=32), nullable=True),
        sa.Column("fulfilled_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.Column("fulfilment_note", sa.Text(), nullable=True),
        sa.Column("cancelled_at", bot.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["benefits.id"],
            name=op.f("fk_benefit_requests_benefit_id_benefits"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_benefit_requests_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["term_id"], ["terms.id"], name=op.f("fk_benefit_requests_term_id_terms"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_requests")),
    )
    with op.batch_alter_table("benefit_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_benefit_requests_benefit_id"), ["benefit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_requests_fulfilled_at"), ["fulfilled_at"], unique=False)
        batch_op.create_index("ix_benefit_requests_member_benefit", ["member_id", "benefit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_requests_requested_at"), ["requested_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_requests_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_requests_term_id"), ["term_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("benefit_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benefit_requests_term_id"))
        batch_op.drop_index(batch_op.f("ix_benefit_requests_status"))
        batch_op.drop_index(batch_op.f("ix_benefit_requests_requested_at"))
        batch_op.drop_index("ix_benefit_requests_member_benefit")
        batch_op.drop_index(batch_op.f("ix_benefit_requests_fulfilled_at"))
        batch_op.drop_index(batch_op.f("ix_benefit_requests_benefit_id"))

    op.drop_table("benefit_requests")
    op.drop_table("benefits")
