"""The check-out question ("Voelde je je gehoord?"): whether it is open, and each person's answer.

Two new tables; nothing existing changes.

Revision ID: 0016_check_out
Revises: 0015_redrafts
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016_check_out"
down_revision: str | None = "0015_redrafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_out",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workshop_id"),
    )
    op.create_table(
        "check_out_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workshop_id", "participant_id"),
    )
    with op.batch_alter_table("check_out_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_check_out_answer_workshop_id"), ["workshop_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("check_out_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_out_answer_workshop_id"))
    op.drop_table("check_out_answer")
    op.drop_table("check_out")
