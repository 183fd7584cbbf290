"""Merged duplicates: the status and the idea each was merged into.

Revision ID: 0006_merged_ideas
Revises: 0005_stakeholder_roles
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_merged_ideas"
down_revision = "0005_stakeholder_roles"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_ideas_merged_into_id", "ideas", ["merged_into_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_constraint("idea_status", type_="check")
        batch_op.create_check_constraint(
            "idea_status", "status IN ('visible', 'withdrawn', 'hidden', 'merged')"
        )


def downgrade():
    op.execute("UPDATE ideas SET status = 'hidden' WHERE status = 'merged'")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint("idea_status", type_="check")
        batch_op.create_check_constraint(
            "idea_status", "status IN ('visible', 'withdrawn', 'hidden')"
        )
        batch_op.drop_constraint("fk_ideas_merged_into_id", type_="foreignkey")
        batch_op.drop_column("merged_into_id")
