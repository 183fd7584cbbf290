"""The dot budget, the per-idea maximum and idempotency hold under concurrent requests.

Real threads, each with its own database session, start together at a barrier.
Runs on SQLite (the embedded default) and on PostgreSQL (the scale-out database).
"""

import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Idea, Participant, Room, Vote, Workshop
from cocreate.services import ideas, participants, results, votes, workshops
from cocreate.services.errors import Conflict, NotFound
from tests.conftest import World, action_id, waiting_for_a_room

THREADS = 16


def race(app, calls):
    """Run the calls at once, each in its own thread and app context; return the outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        with app.app_context():
            barrier.wait()
            try:
                outcomes[index] = call()
            except Conflict as error:
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def setup_room(app, *, dots: int, most: int, ideas_count: int, voters: int = 1):
    with app.app_context():
        world = World()
        w = world.workshop(dots_per_room=dots, max_dots_per_idea=most)
        people = [world.join(w, room=w["rooms"][0]) for _ in range(voters)]
        idea_ids = [
            ideas.post_idea(people[0], f"Idea {n}")["idea"]["id"] for n in range(ideas_count)
        ]
        world.phase(w, "vote")
        db.session.remove()
    return people, idea_ids


def stored(app):
    """The votes as stored: per (participant, idea), and the ideas' counted totals."""
    with app.app_context():
        rows = db.session.execute(sa.select(Vote.participant_id, Vote.idea_id, Vote.value)).all()
        idea_ids = list(db.session.scalars(sa.select(Idea.id)))
        workshop = db.session.scalar(sa.select(Workshop))
        totals = {i: t["dots"] for i, t in results.tallies(workshop, idea_ids).items()}
        db.session.remove()
    return rows, totals


def test_the_budget_holds_when_one_phone_fires_many_votes(any_app):
    (me,), idea_ids = setup_room(any_app, dots=5, most=5, ideas_count=8)
    calls = [
        (lambda i=i: votes.give_dot(me, idea_ids[i % 8], 1, action_id=action_id()))
        for i in range(THREADS)
    ]
    outcomes = race(any_app, calls)
    accepted = [o for o in outcomes if isinstance(o, dict)]
    assert len(accepted) == 5
    assert all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, dict))
    assert sorted(o["dots_left"] for o in accepted) == [0, 1, 2, 3, 4]
    rows, totals = stored(any_app)
    assert sum(dots for _, _, dots in rows) == 5
    assert sum(totals.values()) == 5


def test_the_maximum_per_idea_holds(any_app):
    (me,), (idea,) = setup_room(any_app, dots=10, most=3, ideas_count=1)
    outcomes = race(any_app, [lambda: votes.give_dot(me, idea, 1, action_id=action_id())] * THREADS)
    assert sum(isinstance(o, dict) for o in outcomes) == 3
    _, totals = stored(any_app)
    assert totals[idea] == 3


def test_many_phones_voting_at_once_are_all_counted(any_app):
    people, (idea,) = setup_room(any_app, dots=5, most=1, ideas_count=1, voters=THREADS)
    outcomes = race(
        any_app,
        [(lambda p=p: votes.give_dot(p, idea, 1, action_id=action_id())) for p in people],
    )
    assert all(isinstance(o, dict) for o in outcomes)
    assert all(o["mine"] == 1 for o in outcomes)
    rows, totals = stored(any_app)
    assert totals[idea] == THREADS == len(rows)


def test_a_retried_action_racing_itself_counts_once(any_app):
    (me,), (idea,) = setup_room(any_app, dots=5, most=5, ideas_count=1)
    same = action_id()
    outcomes = race(any_app, [lambda: votes.give_dot(me, idea, 1, action_id=same)] * 8)
    assert all(isinstance(o, dict) for o in outcomes)
    assert all(o == outcomes[0] for o in outcomes)  # the first result, 8 times
    _, totals = stored(any_app)
    assert totals[idea] == 1


def test_taking_back_and_giving_at_once_never_goes_negative(any_app):
    (me,), idea_ids = setup_room(any_app, dots=2, most=2, ideas_count=2)
    with any_app.app_context():
        votes.give_dot(me, idea_ids[0], 1)
        db.session.remove()
    calls = [(lambda: votes.give_dot(me, idea_ids[0], -1, action_id=action_id()))] * 4 + [
        (lambda: votes.give_dot(me, idea_ids[1], 1, action_id=action_id()))
    ] * 4
    outcomes = race(any_app, calls)
    taken = Counter(isinstance(o, dict) for o in outcomes[:4])[True]
    given = Counter(isinstance(o, dict) for o in outcomes[4:])[True]
    assert taken == 1
    assert given in (1, 2)  # 2 unless every give ran before the take-back
    rows, totals = stored(any_app)
    assert all(dots >= 1 for _, _, dots in rows)  # a dot taken back to 0 leaves no row
    assert totals == {idea_ids[0]: 0, idea_ids[1]: given}


def test_changing_the_rules_while_opening_the_rooms_never_deadlocks(any_app):
    """Both change the workshop and its rooms; both take the rooms first."""
    with any_app.app_context():
        w = World().workshop(rooms=3)
        db.session.remove()
    settings = workshops.WorkshopSettings(title="Renamed", question="Why?")
    for _ in range(5):
        outcomes = race(
            any_app,
            [
                lambda: workshops.update_workshop(w["owner"], w["id"], settings),
                lambda: participants.open_breakouts(w["owner"], w["id"]),
                lambda: participants.set_assignment(w["owner"], w["id"], "random"),
                lambda: participants.close_breakouts(w["owner"], w["id"]),
            ],
        )
        assert all(isinstance(o, dict) for o in outcomes), outcomes


def vote_while_the_room_is_held(app, change_while_held: str):
    """A voter with one dot and two ideas in a voting room; a transaction locks the room,
    makes `change_while_held` ("spend": the voter's dot on the first idea; "move": the
    voter to the other room) and commits only once a dot on the second idea waits for the
    lock. Returns the waiting dot's outcome (its result, or the error it raised)."""
    with app.app_context():
        world = World()
        w = world.workshop(dots_per_room=1, max_dots_per_idea=1)
        me = world.join(w, room=w["rooms"][0])
        first, second = (ideas.post_idea(me, text)["idea"]["id"] for text in ("Ramps", "Buses"))
        world.phase(w, "vote")
        db.session.remove()
    room, other = w["rooms"]
    outcome = []

    def vote():
        with app.app_context():
            try:
                outcome.append(votes.give_dot(me, second, 1, action_id=action_id()))
            except (Conflict, NotFound) as error:
                outcome.append(error)
            finally:
                db.session.remove()

    with app.app_context(), db.engine.connect() as holder:
        holder.execute(sa.text("SELECT id FROM rooms WHERE id = :room FOR UPDATE"), {"room": room})
        if change_while_held == "spend":
            holder.execute(
                sa.insert(Vote.__table__),
                {"participant_id": me, "idea_id": first, "room_id": room, "kind": "dots",
                 "criterion": 0, "value": 1},
            )  # fmt: skip
        else:
            holder.execute(
                sa.update(Participant.__table__).where(Participant.id == me).values(room_id=other)
            )
        voter = threading.Thread(target=vote)
        voter.start()
        if not waiting_for_a_room(voter):
            pytest.fail("the dot never waited for the room's lock")
        holder.commit()
        voter.join(timeout=30)
    return outcome[0]


@pytest.mark.postgres
def test_a_waiting_dot_sees_the_dot_spent_while_it_waited(pg_app):
    """On PostgreSQL a vote sends its room's lock and its read of the idea and the voter's
    dots together (unit.read_together): the read still runs after the lock is granted, and
    sees what the lock's holder committed."""
    outcome = vote_while_the_room_is_held(pg_app, "spend")
    assert isinstance(outcome, Conflict), outcome
    assert "used all 1 of your dots" in str(outcome)
    rows, _totals = stored(pg_app)
    assert [value for _p, _i, value in rows] == [1]


@pytest.mark.postgres
def test_a_waiting_dot_of_someone_moved_meanwhile_is_refused(pg_app):
    """The room locked was the voter's when the lock was asked for; a move committed
    meanwhile took them out of it, and the idea is not in their room any more."""
    outcome = vote_while_the_room_is_held(pg_app, "move")
    assert isinstance(outcome, NotFound), outcome
    rows, _totals = stored(pg_app)
    assert rows == []


@pytest.mark.postgres
def test_a_late_joiner_waiting_for_the_room_chosen_goes_into_it(pg_app):
    """A late joiner's room is chosen (the least loaded, a random one among ties) and
    locked in one statement. When a vote holds that room and changes its row meanwhile,
    PostgreSQL reads the row again once the lock is granted: the joiner must still go in,
    not be left in the lobby by a second, different choice among the tied rooms."""
    waits = 0
    for attempt in range(20):
        with pg_app.app_context():
            world = World()
            w = world.workshop(rooms=2, assignment="random")
            participants.open_breakouts(w["owner"], w["id"])
            db.session.remove()
        held = w["rooms"][0]
        placed = []

        def join(code=w["code"], device=f"late-{attempt}", placed=placed):
            with pg_app.app_context():
                try:
                    placed.append(participants.join_workshop(code, device, "Late"))
                finally:
                    db.session.remove()

        with pg_app.app_context(), db.engine.connect() as holder:
            holder.execute(
                sa.text("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = :room"),
                {"room": held},
            )
            joiner = threading.Thread(target=join)
            joiner.start()
            waited = waiting_for_a_room(joiner)
            holder.commit()
            joiner.join(timeout=30)
            room = db.session.get(Participant, placed[0]["participant_id"]).room_id
            db.session.remove()
        if waited:
            waits += 1
            assert room == held, "the joiner who waited for the room chosen went elsewhere"
        else:
            assert room == w["rooms"][1]  # the tie went the other way: no wait
        if waits == 2:
            return
    pytest.fail("no joiner chose the room held in 20 tries")


@pytest.mark.postgres
def test_one_device_joining_twice_at_once_is_one_participant(pg_app):
    """Two taps on Join (or a retry racing the first request) from one device: both wait
    for the lobby's lock, and PostgreSQL re-checks only the lobby's row once the first
    commits, so the second's statement does not see the participant the first made. It
    must still answer with that participant (returning), not fail on the device's key."""
    with pg_app.app_context():
        w = World().workshop()
        lobby = db.session.scalar(
            sa.select(Room.id).where(Room.workshop_id == w["id"], Room.kind == "plenary")
        )
        db.session.remove()
    joined = []

    def join():
        with pg_app.app_context():
            try:
                joined.append(participants.join_workshop(w["code"], "two-taps", "Ana"))
            except Exception as error:  # the outcome under test
                joined.append(error)
            finally:
                db.session.remove()

    with pg_app.app_context(), db.engine.connect() as holder:
        holder.execute(
            sa.text("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = :room"), {"room": lobby}
        )
        taps = [threading.Thread(target=join) for _ in range(2)]
        for tap in taps:
            tap.start()
        with db.engine.connect() as watcher:  # outside the holder's transaction, whose
            while waiting_joins(watcher) < 2:  # view of pg_stat_activity would not change
                time.sleep(0.01)
        holder.rollback()
        for tap in taps:
            tap.join(timeout=30)

    assert not [outcome for outcome in joined if isinstance(outcome, Exception)], joined
    first, second = sorted(joined, key=lambda outcome: outcome["returning"])
    assert first["returning"] is False
    assert second == {**first, "returning": True}
    with pg_app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(Participant.device_token == "two-taps")
            )
            == 1
        )


def waiting_joins(watcher: sa.Connection) -> int:
    """How many statements wait for a lock in the test's database (PostgreSQL): the
    joins' (their text, cut at 1,024 bytes in pg_stat_activity, does not reach their
    FOR UPDATE)."""
    return watcher.execute(
        sa.text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
    ).scalar()
