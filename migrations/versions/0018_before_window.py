"""Cards sent in beforehand: a card's channel (room | before) and whether it is still held.

A workshop can open for beelden, factoren and consequenties before its live start (the window's
two moments are workshop settings). Such a card is ``channel = 'before'`` and ``held`` until the
room starts: only its author and the facilitator see it until then (app.realtime.audience).
Existing cards came from the room.

Revision ID: 0018_before_window
Revises: 0017_cluster_core
Create Date: 2026-12-07 20:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018_before_window"
down_revision: str | None = "0017_cluster_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default="room")
        )
        batch_op.add_column(
            sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.drop_column("held")
        batch_op.drop_column("channel")
