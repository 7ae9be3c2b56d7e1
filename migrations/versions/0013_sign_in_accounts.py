"""Facilitators sign in with the organisation's account (OpenID Connect).

An account remembers the provider's issuer and the person's subject there (unique together), so
a changed e-mail address at the provider still finds the same account; a session remembers the
ID token it was started with, for logging out at the provider. Existing accounts and sessions
get nothing (``NULL``): they keep working with their password.

Revision ID: 0013_sign_in_accounts
Revises: 0012_log_epoch
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013_sign_in_accounts"
down_revision: str | None = "0012_log_epoch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("oidc_issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
        batch_op.add_column(
            sa.Column("oidc_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        batch_op.create_unique_constraint("uq_facilitator_oidc", ["oidc_issuer", "oidc_subject"])
    with op.batch_alter_table("facilitator_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("id_token", sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("facilitator_session", schema=None) as batch_op:
        batch_op.drop_column("id_token")
    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.drop_constraint("uq_facilitator_oidc", type_="unique")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
