"""Representation against what the trajectory intended, and who came for the first time.

A trajectory keeps how many people it hopes to see per expected group (``group_targets``) and
which groups are often missing (``often_missing``); a participant keeps their optional answer to
"Was je eerder bij een bijeenkomst van dit traject?" (``been_before``: ja | nee | weet_niet, or
``NULL``), only ever counted per group; an adopted proposal keeps which expected groups were
absent or below target when the facilitator adopted it anyway (``adopted_short``). Existing rows
get empty targets, no answer and no shortfall.

Revision ID: 0014_representation
Revises: 0013_sign_in_accounts
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014_representation"
down_revision: str | None = "0013_sign_in_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trajectory", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("group_targets", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(
            sa.Column("often_missing", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("been_before", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adopted_short", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_column("adopted_short")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("been_before")
    with op.batch_alter_table("trajectory", schema=None) as batch_op:
        batch_op.drop_column("often_missing")
        batch_op.drop_column("group_targets")
