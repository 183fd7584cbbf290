"""Importing a synthesis JSON file (docs/synthesis.md, "Import") as a new workshop owned
by the importing organizer.

Two ways:
- "template": the question, method, schedule, stakeholder roles, rooms and tags, ready to
  run again (rooms start in the propose phase, nobody has joined).
- "archive": all of that plus what happened, as recorded: the people (by their keys,
  with the names they signed ideas and comments with), the visible ideas with their
  tags and themes, every ballot, the pathways with their ideas, tags, endorsements and
  comments, and the cross-room themes; rooms keep their phase. Exporting the archive
  again gives the same JSON apart from ids and `generated_at`.

A file is checked in full before anything is written (the JSON Schema, then every id it
refers to); a bad file is refused with a message saying where, and changes nothing. The
import is one action of the one write path (unit.perform): all of it commits, or none.
"""

import json
import uuid
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from flask import current_app
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import (
    CrossTheme,
    CrossThemeMember,
    Idea,
    IdeaTag,
    Membership,
    Participant,
    Pathway,
    PathwayComment,
    PathwayEndorsement,
    PathwayIdea,
    PathwayTag,
    Room,
    Tag,
    Theme,
    ThemeTag,
    Vote,
    Workshop,
)
from cocreate.services import results, workshops
from cocreate.services.errors import Invalid
from cocreate.services.snapshots import member_event
from cocreate.services.unit import Change, perform
from cocreate.synthesis.build import FORMAT, FORMAT_VERSION

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "synthesis.schema.json"
MODES = ("template", "archive")
#: The largest file accepted (a 5,000-idea, 100,000-vote archive is about 12 MB).
MAX_BYTES = 64 * 1024 * 1024


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the format (docs/synthesis.schema.json)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _where(path: Any) -> str:
    return "/".join(str(step) for step in path) or "(top)"


def load(raw: bytes | str) -> dict[str, Any]:
    """Read and check a synthesis file; return its data. Raises Invalid saying what is wrong."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise Invalid(_("This file is too large to import."))
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(
                _("This file is not UTF-8 text: export it from Cocreate as JSON.")
            ) from None
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise Invalid(_("This file is not JSON (%(error)s).", error=str(error))) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise Invalid(
            _('This is not a Cocreate workshop file (its "format" is not %(f)s).', f=FORMAT)
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise Invalid(
            _(
                "This file has format version %(v)s; this Cocreate reads version %(ours)s.",
                v=data.get("format_version"),
                ours=FORMAT_VERSION,
            )
        )
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        raise Invalid(
            _(
                "This file does not follow the format at %(where)s: %(what)s",
                where=_where(error.absolute_path),
                what=error.message[:300],
            )
        )
    _check_references(data)
    return data


def _check_references(data: dict[str, Any]) -> None:
    """Every id the file refers to is one it defines; raises Invalid."""
    rooms = {room["id"] for room in data["rooms"]}
    tags = {tag["id"] for tag in data["tags"]}
    ideas = {idea["id"] for idea in data["ideas"]}
    themes = {t["id"]: t["room_id"] for room in data["rooms"] for t in room["themes"]}
    people = {person["key"] for person in data["people"]}
    idea_room = {idea["id"]: idea["room_id"] for idea in data["ideas"]}
    mode = data["workshop"]["method"]["voting_mode"]

    def need(ok: bool, what: str) -> None:
        if not ok:
            raise Invalid(
                _("This file refers to something it does not contain: %(what)s.", what=what)
            )

    listed = {
        "rooms": [room["id"] for room in data["rooms"]],
        "tags": [tag["id"] for tag in data["tags"]],
        "ideas": [idea["id"] for idea in data["ideas"]],
        "themes": [t["id"] for room in data["rooms"] for t in room["themes"]],
        "pathways": [p["id"] for p in data["pathways"]],
        "people": [person["key"] for person in data["people"]],
    }
    for name, ids in listed.items():
        need(len(ids) == len(set(ids)), _("%(what)s listed twice", what=name))
    for room in data["rooms"]:
        for theme in room["themes"]:
            need(theme["room_id"] == room["id"], f"theme {theme['id']}")
            need(set(theme["tag_ids"]) <= tags, f"tags of theme {theme['id']}")
            need(
                all(idea_room.get(i) == room["id"] for i in theme["idea_ids"]),
                f"ideas of theme {theme['id']}",
            )
    for idea in data["ideas"]:
        need(idea["room_id"] in rooms, f"the room of idea {idea['id']}")
        need(idea["author_key"] in people, f"the author of idea {idea['id']}")
        need(set(idea["tag_ids"]) <= tags, f"the tags of idea {idea['id']}")
        need(
            idea["theme_id"] is None or themes.get(idea["theme_id"]) == idea["room_id"],
            f"the theme of idea {idea['id']}",
        )
    for person in data["people"]:
        need(set(person["rooms"]) <= rooms, f"the rooms of {person['key']}")
    criteria = len(data["workshop"]["method"]["criteria"])
    seen = {(b["idea_id"], b["person"], b["criterion"]) for b in data["ballots"]}
    need(len(seen) == len(data["ballots"]), _("one person's vote listed twice"))
    for ballot in data["ballots"]:
        need(ballot["idea_id"] in ideas and ballot["person"] in people, "a ballot's idea or person")
        if mode == "dots":
            need(ballot["criterion"] == 0 and ballot["value"] >= 1, "a dot ballot's value")
        elif mode == "agree":
            need(ballot["criterion"] == 0 and ballot["value"] in (-1, 0, 1), "an opinion's value")
        else:
            need(
                ballot["criterion"] < criteria and 1 <= ballot["value"] <= 5, "a score's criterion"
            )
    for pathway in data["pathways"]:
        need(pathway["room_id"] in rooms, f"the room of pathway {pathway['id']}")
        need(
            pathway["theme_id"] is None or pathway["theme_id"] in themes,
            f"the theme of pathway {pathway['id']}",
        )
        need(set(pathway["tag_ids"]) <= tags, f"the tags of pathway {pathway['id']}")
        need(set(pathway["idea_ids"]) <= ideas, f"the ideas of pathway {pathway['id']}")
        need(set(pathway["endorsed_by"]) <= people, f"who endorsed pathway {pathway['id']}")
        need(
            all(c["author_key"] in people for c in pathway["comments"]),
            f"comments of pathway {pathway['id']}",
        )
    for cross in data["cross_themes"]:
        need(
            all(t["theme_id"] in themes for t in cross["themes"]), f"cross-room theme {cross['id']}"
        )


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def import_workshop(user_id: int, data: dict[str, Any], mode: str = "archive") -> int:
    """Create a workshop from checked data (see `load`) owned by this account; return its id.

    Raises Invalid for an unknown mode or a setting the workshop rules refuse.
    """
    if mode not in MODES:
        raise Invalid(_("Import as a template or as an archive."))
    w = data["workshop"]
    method = w["method"]
    settings = workshops.WorkshopSettings(
        title=w["title"],
        question=w["question"],
        description=w["description"],
        dots_per_room=method["dots_per_room"],
        max_dots_per_idea=method["max_dots_per_idea"],
        assignment=method["assignment"],
        stakeholder_roles=w["stakeholder_roles"],
        premoderation=method["premoderation"],
        voting_mode=method["voting_mode"],
        criteria=method["criteria"],
        participants_cluster=method["participants_cluster"],
        # A language this server does not offer: the importer's own.
        language=data.get("language", "")
        if data.get("language") in current_app.config["LANGUAGES"]
        else "",
        schedule=workshops.Schedule(
            _time(w["starts_at"]), _time(w["ends_at"]), w["time_zones"], w["organizers"]
        ),
    ).checked()

    def work(change: Change) -> dict:
        code = workshops.new_join_code()
        while db.session.scalar(db.select(Workshop.id).where(Workshop.join_code == code)):
            code = workshops.new_join_code()
        workshop = Workshop(join_code=code, **settings.columns())
        db.session.add(workshop)
        db.session.flush()
        db.session.add(Membership(user_id=user_id, workshop_id=workshop.id, role="owner"))
        plenary = Room(
            workshop_id=workshop.id, kind="plenary", name=_("Plenary"), position=0, phase="lobby"
        )
        db.session.add(plenary)
        position = {room["id"]: n for n, room in enumerate(data["rooms"], start=1)}
        rooms: dict[int, Room] = {}
        for room in sorted(data["rooms"], key=lambda r: r["id"]):
            rooms[room["id"]] = Room(
                workshop_id=workshop.id,
                kind="breakout",
                name=room["name"],
                topic=room["topic"],
                position=position[room["id"]],
                phase=room["phase"] if mode == "archive" else "propose",
                removed=room["removed"] if mode == "archive" else False,
            )
        db.session.add_all(list(rooms.values()))
        tags: dict[int, Tag] = {}
        order: dict[str, int] = {}
        place = {}
        for tag in data["tags"]:
            place[tag["id"]] = order[tag["kind"]] = order.get(tag["kind"], -1) + 1
        for tag in sorted(data["tags"], key=lambda t: t["id"]):
            tags[tag["id"]] = Tag(
                workshop_id=workshop.id,
                kind=tag["kind"],
                key=tag["key"],
                label=tag["label"],
                position=place[tag["id"]],
                removed=tag["removed"],
            )
        db.session.add_all(list(tags.values()))
        db.session.flush()
        if mode == "archive":
            _restore(change, data, workshop, plenary, rooms, tags)
        return {"workshop_id": workshop.id}

    return perform(f"user:{user_id}", None, work)["workshop_id"]


def _restore(
    change: Change,
    data: dict[str, Any],
    workshop: Workshop,
    plenary: Room,
    rooms: dict[int, Room],
    tags: dict[int, Tag],
) -> None:
    """Add the people, themes, ideas, ballots, pathways and cross-room themes."""
    session = db.session
    names: dict[str, str] = {}
    for idea in data["ideas"]:
        if idea["author"]:
            names.setdefault(idea["author_key"], idea["author"])
    for pathway in data["pathways"]:
        for comment in pathway["comments"]:
            if comment["author"]:
                names.setdefault(comment["author_key"], comment["author"])
    people: dict[str, Participant] = {}
    for person in data["people"]:
        people[person["key"]] = Participant(
            workshop_id=workshop.id,
            device_token=f"import:{uuid.uuid4()}",
            display_name=names.get(person["key"]),
            role=person["role"],
            on_paper=person["paper"],
            room_id=plenary.id,
        )
    session.add_all(list(people.values()))  # in key order: p1 first
    session.flush()
    change.count_heads(plenary, len(people))
    locked = change.lock_rooms([room.id for room in rooms.values()])
    for person in data["people"]:
        for room_id in person["rooms"]:
            change.record(
                locked[rooms[room_id].id], "member_joined", *member_event(people[person["key"]])
            )

    themes: dict[int, Theme] = {}
    all_themes = sorted(
        (t for room in data["rooms"] for t in room["themes"]), key=lambda t: t["id"]
    )
    for theme in all_themes:
        themes[theme["id"]] = Theme(
            room_id=rooms[theme["room_id"]].id, name=theme["name"], description=theme["description"]
        )
    session.add_all(list(themes.values()))
    session.flush()
    session.add_all(
        ThemeTag(theme_id=themes[t["id"]].id, tag_id=tags[tag_id].id)
        for t in all_themes
        for tag_id in t["tag_ids"]
    )

    ideas: dict[int, Idea] = {}
    for idea in data["ideas"]:
        created = _time(idea["created_at"])
        ideas[idea["id"]] = Idea(
            room_id=rooms[idea["room_id"]].id,
            author_id=people[idea["author_key"]].id,
            text=idea["text"],
            details=idea["details"],
            status="visible",
            theme_id=None if idea["theme_id"] is None else themes[idea["theme_id"]].id,
            created_at=created,
            updated_at=created,
        )
    session.add_all(list(ideas.values()))
    session.flush()
    session.add_all(
        IdeaTag(idea_id=ideas[i["id"]].id, tag_id=tags[tag_id].id)
        for i in data["ideas"]
        for tag_id in i["tag_ids"]
    )
    kind = data["workshop"]["method"]["voting_mode"]
    if data["ballots"]:  # one INSERT for every ballot
        session.execute(
            db.insert(Vote),
            [
                {
                    "participant_id": people[b["person"]].id,
                    "idea_id": ideas[b["idea_id"]].id,
                    "room_id": ideas[b["idea_id"]].room_id,
                    "kind": kind,
                    "criterion": b["criterion"],
                    "value": b["value"],
                }
                for b in data["ballots"]
            ],
        )
        imported = sorted({room.id for room in rooms.values()})
        results.count_votes(Vote.room_id.in_(imported), 1)

    for p in sorted(data["pathways"], key=lambda p: p["id"]):
        pathway = Pathway(
            room_id=rooms[p["room_id"]].id,
            theme_id=None if p["theme_id"] is None else themes[p["theme_id"]].id,
            title=p["title"],
            challenge=p["challenge"],
            vision=p["vision"],
            steps=p["steps"],
            field_versions={},
            created_at=_time(p["created_at"]),
            updated_at=_time(p["created_at"]),
        )
        session.add(pathway)
        session.flush()
        session.add_all(
            PathwayIdea(pathway_id=pathway.id, idea_id=ideas[i].id) for i in p["idea_ids"]
        )
        session.add_all(PathwayTag(pathway_id=pathway.id, tag_id=tags[t].id) for t in p["tag_ids"])
        session.add_all(
            PathwayEndorsement(pathway_id=pathway.id, participant_id=people[key].id)
            for key in p["endorsed_by"]
        )
        for comment in sorted(p["comments"], key=lambda c: c["id"]):
            session.add(
                PathwayComment(
                    pathway_id=pathway.id,
                    author_id=people[comment["author_key"]].id,
                    text=comment["text"],
                    created_at=_time(comment["created_at"]),
                )
            )
            session.flush()

    for cross in sorted(data["cross_themes"], key=lambda c: c["id"]):
        made = CrossTheme(
            workshop_id=workshop.id, name=cross["name"], description=cross["description"]
        )
        session.add(made)
        session.flush()
        session.add_all(
            CrossThemeMember(theme_id=themes[t["theme_id"]].id, cross_theme_id=made.id)
            for t in cross["themes"]
        )
    session.flush()
