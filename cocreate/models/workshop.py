"""Workshops: the question, the rules, and who runs them."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow

#: How participants get from the plenary lobby into breakout rooms.
ASSIGNMENT_MODES = ("choose", "random", "manual")


class Workshop(db.Model):
    """One session of co-creation around a guiding question."""

    __tablename__ = "workshops"
    __table_args__ = (
        sa.CheckConstraint("dots_per_room BETWEEN 1 AND 50", name="dots_per_room_range"),
        sa.CheckConstraint(
            "max_dots_per_idea BETWEEN 1 AND dots_per_room", name="max_dots_per_idea_range"
        ),
        sa.CheckConstraint("assignment IN ('choose', 'random', 'manual')", name="assignment_mode"),
        sa.CheckConstraint("voting_mode IN ('dots', 'agree', 'scores')", name="voting_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    #: The guiding question every room works on.
    question: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Short code people type or scan to join (unique, upper-case, no ambiguous letters).
    join_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    #: Dots each participant may spend in each room.
    dots_per_room: Mapped[int] = mapped_column(default=5)
    #: At most this many of one participant's dots on one idea.
    max_dots_per_idea: Mapped[int] = mapped_column(default=3)
    assignment: Mapped[str] = mapped_column(sa.String(10), default="choose")
    #: How participants vote (cocreate.models.vote.VOTING_MODES); fixed once voting opens.
    voting_mode: Mapped[str] = mapped_column(sa.String(10), default="dots")
    #: What ideas are scored on, in order (voting mode "scores"), e.g. feasibility.
    criteria: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Pre-moderation: new ideas appear after a moderator approves them.
    premoderation: Mapped[bool] = mapped_column(default=False)
    #: The stakeholder roles a participant may declare on joining (optional), in order.
    stakeholder_roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Every participant of a room may group its ideas into themes in the cluster phase
    #: (otherwise only its facilitator and the moderators).
    participants_cluster: Mapped[bool] = mapped_column(default=False)
    #: While true, participants are in (or may go to) breakout rooms.
    breakouts_open: Mapped[bool] = mapped_column(default=False)
    #: When the event starts and ends (None: not set); shown in every zone of time_zones.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: The IANA time zones the event is held in, the host's first (e.g. ["Asia/Seoul",
    #: "Europe/Madrid"]); the synthesis gives its times in each.
    time_zones: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The language the projector and the synthesis speak (one of the LANGUAGES setting's
    #: codes); each person's own pages follow their own choice.
    language: Mapped[str] = mapped_column(sa.String(16), default="en", server_default="en")
    #: Who organises it, as the synthesis names them (free text, one line each).
    organizers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: Loaded when asked for, not with every workshop: a phone's join, connection and
    #: idea each read the workshop and none needs its rooms as objects.
    rooms: Mapped[list["Room"]] = relationship(  # noqa: F821
        back_populates="workshop", order_by="Room.position"
    )
    memberships: Mapped[list["Membership"]] = relationship(back_populates="workshop")  # noqa: F821
