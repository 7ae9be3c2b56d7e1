"""The event log gets an epoch: a new one after a restore, so no seq is replayed with other content.

One row in ``log_epoch`` for the whole database, with a random value. ``atelier restore`` and
``atelier new-epoch`` replace it; clients resuming from another epoch get a snapshot.

Revision ID: 0012_log_epoch
Revises: 0011_reframe
Create Date: 2026-12-07 14:00:00
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_log_epoch"
down_revision: str | None = "0011_reframe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "log_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    now = datetime.now(UTC)
    op.bulk_insert(table, [{"id": 1, "epoch": secrets.token_hex(8), "started_at": now}])


def downgrade() -> None:
    op.drop_table("log_epoch")
