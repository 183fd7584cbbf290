"""Rooms: the plenary lobby and the breakout rooms of a workshop."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow

#: A room's phases in order (DESIGN §2.4); each allows different actions (services/phases.py).
PHASES = ("lobby", "propose", "cluster", "vote", "pathway", "closed")


class Room(db.Model):
    """Where participants are; every room keeps its own event log."""

    __tablename__ = "rooms"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('plenary', 'breakout')", name="room_kind"),
        sa.CheckConstraint(
            "phase IN ('lobby', 'propose', 'cluster', 'vote', 'pathway', 'closed')",
            name="room_phase",
        ),
        sa.CheckConstraint(
            "timer_next_phase IS NULL OR timer_next_phase IN "
            "('lobby', 'propose', 'cluster', 'vote', 'pathway', 'closed')",
            name="room_timer_next_phase",
        ),
    )

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
    #: How many participants (not removed) are in the room now. Kept by the write path
    #: with each arrival and departure (`Change.count_heads`), so that what shows a head
    #: count, every joining phone's first snapshot included, reads one number per room
    #: instead of counting its people.
    head_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Removed rooms keep their ideas and log but take no one in.
    removed: Mapped[bool] = mapped_column(default=False)
    #: What the room is doing now; the plenary stays in "lobby".
    phase: Mapped[str] = mapped_column(sa.String(10), default="propose")
    #: When the room's countdown reaches zero (None: no timer).
    timer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The phase the room moves to when the countdown reaches zero (None: it just stops).
    timer_next_phase: Mapped[str | None] = mapped_column(sa.String(10))
    #: A locked room takes no one in (choosing, spreading, late joiners); moderators
    #: can still move people by hand.
    locked: Mapped[bool] = mapped_column(default=False)
    #: While true, participants see no vote totals (moderators do) until the reveal.
    results_hidden: Mapped[bool] = mapped_column(default=False)
    #: The latest broadcast message to the room, shown until the next one.
    notice: Mapped[str] = mapped_column(sa.String(300), default="")
    #: The participant who drives this room's phases and timer (None: only moderators).
    facilitator_id: Mapped[int | None] = mapped_column(
        # Rooms and participants point at each other: create this key after both tables.
        sa.ForeignKey(
            "participants.id", ondelete="SET NULL", use_alter=True, name="fk_rooms_facilitator_id"
        )
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped["Workshop"] = relationship(back_populates="rooms")  # noqa: F821

    @property
    def is_plenary(self) -> bool:
        """Tell whether this is the workshop's lobby."""
        return self.kind == "plenary"
