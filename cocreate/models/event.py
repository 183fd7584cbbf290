"""The append-only event log of each room."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow


def actor_kind(actor: str) -> str:
    """ "participant", "user" or "system": who caused an event, for moderators' eyes.
    A phone joining acts as its device ("device:<token>") before it is a participant."""
    kind = actor.split(":", 1)[0]
    return "participant" if kind == "device" else kind


class RoomEvent(db.Model):
    """Something that happened in a room, numbered without gaps from 1."""

    __tablename__ = "room_events"
    __table_args__ = (sa.UniqueConstraint("room_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(sa.String(40))
    #: What participants receive.
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: What moderators receive instead, when it differs (vote totals while results are hidden).
    moderator_data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    #: "participant:<id>" or "user:<id>": who caused it (never sent to participants).
    actor: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def message(room_id: int, seq: int, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """An event as participants receive it, from its stored values (read as plain rows
        where loading ORM objects would cost more than the query: a resync)."""
        return {"room_id": room_id, "seq": seq, "type": type_, "data": data}

    def to_message(self, *, moderator: bool = False) -> dict[str, Any]:
        """Return the event as participants (or, with moderator=True, moderators) receive it.

        Moderators also learn when it happened and what kind of actor caused it
        ("participant" — a participant's phone, joining included —, "user" or "system"),
        to see which rooms are active.
        """
        if not moderator:
            return RoomEvent.message(self.room_id, self.seq, self.type, self.data)
        return {
            "room_id": self.room_id,
            "seq": self.seq,
            "type": self.type,
            "data": self.data if self.moderator_data is None else self.moderator_data,
            "at": self.created_at.isoformat(),
            "by": actor_kind(self.actor),
        }
