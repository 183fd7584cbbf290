"""The shared outcome page (DESIGN §6, issue 9): the synthesis as anyone with the
workshop's link may read it, during the workshop and after.

One builder makes the data (cocreate.synthesis.build); this module only trims it for
the public (`public_outcome`, a pure function: whatever the builder adds later stays out
unless it is picked here) and keeps it cheap to ask for again and again:

- **What is public.** The question, the pathways, the cross-room themes, each room's
  themes and top ideas. Never a room's results while they are hidden, nor an order that
  would give them away; never a name its person did not give; never anything about
  moderation (hidden, pending, withdrawn or merged ideas, hidden comments, who endorsed
  or voted what, per-person keys).
- **Results** show where participants could see them in the room: once it is past the
  cluster phase and its results are not hidden (static/js/themes.js, countsShown).
- **Cheap to poll.** Every phone in the lobby and every visitor of the link asks every
  few seconds with the ETag it has. Each process keeps the latest trimmed outcome of each
  workshop with a version of the workshop's rooms (their log's sequence numbers): a
  request reads that version (one small query) and answers from memory while it is
  unchanged. A changed version rebuilds at most once per FRESH_FOR seconds (a burst of
  votes costs one build, not one per request), and never sooner than COST_FACTOR times
  what the last build took (a 5,000-idea workshop's build takes about a second of the
  event loop, so it is redone at most every 20 s: rebuilding stays under 5 % of the
  loop however big the workshop); while one request builds, the others answer with the
  outcome kept (no herd of builds). An unchanged one is rebuilt after
  REBUILD_AFTER seconds anyway, for the few changes no room event records (a tag's
  label). The ETag is a hash of the content, so every process gives the same one.
"""

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Room, Workshop
from cocreate.models._time import utcnow
from cocreate.services.errors import NotFound
from cocreate.services.workshops import normalise_code
from cocreate.synthesis.build import build

FORMAT = "cocreate-outcome"
FORMAT_VERSION = 1
#: Phases in which a room's counts mean nothing yet (nobody voted), as on the phones.
BEFORE_THE_VOTE = ("lobby", "propose", "cluster")
#: A changed outcome is rebuilt at most this often, in seconds (setting OUTCOME_FRESH_FOR).
FRESH_FOR = 2.0
#: An unchanged one is rebuilt after this many seconds (setting OUTCOME_REBUILD_AFTER).
REBUILD_AFTER = 60.0
#: A changed outcome waits at least this many times its last build's duration
#: (setting OUTCOME_COST_FACTOR).
COST_FACTOR = 20.0


def _results_shown(room: dict[str, Any], hidden: set[int]) -> bool:
    return room["id"] not in hidden and room.get("phase") not in BEFORE_THE_VOTE


def public_outcome(data: dict[str, Any], hidden: set[int]) -> dict[str, Any]:
    """Trim a synthesis (cocreate.synthesis.build) for anyone with the workshop's link;
    `hidden` names the rooms whose results participants may not see now.

    Picks each field it shows; results of rooms in `hidden` (or before their vote) are
    None, and their themes, pathways and cross-room themes come in creation order.
    """
    workshop = data["workshop"]
    method = workshop.get("method", {})
    rooms = [room for room in data["rooms"] if not room.get("removed")]
    room_ids = {room["id"] for room in rooms}
    shown = {room["id"] for room in rooms if _results_shown(room, hidden)}
    ideas = {idea["id"]: idea for idea in data["ideas"] if idea["room_id"] in room_ids}
    used_tags: set[int] = set()

    def tags(ids: list[int]) -> list[int]:
        used_tags.update(ids)
        return list(ids)

    def idea_view(idea: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": idea["id"],
            "text": idea["text"],
            "author": idea.get("author") or None,
            "paper": bool(idea.get("paper")),
            "tag_ids": tags(idea.get("tag_ids", [])),
            "results": idea["results"] if idea["room_id"] in shown else None,
        }

    def theme_view(theme: dict[str, Any], room_id: int) -> dict[str, Any]:
        return {
            "id": theme["id"],
            "name": theme["name"],
            "description": theme.get("description", ""),
            "ideas": len([i for i in theme.get("idea_ids", []) if i in ideas]),
            "tag_ids": tags(theme.get("tag_ids", [])),
            "support": theme.get("support") if room_id in shown else None,
        }

    room_views = []
    for room in rooms:
        themes = [theme_view(theme, room["id"]) for theme in room.get("themes", [])]
        if room["id"] not in shown:  # the builder's order is by support: no hint of it
            themes.sort(key=lambda theme: theme["id"])
        room_views.append(
            {
                "id": room["id"],
                "name": room["name"],
                "topic": room.get("topic", ""),
                "ideas": len([i for i in ideas.values() if i["room_id"] == room["id"]]),
                "results_shown": room["id"] in shown,
                "themes": themes,
                # Which ideas are on top is a result too: none while it is hidden.
                "top_ideas": [idea_view(ideas[i]) for i in room.get("top_ideas", []) if i in ideas]
                if room["id"] in shown
                else [],
            }
        )

    pathways = [
        {
            "id": p["id"],
            "room_id": p["room_id"],
            "room": p["room"],
            "title": p["title"],
            "challenge": p.get("challenge", ""),
            "vision": p.get("vision", ""),
            "steps": [
                {key: step.get(key, "") for key in ("action", "actor", "horizon", "indicator")}
                for step in p.get("steps", [])
            ],
            "tag_ids": tags(p.get("tag_ids", [])),
            "ideas": len([i for i in p.get("idea_ids", []) if i in ideas]),
            "support": p.get("support") if p["room_id"] in shown else None,
            "endorsements": int(p.get("endorsements", 0)),
        }
        for p in data.get("pathways", [])
        if p["room_id"] in room_ids
    ]
    # Strongest first where the support is shown, then the others as they were made.
    pathways = [p for p in pathways if p["support"] is not None] + sorted(
        (p for p in pathways if p["support"] is None), key=lambda p: p["id"]
    )

    crosses = []
    for cross in data.get("cross_themes", []):
        members = [t for t in cross.get("themes", []) if t["room_id"] in room_ids]
        if not members:
            continue
        revealed = all(t["room_id"] in shown for t in members)
        crosses.append(
            {
                "id": cross["id"],
                "name": cross["name"],
                "description": cross.get("description", ""),
                "themes": [{"name": t["name"], "room": t["room"]} for t in members],
                "support": cross.get("support") if revealed else None,
            }
        )
    crosses = [c for c in crosses if c["support"] is not None] + sorted(
        (c for c in crosses if c["support"] is None), key=lambda c: c["id"]
    )

    participation = data.get("participation", {})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "workshop": {
            "title": workshop["title"],
            "question": workshop["question"],
            "description": workshop.get("description", ""),
            "starts_at": workshop.get("starts_at"),
            "ends_at": workshop.get("ends_at"),
            "times": workshop.get("times", []),
            "organizers": workshop.get("organizers", []),
            "voting_mode": method.get("voting_mode", "dots"),
            "criteria": method.get("criteria", []),
        },
        "participation": {
            "people": participation.get("people", 0),
            "ideas": len(ideas),
            "rooms": len(rooms),
        },
        "pathways": pathways,
        "cross_themes": crosses,
        "rooms": room_views,
        "tags": [
            {"id": tag["id"], "kind": tag["kind"], "label": tag["label"]}
            for tag in data.get("tags", [])
            if tag["id"] in used_tags and not tag.get("removed")
        ],
    }


def etag_of(outcome: dict[str, Any]) -> str:
    """The outcome's entity tag: a hash of its content (the same in every process)."""
    text = json.dumps(outcome, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class _Kept:
    version: tuple
    built: float  # time.monotonic() of the build
    cost: float  # seconds the build took
    outcome: dict[str, Any]
    etag: str


def _kept() -> dict[int, _Kept]:
    """This app's kept outcomes by workshop id (per app: tests make many). Two requests
    may build at once; the later one's outcome is kept, and both are right."""
    return current_app.extensions.setdefault("cocreate.outcome", {})


def rooms_version(workshop_id: int) -> tuple:
    """What the outcome of a workshop depends on, in one small query: each room's latest
    sequence number (every change to ideas, themes, votes, pathways and cross-room themes
    is logged) and whether its results are hidden."""
    return tuple(
        db.session.execute(
            sa.select(Room.id, Room.last_seq, Room.results_hidden, Room.removed, Room.phase)
            .where(Room.workshop_id == workshop_id)
            .order_by(Room.id)
        ).all()
    )


def workshop_for_code(raw: str) -> tuple[int, str]:
    """The id and join code of the workshop with this code (only those columns: a poll
    reads no rooms); raises NotFound with advice."""
    found = db.session.execute(
        sa.select(Workshop.id, Workshop.join_code).where(Workshop.join_code == normalise_code(raw))
    ).first()
    if found is None:
        raise NotFound(_("No workshop has this code. Check it on the screen and try again."))
    return found.id, found.join_code


def outcome_of(workshop_id: int, code: str) -> tuple[dict[str, Any], str]:
    """The workshop's public outcome and its ETag, from memory while still current."""
    version = rooms_version(workshop_id)
    now = time.monotonic()
    kept = _kept().get(workshop_id)
    config = current_app.config
    building = current_app.extensions.setdefault("cocreate.outcome.building", set())
    if kept is not None:
        age = now - kept.built
        same = kept.version == version
        fresh_for = max(
            config.get("OUTCOME_FRESH_FOR", FRESH_FOR),
            config.get("OUTCOME_COST_FACTOR", COST_FACTOR) * kept.cost,
        )
        if (
            (same and age < config.get("OUTCOME_REBUILD_AFTER", REBUILD_AFTER))
            or (not same and age < fresh_for)
            or workshop_id in building
        ):
            return kept.outcome, kept.etag
    building.add(workshop_id)
    try:
        hidden = {room_id for room_id, _seq, hidden, *_rest in version if hidden}
        outcome = public_outcome(build(workshop_id, generated_at=utcnow()), hidden)
    finally:
        building.discard(workshop_id)
    outcome["code"] = code
    etag = etag_of(outcome)
    _kept()[workshop_id] = _Kept(version, now, time.monotonic() - now, outcome, etag)
    return outcome, etag
