"""Pathways toward equality (issue 9): pathways with their ideas, tags, comments and
endorsements; the event's schedule, time zones and organizers on the workshop.

Going down drops the pathway tables and the workshop's new columns.

Revision ID: 0014_pathways
Revises: 0013_cross_room_themes
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_pathways"
down_revision = "0013_cross_room_themes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("time_zones", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("organizers", sa.JSON(), nullable=False, server_default="[]")
        )
    op.create_table(
        "pathways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("challenge", sa.String(length=1000), nullable=False),
        sa.Column("vision", sa.String(length=1000), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pathways", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathways_room_id"), ["room_id"])
        batch_op.create_index(batch_op.f("ix_pathways_theme_id"), ["theme_id"])
    op.create_table(
        "pathway_ideas",
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pathway_id"], ["pathways.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pathway_id", "idea_id"),
    )
    with op.batch_alter_table("pathway_ideas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathway_ideas_idea_id"), ["idea_id"])
    op.create_table(
        "pathway_tags",
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pathway_id"], ["pathways.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pathway_id", "tag_id"),
    )
    with op.batch_alter_table("pathway_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathway_tags_tag_id"), ["tag_id"])
    op.create_table(
        "pathway_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pathway_id"], ["pathways.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pathway_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathway_comments_pathway_id"), ["pathway_id"])
        batch_op.create_index(batch_op.f("ix_pathway_comments_author_id"), ["author_id"])
    op.create_table(
        "pathway_endorsements",
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pathway_id"], ["pathways.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pathway_id", "participant_id"),
    )
    with op.batch_alter_table("pathway_endorsements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pathway_endorsements_participant_id"), ["participant_id"]
        )


def downgrade():
    for table, indexes in (
        ("pathway_endorsements", ["participant_id"]),
        ("pathway_comments", ["pathway_id", "author_id"]),
        ("pathway_tags", ["tag_id"]),
        ("pathway_ideas", ["idea_id"]),
        ("pathways", ["room_id", "theme_id"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        for column in ("organizers", "time_zones", "ends_at", "starts_at"):
            batch_op.drop_column(column)
