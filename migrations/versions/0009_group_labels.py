"""Per-group labels decided once: for a round when it opens, for a workshop when the room begins.

Figures per stakeholder group pool small groups (app/privacy.py). Deciding the pool anew for each
message let two messages be subtracted to give back a group below k. What the labels are decided
from is now kept: the people let in per group at that moment (the labels follow from these and
k, so an operator who changes ``ATELIER_MIN_GROUP_SIZE`` changes them everywhere alike). Rows from
before stay NULL and are read with the people who took part.

Revision ID: 0009_group_labels
Revises: 0008_admitting
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_group_labels"
down_revision: str | None = "0008_admitting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("workshop", "agreement_round"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("group_sizes", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ("workshop", "agreement_round"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("group_sizes")
