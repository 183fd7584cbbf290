"""Moderation: hidden ideas, their revisions, removed participants, locked rooms.

Revision ID: 0004_moderation
Revises: 0003_hidden_results
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_moderation"
down_revision = "0003_hidden_results"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idea_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=280), nullable=False),
        sa.Column("details", sa.String(length=1000), nullable=False),
        sa.Column("changed_by", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("idea_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_revisions_idea_id"), ["idea_id"], unique=False)
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint("idea_status", type_="check")
        batch_op.create_check_constraint(
            "idea_status", "status IN ('visible', 'withdrawn', 'hidden')"
        )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_column("locked")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("removed")
    op.execute("UPDATE ideas SET status = 'withdrawn' WHERE status = 'hidden'")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint("idea_status", type_="check")
        batch_op.create_check_constraint("idea_status", "status IN ('visible', 'withdrawn')")
    with op.batch_alter_table("idea_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_revisions_idea_id"))
    op.drop_table("idea_revisions")
