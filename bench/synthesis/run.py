"""Benchmark: the synthesis of a large workshop, in every format.

Makes a workshop on a fresh SQLite database in a temporary directory, with bulk inserts:
1,000 participants (some on paper, most with a stakeholder role, a third named) in 20
rooms, 5,000 ideas with tags and themes, 100,000 votes, two pathways per room and
cross-room themes. Then times build() and each renderer found in cocreate/synthesis
(render_*.py, imported by name, so formats added later are included) and prints, per
step, the best time of --runs and the peak memory it allocated (tracemalloc, in a
separate run: tracing slows Python down).

    .venv/bin/python bench/synthesis/run.py                  # agree mode (100 votes each)
    .venv/bin/python bench/synthesis/run.py --mode dots      # dots (budgets not enforced)
    .venv/bin/python bench/synthesis/run.py --mode scores --runs 3
"""

import argparse
import importlib
import pkgutil
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from anywhere

import sqlalchemy as sa
from flask_migrate import upgrade

import cocreate.synthesis
from cocreate import create_app
from cocreate.extensions import db
from cocreate.models import (
    CrossTheme,
    CrossThemeMember,
    Idea,
    IdeaTag,
    Participant,
    Pathway,
    PathwayEndorsement,
    PathwayIdea,
    PathwayTag,
    Room,
    RoomEvent,
    Tag,
    Theme,
    Vote,
)
from cocreate.services import accounts, workshops
from cocreate.synthesis.build import build

ROLES = ["Local government", "Civil society organisation", "Resident / rights-holder", "Expert"]
_SENTENCE = (
    "housing rent migrants women work transport bus library digital skills care older "
    "children safety streets parks climate heat jobs training childcare access ramps "
    "interpreters 주택 이주민 logement femmes"
)
WORDS = _SENTENCE.split()


def settings(path: Path) -> dict:
    """The app's settings for a throwaway database."""
    return {
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "SOCKETIO_ASYNC_MODE": "threading",
        "SOCKETIO_MESSAGE_QUEUE": None,
        "SUGGESTIONS_PREEMBED": False,
        "RATELIMIT_ENABLED": False,
    }


def populate(args: argparse.Namespace, rng: random.Random) -> int:
    """Make the workshop with bulk inserts; return its id."""
    user = accounts.create_user("bench@example.org", "Bench", "correct horse battery")
    criteria = ["Impact on equality", "Feasibility"] if args.mode == "scores" else None
    workshop_id = workshops.create_workshop(
        user,
        workshops.WorkshopSettings(
            title="Local pathways toward equality",
            question="How can our city leave no one behind?",
            voting_mode=args.mode,
            dots_per_room=50,
            max_dots_per_idea=50,
            stakeholder_roles=ROLES,
            criteria=criteria,
            schedule=workshops.Schedule(
                starts_at=datetime(2025, 10, 1, 9, tzinfo=UTC),
                ends_at=datetime(2025, 10, 1, 11, 30, tzinfo=UTC),
                time_zones=["Asia/Seoul", "Europe/Madrid"],
                organizers=["UCLG", "City of Gwangju"],
            ),
        ),
        [(f"Room {n}", f"Topic {n}") for n in range(1, args.rooms + 1)],
    )
    session = db.session
    rooms = session.scalars(
        sa.select(Room).where(Room.workshop_id == workshop_id, Room.kind == "breakout")
    ).all()
    tags = session.scalars(sa.select(Tag).where(Tag.workshop_id == workshop_id)).all()
    by_kind = {
        kind: [t.id for t in tags if t.kind == kind] for kind in ("rights", "groups", "domains")
    }
    now = datetime(2025, 10, 1, 9, 30, tzinfo=UTC)

    session.execute(
        sa.insert(Participant),
        [
            {
                "workshop_id": workshop_id,
                "device_token": f"bench-{n}",
                "display_name": f"Person {n}" if n % 3 == 0 else None,
                "role": ROLES[n % len(ROLES)] if n % 7 else None,
                "on_paper": n % 25 == 0,
                "room_id": rooms[n % len(rooms)].id,
                "joined_at": now,
            }
            for n in range(args.people)
        ],
    )
    people = session.execute(
        sa.select(Participant.id, Participant.room_id).where(Participant.workshop_id == workshop_id)
    ).all()
    in_room: dict[int, list[int]] = {}
    for pid, room_id in people:
        in_room.setdefault(room_id, []).append(pid)
    events = []
    for room in rooms:
        for seq, pid in enumerate(in_room.get(room.id, []), start=room.last_seq + 1):
            member = {"id": pid, "name": None, "on_paper": False}
            events.append(
                {
                    "room_id": room.id,
                    "seq": seq,
                    "type": "member_joined",
                    "data": {"member": member},
                    "actor": f"participant:{pid}",
                    "created_at": now,
                }
            )
        room.last_seq += len(in_room.get(room.id, []))
    session.execute(sa.insert(RoomEvent), events)

    themes_per_room = 8
    session.execute(
        sa.insert(Theme),
        [
            {
                "room_id": room.id,
                "name": f"Theme {k} of {room.name}",
                "description": "",
                "created_at": now,
            }
            for room in rooms
            for k in range(themes_per_room)
        ],
    )
    themes = session.execute(sa.select(Theme.id, Theme.room_id)).all()
    room_themes: dict[int, list[int]] = {}
    for theme_id, room_id in themes:
        room_themes.setdefault(room_id, []).append(theme_id)

    rows = []
    for n in range(args.ideas):
        room = rooms[n % len(rooms)]
        author = rng.choice(in_room[room.id])
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 25)))
        rows.append(
            {
                "room_id": room.id,
                "author_id": author,
                "text": text[:280],
                "details": "" if n % 4 else text,
                "status": "visible" if n % 50 else "hidden",
                "theme_id": rng.choice(room_themes[room.id]) if n % 3 else None,
                "created_at": now + timedelta(seconds=n),
                "updated_at": now + timedelta(seconds=n),
            }
        )
    session.execute(sa.insert(Idea), rows)
    ideas = session.execute(sa.select(Idea.id, Idea.room_id).where(Idea.status == "visible")).all()
    room_ideas: dict[int, list[int]] = {}
    for idea_id, room_id in ideas:
        room_ideas.setdefault(room_id, []).append(idea_id)
    session.execute(
        sa.insert(IdeaTag),
        [
            {"idea_id": idea_id, "tag_id": tag_id}
            for idea_id, _room in ideas
            for tag_id in {
                rng.choice(by_kind["rights"]),
                rng.choice(by_kind["groups"]),
                rng.choice(by_kind["domains"]),
            }
        ],
    )

    votes = []
    per_person = max(1, args.votes // len(people))
    for pid, room_id in people:
        choices = rng.sample(room_ideas[room_id], min(per_person, len(room_ideas[room_id])))
        for idea_id in choices:
            if args.mode == "dots":
                votes.append((pid, idea_id, room_id, 0, rng.randint(1, 3)))
            elif args.mode == "agree":
                votes.append((pid, idea_id, room_id, 0, rng.choice((-1, 0, 1, 1))))
            else:
                votes.append((pid, idea_id, room_id, len(votes) % 2, rng.randint(1, 5)))
    keys = ("participant_id", "idea_id", "room_id", "criterion", "value")
    session.execute(
        sa.insert(Vote), [{**dict(zip(keys, v, strict=True)), "kind": args.mode} for v in votes]
    )

    for room in rooms:
        for k in range(2):
            pathway = Pathway(
                room_id=room.id,
                theme_id=room_themes[room.id][k],
                title=f"Pathway {k} of {room.name}",
                challenge="Rents rise faster than incomes",
                vision="Everyone housed within ten years",
                steps=[
                    {
                        "action": "Map vacant homes",
                        "actor": "City",
                        "horizon": h,
                        "indicator": "homes",
                    }
                    for h in ("short", "medium", "long")
                ],
                field_versions={},
            )
            session.add(pathway)
            session.flush()
            for idea_id in rng.sample(room_ideas[room.id], 10):
                session.add(PathwayIdea(pathway_id=pathway.id, idea_id=idea_id))
            for tag_id in {rng.choice(by_kind["rights"]), rng.choice(by_kind["groups"])}:
                session.add(PathwayTag(pathway_id=pathway.id, tag_id=tag_id))
            for pid in rng.sample(in_room[room.id], 10):
                session.add(PathwayEndorsement(pathway_id=pathway.id, participant_id=pid))
    for k in range(6):
        cross = CrossTheme(workshop_id=workshop_id, name=f"Across rooms {k}", description="")
        session.add(cross)
        session.flush()
        for room in rooms[k::6]:
            session.add(CrossThemeMember(theme_id=room_themes[room.id][2], cross_theme_id=cross.id))
    session.commit()
    return workshop_id


def renderers() -> dict[str, object]:
    """Every render_*.py of cocreate/synthesis that imports, by format name."""
    found = {}
    for module in sorted(pkgutil.iter_modules(cocreate.synthesis.__path__), key=lambda m: m.name):
        if module.name.startswith("render_"):
            try:
                found[module.name[7:]] = importlib.import_module(
                    f"cocreate.synthesis.{module.name}"
                )
            except Exception as error:  # a format still being written: say so, go on
                print(f"  {module.name}: not measured ({type(error).__name__}: {error})")
    return found


def measure(label: str, work, runs: int) -> object:
    """Run `work` `runs` times and once traced; print the best time and peak memory."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = f"{len(result) / 1e6:7.2f} MB" if isinstance(result, bytes | str) else " " * 10
    print(f"  {label:<10} {best:6.2f} s   peak {peak / 1e6:7.1f} MB   output {size}")
    return result


def main() -> None:
    """Build the workshop, then time the synthesis in every format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("dots", "agree", "scores"), default="agree")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--ideas", type=int, default=5000)
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(settings(Path(tmp) / "bench.sqlite"))
        with app.test_request_context():
            upgrade()
            started = time.perf_counter()
            workshop_id = populate(args, random.Random(7))
            counts = {
                model.__tablename__: db.session.scalar(
                    sa.select(sa.func.count()).select_from(model)
                )
                for model in (Participant, Idea, Vote, Theme, Pathway)
            }
            print(f"workshop ({args.mode}) made in {time.perf_counter() - started:.1f} s: {counts}")
            at = datetime(2025, 10, 2, tzinfo=UTC)

            def built() -> dict:
                db.session.expire_all()
                return build(workshop_id, generated_at=at)

            data = measure("build", built, args.runs)
            for name, module in renderers().items():
                try:
                    measure(name, lambda module=module: module.render(data), args.runs)
                except Exception as error:  # a renderer still being written
                    print(f"  {name:<10} failed: {type(error).__name__}: {error}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
