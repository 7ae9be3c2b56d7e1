"""Screen pairing: short single-use codes that make a beamer computer a workshop's projector.

Revision ID: 0004_screen_pairing
Revises: 0003_wall_and_board
Create Date: 2026-11-25 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_screen_pairing"
down_revision: str | None = "0003_wall_and_board"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "screen_pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("screen_pairing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screen_pairing_code_hash"), ["code_hash"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_screen_pairing_workshop_id"), ["workshop_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("screen_pairing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screen_pairing_workshop_id"))
        batch_op.drop_index(batch_op.f("ix_screen_pairing_code_hash"))
    op.drop_table("screen_pairing")
