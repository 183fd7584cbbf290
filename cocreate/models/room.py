"""Rooms: the plenary lobby and the breakout rooms of a workshop."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow


class Room(db.Model):
    """Where participants are; every room keeps its own event log."""

    __tablename__ = "rooms"
    __table_args__ = (sa.CheckConstraint("kind IN ('plenary', 'breakout')", name="room_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    #: "plenary" (exactly one per workshop: the lobby) or "breakout".
    kind: Mapped[str] = mapped_column(sa.String(10))
    name: Mapped[str] = mapped_column(sa.String(80))
    topic: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Order in lists and on the projector.
    position: Mapped[int] = mapped_column(default=0)
    #: Sequence number of the room's latest event; the row is the room's write lock.
    last_seq: Mapped[int] = mapped_column(default=0)
    #: Removed rooms keep their ideas and log but take no one in.
    removed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped["Workshop"] = relationship(back_populates="rooms")  # noqa: F821

    @property
    def is_plenary(self) -> bool:
        """Tell whether this is the workshop's lobby."""
        return self.kind == "plenary"
