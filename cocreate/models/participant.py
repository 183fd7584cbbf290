"""Participants: people on a device, without an account."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow


class Participant(db.Model):
    """One device in one workshop, identified by the token in its signed cookie."""

    __tablename__ = "participants"
    __table_args__ = (
        sa.UniqueConstraint("workshop_id", "device_token"),
        # Whether a room has anyone on paper is asked by each phone's first snapshot: with
        # the flag in the index it is one lookup, not a walk over the room's people.
        sa.Index("ix_participants_room_id_on_paper", "room_id", "on_paper"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    #: Random token kept in the device's session cookie.
    device_token: Mapped[str] = mapped_column(sa.String(64))
    #: Loaded only when asked for (`access.participant(..., with_workshop=True)`).
    workshop: Mapped["Workshop"] = relationship(lazy="raise")  # noqa: F821
    #: Optional; None means anonymous.
    display_name: Mapped[str | None] = mapped_column(sa.String(40))
    #: The room the participant is in now (the plenary lobby at first).
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The stakeholder role they declared (one of the workshop's), or None.
    role: Mapped[str | None] = mapped_column(sa.String(60))
    #: A person without a phone whose ideas and dots a scribe enters from paper.
    on_paper: Mapped[bool] = mapped_column(default=False)
    #: Removed by a moderator: this device can no longer act or join again.
    removed: Mapped[bool] = mapped_column(default=False)
