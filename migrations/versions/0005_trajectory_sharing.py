"""Co-facilitation: trajectories shared with other facilitator accounts.

Revision ID: 0005_trajectory_sharing
Revises: 0004_screen_pairing
Create Date: 2026-11-25 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_trajectory_sharing"
down_revision: str | None = "0004_screen_pairing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trajectory_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trajectory_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trajectory_id"], ["trajectory.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["facilitator.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["added_by"], ["facilitator.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trajectory_id", "account_id"),
    )
    with op.batch_alter_table("trajectory_share", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trajectory_share_trajectory_id"), ["trajectory_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_trajectory_share_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("trajectory_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trajectory_share_account_id"))
        batch_op.drop_index(batch_op.f("ix_trajectory_share_trajectory_id"))
    op.drop_table("trajectory_share")
