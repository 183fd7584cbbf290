"""Themes stay consistent under concurrent moves, merges and dissolves.

Real threads, each with its own database session, start together at a barrier, on
SQLite and on PostgreSQL, as tests/test_concurrency.py does. The room lock serialises
them: an idea never ends in a deleted theme, a move into a theme dissolved or merged
meanwhile answers NotFound, and of two moves of one idea the later commit stands.
"""

import threading

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Idea, RoomEvent, Theme
from cocreate.services import ideas, phases, themes
from cocreate.services.errors import DomainError, NotFound
from tests.conftest import World, action_id

ROUNDS = 4
MOVERS = 6


def race(app, calls) -> list:
    """Run the calls at once, each in its own thread and app context; return each one's
    result or the exception it raised (any exception: a crash must show in the test)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        with app.app_context():
            barrier.wait()
            try:
                outcomes[index] = call()
            except Exception as error:
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def setup_room(app, ideas_count: int) -> tuple[tuple[str, int], int, list[int]]:
    """A breakout room in the cluster phase with a facilitator and some ideas."""
    with app.app_context():
        world = World()
        w = world.workshop(rooms=1)
        r1 = w["rooms"][0]
        facilitator = world.join(w, "Fay", room=r1)
        phases.appoint_facilitator(w["owner"], w["id"], facilitator)
        idea_ids = [
            ideas.post_idea(facilitator, f"Idea {n}")["idea"]["id"] for n in range(ideas_count)
        ]
        world.phase(w, "cluster")
        db.session.remove()
    return ("participant", facilitator), r1, idea_ids


def theme_of(app, idea_ids: list[int]) -> dict[int, int | None]:
    with app.app_context():
        rows = db.session.execute(sa.select(Idea.id, Idea.theme_id).where(Idea.id.in_(idea_ids)))
        found = dict(rows.all())
        db.session.remove()
    return found


def room_log(app, room_id: int, types: set[str]) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(RoomEvent).where(RoomEvent.room_id == room_id).order_by(RoomEvent.seq)
        )
        found = [(e.type, e.data) for e in rows if e.type in types]
        db.session.remove()
    return found


def only_results_or_not_found(outcomes: list) -> None:
    for outcome in outcomes:
        assert isinstance(outcome, dict | NotFound), repr(outcome)


def test_moves_into_a_theme_being_dissolved(any_app):
    by, _r1, idea_ids = setup_room(any_app, ideas_count=MOVERS)
    for _round in range(ROUNDS):
        with any_app.app_context():
            theme = themes.create_theme(by, "Doomed")["theme"]["id"]
            db.session.remove()
        moves = [
            (lambda i=i, t=theme: themes.move_idea(by, i, t, action_id=action_id()))
            for i in idea_ids
        ]
        dissolve = [lambda t=theme: themes.dissolve_theme(by, t, action_id=action_id())]
        outcomes = race(any_app, dissolve + moves)
        only_results_or_not_found(outcomes)
        dissolved, moved = outcomes[0], outcomes[1:]
        assert isinstance(dissolved, dict), dissolved
        # A move that committed first is in the dissolve's list; the others found no theme.
        succeeded = {
            i for i, outcome in zip(idea_ids, moved, strict=True) if isinstance(outcome, dict)
        }
        assert set(dissolved["idea_ids"]) == succeeded
        assert set(theme_of(any_app, idea_ids).values()) == {None}
        with any_app.app_context():
            assert db.session.get(Theme, theme) is None
            db.session.remove()


def test_two_moves_of_one_idea_end_with_the_later_commit(any_app):
    by, r1, (idea,) = setup_room(any_app, ideas_count=1)
    with any_app.app_context():
        targets = [themes.create_theme(by, f"Theme {n}")["theme"]["id"] for n in range(MOVERS)]
        db.session.remove()
    for _round in range(ROUNDS):
        outcomes = race(
            any_app,
            [(lambda t=t: themes.move_idea(by, idea, t, action_id=action_id())) for t in targets],
        )
        assert all(isinstance(o, dict) for o in outcomes), outcomes
        final = theme_of(any_app, [idea])[idea]
        moves = room_log(any_app, r1, {"idea_moved"})
        assert moves[-1][1] == {"idea_id": idea, "theme_id": final}
        # Every logged move starts where the previous one left the idea: no lost update.
        with any_app.app_context():
            in_themes = db.session.scalar(
                sa.select(sa.func.count()).select_from(Idea).where(Idea.theme_id.is_not(None))
            )
            db.session.remove()
        assert in_themes == 1


def test_moves_into_a_theme_being_merged(any_app):
    by, r1, idea_ids = setup_room(any_app, ideas_count=MOVERS)
    for _round in range(ROUNDS):
        with any_app.app_context():
            keep = themes.create_theme(by, "Kept")["theme"]["id"]
            merged = themes.create_theme(by, "Merged")["theme"]["id"]
            for idea in idea_ids:
                themes.move_idea(by, idea, None)
            db.session.remove()
        moves = [
            (lambda i=i, t=merged: themes.move_idea(by, i, t, action_id=action_id()))
            for i in idea_ids
        ]
        merge = [lambda k=keep, m=merged: themes.merge_themes(by, k, m, action_id=action_id())]
        outcomes = race(any_app, merge + moves)
        only_results_or_not_found(outcomes)
        result, moved = outcomes[0], outcomes[1:]
        assert isinstance(result, dict), result
        succeeded = {
            i for i, outcome in zip(idea_ids, moved, strict=True) if isinstance(outcome, dict)
        }
        assert set(result["theme"]["idea_ids"]) == succeeded
        found = theme_of(any_app, idea_ids)
        assert {i for i, t in found.items() if t == keep} == succeeded
        assert merged not in found.values()
        [(_type, data)] = room_log(any_app, r1, {"themes_merged"})[-1:]
        assert set(data["idea_ids"]) == succeeded and data["merged_id"] == merged


def test_a_retry_racing_its_original_creates_one_theme(any_app):
    by, r1, idea_ids = setup_room(any_app, ideas_count=2)
    same = action_id()
    outcomes = race(
        any_app,
        [lambda: themes.create_theme(by, "Once", idea_ids=idea_ids, action_id=same)] * 4,
    )
    assert not any(isinstance(o, (Exception, DomainError)) for o in outcomes), outcomes
    assert all(o == outcomes[0] for o in outcomes)
    with any_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 1
        db.session.remove()
    assert len(room_log(any_app, r1, {"theme_created"})) == 1
