"""The chain and the record: cited clusters, reframing seeds, consent, plans, step notes, history.

Revision ID: 0006_chain_and_record
Revises: 0005_trajectory_sharing
Create Date: 2026-11-25 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_chain_and_record"
down_revision: str | None = "0005_trajectory_sharing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cited_cluster_ids", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("seeded_from_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "drijfveer_use",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="facilitator",
            )
        )
        batch_op.add_column(
            sa.Column(
                "contribution_use",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="facilitator",
            )
        )
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phase_minutes", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("ssd_step", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("starts_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "current_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trajectory_id", sa.Integer(), nullable=False),
        sa.Column("vertrekpunt_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("made_by", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trajectory_id"], ["trajectory.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vertrekpunt_id"], ["vertrekpunt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["made_by"], ["facilitator.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("current_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_current_change_trajectory_id"), ["trajectory_id"], unique=False
        )
    op.create_table(
        "trajectory_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trajectory_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("started_on", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("ended_on", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trajectory_id"], ["trajectory.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trajectory_id", "step"),
    )
    with op.batch_alter_table("trajectory_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trajectory_step_trajectory_id"), ["trajectory_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("trajectory_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trajectory_step_trajectory_id"))
    op.drop_table("trajectory_step")
    with op.batch_alter_table("current_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_current_change_trajectory_id"))
    op.drop_table("current_change")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("starts_at")
        batch_op.drop_column("ssd_step")
        batch_op.drop_column("phase_minutes")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("contribution_use")
        batch_op.drop_column("drijfveer_use")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_column("seeded_from_id")
        batch_op.drop_column("cited_cluster_ids")
