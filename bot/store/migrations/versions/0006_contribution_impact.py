"""What a contribution reached: event, place or online, language, recording and slides links

Revision ID: 0006
Revises: 0009
Create Date: 2026-12-12 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
# Chained after the newest migration of this branch's base so that it has one head; the merge re-chains it.
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("city", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("country", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("online", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("language", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("recording_link", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("slides_link", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_column("slides_link")
        batch_op.drop_column("recording_link")
        batch_op.drop_column("language")
        batch_op.drop_column("online")
        batch_op.drop_column("country")
        batch_op.drop_column("city")
        batch_op.drop_column("event_name")
