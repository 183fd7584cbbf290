"""Dots a participant put on an idea."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db


class Vote(db.Model):
    """One participant's dots on one idea: one row, never two."""

    __tablename__ = "votes"
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "idea_id"),
        sa.CheckConstraint("dots >= 0", name="vote_dots_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    #: Denormalised from the idea so a budget is one indexed sum per room.
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    dots: Mapped[int] = mapped_column(default=0)
