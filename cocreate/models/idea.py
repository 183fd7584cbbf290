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
        # An idea's theme is one of its own room's (themes.uq_themes_id_room_id); deleting
        # a theme that still holds ideas is refused: the services take them out first.
        sa.ForeignKeyConstraint(
            ["theme_id", "room_id"], ["themes.id", "themes.room_id"], name="fk_ideas_theme_in_room"
        ),
        # Only ideas someone may still see are grouped (a hidden one keeps its theme for a
        # restore); a withdrawn or merged idea leaves its theme (leave_theme below).
        sa.CheckConstraint(
            "theme_id IS NULL OR status IN ('visible', 'hidden')", name="idea_theme_shown"
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
    #: The theme of its room it is grouped in (the cluster phase); None: in none.
    theme_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@sa.event.listens_for(Idea.status, "set")
def leave_theme(idea: Idea, status: str, _old: object, _initiator: object) -> None:
    """Take an idea out of its theme when it is withdrawn or merged into another: it left
    the room for good (a hidden idea keeps its theme, to come back to it on restore)."""
    if status in ("withdrawn", "merged"):
        idea.theme_id = None
