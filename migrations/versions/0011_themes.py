"""Themes: a breakout room's ideas grouped by hand (the cluster phase).

An idea is in at most one theme (ideas.theme_id), and only in a theme of its own room:
the key (theme_id, room_id) points at themes (id, room_id), so the database itself refuses
an idea in another room's theme. Deleting a theme that still holds ideas is refused too;
the services take its ideas out first. Only visible and hidden ideas have a theme.
Workshops gain participants_cluster: every
participant of a room may group its ideas during the cluster phase.

Revision ID: 0011_themes
Revises: 0010_session_epoch
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_themes"
down_revision = "0010_session_epoch"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id", "room_id", name="uq_themes_id_room_id"),
    )
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_themes_room_id"), ["room_id"], unique=False)
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("theme_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_ideas_theme_in_room", "themes", ["theme_id", "room_id"], ["id", "room_id"]
        )
        batch_op.create_index(batch_op.f("ix_ideas_theme_id"), ["theme_id"], unique=False)
        batch_op.create_check_constraint(
            "idea_theme_shown", "theme_id IS NULL OR status IN ('visible', 'hidden')"
        )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "participants_cluster", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("participants_cluster")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint("idea_theme_shown", type_="check")
        batch_op.drop_index(batch_op.f("ix_ideas_theme_id"))
        batch_op.drop_constraint("fk_ideas_theme_in_room", type_="foreignkey")
        batch_op.drop_column("theme_id")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_room_id"))
    op.drop_table("themes")
