"""The read side: what a participant or a moderator sees, as plain data."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from cocreate.extensions import db
from cocreate.models import (
    STANCES,
    Idea,
    Participant,
    Pathway,
    PathwayEndorsement,
    Room,
    RoomEvent,
    Theme,
    Vote,
    Workshop,
)
from cocreate.models._time import utcnow
from cocreate.services import access, cross_themes, pathway_views, results, theme_views
from cocreate.services.tagviews import TAG_VIEWS, idea_tag_ids, tag_views, workshop_tags
from cocreate.services.unit import read_together, run

#: A room as _ROOMS_AT_A_GLANCE reads it: a named tuple of its columns (and what it
#: holds), which the views read by name as they read a Room.
GlancedRoom = Any


def idea_view(
    idea: Idea, author: Participant, tally: dict | None, tag_ids: list[int] | None = None
) -> dict[str, Any]:
    """Describe an idea as every member of its room may see it (the author's name, never
    their id; whether it came from paper) with its tally (None while results are hidden;
    see cocreate.services.results) and its active tags (read when not given)."""
    return {
        "id": idea.id,
        "room_id": idea.room_id,
        "text": idea.text,
        "details": idea.details,
        "author": author.display_name,
        "on_paper": author.on_paper,
        "tally": tally,
        "edited": idea.updated_at > idea.created_at,
        "status": idea.status,
        "theme_id": idea.theme_id,
        "tag_ids": idea_tag_ids([idea.id])[idea.id] if tag_ids is None else tag_ids,
    }


def member_view(participant: Participant) -> dict[str, Any]:
    """Describe a participant as a room's member list shows them."""
    return {
        "id": participant.id,
        "name": participant.display_name,
        "on_paper": participant.on_paper,
    }


def member_for_moderators(participant: Participant) -> dict[str, Any]:
    """A member as moderators see them: with the stakeholder role they declared."""
    return {**member_view(participant), "role": participant.role}


def member_event(participant: Participant) -> tuple[dict, dict]:
    """The data of a member event for participants, and for moderators (with the role)."""
    return {"member": member_view(participant)}, {"member": member_for_moderators(participant)}


def room_view(room: Room | GlancedRoom, member_count: int) -> dict[str, Any]:
    """Describe a room for lists and headings."""
    return {
        "id": room.id,
        "kind": room.kind,
        "name": room.name,
        "topic": room.topic,
        "members": member_count,
        "phase": room.phase,
        "locked": room.locked,
    }


def timer_view(room: Room | GlancedRoom) -> dict[str, Any] | None:
    """The room's countdown as clients see it (None when there is none)."""
    if room.timer_ends_at is None:
        return None
    return {"ends_at": room.timer_ends_at.isoformat(), "next_phase": room.timer_next_phase}


def room_state(
    room: Room | GlancedRoom, member_count: int, facilitator: Participant | None
) -> dict[str, Any]:
    """A room as its members and moderators follow it: sequence number, timer, notice."""
    return {
        **room_view(room, member_count),
        "seq": room.last_seq,
        "timer": timer_view(room),
        "notice": room.notice,
        "results_hidden": room.results_hidden,
        "facilitator": member_view(facilitator) if facilitator else None,
    }


def server_time() -> str:
    """Now, as the server knows it: clients count down timers against this clock."""
    return utcnow().isoformat()


def breakouts_held(workshop_id: int) -> bool:
    """Whether the breakouts have happened: a breakout room holds an idea (of any status).
    Back in the plenary after them, phones show the outcome (docs/protocol.md, "Outcome")."""
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists()
                .where(Idea.room_id == Room.id)
                .where(Room.workshop_id == workshop_id, Room.kind == "breakout")
            )
        )
    )


def workshop_view(
    workshop: Workshop, held: bool | None = None, tags: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Describe a workshop's question and rules (`held`: breakouts_held, and `tags`:
    workshop_tags, when the caller read them already)."""
    return {
        "id": workshop.id,
        "title": workshop.title,
        "question": workshop.question,
        "description": workshop.description,
        "code": workshop.join_code,
        "dots_per_room": workshop.dots_per_room,
        "max_dots_per_idea": workshop.max_dots_per_idea,
        "assignment": workshop.assignment,
        "breakouts_open": workshop.breakouts_open,
        "breakouts_held": breakouts_held(workshop.id) if held is None else held,
        "stakeholder_roles": workshop.stakeholder_roles,
        "premoderation": workshop.premoderation,
        "voting_mode": workshop.voting_mode,
        "criteria": workshop.criteria,
        "participants_cluster": workshop.participants_cluster,
        "tags": workshop_tags(workshop.id) if tags is None else tags,
    }


def idea_with_tally(idea: Idea, author: Participant, *, hidden: bool = False) -> dict[str, Any]:
    """One idea's view with its current tally (None when hidden), for its room."""
    if hidden:
        return idea_view(idea, author, None)
    workshop = db.session.get(Room, idea.room_id).workshop
    return idea_view(idea, author, results.tallies(workshop, [idea.id])[idea.id])


def idea_for_moderators(idea: Idea, author: Participant) -> dict[str, Any]:
    """One idea as moderators see it: always with its tally, support by role and the
    votes from paper (cocreate.services.results.support)."""
    workshop = db.session.get(Room, idea.room_id).workshop
    return {**idea_view(idea, author, None), **results.support(workshop, [idea.id])[idea.id]}


def member_counts(workshop_id: int) -> Counter:
    """Return how many participants each room of a workshop holds, by room id (each
    room's `head_count`; rooms locked by the current action as it left them)."""
    rooms = db.session.scalars(sa.select(Room).where(Room.workshop_id == workshop_id))
    return Counter({room.id: room.head_count for room in rooms})


def _ideas_in(
    workshop: Workshop,
    room_ids: list[int],
    *,
    hidden: bool = False,
    statuses: tuple[str, ...] = ("visible",),
) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Idea, Participant)
        .join(Participant, Participant.id == Idea.author_id)
        .where(Idea.room_id.in_(room_ids), Idea.status.in_(statuses))
        .order_by(Idea.id)
    ).all()
    counted = {} if hidden else results.tallies(workshop, [idea.id for idea, _a in rows])
    tagged = idea_tag_ids([idea.id for idea, _a in rows])
    return [idea_view(idea, author, counted.get(idea.id), tagged[idea.id]) for idea, author in rows]


# Each room of a workshop (its columns, head count included) and what it holds: ideas (of
# any status: breakouts_held), themes, pathways, people on paper. A phone's snapshot reads
# the rooms in this one statement and skips the queries for what its room does not hold:
# in a join storm the rooms are empty, and each statement of a join counts. Plain rows,
# not Rooms: the snapshot reads them together with others (`read_together`), and ten
# rooms as ORM objects cost a join more than the statement.
_HOLDINGS = ("ideas", "themes", "pathways", "on_paper")
_ROOMS_AT_A_GLANCE = (
    sa.select(
        *Room.__table__.columns,
        sa.exists().where(Idea.room_id == Room.id).label("ideas"),
        sa.exists().where(Theme.room_id == Room.id).label("themes"),
        sa.exists().where(Pathway.room_id == Room.id).label("pathways"),
        sa.exists()
        .where(
            Participant.room_id == Room.id,
            Participant.on_paper.is_(True),
            Participant.removed.is_(False),
        )
        .label("on_paper"),
    )
    .where(Room.workshop_id == sa.bindparam("workshop"))
    .order_by(Room.position, Room.id)
)


@dataclass
class _Glance:
    """A workshop's rooms at a glance (see _ROOMS_AT_A_GLANCE)."""

    rooms: list[GlancedRoom]  # those not removed, in order
    by_id: dict[int, GlancedRoom]  # every room, removed ones too
    held: bool  # breakouts_held
    holds: dict[int, set[str]]  # what each room holds, of _HOLDINGS


def _glance_of(rows: list[GlancedRoom]) -> _Glance:
    """A workshop's rooms at a glance, from the rows of _ROOMS_AT_A_GLANCE."""
    holds = {room.id: {what for what in _HOLDINGS if getattr(room, what)} for room in rows}
    return _Glance(
        rooms=[room for room in rows if not room.removed],
        by_id={room.id: room for room in rows},
        held=any("ideas" in holds[room.id] for room in rows if room.kind == "breakout"),
        holds=holds,
    )


def _open_rooms(workshop: Workshop) -> list[Room]:
    return [room for room in workshop.rooms if not room.removed]


# A participant's own standing in a room in one statement: their votes of the workshop's
# mode (idea, criterion, value), their visible ideas, the pathways they endorse and the
# room's facilitator; the first column names the kind of each row. Every snapshot and
# every resync reads it, so it is one round trip, not four.
_NONE = sa.cast(sa.null(), sa.Integer)
_MINE = sa.union_all(
    sa.select(
        sa.literal("vote").label("kind"), Vote.idea_id.label("id"), Vote.criterion, Vote.value
    ).where(
        Vote.participant_id == sa.bindparam("me"),
        Vote.room_id == sa.bindparam("room"),
        Vote.kind == sa.bindparam("mode"),
    ),
    sa.select(sa.literal("idea"), Idea.id, _NONE, _NONE).where(
        Idea.author_id == sa.bindparam("me"),
        Idea.room_id == sa.bindparam("room"),
        Idea.status == "visible",
    ),
    sa.select(sa.literal("endorsed"), PathwayEndorsement.pathway_id, _NONE, _NONE)
    .join(Pathway, Pathway.id == PathwayEndorsement.pathway_id)
    .where(
        PathwayEndorsement.participant_id == sa.bindparam("me"),
        Pathway.room_id == sa.bindparam("room"),
        Pathway.removed.is_(False),
    ),
    sa.select(sa.literal("facilitator"), Room.facilitator_id, _NONE, _NONE).where(
        Room.id == sa.bindparam("room")
    ),
)


def _my_votes(workshop: Workshop, rows: list[tuple[int, int, int]]) -> dict[str, Any]:
    """One participant's votes (idea, criterion, value rows) by idea id, as a string: dots
    as a number, an opinion as "agree" / "disagree" / "pass", scores as a list by
    criterion (None for a criterion not scored)."""
    stances = {value: word for word, value in STANCES.items()}
    votes: dict[str, Any] = {}
    for idea_id, criterion, value in rows:
        if workshop.voting_mode == "agree":
            votes[str(idea_id)] = stances[value]
        elif workshop.voting_mode == "scores":
            scores = votes.setdefault(str(idea_id), [None] * len(workshop.criteria))
            if criterion < len(scores):
                scores[criterion] = value
        else:
            votes[str(idea_id)] = value
    return votes


def own_pending_ideas(me: Participant) -> list[dict[str, Any]]:
    """The participant's own ideas that wait for a moderator's approval (only they see them)."""
    rows = db.session.scalars(
        sa.select(Idea)
        .where(Idea.author_id == me.id, Idea.room_id == me.room_id, Idea.status == "pending")
        .order_by(Idea.id)
    )
    return [idea_view(idea, me, None) for idea in rows]


def my_state(me: Participant, mine: list[tuple] | None = None) -> dict[str, Any]:
    """A participant's own standing in their room: name, votes, dots left (dots mode;
    None otherwise), own ideas, the pathways they endorse (`mine`: the rows of _MINE,
    when the caller read them already)."""
    workshop = db.session.get(Workshop, me.workshop_id)
    rows: dict[str, list] = {"vote": [], "idea": [], "endorsed": [], "facilitator": []}
    if mine is None:
        mine = db.session.execute(_MINE, _mine_of(me, workshop)).all()
    for kind, *row in mine:
        rows[kind].append(row)
    votes = _my_votes(workshop, rows["vote"])
    return {
        "id": me.id,
        "name": me.display_name,
        "room_id": me.room_id,
        "votes": votes,
        "dots_left": workshop.dots_per_room - sum(votes.values())
        if workshop.voting_mode == "dots"
        else None,
        "ideas": sorted(idea_id for idea_id, _c, _v in rows["idea"]),
        "facilitates": any(person == me.id for person, _c, _v in rows["facilitator"]),
        "endorsed_pathways": sorted(pathway_id for pathway_id, _c, _v in rows["endorsed"]),
    }


def _mine_of(me: Participant, workshop: Workshop) -> dict[str, Any]:
    """The parameters of _MINE for a participant."""
    return {"me": me.id, "room": me.room_id, "mode": workshop.voting_mode}


def participant_snapshot(participant_id: int | None) -> dict[str, Any]:
    """Everything a participant's screen needs, as of the room's latest event.

    Raises NotAllowed when the participant does not exist.
    """
    me = access.participant(participant_id, with_workshop=True)
    workshop = db.session.get(Workshop, me.workshop_id)  # came with `me`: no statement
    # What every snapshot shows, in one round trip on PostgreSQL: a join storm's phones
    # each take a first snapshot, and a restart's all take one at once.
    rooms, tags, mine = read_together(
        [
            (_ROOMS_AT_A_GLANCE, {"workshop": workshop.id}),
            (TAG_VIEWS, {"workshop": workshop.id}),
            (_MINE, _mine_of(me, workshop)),
        ]
    )
    glance = _glance_of(rooms)
    room = glance.by_id[me.room_id]
    holds = glance.holds[room.id]
    if room.kind == "plenary":  # the lobby shows no ideas, themes or pathways, whatever it holds
        holds = holds & {"on_paper"}
    # What a phone shows of the people in its room: how many (room.members), and by name
    # only those on paper (the facilitator's scribe picks them) -- never every member's
    # row, which made a storm of joins into a 1,000-person lobby cost O(N²).
    on_paper = (
        db.session.scalars(
            sa.select(Participant)
            .where(
                Participant.room_id == room.id,
                Participant.removed.is_(False),
                Participant.on_paper.is_(True),
            )
            .order_by(Participant.id)
        ).all()
        if "on_paper" in holds
        else []
    )
    facilitator = db.session.get(Participant, room.facilitator_id) if room.facilitator_id else None
    return {
        "workshop": workshop_view(workshop, glance.held, tag_views(tags)),
        "rooms": [room_view(r, r.head_count) for r in glance.rooms],
        "room": room_state(room, room.head_count, facilitator),
        "members": [member_view(m) for m in on_paper],
        "ideas": _ideas_in(workshop, [room.id], hidden=room.results_hidden) + own_pending_ideas(me)
        if "ideas" in holds
        else [],
        "themes": theme_views.themes_in([room.id]) if "themes" in holds else [],
        "pathways": pathway_views.pathways_in(workshop, [room.id]) if "pathways" in holds else [],
        "me": my_state(me, mine),
        "now": server_time(),
    }


def participation(user_id: int, workshop_id: int) -> list[dict[str, Any]]:
    """How many took part, posted and voted, per room and stakeholder role; never who.

    Who took part in a room, as in the synthesis: those in it now, those who joined it
    (its log) and those who posted or voted in it -- so a room keeps its figures after
    the breakouts close and everyone is back in the plenary.
    Raises NotFound unless the account runs the workshop.
    """
    workshop = access.workshop_for_moderator(user_id, workshop_id)
    roles = dict(
        db.session.execute(
            sa.select(Participant.id, Participant.role).where(
                Participant.workshop_id == workshop_id, Participant.removed.is_(False)
            )
        ).all()
    )
    rows = []
    for room in _open_rooms(workshop):
        posted = set(
            db.session.scalars(
                sa.select(Idea.author_id).where(Idea.room_id == room.id, Idea.status == "visible")
            )
        )
        voted = set(
            db.session.scalars(sa.select(Vote.participant_id).where(Vote.room_id == room.id))
        )
        joined = {
            ((data or {}).get("member") or {}).get("id")
            for data in db.session.scalars(
                sa.select(RoomEvent.data).where(
                    RoomEvent.room_id == room.id, RoomEvent.type == "member_joined"
                )
            )
        }
        here = set(
            db.session.scalars(sa.select(Participant.id).where(Participant.room_id == room.id))
        )
        people = [(pid, roles[pid]) for pid in here | joined | posted | voted if pid in roles]
        for role in [*workshop.stakeholder_roles, None]:
            ids = {pid for pid, r in people if r == role}
            if ids or role is not None:
                rows.append(
                    {
                        "room": room.name,
                        "room_kind": room.kind,
                        "role": role,
                        "joined": len(ids),
                        "posted": len(ids & posted),
                        "voted": len(ids & voted),
                    }
                )
    return rows


def last_activity(room_ids: list[int]) -> dict[int, str]:
    """When a participant last did something in each room (ISO time), by room id; rooms
    where nobody did anything yet are left out."""
    rows = db.session.execute(
        sa.select(RoomEvent.room_id, sa.func.max(RoomEvent.created_at))
        .where(
            RoomEvent.room_id.in_(room_ids),
            sa.or_(RoomEvent.actor.like("participant:%"), RoomEvent.actor.like("device:%")),
        )
        .group_by(RoomEvent.room_id)
    )
    return {room_id: at.isoformat() for room_id, at in rows}


def moderator_snapshot(user_id: int, workshop_id: int) -> dict[str, Any]:
    """Every room of a workshop with its members, ideas and sequence number.

    Raises NotFound unless the account runs the workshop.
    """
    workshop = access.workshop_for_moderator(user_id, workshop_id)
    rooms = _open_rooms(workshop)
    people = db.session.scalars(
        sa.select(Participant)
        .where(Participant.workshop_id == workshop.id, Participant.removed.is_(False))
        .order_by(Participant.id)
    ).all()
    # Moderators see hidden ideas too, to restore them; their tallies come with the
    # support below (counted once).
    ideas = _ideas_in(
        workshop,
        [room.id for room in rooms],
        hidden=True,
        statuses=("visible", "pending", "hidden"),
    )
    support = results.support(workshop, [idea["id"] for idea in ideas])
    activity = last_activity([room.id for room in rooms])
    themes = theme_views.themes_in([room.id for room in rooms], moderators=True)
    pathways = pathway_views.pathways_in(workshop, [room.id for room in rooms], moderators=True)
    views = []
    for room in rooms:
        members = [p for p in people if p.room_id == room.id]
        declared = {p.role for p in members if p.role}
        facilitator = next((m for m in members if m.id == room.facilitator_id), None)
        views.append(
            {
                **room_state(room, len(members), facilitator),
                "members_list": [member_for_moderators(p) for p in members],
                "last_activity": activity.get(room.id),
                "ideas": [
                    {
                        **idea,
                        **support[idea["id"]],
                        "all_roles": results.all_roles(
                            workshop, declared, support[idea["id"]]["by_role"]
                        ),
                    }
                    for idea in ideas
                    if idea["room_id"] == room.id
                ],
                "themes": [theme for theme in themes if theme["room_id"] == room.id],
                "pathways": [p for p in pathways if p["room_id"] == room.id],
            }
        )
    return {
        "workshop": workshop_view(workshop),
        "rooms": views,
        "cross_themes": cross_themes.cross_themes_of(workshop.id),
        "now": server_time(),
    }


_events = RoomEvent.__table__
#: A room's events after a sequence number, as plain rows: a resync storm (phones back after
#: a restart or a gap) loaded thousands of ORM events a second.
_EVENTS_SINCE = (
    sa.select(_events.c.seq, _events.c.type, _events.c.data)
    .where(_events.c.room_id == sa.bindparam("room"), _events.c.seq > sa.bindparam("seq"))
    .order_by(_events.c.seq)
)


def events_since(
    room_id: int, seq: int, reader_id: int | None = None
) -> list[dict[str, Any]] | None:
    """Return a room's events after `seq` as the participant `reader_id` may read them
    now (see as_seen_now), or None when a snapshot is the better answer."""
    room = db.session.get(Room, room_id)
    missing = room.last_seq - seq
    if seq < 0 or missing < 0 or missing > current_app.config["SYNC_EVENTS_MAX"]:
        return None
    rows = run(_EVENTS_SINCE, {"room": room_id, "seq": seq})
    messages = [RoomEvent.message(room_id, *row) for row in rows]
    return as_seen_now(room, messages, reader_id)


def as_seen_now(
    room: Room, messages: list[dict[str, Any]], reader_id: int | None
) -> list[dict[str, Any]]:
    """Rewrite logged events (participants' version) to what the reader may see now.

    The log keeps what was sent when it happened, and a replay must not show more than
    a snapshot would: an idea carried by an event (`idea_posted`, `idea_edited`,
    `idea_restored`, `ideas_merged`) shows its current text and details, or, when the
    reader may no longer see it (hidden, withdrawn, merged into another, waiting for
    approval and not theirs), the event becomes `idea_redacted` `{idea_ids}`: take these
    ideas off the screen. While the room's results are hidden, no tally is replayed.

    The stored log is left as it was, on purpose: moderators and the audit log keep the
    history, what a participant may see depends on who they are (a pending idea's author),
    and every moderation action stays one small transaction instead of rewriting old
    events. Live batches need none of this: they were true when sent.
    """
    shown = [m["data"]["idea"]["id"] for m in messages if isinstance(m["data"].get("idea"), dict)]
    shown += [m["data"]["idea_id"] for m in messages if m["type"] == "idea_tagged"]
    ideas = (
        {idea.id: idea for idea in db.session.scalars(sa.select(Idea).where(Idea.id.in_(shown)))}
        if shown
        else {}
    )
    tagged = idea_tag_ids(ideas)
    seen = []
    for message in messages:
        data = message["data"]
        logged = data.get("idea")
        if message["type"] == "idea_tagged":
            idea = ideas.get(data["idea_id"])
            if idea is None or idea.status != "visible":  # only visible ideas are tagged
                redacted = {"idea_ids": [data["idea_id"]]}
                seen.append({**message, "type": "idea_redacted", "data": redacted})
                continue
        if isinstance(logged, dict):
            idea = ideas.get(logged["id"])
            readable = idea is not None and (
                idea.status == "visible"
                or (idea.status == "pending" and idea.author_id == reader_id)
            )
            if not readable:
                gone = [logged["id"], *([data["merged_id"]] if "merged_id" in data else [])]
                seen.append({**message, "type": "idea_redacted", "data": {"idea_ids": gone}})
                continue
            logged = {
                **logged,
                "text": idea.text,
                "details": idea.details,
                "edited": idea.updated_at > idea.created_at,
                "status": idea.status,
                "tag_ids": tagged[idea.id],
            }
            if room.results_hidden:
                logged["tally"] = None
            data = {**data, "idea": logged}
        elif room.results_hidden and message["type"] == "votes_changed":
            data = {**data, "tally": None}
        elif room.results_hidden and message["type"] == "results_revealed":
            data = {**data, "tallies": {key: None for key in data["tallies"]}}
        seen.append({**message, "data": data})
    return pathway_views.as_seen_now(room, theme_views.as_seen_now(seen, reader_id))
