"""Taking part from elsewhere: a participant who joined with "Ik ben er niet bij in de zaal".

Only ever counted per group (k rule) on the console and in the record; the person's own phone
uses it to offer "Volg het scherm" first. Existing rows were in the room.

Revision ID: 0021_remote
Revises: 0017_cluster_core
Create Date: 2026-12-07 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_remote"
down_revision: str | None = "0020_assisted"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("remote", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("remote")
