"""A cluster's core cards: the two or three most central cards of a suggested cluster.

When the facilitator takes over a cluster the model suggested, the console sends the cards the
model found most representative (``core_card_ids``); the board marks them and the projector's
overview shows them first. Clusters made by hand, and existing rows, have none.

Revision ID: 0017_cluster_core
Revises: 0016_check_out
Create Date: 2026-12-07 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_cluster_core"
down_revision: str | None = "0016_check_out"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("core_card_ids", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.drop_column("core_card_ids")
