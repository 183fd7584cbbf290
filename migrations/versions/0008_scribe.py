"""Scribe mode: participants on paper.

Revision ID: 0008_scribe
Revises: 0007_premoderation
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_scribe"
down_revision = "0007_premoderation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_paper", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("on_paper")
