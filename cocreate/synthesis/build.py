"""The synthesis's data: everything the outcome document says, as one plain JSON-able dict.

The only place that reads the database for the synthesis; every renderer reads this
dict alone (STYLE rule 5). The shape is the JSON format, version FORMAT_VERSION,
described key by key in docs/synthesis.md and checked by docs/synthesis.schema.json.

Rules:
- Deterministic: every list sorted by a stable key; the only time-dependent value is
  `generated_at`. The same data gives the same dict.
- Only visible ideas: hidden, pending, withdrawn and merged ideas are in no list and no
  count, and neither are their votes.
- Nobody anonymous is named: a name appears only where its person gave a display name.
  People are otherwise told apart by a key made for this export ("p1", "p2"… in order of
  joining), never by a database id, so the archive can be restored (importer.py) with
  who voted what, without saying who anyone is.
- Tallies are counted by cocreate.services.results (one rule for the console, the
  projector and the synthesis); several ideas' support is their counts added up, as
  results.group_support and static/js/themes.js (themeSupport) do.
- Few queries: one per table, whatever the number of ideas and votes.
"""

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate import collector
from cocreate.extensions import db
from cocreate.models import (
    PHASES,
    CrossTheme,
    CrossThemeMember,
    Idea,
    IdeaTag,
    Participant,
    Pathway,
    PathwayComment,
    PathwayEndorsement,
    PathwayIdea,
    PathwayTag,
    Room,
    RoomEvent,
    Tag,
    Theme,
    ThemeTag,
    Vote,
    Workshop,
)
from cocreate.services import results
from cocreate.services.errors import NotFound

FORMAT = "cocreate-workshop"
FORMAT_VERSION = 1
#: How many of a room's ideas its "top ideas" name, strongest first.
TOP_IDEAS = 5
TAG_KIND_ORDER = ("rights", "groups", "domains")


def iso(moment: datetime | None) -> str | None:
    """An aware time as ISO 8601 in UTC (None stays None)."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def local_times(
    zones: list[str], starts: datetime | None, ends: datetime | None
) -> list[dict[str, Any]]:
    """The start and end in each time zone, as local ISO 8601 times with their offset."""
    times = []
    for zone in zones:
        tz = ZoneInfo(zone)
        times.append(
            {
                "zone": zone,
                "starts": None if starts is None else starts.astimezone(tz).isoformat(),
                "ends": None if ends is None else ends.astimezone(tz).isoformat(),
            }
        )
    return times


def idea_results(workshop: Workshop, count: results._Count) -> dict[str, Any]:
    """An idea's (or a role's) results in the workshop's mode, with how many voted:
    results.tally plus `voters`, and each criterion's name in scores mode."""
    counted = results.tally(workshop, count)
    counted["voters"] = len(count.voters)
    if workshop.voting_mode == "scores":
        counted["criteria"] = [
            {"criterion": name, **entry}
            for name, entry in zip(workshop.criteria, counted["criteria"], strict=True)
        ]
    return counted


def added_support(workshop: Workshop, counts: list[results._Count]) -> dict[str, Any]:
    """Several ideas' support: their votes added up into one tally in the workshop's mode
    (as results.group_support does for pathways and themes.js for themes); `voters`
    counts the distinct people who voted on any of them."""
    merged = results._Count()
    for count in counts:
        for key, n in count.values.items():
            merged.values[key] += n
        merged.voters |= count.voters
    return idea_results(workshop, merged)


def strength(workshop: Workshop, tally: dict[str, Any]) -> tuple:
    """The numbers results rank by, strongest first (static/js/tallies.js rankKey)."""
    if workshop.voting_mode == "agree":
        return (tally["consensus"], tally["agree"])
    if workshop.voting_mode == "scores":
        return (tally["mean"] or 0, tally["voters"])
    return (tally["dots"],)


def _strongest_first(workshop: Workshop, items: list[dict], key: str) -> list[dict]:
    return sorted(
        items, key=lambda item: (tuple(-x for x in strength(workshop, item[key])), item["id"])
    )


def _workshop(workshop: Workshop, rooms: list[Room]) -> dict[str, Any]:
    return {
        "title": workshop.title,
        "question": workshop.question,
        "description": workshop.description or "",
        "starts_at": iso(workshop.starts_at),
        "ends_at": iso(workshop.ends_at),
        "time_zones": list(workshop.time_zones or []),
        "times": local_times(workshop.time_zones or [], workshop.starts_at, workshop.ends_at),
        "organizers": list(workshop.organizers or []),
        "method": {
            "voting_mode": workshop.voting_mode,
            "dots_per_room": workshop.dots_per_room,
            "max_dots_per_idea": workshop.max_dots_per_idea,
            "criteria": list(workshop.criteria or []),
            "premoderation": workshop.premoderation,
            "participants_cluster": workshop.participants_cluster,
            "assignment": workshop.assignment,
            "phases": [phase for phase in PHASES if phase != "lobby"],
        },
        "stakeholder_roles": list(workshop.stakeholder_roles or []),
        "rooms_count": len(rooms),
    }


def build(workshop_id: int, *, generated_at: datetime) -> dict[str, Any]:
    """The synthesis of a workshop as a plain dict (docs/synthesis.md); raises NotFound."""
    # A large workshop's synthesis makes hundreds of thousands of small dicts that all stay
    # alive; full collections walking them again took more than half of the build time
    # (bench/synthesis/run.py). Nothing here makes cycles.
    with collector.held():
        return _build(workshop_id, generated_at)


def _build(workshop_id: int, generated_at: datetime) -> dict[str, Any]:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(_("There is no such workshop."))
    session = db.session
    rooms = session.scalars(
        sa.select(Room)
        .where(Room.workshop_id == workshop_id, Room.kind == "breakout")
        .order_by(Room.position, Room.id)
    ).all()
    room_ids = [room.id for room in rooms]
    room_names = {room.id: room.name for room in rooms}

    # People: keyed p1, p2… in order of joining; names only when given.
    people = session.execute(
        sa.select(Participant.id, Participant.display_name, Participant.role, Participant.on_paper)
        .where(Participant.workshop_id == workshop_id)
        .order_by(Participant.id)
    ).all()
    key_of = {pid: f"p{n}" for n, (pid, *_rest) in enumerate(people, start=1)}
    person = {pid: (name or None, role or None, paper) for pid, name, role, paper in people}

    tags = session.scalars(sa.select(Tag).where(Tag.workshop_id == workshop_id)).all()
    tags = sorted(tags, key=lambda t: (TAG_KIND_ORDER.index(t.kind), t.position, t.id))
    tag_kind = {tag.id: tag.kind for tag in tags}

    ideas = session.execute(
        sa.select(
            Idea.id,
            Idea.room_id,
            Idea.author_id,
            Idea.text,
            Idea.details,
            Idea.theme_id,
            Idea.created_at,
        )
        .where(Idea.room_id.in_(room_ids), Idea.status == "visible")
        .order_by(Idea.id)
    ).all()
    idea_room = {row.id: row.room_id for row in ideas}
    idea_tags: dict[int, list[int]] = defaultdict(list)
    for idea_id, tag_id in session.execute(
        sa.select(IdeaTag.idea_id, IdeaTag.tag_id)
        .join(Idea, Idea.id == IdeaTag.idea_id)
        .where(Idea.room_id.in_(room_ids), Idea.status == "visible")
        .order_by(IdeaTag.idea_id, IdeaTag.tag_id)
    ):
        idea_tags[idea_id].append(tag_id)

    # Every vote of the workshop's mode on a visible idea, once: the tallies and the ballots.
    votes = session.execute(
        sa.select(Vote.idea_id, Vote.participant_id, Vote.criterion, Vote.value)
        .join(Idea, Idea.id == Vote.idea_id)
        .where(
            Vote.room_id.in_(room_ids),
            Idea.status == "visible",
            Vote.kind == workshop.voting_mode,
        )
        .order_by(Vote.idea_id, Vote.participant_id, Vote.criterion)
    ).all()
    counted: dict[int, results.Results] = defaultdict(results.Results)
    ballots = []
    for idea_id, pid, criterion, value in votes:
        _name, role, paper = person[pid]
        entry = counted[idea_id]
        entry.total.add(pid, criterion, value)
        entry.by_role[role or ""].add(pid, criterion, value)
        if paper:
            entry.paper.add(pid, criterion, value)
        ballots.append(
            {"idea_id": idea_id, "person": key_of[pid], "criterion": criterion, "value": value}
        )

    idea_views = []
    idea_result = {}
    for row in ideas:
        entry = counted[row.id]
        name, role, paper = person[row.author_id]
        idea_result[row.id] = idea_results(workshop, entry.total)
        idea_views.append(
            {
                "id": row.id,
                "room_id": row.room_id,
                "text": row.text,
                "details": row.details or "",
                "author": name,
                "author_key": key_of[row.author_id],
                "author_role": role,
                "paper": paper,
                "theme_id": row.theme_id,
                "tag_ids": idea_tags[row.id],
                "results": idea_result[row.id],
                "results_by_role": {
                    r: idea_results(workshop, c) for r, c in sorted(entry.by_role.items())
                },
                "paper_votes": results.paper_votes(workshop, entry.paper),
                "created_at": iso(row.created_at),
            }
        )

    # Themes (visible ideas only), with their tags and support.
    themes = session.scalars(
        sa.select(Theme).where(Theme.room_id.in_(room_ids)).order_by(Theme.id)
    ).all()
    theme_ideas: dict[int, list[int]] = defaultdict(list)
    for row in ideas:
        if row.theme_id is not None:
            theme_ideas[row.theme_id].append(row.id)
    theme_tags: dict[int, list[int]] = defaultdict(list)
    for theme_id, tag_id in session.execute(
        sa.select(ThemeTag.theme_id, ThemeTag.tag_id)
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(Theme.room_id.in_(room_ids))
        .order_by(ThemeTag.theme_id, ThemeTag.tag_id)
    ):
        theme_tags[theme_id].append(tag_id)
    crosses = session.scalars(
        sa.select(CrossTheme).where(CrossTheme.workshop_id == workshop_id).order_by(CrossTheme.id)
    ).all()
    cross_of = dict(
        session.execute(
            sa.select(CrossThemeMember.theme_id, CrossThemeMember.cross_theme_id).where(
                CrossThemeMember.cross_theme_id.in_([c.id for c in crosses])
            )
        ).all()
    )
    theme_views = {}
    for theme in themes:
        members = theme_ideas[theme.id]
        theme_views[theme.id] = {
            "id": theme.id,
            "room_id": theme.room_id,
            "name": theme.name,
            "description": theme.description or "",
            "idea_ids": members,
            "tag_ids": theme_tags[theme.id],
            "cross_theme_id": cross_of.get(theme.id),
            "support": added_support(workshop, [counted[i].total for i in members]),
        }

    # Pathways (not removed), strongest support first.
    pathways = session.scalars(
        sa.select(Pathway)
        .where(Pathway.room_id.in_(room_ids), Pathway.removed.is_(False))
        .order_by(Pathway.id)
    ).all()
    pathway_ids = [p.id for p in pathways]
    pathway_ideas: dict[int, list[int]] = defaultdict(list)
    for pathway_id, idea_id in session.execute(
        sa.select(PathwayIdea.pathway_id, PathwayIdea.idea_id)
        .where(PathwayIdea.pathway_id.in_(pathway_ids))
        .order_by(PathwayIdea.pathway_id, PathwayIdea.idea_id)
    ):
        if idea_id in idea_room:
            pathway_ideas[pathway_id].append(idea_id)
    pathway_tags: dict[int, list[int]] = defaultdict(list)
    for pathway_id, tag_id in session.execute(
        sa.select(PathwayTag.pathway_id, PathwayTag.tag_id)
        .where(PathwayTag.pathway_id.in_(pathway_ids))
        .order_by(PathwayTag.pathway_id, PathwayTag.tag_id)
    ):
        pathway_tags[pathway_id].append(tag_id)
    endorsed_by: dict[int, list[str]] = defaultdict(list)
    for pathway_id, pid in session.execute(
        sa.select(PathwayEndorsement.pathway_id, PathwayEndorsement.participant_id)
        .where(PathwayEndorsement.pathway_id.in_(pathway_ids))
        .order_by(PathwayEndorsement.pathway_id, PathwayEndorsement.participant_id)
    ):
        endorsed_by[pathway_id].append(key_of[pid])
    comments: dict[int, list[dict]] = defaultdict(list)
    for comment in session.scalars(
        sa.select(PathwayComment)
        .where(PathwayComment.pathway_id.in_(pathway_ids), PathwayComment.hidden.is_(False))
        .order_by(PathwayComment.id)
    ):
        comments[comment.pathway_id].append(
            {
                "id": comment.id,
                "text": comment.text,
                "author": person[comment.author_id][0],
                "author_key": key_of[comment.author_id],
                "created_at": iso(comment.created_at),
            }
        )
    pathway_views = [
        {
            "id": p.id,
            "room_id": p.room_id,
            "room": room_names[p.room_id],
            "theme_id": p.theme_id,
            "title": p.title,
            "challenge": p.challenge or "",
            "vision": p.vision or "",
            "steps": [
                {
                    key: str(step.get(key) or "")
                    for key in ("action", "actor", "horizon", "indicator")
                }
                for step in (p.steps or [])
            ],
            "tag_ids": pathway_tags[p.id],
            "idea_ids": pathway_ideas[p.id],
            "support": added_support(workshop, [counted[i].total for i in pathway_ideas[p.id]]),
            "endorsements": len(endorsed_by[p.id]),
            "endorsed_by": endorsed_by[p.id],
            "comments": comments[p.id],
            "created_at": iso(p.created_at),
        }
        for p in pathways
    ]

    # Cross-room themes: their room themes and the support of all their ideas.
    cross_views = []
    for cross in crosses:
        member_ids = sorted(t for t, c in cross_of.items() if c == cross.id)
        member_ideas = [i for t in member_ids for i in theme_ideas[t]]
        cross_views.append(
            {
                "id": cross.id,
                "name": cross.name,
                "description": cross.description or "",
                "themes": [
                    {
                        "theme_id": t,
                        "room_id": theme_views[t]["room_id"],
                        "room": room_names[theme_views[t]["room_id"]],
                        "name": theme_views[t]["name"],
                    }
                    for t in member_ids
                    if t in theme_views
                ],
                "support": added_support(workshop, [counted[i].total for i in member_ideas]),
            }
        )

    # Who was in each room: those who joined it (its log), posted a visible idea or voted.
    present: dict[int, set[int]] = defaultdict(set)
    for room_id, data in session.execute(
        sa.select(RoomEvent.room_id, RoomEvent.data).where(
            RoomEvent.room_id.in_(room_ids), RoomEvent.type == "member_joined"
        )
    ):
        member = (data or {}).get("member") or {}
        if member.get("id") in person:
            present[room_id].add(member["id"])
    voters_in: dict[int, set[int]] = defaultdict(set)
    for idea_id, pid, _criterion, _value in votes:
        voters_in[idea_room[idea_id]].add(pid)
    ideas_in: dict[int, int] = defaultdict(int)
    for row in ideas:
        present[row.room_id].add(row.author_id)
        ideas_in[row.room_id] += 1
    for room_id, voters in voters_in.items():
        present[room_id] |= voters
    all_voters = {pid for _i, pid, _c, _v in votes}

    def _paper(pids: set[int]) -> int:
        return sum(1 for pid in pids if person[pid][2])

    by_role: dict[str | None, dict[str, int]] = {}
    for pid, (_name, role, paper) in person.items():
        entry = by_role.setdefault(role, {"people": 0, "paper": 0, "voters": 0})
        entry["people"] += 1
        entry["paper"] += int(paper)
        entry["voters"] += int(pid in all_voters)
    roles_order = list(workshop.stakeholder_roles or [])
    participation = {
        "people": len(person),
        "paper": _paper(set(person)),
        "voters": len(all_voters),
        "ideas": len(ideas),
        "votes": len(votes),
        "by_room": [
            {
                "room_id": room.id,
                "name": room.name,
                "people": len(present[room.id]),
                "paper": _paper(present[room.id]),
                "voters": len(voters_in[room.id]),
                "ideas": ideas_in[room.id],
            }
            for room in rooms
        ],
        "by_role": [
            {"role": role, **counts}
            for role, counts in sorted(
                by_role.items(),
                key=lambda item: (
                    item[0] is None,
                    roles_order.index(item[0]) if item[0] in roles_order else len(roles_order),
                    item[0] or "",
                ),
            )
        ],
    }

    room_views = []
    for room in rooms:
        mine = [view for view in idea_views if view["room_id"] == room.id]
        ranked = _strongest_first(workshop, mine, "results")
        room_themes = [view for view in theme_views.values() if view["room_id"] == room.id]
        room_views.append(
            {
                "id": room.id,
                "name": room.name,
                "topic": room.topic or "",
                "phase": room.phase,
                "removed": room.removed,
                "people": len(present[room.id]),
                "voters": len(voters_in[room.id]),
                "ideas": ideas_in[room.id],
                "themes": _strongest_first(workshop, room_themes, "support"),
                "top_ideas": [view["id"] for view in ranked[:TOP_IDEAS]],
            }
        )

    people_views = []
    for pid, (_name, role, paper) in person.items():
        rooms_of = sorted(r for r in room_ids if pid in present[r])
        people_views.append({"key": key_of[pid], "role": role, "paper": paper, "rooms": rooms_of})

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": iso(generated_at),
        # The documents' headings and labels are in it (cocreate.synthesis.formats).
        "language": workshop.language,
        "workshop": _workshop(workshop, rooms),
        "tags": [
            {"id": t.id, "kind": t.kind, "key": t.key, "label": t.label, "removed": t.removed}
            for t in tags
        ],
        "participation": participation,
        "pathways": _strongest_first(workshop, pathway_views, "support"),
        "cross_themes": _strongest_first(workshop, cross_views, "support"),
        "rooms": room_views,
        "ideas": idea_views,
        "coverage": coverage(tags, tag_kind, idea_tags, pathway_tags),
        "people": people_views,
        "ballots": ballots,
    }


def _matrix(
    rows: list[int], columns: list[int], tagged: list[set[int]], tagged_pathways: list[set[int]]
) -> dict[str, Any]:
    row_at = {tag_id: n for n, tag_id in enumerate(rows)}
    column_at = {tag_id: n for n, tag_id in enumerate(columns)}
    cells = [[{"ideas": 0, "pathways": 0} for _c in columns] for _r in rows]
    for what, sets in (("ideas", tagged), ("pathways", tagged_pathways)):
        for tag_ids in sets:
            for r in [row_at[t] for t in tag_ids if t in row_at]:
                for c in [column_at[t] for t in tag_ids if t in column_at]:
                    cells[r][c][what] += 1
    return {"rows": rows, "columns": columns, "cells": cells}


def coverage(
    tags: list[Tag],
    tag_kind: dict[int, str],
    idea_tags: dict[int, list[int]],
    pathway_tags: dict[int, list[int]],
) -> dict[str, Any]:
    """The intersectional coverage matrices (rights x groups, domains x groups): how many
    visible ideas and pathways carry both tags of each cell, and the gaps: the groups
    whose rights (or domains) no idea and no pathway addressed."""
    active = {
        kind: [t.id for t in tags if t.kind == kind and not t.removed] for kind in TAG_KIND_ORDER
    }
    idea_sets = [set(ids) for ids in idea_tags.values()]
    pathway_sets = [set(ids) for ids in pathway_tags.values()]
    found: dict[str, Any] = {}
    gaps = []
    for kind in ("rights", "domains"):
        matrix = _matrix(active[kind], active["groups"], idea_sets, pathway_sets)
        found[f"{kind}_groups"] = matrix
        for c, group in enumerate(active["groups"]):
            if not any(row[c]["ideas"] or row[c]["pathways"] for row in matrix["cells"]):
                note = (
                    _("No idea or pathway tagged with this group names one of its rights.")
                    if kind == "rights"
                    else _("No idea or pathway tagged with this group names a policy domain.")
                )
                gaps.append({"group": group, "kind": kind, "note": note})
    found["gaps"] = gaps
    return found
