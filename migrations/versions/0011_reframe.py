"""A workshop remembers that it was made as a reframing (herijking).

A herijking made before its trajectory has any vertrekpunt starts from nothing; when a
vertrekpunt is saved later, the herijkingen still waiting for one pick it up. That needs to know
which workshops are herijkingen: ``starts_from_id`` alone cannot tell "a herijking without a
starting point yet" from "not a herijking". Rows from before are not herijkingen (false).

Revision ID: 0011_reframe
Revises: 0010_name_consent
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_reframe"
down_revision: str | None = "0010_name_consent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reframe", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("reframe")
