"""The read side: what a participant or a moderator sees, as plain data."""

from collections import Counter
from typing import Any

import sqlalchemy as sa
from flask import current_app

from cocreate.extensions import db
from cocreate.models import Idea, Participant, Room, RoomEvent, Vote, Workshop
from cocreate.models._time import utcnow
from cocreate.services import access


def idea_view(idea: Idea, author: Participant, *, hidden: bool = False) -> dict[str, Any]:
    """Describe an idea as every member of its room may see it (the author's name, never
    their id; whether it came from paper). With hidden=True its total is None."""
    return {
        "id": idea.id,
        "room_id": idea.room_id,
        "text": idea.text,
        "details": idea.details,
        "author": author.display_name,
        "on_paper": author.on_paper,
        "dots": None if hidden else idea.dots,
        "edited": idea.updated_at > idea.created_at,
        "status": idea.status,
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


def room_view(room: Room, member_count: int) -> dict[str, Any]:
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


def timer_view(room: Room) -> dict[str, Any] | None:
    """The room's countdown as clients see it (None when there is none)."""
    if room.timer_ends_at is None:
        return None
    return {"ends_at": room.timer_ends_at.isoformat(), "next_phase": room.timer_next_phase}


def room_state(room: Room, members: list[Participant]) -> dict[str, Any]:
    """A room as its members and moderators follow it: sequence number, timer, notice."""
    facilitator = next((m for m in members if m.id == room.facilitator_id), None)
    return {
        **room_view(room, len(members)),
        "seq": room.last_seq,
        "timer": timer_view(room),
        "notice": room.notice,
        "results_hidden": room.results_hidden,
        "facilitator": member_view(facilitator) if facilitator else None,
    }


def server_time() -> str:
    """Now, as the server knows it: clients count down timers against this clock."""
    return utcnow().isoformat()


def workshop_view(workshop: Workshop) -> dict[str, Any]:
    """Describe a workshop's question and rules."""
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
        "stakeholder_roles": workshop.stakeholder_roles,
        "premoderation": workshop.premoderation,
    }


def member_counts(workshop_id: int) -> Counter:
    """Return how many participants each room of a workshop holds, by room id."""
    rows = db.session.execute(
        sa.select(Participant.room_id, sa.func.count())
        .where(Participant.workshop_id == workshop_id, Participant.removed.is_(False))
        .group_by(Participant.room_id)
    )
    return Counter(dict(rows.all()))


def _ideas_in(
    room_ids: list[int], *, hidden: bool = False, statuses: tuple[str, ...] = ("visible",)
) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Idea, Participant)
        .join(Participant, Participant.id == Idea.author_id)
        .where(Idea.room_id.in_(room_ids), Idea.status.in_(statuses))
        .order_by(Idea.id)
    )
    return [idea_view(idea, author, hidden=hidden) for idea, author in rows]


def _open_rooms(workshop: Workshop) -> list[Room]:
    return [room for room in workshop.rooms if not room.removed]


def my_votes(participant_id: int, room_id: int) -> dict[int, int]:
    """Return {idea id: dots} for one participant's votes in one room."""
    rows = db.session.execute(
        sa.select(Vote.idea_id, Vote.dots).where(
            Vote.participant_id == participant_id, Vote.room_id == room_id, Vote.dots > 0
        )
    )
    return dict(rows.all())


def own_pending_ideas(me: Participant) -> list[dict[str, Any]]:
    """The participant's own ideas that wait for a moderator's approval (only they see them)."""
    rows = db.session.scalars(
        sa.select(Idea)
        .where(Idea.author_id == me.id, Idea.room_id == me.room_id, Idea.status == "pending")
        .order_by(Idea.id)
    )
    return [idea_view(idea, me, hidden=True) for idea in rows]


def my_state(me: Participant) -> dict[str, Any]:
    """A participant's own standing in their room: name, votes, dots left, own ideas."""
    workshop = db.session.get(Workshop, me.workshop_id)
    votes = my_votes(me.id, me.room_id)
    mine = db.session.scalars(
        sa.select(Idea.id).where(
            Idea.author_id == me.id, Idea.room_id == me.room_id, Idea.status == "visible"
        )
    ).all()
    return {
        "id": me.id,
        "name": me.display_name,
        "room_id": me.room_id,
        "votes": {str(idea_id): dots for idea_id, dots in votes.items()},
        "dots_left": workshop.dots_per_room - sum(votes.values()),
        "ideas": list(mine),
        "facilitates": db.session.get(Room, me.room_id).facilitator_id == me.id,
    }


def participant_snapshot(participant_id: int | None) -> dict[str, Any]:
    """Everything a participant's screen needs, as of the room's latest event.

    Raises NotAllowed when the participant does not exist.
    """
    me = access.participant(participant_id)
    workshop = db.session.get(Workshop, me.workshop_id)
    counts = member_counts(workshop.id)
    room = db.session.get(Room, me.room_id)
    members = db.session.scalars(
        sa.select(Participant)
        .where(Participant.room_id == room.id, Participant.removed.is_(False))
        .order_by(Participant.id)
    ).all()
    return {
        "workshop": workshop_view(workshop),
        "rooms": [room_view(r, counts[r.id]) for r in _open_rooms(workshop)],
        "room": room_state(room, members),
        "members": [member_view(m) for m in members],
        "ideas": []
        if room.is_plenary
        else _ideas_in([room.id], hidden=room.results_hidden) + own_pending_ideas(me),
        "me": my_state(me),
        "now": server_time(),
    }


def support_by_role(room_id: int) -> dict[int, dict]:
    """Who supports each idea of a room, by stakeholder role (moderators only).

    Returns {idea id: {"by_role": {role or "": dots}, "all_roles": bool, "paper_dots": n}}
    (paper_dots: the dots a scribe entered from paper); all_roles
    marks ideas with dots from every role declared by the room's members (two at least).
    Consoles keep both current from the votes' events (static/js/workshop-state.js).
    """
    query = (
        sa.select(Vote.idea_id, Participant.role, Participant.on_paper, sa.func.sum(Vote.dots))
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.room_id == room_id, Vote.dots > 0)
        .group_by(Vote.idea_id, Participant.role, Participant.on_paper)
    )
    declared = set(
        db.session.scalars(
            sa.select(Participant.role).where(
                Participant.room_id == room_id,
                Participant.role.is_not(None),
                Participant.removed.is_(False),
            )
        )
    )
    support: dict[int, dict] = {}
    for idea_id, role, on_paper, dots in db.session.execute(query):
        entry = support.setdefault(idea_id, {"by_role": {}, "all_roles": False, "paper_dots": 0})
        entry["by_role"][role or ""] = entry["by_role"].get(role or "", 0) + int(dots)
        if on_paper:
            entry["paper_dots"] += int(dots)
    for entry in support.values():
        entry["all_roles"] = len(declared) >= 2 and declared <= set(entry["by_role"])
    return support


def participation(user_id: int, workshop_id: int) -> list[dict[str, Any]]:
    """How many joined, posted and voted, per room and stakeholder role; never who.

    Raises NotFound unless the account runs the workshop.
    """
    workshop = access.workshop_for_moderator(user_id, workshop_id)
    rows = []
    for room in _open_rooms(workshop):
        people = db.session.execute(
            sa.select(Participant.id, Participant.role).where(
                Participant.room_id == room.id, Participant.removed.is_(False)
            )
        ).all()
        posted = set(
            db.session.scalars(
                sa.select(Idea.author_id).where(Idea.room_id == room.id, Idea.status == "visible")
            )
        )
        voted = set(
            db.session.scalars(
                sa.select(Vote.participant_id).where(Vote.room_id == room.id, Vote.dots > 0)
            )
        )
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
    # Moderators see hidden ideas too, to restore them.
    ideas = _ideas_in([room.id for room in rooms], statuses=("visible", "pending", "hidden"))
    views = []
    for room in rooms:
        members = [p for p in people if p.room_id == room.id]
        support = support_by_role(room.id)
        empty = {"by_role": {}, "all_roles": False, "paper_dots": 0}
        views.append(
            {
                **room_state(room, members),
                "members_list": [member_for_moderators(p) for p in members],
                "ideas": [
                    {**idea, **support.get(idea["id"], empty)}
                    for idea in ideas
                    if idea["room_id"] == room.id
                ],
            }
        )
    return {"workshop": workshop_view(workshop), "rooms": views, "now": server_time()}


def events_since(room_id: int, seq: int) -> list[dict[str, Any]] | None:
    """Return a room's events after `seq`, or None when a snapshot is the better answer."""
    room = db.session.get(Room, room_id)
    missing = room.last_seq - seq
    if seq < 0 or missing < 0 or missing > current_app.config["SYNC_EVENTS_MAX"]:
        return None
    events = db.session.scalars(
        sa.select(RoomEvent)
        .where(RoomEvent.room_id == room_id, RoomEvent.seq > seq)
        .order_by(RoomEvent.seq)
    )
    return [event.to_message() for event in events]
