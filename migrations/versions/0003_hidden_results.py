"""Results hidden until the reveal: a room flag, and events' moderators-only data.

Revision ID: 0003_hidden_results
Revises: 0002_phases
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_hidden_results"
down_revision = "0002_phases"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("results_hidden", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("room_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moderator_data", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("room_events", schema=None) as batch_op:
        batch_op.drop_column("moderator_data")
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_column("results_hidden")
