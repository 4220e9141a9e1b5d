"""Indexes for what is read: the audit trail loses its indexes on `at` and `action`, which no query of
the bot uses (every audited change, `/ambassador log` above all, wrote two B-trees for them), and the
member's contributions by date also hold the review state, so counting a term's contributions reads
the index alone

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_index("ix_contributions_member_occurred", table_name="contributions")
    op.create_index(
        "ix_contributions_member_occurred", "contributions", ["member_id", "occurred_on", "review_state"]
    )


def downgrade() -> None:
    op.drop_index("ix_contributions_member_occurred", table_name="contributions")
    op.create_index("ix_contributions_member_occurred", "contributions", ["member_id", "occurred_on"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
