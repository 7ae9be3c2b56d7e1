"""The after-window: a rating window on the last round's proposals, after the live session.

A window is an agreement round of its own (``after_round_id`` names the room's round it weighs
in on, ``window_until`` when it closes by itself, ``window_objection`` the rule its 1s were counted
by, fixed when it closes); its ratings say ``channel = "after"``, the
room's ``"room"``, so the record can keep the two apart and add them up.

Revision ID: 0019_after_window
Revises: 0017_cluster_core
Create Date: 2026-12-07 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019_after_window"
down_revision: str | None = "0018_before_window"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreement_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("window_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("after_round_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("window_objection", sa.String(length=10), nullable=True))
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=10), nullable=False, server_default="room")
        )


def downgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_column("channel")
    with op.batch_alter_table("agreement_round", schema=None) as batch_op:
        batch_op.drop_column("window_objection")
        batch_op.drop_column("after_round_id")
        batch_op.drop_column("window_until")
