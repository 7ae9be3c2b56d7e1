"""Redrafts: a proposal that did not converge is rewritten as variants, which the room ranks.

Three new tables (``redraft``, ``variant``, ``ranking``); nothing existing changes.

Revision ID: 0015_redrafts
Revises: 0014_representation
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_redrafts"
down_revision: str | None = "0014_representation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "redraft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("objections", sa.JSON(), nullable=False),
        sa.Column("phones_write", sa.Boolean(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("winner_proposal_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["agreement_round.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["winner_proposal_id"], ["proposal.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_redraft_workshop_id"), "redraft", ["workshop_id"], unique=False)
    op.create_table(
        "variant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("redraft_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["redraft_id"], ["redraft.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["participant.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_variant_redraft_id"), "variant", ["redraft_id"], unique=False)
    op.create_table(
        "ranking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("redraft_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("order", sa.JSON(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["redraft_id"], ["redraft.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("redraft_id", "participant_id"),
    )
    op.create_index(op.f("ix_ranking_redraft_id"), "ranking", ["redraft_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ranking_redraft_id"), table_name="ranking")
    op.drop_table("ranking")
    op.drop_index(op.f("ix_variant_redraft_id"), table_name="variant")
    op.drop_table("variant")
    op.drop_index(op.f("ix_redraft_workshop_id"), table_name="redraft")
    op.drop_table("redraft")
