"""Head counts (issue 11): each room keeps how many participants are in it, and the
participants are indexed by room and whether they are on paper.

A phone's first snapshot showed each room's head count by counting the room's people,
and asked whether anyone was on paper by walking them: work that grew with the number of
people in every join. The count is now a column the write path keeps; going up counts
each room's people once, going down drops the column and the index.

Revision ID: 0016_room_head_count
Revises: 0015_workshop_language
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_room_head_count"
down_revision = "0015_workshop_language"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("head_count", sa.Integer(), nullable=False, server_default="0")
        )
    rooms = sa.table("rooms", sa.column("id"), sa.column("head_count"))
    participants = sa.table(
        "participants", sa.column("room_id"), sa.column("removed", sa.Boolean)
    )
    op.execute(
        rooms.update().values(
            head_count=sa.select(sa.func.count())
            .select_from(participants)
            .where(participants.c.room_id == rooms.c.id, participants.c.removed.is_(False))
            .scalar_subquery()
        )
    )
    op.create_index(
        "ix_participants_room_id_on_paper", "participants", ["room_id", "on_paper"]
    )


def downgrade():
    op.drop_index("ix_participants_room_id_on_paper", table_name="participants")
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_column("head_count")
