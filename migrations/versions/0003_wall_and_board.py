"""The wall and the board: what the projector holds, who drives, round reveal, suggestions.

Revision ID: 0003_wall_and_board
Revises: 0002_accounts_sessions
Create Date: 2026-11-25 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_wall_and_board"
down_revision: str | None = "0002_accounts_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screen", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("driver_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("agreement_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reveal",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="at_close",
            )
        )
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["card.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_workshop_id"), ["workshop_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_workshop_id"))
    op.drop_table("suggestion")
    with op.batch_alter_table("agreement_round", schema=None) as batch_op:
        batch_op.drop_column("reveal")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("driver_id")
        batch_op.drop_column("screen")
