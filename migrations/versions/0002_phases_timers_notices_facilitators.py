"""Room phases, timers, broadcast notices and facilitators.

Revision ID: 0002_phases
Revises: facfc54f05e9
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_phases"
down_revision = "facfc54f05e9"
branch_labels = None
depends_on = None

PHASES = "('lobby', 'propose', 'cluster', 'vote', 'pathway', 'closed')"


def upgrade():
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phase", sa.String(length=10), nullable=False, server_default="propose")
        )
        batch_op.add_column(sa.Column("timer_ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("timer_next_phase", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("notice", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("facilitator_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_rooms_facilitator_id", "participants", ["facilitator_id"], ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint("room_phase", f"phase IN {PHASES}")
        batch_op.create_check_constraint(
            "room_timer_next_phase", f"timer_next_phase IS NULL OR timer_next_phase IN {PHASES}"
        )
    op.execute("UPDATE rooms SET phase = 'lobby' WHERE kind = 'plenary'")


def downgrade():
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_constraint("room_timer_next_phase", type_="check")
        batch_op.drop_constraint("room_phase", type_="check")
        batch_op.drop_constraint("fk_rooms_facilitator_id", type_="foreignkey")
        batch_op.drop_column("facilitator_id")
        batch_op.drop_column("notice")
        batch_op.drop_column("timer_next_phase")
        batch_op.drop_column("timer_ends_at")
        batch_op.drop_column("phase")
