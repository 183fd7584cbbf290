"""Phases, timers and broadcast messages: how a room is driven.

The moderator drives one room or every breakout room at once; a facilitator (a
participant the moderator appointed) drives their own room. The server decides what
each phase allows; `require` is the one check the other services call.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cocreate.extensions import db
from cocreate.models import PHASES, Idea, Room, RoomEvent, Workshop
from cocreate.models._time import utcnow
from cocreate.services import access, results, validate
from cocreate.services.errors import Invalid, NotAllowed
from cocreate.services.snapshots import member_view, timer_view
from cocreate.services.unit import Change, perform

#: What participants may do in each phase.
ALLOWED = {
    "lobby": frozenset(),
    "propose": frozenset({"post", "edit"}),
    "cluster": frozenset({"cluster"}),
    "vote": frozenset({"vote"}),
    "pathway": frozenset({"pathway"}),
    "closed": frozenset(),
}

#: Why an action is refused, by action: said to the person who tried.
REFUSALS = {
    "post": _l("New ideas are posted during the Propose phase."),
    "edit": _l("Ideas can be changed or withdrawn during the Propose phase."),
    "vote": _l("Voting is open during the Vote phase only."),
    "cluster": _l("Ideas are grouped during the Cluster phase."),
    "pathway": _l("Pathways are drafted during the Pathway phase."),
}

MAX_TIMER_SECONDS = 3 * 60 * 60
NOTICE_MAX = 300


def require(room: Room, action: str) -> None:
    """Raise NotAllowed unless the room's phase allows the action."""
    if action not in ALLOWED[room.phase]:
        raise NotAllowed(str(REFUSALS[action]))


def _phase(value: object) -> str:
    if value not in PHASES:
        raise Invalid(_("Choose one of the phases: %(phases)s.", phases=", ".join(PHASES)))
    return value


def _targets(change: Change, workshop: Workshop, room_id: object) -> list[Room]:
    """Lock the rooms a moderator's command is for: one breakout room, or all of them."""
    if room_id is None:
        ids = [r.id for r in workshop.rooms if not r.removed and not r.is_plenary]
        if not ids:
            raise Invalid(_("Add a breakout room first."))
    else:
        ids = [access.room_in_workshop(workshop.id, room_id, breakout_only=True).id]
    return list(change.lock_rooms(ids).values())


def _facilitated_room(change: Change, participant_id: int) -> Room:
    """Lock the room this participant facilitates; raises NotAllowed otherwise."""
    me = access.participant(participant_id)
    room = change.lock_room(me.room_id)
    if room.facilitator_id != me.id:
        raise NotAllowed(_("Only the room's facilitator or a moderator can do this."))
    return room


def _set_phase(change: Change, room: Room, phase: str) -> None:
    room.phase = phase
    if room.timer_next_phase is not None and room.timer_ends_at is not None:
        # A manual change overrides the pending automatic one.
        room.timer_ends_at, room.timer_next_phase = None, None
        change.record(room, "timer_stopped", {})
    change.record(room, "phase_changed", {"phase": phase})


def reopen(change: Change, room: Room) -> None:
    """Bring a closed room back to the phase it was in before it closed (Propose when
    its log has none), so people who come back can take part again."""
    if room.phase != "closed":
        return
    earlier = db.session.scalars(
        sa.select(RoomEvent.data)
        .where(RoomEvent.room_id == room.id, RoomEvent.type == "phase_changed")
        .order_by(RoomEvent.seq.desc())
    )
    phase = next((d["phase"] for d in earlier if d["phase"] not in ("closed", "lobby")), "propose")
    _set_phase(change, room, phase)


def _start_timer(change: Change, room: Room, ends_at: datetime, next_phase: str | None) -> None:
    room.timer_ends_at = ends_at
    room.timer_next_phase = next_phase
    change.record(room, "timer_started", timer_view(room))


def _stop_timer(change: Change, room: Room) -> None:
    if room.timer_ends_at is None:
        return
    room.timer_ends_at, room.timer_next_phase = None, None
    change.record(room, "timer_stopped", {})


def _timer_fields(seconds: object, next_phase: object) -> tuple[int, str | None]:
    seconds = validate.whole_number(seconds, _("The timer"), low=1, high=MAX_TIMER_SECONDS)
    return seconds, None if next_phase is None else _phase(next_phase)


def set_phase(
    user_id: int,
    workshop_id: int,
    phase: object,
    room_id: object = None,
    action_id: str | None = None,
) -> dict:
    """Move one breakout room (or all, when room_id is None) to a phase.

    Raises Invalid for an unknown phase, NotFound for a room or workshop outside the
    account's reach.
    """
    phase = _phase(phase)

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        rooms = _targets(change, workshop, room_id)
        for room in rooms:
            _set_phase(change, room, phase)
        return {"phase": phase, "room_ids": [room.id for room in rooms]}

    return perform(f"user:{user_id}", action_id, work)


def facilitate_phase(participant_id: int, phase: object, action_id: str | None = None) -> dict:
    """A facilitator moves their own room to a phase; raises NotAllowed or Invalid."""
    phase = _phase(phase)

    def work(change: Change) -> dict:
        room = _facilitated_room(change, participant_id)
        _set_phase(change, room, phase)
        return {"phase": phase, "room_ids": [room.id]}

    return perform(f"participant:{participant_id}", action_id, work)


def start_timer(
    user_id: int,
    workshop_id: int,
    seconds: object,
    next_phase: object = None,
    room_id: object = None,
    action_id: str | None = None,
) -> dict:
    """Start a countdown in one breakout room or all; at zero, optionally change phase.

    Raises Invalid for a bad duration or phase, NotFound outside the account's reach.
    """
    seconds, next_phase = _timer_fields(seconds, next_phase)

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        rooms = _targets(change, workshop, room_id)
        ends_at = utcnow() + timedelta(seconds=seconds)  # one instant for every room
        for room in rooms:
            _start_timer(change, room, ends_at, next_phase)
        return {"timer": timer_view(rooms[0]), "room_ids": [room.id for room in rooms]}

    return perform(f"user:{user_id}", action_id, work)


def facilitate_timer(
    participant_id: int,
    seconds: object,
    next_phase: object = None,
    action_id: str | None = None,
) -> dict:
    """A facilitator starts a countdown in their own room; raises NotAllowed or Invalid."""
    seconds, next_phase = _timer_fields(seconds, next_phase)

    def work(change: Change) -> dict:
        room = _facilitated_room(change, participant_id)
        _start_timer(change, room, utcnow() + timedelta(seconds=seconds), next_phase)
        return {"timer": timer_view(room), "room_ids": [room.id]}

    return perform(f"participant:{participant_id}", action_id, work)


def stop_timer(
    user_id: int, workshop_id: int, room_id: object = None, action_id: str | None = None
) -> dict:
    """Stop the countdown in one breakout room or all; raises NotFound."""

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        rooms = _targets(change, workshop, room_id)
        for room in rooms:
            _stop_timer(change, room)
        return {"room_ids": [room.id for room in rooms]}

    return perform(f"user:{user_id}", action_id, work)


def facilitate_stop_timer(participant_id: int, action_id: str | None = None) -> dict:
    """A facilitator stops their room's countdown; raises NotAllowed."""

    def work(change: Change) -> dict:
        room = _facilitated_room(change, participant_id)
        _stop_timer(change, room)
        return {"room_ids": [room.id]}

    return perform(f"participant:{participant_id}", action_id, work)


def expire_timers(now: datetime | None = None) -> int:
    """Carry out every countdown that reached zero with a phase to move to.

    Safe to run in every server process at once: each room is re-checked under its
    lock, so the change happens once. Returns how many rooms changed phase here.
    """
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Room.id).where(
            Room.timer_ends_at <= now,
            Room.timer_next_phase.is_not(None),
            Room.removed.is_(False),
        )
    ).all()
    db.session.rollback()
    changed = 0
    for room_id in due:

        def expire_timer(change: Change, room_id: int = room_id) -> dict:
            room = change.lock_room(room_id)
            if room.timer_ends_at is None or room.timer_ends_at > now or not room.timer_next_phase:
                return {"changed": False}  # another process was first
            phase = room.timer_next_phase
            room.phase, room.timer_ends_at, room.timer_next_phase = phase, None, None
            change.record(room, "timer_stopped", {})
            change.record(room, "phase_changed", {"phase": phase})
            return {"changed": True}

        changed += perform("system", None, expire_timer)["changed"]
    return changed


def broadcast(
    user_id: int,
    workshop_id: int,
    text: object,
    room_id: object = None,
    action_id: str | None = None,
) -> dict:
    """Show a message in one room or every room (the plenary included when room_id is None).

    An empty text clears the message. Raises Invalid for a long text, NotFound.
    """
    text = validate.text(text, _("The message"), max_length=NOTICE_MAX, required=False)

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        if room_id is None:
            ids = [r.id for r in workshop.rooms if not r.removed]
        else:
            ids = [access.room_in_workshop(workshop.id, room_id).id]
        rooms = change.lock_rooms(ids).values()
        for room in rooms:
            room.notice = text
            change.record(room, "notice", {"text": text})
        return {"text": text, "room_ids": [room.id for room in rooms]}

    return perform(f"user:{user_id}", action_id, work)


def appoint_facilitator(
    user_id: int, workshop_id: int, participant_id: object, action_id: str | None = None
) -> dict:
    """Make a participant the facilitator of the breakout room they are in.

    Raises NotFound for someone outside the workshop, Invalid in the plenary.
    """

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        person = access.participant_in_workshop(workshop.id, participant_id)
        room = change.lock_room(person.room_id)
        if room.is_plenary:
            raise Invalid(_("Facilitators run a breakout room: move this person to one first."))
        room.facilitator_id = person.id
        change.record(room, "facilitator_changed", {"facilitator": member_view(person)})
        return {"room_id": room.id, "facilitator": member_view(person)}

    return perform(f"user:{user_id}", action_id, work)


def dismiss_facilitator(
    user_id: int, workshop_id: int, room_id: object, action_id: str | None = None
) -> dict:
    """Leave a breakout room without a facilitator; raises NotFound."""

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        room = change.lock_room(
            access.room_in_workshop(workshop.id, room_id, breakout_only=True).id
        )
        room.facilitator_id = None
        change.record(room, "facilitator_changed", {"facilitator": None})
        return {"room_id": room.id}

    return perform(f"user:{user_id}", action_id, work)


def set_results_hidden(
    user_id: int,
    workshop_id: int,
    hidden: object,
    room_id: object = None,
    action_id: str | None = None,
) -> dict:
    """Hide vote totals from participants in one breakout room or all, or reveal them.

    While hidden, participants receive no totals (not in events, acks or snapshots), so
    early votes do not steer later ones; moderators always see them. Revealing sends
    every idea's tally at once. Raises Invalid for a non-boolean, NotFound.
    """
    if not isinstance(hidden, bool):
        raise Invalid(_("Say whether the results are hidden (true) or shown (false)."))

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        rooms = _targets(change, workshop, room_id)
        for room in rooms:
            room.results_hidden = hidden
            if hidden:
                change.record(room, "results_hidden", {})
            else:
                shown = db.session.scalars(
                    sa.select(Idea.id).where(Idea.room_id == room.id, Idea.status == "visible")
                ).all()
                counted = results.tallies(workshop, list(shown))
                change.record(
                    room,
                    "results_revealed",
                    {"tallies": {str(i): tally for i, tally in counted.items()}},
                )
        return {"results_hidden": hidden, "room_ids": [room.id for room in rooms]}

    return perform(f"user:{user_id}", action_id, work)
