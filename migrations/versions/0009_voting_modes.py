"""Voting modes: dots, agree / disagree / pass, scores on criteria.

Votes gain a kind and a criterion, and their dots become a value; the ideas' dot totals
go (tallies are counted from the votes). The votes table is rebuilt rather than altered,
because its old unique constraint has no name to drop on every database. Going down
keeps the dots; opinions and scores have no place in the old schema and are dropped.

Revision ID: 0009_voting_modes
Revises: 0008_scribe
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_voting_modes"
down_revision = "0008_scribe"
branch_labels = None
depends_on = None


def _votes_table(name: str, new: bool) -> None:
    columns = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    ]
    if new:
        columns += [
            sa.Column("kind", sa.String(length=10), nullable=False),
            sa.Column("criterion", sa.Integer(), nullable=False),
            sa.Column("value", sa.Integer(), nullable=False),
            sa.UniqueConstraint(
                "participant_id", "idea_id", "criterion", name="one_vote_per_criterion"
            ),
            sa.CheckConstraint(
                "(kind = 'dots' AND criterion = 0 AND value >= 1)"
                " OR (kind = 'agree' AND criterion = 0 AND value IN (-1, 0, 1))"
                " OR (kind = 'scores' AND criterion >= 0 AND value BETWEEN 1 AND 5)",
                name="vote_value_fits_kind",
            ),
        ]
    else:
        columns += [
            sa.Column("dots", sa.Integer(), nullable=False),
            sa.CheckConstraint("dots >= 0", name="vote_dots_not_negative"),
            sa.UniqueConstraint("participant_id", "idea_id"),
        ]
    op.create_table(name, *columns)


def _named_as_votes(built_as: str) -> None:
    """On PostgreSQL, give the rebuilt table's sequence and constraints the names a
    table created as "votes" has, so later migrations find them."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER SEQUENCE {built_as}_id_seq RENAME TO votes_id_seq")
    op.execute(f"ALTER TABLE votes RENAME CONSTRAINT {built_as}_pkey TO votes_pkey")
    for column in ("idea_id", "participant_id", "room_id"):
        op.execute(
            f"ALTER TABLE votes RENAME CONSTRAINT {built_as}_{column}_fkey TO votes_{column}_fkey"
        )


def _index_votes() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        for column in ("idea_id", "participant_id", "room_id"):
            batch_op.create_index(f"ix_votes_{column}", [column], unique=False)


def upgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voting_mode", sa.String(length=10), nullable=False, server_default="dots")
        )
        batch_op.add_column(sa.Column("criteria", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.create_check_constraint(
            "voting_mode", "voting_mode IN ('dots', 'agree', 'scores')"
        )

    _votes_table("votes_new", new=True)
    op.execute(
        "INSERT INTO votes_new (participant_id, idea_id, room_id, kind, criterion, value)"
        " SELECT participant_id, idea_id, room_id, 'dots', 0, dots FROM votes WHERE dots > 0"
    )
    op.drop_table("votes")
    op.rename_table("votes_new", "votes")
    _named_as_votes("votes_new")
    _index_votes()

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint("idea_dots_not_negative", type_="check")
        batch_op.drop_column("dots")


def downgrade():
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dots", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_check_constraint("idea_dots_not_negative", "dots >= 0")
    op.execute(
        "UPDATE ideas SET dots = (SELECT COALESCE(SUM(value), 0) FROM votes"
        " WHERE votes.idea_id = ideas.id AND votes.kind = 'dots')"
    )

    _votes_table("votes_old", new=False)
    op.execute(
        "INSERT INTO votes_old (participant_id, idea_id, room_id, dots)"
        " SELECT participant_id, idea_id, room_id, value FROM votes WHERE kind = 'dots'"
    )
    op.drop_table("votes")
    op.rename_table("votes_old", "votes")
    _named_as_votes("votes_old")
    _index_votes()

    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_constraint("voting_mode", type_="check")
        batch_op.drop_column("criteria")
        batch_op.drop_column("voting_mode")
