"""Votes: a participant's dots on an idea, their opinion of it, or their score of it on
one criterion, as the workshop's voting mode says."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db

#: The workshop's voting modes (DESIGN §4), also the kind of each vote row:
#: dots (value: how many, 1 or more), agree (value: 1 agree, -1 disagree, 0 pass),
#: scores (value: 1 to 5 on the criterion numbered `criterion`).
VOTING_MODES = ("dots", "agree", "scores")

#: The values an opinion is stored as, by the word clients send.
STANCES = {"agree": 1, "disagree": -1, "pass": 0}

#: The lowest and highest score on a criterion.
SCORE_RANGE = (1, 5)


class Vote(db.Model):
    """One participant's vote on one idea (on one criterion): one row, never two."""

    __tablename__ = "votes"
    __table_args__ = (
        sa.UniqueConstraint(
            "participant_id", "idea_id", "criterion", name="one_vote_per_criterion"
        ),
        # Each kind's values, so no code path can store a vote its mode does not allow.
        sa.CheckConstraint(
            "(kind = 'dots' AND criterion = 0 AND value >= 1)"
            " OR (kind = 'agree' AND criterion = 0 AND value IN (-1, 0, 1))"
            " OR (kind = 'scores' AND criterion >= 0 AND value BETWEEN 1 AND 5)",
            name="vote_value_fits_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    #: Denormalised from the idea so a budget is one indexed sum per room.
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    #: The workshop's voting mode when the vote was cast (one of VOTING_MODES).
    kind: Mapped[str] = mapped_column(sa.String(10), default="dots")
    #: The criterion's position in the workshop's list (scores); 0 otherwise.
    criterion: Mapped[int] = mapped_column(default=0)
    value: Mapped[int] = mapped_column()
