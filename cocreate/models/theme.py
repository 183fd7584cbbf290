"""Themes: a breakout room's ideas grouped by hand."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow


class Theme(db.Model):
    """A named group of a room's ideas (the cluster phase); ideas point at it."""

    __tablename__ = "themes"
    __table_args__ = (
        # The target of ideas' (theme_id, room_id) key: an idea's theme is in its room.
        sa.UniqueConstraint("id", "room_id", name="uq_themes_id_room_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
