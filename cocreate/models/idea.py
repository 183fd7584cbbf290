"""Ideas posted in a room."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow

#: visible; pending a moderator's approval (pre-moderation); withdrawn by its author;
#: hidden by a moderator (can be restored); merged into another idea (a duplicate).
IDEA_STATUSES = ("visible", "pending", "withdrawn", "hidden", "merged")


class Idea(db.Model):
    """A short proposal, with optional details, that others can vote on."""

    __tablename__ = "ideas"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('visible', 'pending', 'withdrawn', 'hidden', 'merged')",
            name="idea_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.String(280))
    details: Mapped[str] = mapped_column(sa.String(1000), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="visible")
    #: The idea this duplicate was merged into (status "merged").
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ideas.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
