"""A participant's consent to have their name in the record (the verslag): default no.

Exports named every participant who joined with a name; a name now goes into an export only
when that person agreed at joining. Rows from before get "no": nobody was asked.

Revision ID: 0010_name_consent
Revises: 0009_group_labels
Create Date: 2026-12-14 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_name_consent"
down_revision: str | None = "0009_group_labels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_in_verslag", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("name_in_verslag")
