"""Pre-moderation: the workshop setting and the pending status of ideas.

Revision ID: 0007_premoderation
Revises: 0006_merged_ideas
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_premoderation"
down_revision = "0006_merged_ideas"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("premoderation", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint("idea_status", type_="check")
        batch_op.create_check_constraint(
            "idea_status", "status IN ('visible', 'pending', 'withdrawn', 'hidden', 'merged')"
        )


def downgrade():
    op.execute("UPDATE ideas SET status = 'hidden' WHERE status = 'pending'")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint("idea_status", type_="check")
        batch_op.create_check_constraint(
            "idea_status", "status IN ('visible', 'withdrawn', 'hidden', 'merged')"
        )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("premoderation")
