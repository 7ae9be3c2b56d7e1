"""Dots indexed by vote and person: a vote burst reads a batch's senders' dots without a scan.

Revision ID: 0007_dot_per_person
Revises: 0006_chain_and_record
Create Date: 2026-12-03 14:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_dot_per_person"
down_revision: str | None = "0006_chain_and_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dot", schema=None) as batch_op:
        batch_op.create_index("ix_dot_vote_participant", ["vote_id", "participant_id"])
        batch_op.drop_index("ix_dot_vote_id")


def downgrade() -> None:
    with op.batch_alter_table("dot", schema=None) as batch_op:
        batch_op.create_index("ix_dot_vote_id", ["vote_id"])
        batch_op.drop_index("ix_dot_vote_participant")
