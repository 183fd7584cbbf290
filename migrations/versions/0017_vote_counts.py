"""Vote counts (issue 11): each idea's votes counted by value, criterion, stakeholder role
and paper, and its voters by role and paper, kept by the write path.

Every vote counted its idea's other votes, and every tally in a snapshot counted its
idea's votes: work that grew with the people who voted. The counts are now a table the
write path keeps; going up counts the votes there are once, going down drops the table.

A dot's budget check summed the voter's dots in their room through the room's index,
reading every vote in the room: votes are now indexed by voter and room together (the
voter's index alone is a prefix of the one-vote-per-criterion key, and goes).

Revision ID: 0017_vote_counts
Revises: 0016_room_head_count
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_vote_counts"
down_revision = "0016_room_head_count"
branch_labels = None
depends_on = None

#: cocreate.models.VOTERS: the criterion of a row counting people.
VOTERS = -1


def upgrade():
    op.create_table(
        "vote_counts",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("on_paper", sa.Boolean(), nullable=False),
        sa.Column("criterion", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("idea_id", "kind", "role", "on_paper", "criterion", "value"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index("ix_votes_participant_id")
        batch_op.create_index(
            "ix_votes_participant_id_room_id", ["participant_id", "room_id"], unique=False
        )
    votes = sa.table(
        "votes",
        sa.column("participant_id"),
        sa.column("idea_id"),
        sa.column("kind"),
        sa.column("criterion"),
        sa.column("value"),
    )
    people = sa.table("participants", sa.column("id"), sa.column("role"), sa.column("on_paper"))
    counts = sa.table(
        "vote_counts",
        *(sa.column(name) for name in ("idea_id", "kind", "role", "on_paper", "criterion")),
        sa.column("value"),
        sa.column("n"),
    )
    voted = votes.join(people, people.c.id == votes.c.participant_id)
    who = (votes.c.idea_id, votes.c.kind, sa.func.coalesce(people.c.role, ""), people.c.on_paper)
    columns = ["idea_id", "kind", "role", "on_paper", "criterion", "value", "n"]
    op.execute(
        counts.insert().from_select(
            columns,
            sa.select(*who, votes.c.criterion, votes.c.value, sa.func.count())
            .select_from(voted)
            .group_by(*who, votes.c.criterion, votes.c.value),
        )
    )
    op.execute(
        counts.insert().from_select(
            columns,
            sa.select(
                *who,
                sa.literal(VOTERS),
                sa.literal(0),
                sa.func.count(sa.distinct(votes.c.participant_id)),
            )
            .select_from(voted)
            .group_by(*who),
        )
    )


def downgrade():
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index("ix_votes_participant_id_room_id")
        batch_op.create_index("ix_votes_participant_id", ["participant_id"], unique=False)
    op.drop_table("vote_counts")
