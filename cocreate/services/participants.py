"""Joining a workshop and moving between its rooms."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from cocreate.extensions import db
from cocreate.models import ASSIGNMENT_MODES, Participant, Room, Vote, Workshop
from cocreate.models._time import utcnow
from cocreate.services import access, phases, results, validate, votes
from cocreate.services.errors import Invalid, NotAllowed
from cocreate.services.placement import lock_rooms_of, move, room_for_newcomer, spread
from cocreate.services.snapshots import member_event
from cocreate.services.unit import Change, perform
from cocreate.services.workshops import (
    announce,
    id_of_code,
    lock_open_rooms,
    no_workshop_with_code,
)


def checked_name(name: object) -> str | None:
    """Check a display name; empty means anonymous. Raises Invalid when too long."""
    limit = current_app.config["DISPLAY_NAME_MAX"]
    return validate.text(name, _("Display name"), max_length=limit, required=False) or None


def _rooms(change: Change, workshop: Workshop) -> tuple[Room, dict[int, Room]]:
    """Lock every open room of a workshop; return the plenary and the breakouts by id."""
    locked = change.lock_rooms([room.id for room in workshop.rooms if not room.removed])
    plenary = next(room for room in locked.values() if room.is_plenary)
    return plenary, {rid: room for rid, room in locked.items() if not room.is_plenary}


def _open_to_newcomers(breakouts: dict[int, Room]) -> dict[int, Room]:
    """The breakout rooms that take people in: the unlocked ones."""
    return {rid: room for rid, room in breakouts.items() if not room.locked}


def _lobby(plenary: Room) -> list[Participant]:
    """Everyone waiting in the plenary (removed participants wait nowhere)."""
    return db.session.scalars(
        sa.select(Participant).where(
            Participant.room_id == plenary.id, Participant.removed.is_(False)
        )
    ).all()


def participant_for_device(
    workshop_id: int | sa.ScalarSelect, device_token: str | None
) -> Participant | None:
    """Return the participant this device already is in the workshop, if any (the
    workshop by its id, or by a subquery such as workshops.id_of_code)."""
    if not device_token:
        return None
    return db.session.scalar(
        sa.select(Participant).where(
            Participant.workshop_id == workshop_id, Participant.device_token == device_token
        )
    )


#: Where participants are now: every process reads this each second for all its phones.
_WHERE_THEY_ARE = sa.select(Participant.id, Participant.room_id, Participant.removed)
#: The ids as one list (SQLite): an IN list with one parameter per id.
_ROOMS_OF = _WHERE_THEY_ARE.where(Participant.id.in_(sa.bindparam("ids", expanding=True)))
#: The ids as one array (PostgreSQL): the statement's text is the same for any number of
#: phones, so it is prepared once, where an IN list of 2,000 parameters was a new
#: statement to build, send, parse and plan each second (15 ms of the loop's, against 3).
#: The array is a table joined to the participants, not `id = ANY(array)`: a prepared
#: statement gets PostgreSQL's generic plan, which tests each row against the array one
#: element after another (2,000 by 2,000 comparisons: 47 ms of PostgreSQL's each second
#: under load, with the loop waiting), where a join looks each id up once.
_IDS = (
    sa.func.unnest(sa.bindparam("ids", type_=postgresql.ARRAY(sa.Integer)))
    .table_valued("id")
    .render_derived(name="ids")
)
_ROOMS_OF_ARRAY = _WHERE_THEY_ARE.join_from(Participant, _IDS, Participant.id == _IDS.c.id)


def current_rooms(participant_ids: list[int]) -> dict[int, int | None]:
    """The room each of these participants is in now, by participant id; None for one a
    moderator removed (or who no longer exists): their connections must close.

    Read as plain rows through the session's connection: through the ORM's execute the
    read for 2,000 phones took a third longer (4.0 against 3.0 ms, every second).
    """
    connection = db.session.connection()
    query = _ROOMS_OF_ARRAY if connection.dialect.name == "postgresql" else _ROOMS_OF
    rows = connection.execute(query, {"ids": participant_ids}).all()
    found = {pid: None if removed else room_id for pid, room_id, removed in rows}
    return {pid: found.get(pid) for pid in participant_ids}


def rename(change: Change, person: Participant, name: str | None) -> None:
    """Change a participant's display name and tell their room (moderators' member data
    has the role: a new role is told so too, the name given again)."""
    room = change.lock_room(person.room_id)
    person.display_name = name
    change.record(room, "member_renamed", *member_event(person))


def change_role(change: Change, person: Participant, role: str) -> None:
    """Give a participant another stakeholder role, their votes counted under it: out of
    their ideas' counts under the old role, back in under the new one. Each idea they
    voted on logs its new support by role in its room (`votes_changed`); the caller logs
    the member's new role (`rename`).

    Every path that changes an idea's counts holds its room's lock, so this locks the
    participant's room and every room they voted in (in id order: call it before any
    other room lock but the lobby's) and no vote of theirs, nor a merge of ideas they
    voted on, comes between reading their votes and moving them. Raises Conflict when
    another process moved or removed them meanwhile (placement.lock_rooms_of).
    """
    mine = Vote.participant_id == person.id
    voted_in = db.session.scalars(sa.select(Vote.room_id).where(mine).distinct()).all()
    locked = lock_rooms_of(change, person, *voted_in)
    results.count_votes(mine, -1)
    results.count_votes(mine, 1, role)
    person.role = role
    # Read again under the locks: a vote of theirs may have come before them, in their room.
    voted_on = db.session.execute(
        sa.select(Vote.idea_id, Vote.room_id).where(mine).distinct().order_by(Vote.idea_id)
    ).all()
    workshop = db.session.get(Workshop, person.workshop_id)
    support = results.support(workshop, [idea_id for idea_id, _room in voted_on])
    for idea_id, room_id in voted_on:
        votes.log_support(change, locked[room_id], idea_id, support[idea_id])


_INSERT_PARTICIPANT = sa.insert(Participant.__table__).inline()


def _enrol(change: Change, person: Participant, drawn_id: int | None) -> None:
    """Add a new participant, with their id. Given one drawn for them (PostgreSQL:
    `Change.lock_plenary`), their row is written with the commit, in its one statement:
    one round trip less for each phone of a join storm. Otherwise the insert gives it."""
    if drawn_id is None:
        db.session.add(person)
        db.session.flush()
        return
    person.id, person.joined_at, person.on_paper, person.removed = drawn_id, utcnow(), False, False
    change.later(
        _INSERT_PARTICIPANT,
        {column.key: getattr(person, column.key) for column in Participant.__table__.columns},
    )


def join_workshop(
    code: str, device_token: str, display_name: object = None, role: object = None
) -> dict:
    """Join by code (or come back on the same device) and return {participant_id, ...}.

    A device that joined before gets its participant back, in its room (a role given
    again replaces the old one), also when its two joins come at the same moment.
    Raises NotFound for an unknown code, Invalid for a name or role that is not text (or
    None), a long name or a role the workshop does not offer.
    """
    name = checked_name(display_name)
    if role is not None and not isinstance(role, str):
        raise Invalid(_("A stakeholder role must be text: one of the workshop's roles, or none."))
    role = role or None

    def work(change: Change) -> dict:
        # The lobby is the workshop's first room: locking it first keeps the id order.
        # Found by the code, with the device's earlier join, in the same statement: each
        # round trip of a join counts in a storm of them.
        plenary, known, drawn_id = change.lock_plenary(id_of_code(code), device_token)
        if plenary is None:
            raise no_workshop_with_code()
        workshop = plenary.workshop
        if role is not None and role not in workshop.stakeholder_roles:
            raise Invalid(_("Choose one of the workshop's stakeholder roles, or none."))
        if known is not None and known.removed:
            raise NotAllowed(_("A moderator removed you from this workshop."))
        if known is not None:
            new_role = role and role != known.role
            if new_role:
                change_role(change, known, role)
            if new_role or (name and name != known.display_name):
                rename(change, known, name or known.display_name)  # moderators see the role
            return {"participant_id": known.id, "workshop_id": workshop.id, "returning": True}
        room = plenary
        if workshop.breakouts_open and workshop.assignment == "random":  # late joiners too
            room = room_for_newcomer(change, workshop.id) or plenary
        person = Participant(
            workshop_id=workshop.id,
            device_token=device_token,
            display_name=name,
            role=role,
            room_id=room.id,
        )
        _enrol(change, person, drawn_id)
        change.count_heads(room, 1)
        change.record(room, "member_joined", *member_event(person))
        return {"participant_id": person.id, "workshop_id": workshop.id, "returning": False}

    try:
        return perform(f"device:{device_token}", None, work)
    except IntegrityError:
        # The same device joined at the same moment (two taps on Join, a retry racing the
        # first request). Both waited for the lobby's lock, and PostgreSQL re-checks only
        # the lobby's row once it is granted: this join did not see the participant the
        # other made, and its own failed on the device's key. That participant is there
        # now: join again, as the device that joined.
        return perform(f"device:{device_token}", None, work)


def set_display_name(participant_id: int, name: object, action_id: str | None = None) -> dict:
    """Change the name others see (empty for anonymous); raises Invalid or NotAllowed."""
    name = checked_name(name)

    def work(change: Change) -> dict:
        rename(change, access.participant(participant_id), name)
        return {"name": name}

    return perform(f"participant:{participant_id}", action_id, work)


def choose_room(participant_id: int, room_id: object, action_id: str | None = None) -> dict:
    """Go to a breakout room of one's own choice, when the workshop lets people choose.

    Raises NotAllowed when choosing is not open, NotFound for another workshop's room.
    """

    def work(change: Change) -> dict:
        me = access.participant(participant_id)
        workshop = db.session.get(Workshop, me.workshop_id)
        if not (workshop.breakouts_open and workshop.assignment == "choose"):
            raise NotAllowed(_("The moderator places people in rooms in this workshop."))
        target = access.room_in_workshop(workshop.id, room_id, breakout_only=True)
        if target.locked:
            raise NotAllowed(_("This room is locked. Choose another one."))
        locked = lock_rooms_of(change, me, target.id)
        move(change, me, locked[me.room_id], locked[target.id])
        return {"room_id": target.id}

    return perform(f"participant:{participant_id}", action_id, work)


def move_participant(
    user_id: int,
    workshop_id: int,
    participant_id: object,
    room_id: object,
    action_id: str | None = None,
) -> dict:
    """Move one participant by hand to any open room, the plenary included.

    Raises NotFound for someone or some room outside the moderator's workshop.
    """

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        person = access.participant_in_workshop(workshop.id, participant_id)
        target = access.room_in_workshop(workshop.id, room_id)
        locked = lock_rooms_of(change, person, target.id)
        move(change, person, locked[person.room_id], locked[target.id])
        return {"participant_id": person.id, "room_id": target.id}

    return perform(f"user:{user_id}", action_id, work)


def set_assignment(
    user_id: int, workshop_id: int, mode: object, action_id: str | None = None
) -> dict:
    """Choose how people get into rooms: choose, random or manual; raises Invalid/NotFound."""
    if mode not in ASSIGNMENT_MODES:
        raise Invalid(_("Choose how participants get into rooms."))

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        lock_open_rooms(change, workshop)
        workshop.assignment = mode
        return announce(change, workshop)

    return perform(f"user:{user_id}", action_id, work)


def open_breakouts(user_id: int, workshop_id: int, action_id: str | None = None) -> dict:
    """Open the breakout rooms; with random assignment everyone in the lobby is spread.
    Reopening them after they were closed brings each closed room back to its phase
    before it closed (phases.reopen).

    Raises NotFound unless the account runs the workshop; Invalid without breakout rooms.
    """

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        plenary, breakouts = _rooms(change, workshop)
        if not breakouts:
            raise Invalid(_("Add a breakout room first."))
        if not workshop.breakouts_open:  # reopening: a room closed meanwhile takes part again
            for room in breakouts.values():
                phases.reopen(change, room)
        workshop.breakouts_open = True
        result = announce(change, workshop)
        moved = 0
        if workshop.assignment == "random":
            moved = spread(change, _lobby(plenary), _open_to_newcomers(breakouts), plenary)
        return {**result, "moved": moved}

    return perform(f"user:{user_id}", action_id, work)


def spread_lobby(user_id: int, workshop_id: int, action_id: str | None = None) -> dict:
    """Spread everyone still in the lobby evenly over the breakout rooms, now.

    Raises NotFound unless the account runs the workshop, NotAllowed while the
    breakouts are closed, Invalid without breakout rooms.
    """

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        if not workshop.breakouts_open:
            raise NotAllowed(_("Open the breakout rooms first."))
        plenary, breakouts = _rooms(change, workshop)
        if not breakouts:
            raise Invalid(_("Add a breakout room first."))
        return {"moved": spread(change, _lobby(plenary), _open_to_newcomers(breakouts), plenary)}

    return perform(f"user:{user_id}", action_id, work)


def close_breakouts(user_id: int, workshop_id: int, action_id: str | None = None) -> dict:
    """Close the breakout rooms and bring everyone back to the plenary.

    Raises NotFound unless the account runs the workshop.
    """

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        plenary, breakouts = _rooms(change, workshop)
        workshop.breakouts_open = False
        result = announce(change, workshop)
        away = db.session.scalars(
            sa.select(Participant).where(
                Participant.room_id.in_(list(breakouts)), Participant.removed.is_(False)
            )
        ).all()
        for person in away:
            move(change, person, breakouts[person.room_id], plenary)
        return {**result, "moved": len(away)}

    return perform(f"user:{user_id}", action_id, work)
