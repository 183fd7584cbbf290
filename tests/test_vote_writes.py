"""A vote's writes wait for the commit (unit.Change.later), so its tally is counted before
they are written: the tally each event carries must still be what counting gives after
the commit, in every voting mode, for roles and for people on paper. On PostgreSQL the
waiting writes go in one round trip with the COMMIT (psycopg's pipeline mode), and a retry
still counts once. Runs on SQLite and on PostgreSQL."""

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import ClientAction, Idea, Participant, Room, RoomEvent, Vote
from cocreate.services import ideas, participants, results, scribe, unit, votes
from tests.conftest import World, action_id, executed, last_seq, logged, round_trips


def room_of_roles(mode: str) -> tuple[dict, list[int], int, int]:
    """A workshop voting in `mode`: a room with two roles and a person on paper, an idea."""
    world = World()
    w = world.workshop(voting_mode=mode, criteria=["Impact", "Feasibility"])
    room = w["rooms"][0]
    people = []
    for name, role in (("City", "Local government"), ("Ngo", "Civil society organisation")):
        person = participants.join_workshop(w["code"], f"device-{name}", name, role)
        participants.move_participant(w["owner"], w["id"], person["participant_id"], room)
        people.append(person["participant_id"])
    paper = scribe.add_paper_person(("user", w["owner"]), room, "Mrs Okafor")["member"]["id"]
    idea = ideas.post_idea(people[0], "Rent caps near transit")["idea"]["id"]
    world.phase(w, "vote")
    return w, people, paper, idea


def last_tally_event(room: int, since: int) -> tuple[dict, dict]:
    """The participants' and moderators' data of the room's latest votes_changed event."""
    changed = [event for event in logged(room, since) if event[0] == "votes_changed"]
    assert changed, "the vote logged no new tally"
    _type, data, moderator_data = changed[-1]
    return data, moderator_data


def counted_now(idea: int) -> dict:
    """The idea's support as counted from the stored votes, after the commit."""
    db.session.rollback()
    workshop = db.session.get(Room, db.session.get(Idea, idea).room_id).workshop
    return results.support(workshop, [idea])[idea]


DOTS = [("city", 1), ("ngo", 1), ("city", 1), ("paper", 1), ("city", -1), ("ngo", -1)]
OPINIONS = [
    ("city", "agree"),
    ("ngo", "disagree"),
    ("paper", "pass"),
    ("ngo", "agree"),
    ("city", None),
    ("paper", "agree"),
]
SCORES = [("city", (0, 4)), ("city", (1, 2)), ("ngo", (0, 5)), ("paper", (1, 1)),
          ("city", (0, 3)), ("city", (1, None)), ("ngo", (0, None))]  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "steps"), [("dots", DOTS), ("agree", OPINIONS), ("scores", SCORES)]
)
def test_each_tally_logged_is_what_counting_gives_after_the_commit(any_ctx, mode, steps):
    w, (city, ngo), paper, idea = room_of_roles(mode)
    owner = ("user", w["owner"])
    room = w["rooms"][0]
    for who, value in steps:
        since = last_seq(room)
        if mode == "dots":
            if who == "paper":
                scribe.give_dot(owner, paper, idea, value)
            else:
                votes.give_dot({"city": city, "ngo": ngo}[who], idea, value)
        elif mode == "agree":
            if who == "paper":
                scribe.give_opinion(owner, paper, idea, value)
            else:
                votes.give_opinion({"city": city, "ngo": ngo}[who], idea, value)
        elif who == "paper":
            scribe.give_score(owner, paper, idea, *value)
        else:
            votes.give_score({"city": city, "ngo": ngo}[who], idea, *value)
        data, moderator_data = last_tally_event(room, since)
        expected = counted_now(idea)
        assert expected == recounted(idea), (who, value)
        assert moderator_data == {"idea_id": idea, **expected}, (who, value)
        assert data == {"idea_id": idea, "tally": expected["tally"]}, (who, value)


def test_a_score_answers_with_all_of_the_voters_scores(any_ctx):
    _w, (city, _ngo), _paper, idea = room_of_roles("scores")
    assert votes.give_score(city, idea, 1, 2)["mine"] == [None, 2]
    assert votes.give_score(city, idea, 0, 5)["mine"] == [5, 2]
    assert votes.give_score(city, idea, 1, None)["mine"] == [5, None]


def test_a_vote_that_changes_nothing_writes_and_logs_nothing(any_ctx):
    w, (city, _ngo), _paper, idea = room_of_roles("agree")
    votes.give_opinion(city, idea, "agree")
    since = last_seq(w["rooms"][0])
    assert votes.give_opinion(city, idea, "agree") == {"idea_id": idea, "mine": "agree"}
    assert logged(w["rooms"][0], since) == []


def test_a_retried_vote_counts_once_and_gets_its_first_answer(any_ctx):
    w, (city, _ngo), _paper, idea = room_of_roles("dots")
    aid = action_id()
    first = votes.give_dot(city, idea, 1, action_id=aid)
    since = last_seq(w["rooms"][0])
    assert votes.give_dot(city, idea, 1, action_id=aid) == first
    assert logged(w["rooms"][0], since) == []
    db.session.rollback()
    assert db.session.scalars(sa.select(Vote.value).where(Vote.idea_id == idea)).all() == [1]


def test_on_sqlite_a_vote_reads_and_writes_on_the_drivers_cursor_as_sqlalchemy_would(ctx):
    """SQLAlchemy's execute cost a vote as much CPU again as SQLite's own work, so its reads
    and writes go to the driver's cursor (unit.read_together, unit._commit). What they
    write reads back through SQLAlchemy as its own writes do: times, JSON, booleans."""
    w, (city, _ngo), _paper, idea = room_of_roles("dots")
    room = w["rooms"][0]
    since = last_seq(room)
    seen = []

    def note(_conn, _cursor, statement, *_rest):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        aid = action_id()
        answer = votes.give_dot(city, idea, 1, action_id=aid)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    assert [sql for sql in seen if not sql.startswith("BEGIN")] == []
    db.session.rollback()
    ((kind, data, moderator_data),) = logged(room, since)
    assert kind == "votes_changed" and data["idea_id"] == idea
    assert moderator_data["tally"] == {"dots": 1}
    event = db.session.scalars(sa.select(RoomEvent).where(RoomEvent.room_id == room)).all()[-1]
    assert isinstance(event.created_at, datetime) and event.seq == since + 1
    assert db.session.get(Room, room).last_seq == since + 1
    stored = db.session.scalars(sa.select(ClientAction).where(ClientAction.action_id == aid)).one()
    assert stored.result == answer and isinstance(stored.created_at, datetime)
    assert db.session.scalars(sa.select(Vote.value).where(Vote.idea_id == idea)).all() == [1]


@pytest.mark.postgres
def test_on_postgres_a_votes_writes_go_in_one_round_trip(pg_app):
    """The four writes go as one statement, in psycopg's pipeline, whose results come back
    together; the reads before them go together too, outside SQLAlchemy's execute
    (unit.read_together: the next test counts them)."""
    with pg_app.app_context():
        _w, (city, _ngo), _paper, idea = room_of_roles("dots")
        sent = []

        def note(conn, _cursor, statement, _params, _context, _many):
            piped = conn.connection.dbapi_connection.pgconn.pipeline_status != 0
            sent.append((" ".join(statement.split()), piped))

        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            votes.give_dot(city, idea, 1, action_id=action_id())
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
        piped = [statement for statement, in_pipeline in sent if in_pipeline]
        alone = [statement for statement, in_pipeline in sent if not in_pipeline]
        assert len(piped) == 1
        assert re.findall(r"(?:AS \(|\) )(INSERT INTO \w+|UPDATE \w+)", piped[0]) == [
            "INSERT INTO votes",
            "INSERT INTO vote_counts",
            "INSERT INTO room_events",
            "INSERT INTO client_actions",
            "UPDATE rooms",
        ]
        assert alone == []


@pytest.mark.postgres
def test_on_postgres_a_dot_waits_twice(libpq_trace):
    """BEGIN with the voter and their room locked and the idea with its votes, then the
    writes with the COMMIT. The BEGIN, the idea and the COMMIT were each a wait of their
    own."""
    _w, (city, _ngo), _paper, idea = room_of_roles("dots")
    db.session.remove()
    before = libpq_trace()

    votes.give_dot(city, idea, 1, action_id=action_id())
    db.session.remove()
    sent = libpq_trace()[len(before) :]

    trips = round_trips(sent)
    assert len(trips) == 2
    assert executed(trips[0]) == 3  # BEGIN, the lock, the idea read after it
    parsed = [message.split('"')[3] for message in trips[0] if message.startswith("Parse")]
    assert [text.split(",")[0] for text in parsed] == [
        "SELECT participants.removed",  # the voter, their room locked
        "SELECT ideas.room_id",  # the idea and its votes
    ]
    # The last: the vote, the event, the action's result and the room's sequence as one
    # statement, and the COMMIT.
    assert executed(trips[-1]) == 2
    assert 'CommandComplete\t "COMMIT"' in sent  # the server's answer
    db.session.rollback()
    assert db.session.scalars(sa.select(Vote.value).where(Vote.idea_id == idea)).all() == [1]


@pytest.mark.postgres
def test_on_postgres_a_failed_write_in_the_pipeline_commits_nothing(pg_app):
    """A write that fails in the pipeline skips the COMMIT queued after it: the action's
    other writes, and what the ORM flushed before them, are rolled back."""
    with pg_app.app_context():
        w, (city, _ngo), _paper, idea = room_of_roles("dots")
        room_id = w["rooms"][0]
        since = last_seq(room_id)
        db.session.remove()

        def fails_at_commit(change: unit.Change) -> dict:
            change.lock_room(room_id).name = "Renamed"
            change.record(db.session.get(Room, room_id), "room_renamed", {"name": "Renamed"})
            change.later(
                sa.insert(Vote.__table__),
                {
                    "id": -1,
                    "participant_id": city,
                    "idea_id": idea + 1000,
                    "room_id": room_id,
                    "kind": "dots",
                    "criterion": 0,
                    "value": 1,
                },
            )
            return {}

        # An action's kind is its service's name (this test's is longer than a kind may be).
        fails_at_commit.__qualname__ = "fails_at_commit"
        with pytest.raises(sa.exc.IntegrityError):
            unit.perform(f"participant:{city}", action_id(), fails_at_commit)
        db.session.remove()
        assert db.session.get(Room, room_id).name != "Renamed"
        assert last_seq(room_id) == since and logged(room_id, since) == []


def recounted(idea: int) -> dict:
    """The idea's support counted here, a vote at a time from its rows (not as the app
    counts it, in the database)."""
    db.session.rollback()
    workshop = db.session.get(Room, db.session.get(Idea, idea).room_id).workshop
    rows = db.session.execute(
        sa.select(
            Vote.participant_id, Participant.role, Participant.on_paper, Vote.criterion, Vote.value
        )
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.idea_id == idea, Vote.kind == workshop.voting_mode)
    )
    entry = results.Results()
    for row in rows:
        entry.add(*row)
    return {
        "tally": results.tally(workshop, entry.total),
        "by_role": {role: results.tally(workshop, c) for role, c in entry.by_role.items()},
        "paper_votes": results.paper_votes(workshop, entry.paper),
    }


@pytest.mark.parametrize("mode", ["dots", "agree", "scores"])
def test_a_vote_reads_its_ideas_votes_counted_not_a_row_each(any_ctx, mode, monkeypatch):
    """The votes already on an idea come to a new vote counted by the database, by role,
    paper and value: as many rows for 12 voters as for 60, so what a vote does with them
    does not grow with the people who voted (the tally stays what counting gives)."""
    w, (city, _ngo), _paper, idea = room_of_roles(mode)
    room = w["rooms"][0]
    values = {"dots": [1], "agree": ["agree", "disagree"], "scores": [4, 2]}[mode]

    def vote(person: int, n: int) -> None:
        value = values[n % len(values)]
        if mode == "dots":
            votes.give_dot(person, idea, value)
        elif mode == "agree":
            votes.give_opinion(person, idea, value)
        else:
            votes.give_score(person, idea, n % 2, value)

    read = []
    real = votes.read_together
    monkeypatch.setattr(votes, "read_together", lambda reads: read.append(real(reads)) or read[-1])
    joined = 0
    rows_read = {}
    for turn, crowd in enumerate((12, 60)):
        for n in range(joined, crowd):
            role = ("Local government", "Civil society organisation")[n % 2]
            person = participants.join_workshop(w["code"], f"d{n}", None, role)["participant_id"]
            participants.move_participant(w["owner"], w["id"], person, room)
            vote(person, n)
        joined = crowd
        since = last_seq(room)
        vote(city, turn)  # a new vote of theirs each turn
        beside = [row for row in read[-1][1] if getattr(row, "part", "") != "mine"]
        rows_read[crowd] = len(beside)
        _data, moderator_data = last_tally_event(room, since)
        assert moderator_data == {"idea_id": idea, **counted_now(idea)}
        assert counted_now(idea) == recounted(idea)
    assert rows_read[12] == rows_read[60], rows_read
