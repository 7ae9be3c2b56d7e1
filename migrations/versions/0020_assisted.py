"""Tafelhulp and assisted entries: helper rows, people without a phone, one-time helper codes.

``participant.is_helper`` marks a tafelhulp's own row (never counted in any figure);
``participant.assisted_by_id`` names the helper row that added a person without a phone. A
``helper_code`` is a one-time code (stored hashed) that makes a phone a tafelhulp.

Revision ID: 0020_assisted
Revises: 0017_cluster_core
Create Date: 2026-12-07 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020_assisted"
down_revision: str | None = "0019_after_window"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_helper", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("assisted_by_id", sa.Integer(), nullable=True))
    op.create_table(
        "helper_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("join_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("helper_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["helper_id"], ["participant.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_helper_code_code_hash"), "helper_code", ["code_hash"], unique=True)
    op.create_index(
        op.f("ix_helper_code_workshop_id"), "helper_code", ["workshop_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_helper_code_workshop_id"), table_name="helper_code")
    op.drop_index(op.f("ix_helper_code_code_hash"), table_name="helper_code")
    op.drop_table("helper_code")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("assisted_by_id")
        batch_op.drop_column("is_helper")
