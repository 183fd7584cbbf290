"""Accounts' session generation: signing out ends every session of the account.

Sessions and remember cookies made before this revision carry no generation and stop
working, so everyone signs in once more after the upgrade.

Revision ID: 0010_session_epoch
Revises: 0009_voting_modes
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_session_epoch"
down_revision = "0009_voting_modes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
