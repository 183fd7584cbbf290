"""Stakeholder roles: the workshop's list and each participant's declared role.

Revision ID: 0005_stakeholder_roles
Revises: 0004_moderation
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_stakeholder_roles"
down_revision = "0004_moderation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stakeholder_roles", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("stakeholder_roles")
