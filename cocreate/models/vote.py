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
        # A dot's budget check sums the voter's dots in their room: found by both, not by
        # the room alone, whose votes grow with its people.
        sa.Index("ix_votes_participant_id_room_id", "participant_id", "room_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE")
    )
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    #: Denormalised from the idea so a budget is one indexed sum per room.
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    #: The workshop's voting mode when the vote was cast (one of VOTING_MODES).
    kind: Mapped[str] = mapped_column(sa.String(10), default="dots")
    #: The criterion's position in the workshop's list (scores); 0 otherwise.
    criterion: Mapped[int] = mapped_column(default=0)
    value: Mapped[int] = mapped_column()


#: The `criterion` of a VoteCount row that counts people rather than votes.
VOTERS = -1


class VoteCount(db.Model):
    """How many votes of one value an idea has on one criterion, from one stakeholder role,
    on paper or not (`n`); or, where `criterion` is VOTERS (and `value` 0), how many people
    of that role voted on it at all. Kept by every path that changes votes
    (cocreate.services.results.count_votes), so that a tally is read, not counted: a vote
    then costs the same on an idea a thousand people voted on as on one nobody did."""

    __tablename__ = "vote_counts"

    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    #: The votes' kind (one of VOTING_MODES).
    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    #: The voters' stakeholder role; "" for none.
    role: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    on_paper: Mapped[bool] = mapped_column(primary_key=True)
    criterion: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(primary_key=True)
    #: May be 0 (everyone took their vote back); readers skip such rows.
    n: Mapped[int] = mapped_column()
