"""Cross-room themes: workshop-level themes gathering room themes (issue 8).

A room theme is in at most one cross-room theme (its id is the key of
cross_theme_themes); deleting the room theme or the cross-room theme deletes the link.
Going down drops both tables: the room themes themselves stay.

Revision ID: 0013_cross_room_themes
Revises: 0012_tags
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_cross_room_themes"
down_revision = "0012_tags"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cross_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cross_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cross_themes_workshop_id"), ["workshop_id"])
    op.create_table(
        "cross_theme_themes",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("cross_theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cross_theme_id"], ["cross_themes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("theme_id"),
    )
    with op.batch_alter_table("cross_theme_themes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cross_theme_themes_cross_theme_id"), ["cross_theme_id"]
        )


def downgrade():
    with op.batch_alter_table("cross_theme_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cross_theme_themes_cross_theme_id"))
    op.drop_table("cross_theme_themes")
    with op.batch_alter_table("cross_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cross_themes_workshop_id"))
    op.drop_table("cross_themes")
