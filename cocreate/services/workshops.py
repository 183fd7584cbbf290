"""Creating and configuring workshops and their rooms."""

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import (
    ASSIGNMENT_MODES,
    VOTING_MODES,
    Membership,
    Participant,
    Room,
    User,
    Vote,
    Workshop,
)
from cocreate.services import access, tags, validate
from cocreate.services.errors import Conflict, Invalid, NotFound
from cocreate.services.placement import move
from cocreate.services.snapshots import member_counts, room_view, workshop_view
from cocreate.services.unit import Change, perform

#: Join-code letters: no 0/O, 1/I/L, so a code read aloud or off a projector is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes: not guessable at the join form's rate limit
MAX_ROOMS = 30
MAX_ROLES = 12
MAX_CRITERIA = 5
MAX_TIME_ZONES = 6
MAX_ORGANIZERS = 12
#: Once a room reaches one of these phases, the workshop's voting rules are fixed.
VOTED_PHASES = ("vote", "pathway", "closed")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@dataclass
class Schedule:
    """When and where in the world the event happens, and who organises it.

    `starts_at` / `ends_at` are aware times, or naive ones read as local times in the
    first of `time_zones` (UTC when none), as the organizer's form gives them.
    """

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    #: IANA names, the host's first (e.g. "Asia/Seoul").
    time_zones: list[str] = field(default_factory=list)
    #: Who organises it, one name per item.
    organizers: list[str] = field(default_factory=list)

    def checked(self) -> "Schedule":
        """Return the schedule with UTC times and trimmed lists; raises Invalid."""
        zones = _distinct(
            self.time_zones,
            _("A time zone"),
            60,
            MAX_TIME_ZONES,
            _("An event can be shown in at most %(n)d time zones.", n=MAX_TIME_ZONES),
        )
        for zone in zones:
            if zone not in _zone_names():
                raise Invalid(
                    _(
                        "%(zone)s is not a time zone name. Use names such as Asia/Seoul "
                        "or Europe/Madrid, one per line.",
                        zone=zone,
                    )
                )
        home = ZoneInfo(zones[0]) if zones else UTC

        def utc(moment: object, what: str) -> datetime | None:
            if moment is None:
                return None
            if not isinstance(moment, datetime):
                raise Invalid(_("%(what)s: expected a date and time.", what=what))
            local = moment if moment.tzinfo else moment.replace(tzinfo=home)
            return local.astimezone(UTC)

        starts, ends = utc(self.starts_at, _("Start")), utc(self.ends_at, _("End"))
        if starts and ends and ends <= starts:
            raise Invalid(_("The event has to end after it starts."))
        organizers = _distinct(
            self.organizers,
            _("An organizer"),
            120,
            MAX_ORGANIZERS,
            _("Name at most %(n)d organizers.", n=MAX_ORGANIZERS),
        )
        return Schedule(starts, ends, zones, organizers)


@dataclass
class WorkshopSettings:
    """The organizer's choices for a workshop (everything but its rooms)."""

    title: str
    question: str
    description: str = ""
    dots_per_room: int = 5
    max_dots_per_idea: int = 3
    assignment: str = "choose"
    #: None: the default roles (DESIGN §2.2); [] asks no role.
    stakeholder_roles: list[str] | None = None
    #: New ideas appear only after a moderator approves them.
    premoderation: bool = False
    #: One of VOTING_MODES; fixed once voting opens.
    voting_mode: str = "dots"
    #: What ideas are scored on (voting mode "scores"); None: the default criteria.
    criteria: list[str] | None = None
    #: Every participant of a room may group its ideas into themes in the cluster phase.
    participants_cluster: bool = False
    #: When, in which time zones and by whom (None: unchanged, or none for a new one).
    schedule: Schedule | None = None
    #: What the projector and the synthesis speak, one of the LANGUAGES setting's codes
    #: ("": the language the organizer is using now).
    language: str = ""

    def checked(self) -> "WorkshopSettings":
        """Return trimmed settings; raises Invalid when one breaks a rule."""
        dots = validate.whole_number(self.dots_per_room, _("Dots per room"), low=1, high=50)
        most = validate.whole_number(
            self.max_dots_per_idea, _("Most dots on one idea"), low=1, high=dots
        )
        if self.assignment not in ASSIGNMENT_MODES:
            raise Invalid(_("Choose how participants get into rooms."))
        if self.voting_mode not in VOTING_MODES:
            raise Invalid(_("Choose how participants vote."))
        criteria = _criteria(self.criteria)
        if self.voting_mode == "scores" and not criteria:
            raise Invalid(_("Scoring needs at least one criterion to score ideas on."))
        return WorkshopSettings(
            title=validate.text(self.title, _("Title"), max_length=120),
            question=validate.text(self.question, _("Guiding question"), max_length=500),
            description=validate.text(
                self.description, _("Description"), max_length=2000, required=False
            ),
            dots_per_room=dots,
            max_dots_per_idea=most,
            assignment=self.assignment,
            stakeholder_roles=_roles(self.stakeholder_roles),
            premoderation=bool(self.premoderation),
            voting_mode=self.voting_mode,
            criteria=criteria,
            participants_cluster=bool(self.participants_cluster),
            schedule=None if self.schedule is None else self.schedule.checked(),
            language=_language(self.language),
        )

    def columns(self) -> dict:
        """The workshop's columns these settings set (the schedule's when given)."""
        values = {key: value for key, value in vars(self).items() if key != "schedule"}
        if self.schedule is not None:
            values.update(vars(self.schedule))
        return values


def _language(code: str) -> str:
    """Check a workshop's language; "" is the current one. Raises Invalid."""
    offered = current_app.config["LANGUAGES"]
    code = code or str(get_locale() or offered[0])
    if code not in offered:
        raise Invalid(_("Choose one of the languages offered."))
    return code


def default_roles() -> list[str]:
    """The stakeholder roles a new workshop offers, in the organizer's language."""
    return [
        _("Local government"),
        _("Civil society organisation"),
        _("Resident / rights-holder"),
        _("Expert"),
        _("Other"),
    ]


def _distinct(items: object, what: str, max_length: int, most: int, too_many: str) -> list[str]:
    """Check a list the organizer typed: trimmed, blanks and repeats dropped, at most
    `most` items of `max_length` characters. Raises Invalid with `too_many` or per item."""
    if not isinstance(items, list):
        raise Invalid(_("%(what)s: expected a list.", what=what))
    checked = []
    for item in items:
        item = validate.text(item, what, max_length=max_length, required=False)
        if item and item not in checked:
            checked.append(item)
    if len(checked) > most:
        raise Invalid(too_many)
    return checked


def _roles(roles: list[str] | None) -> list[str]:
    """Check a list of stakeholder roles: at most 12 of 60 characters."""
    if roles is None:
        return default_roles()
    return _distinct(
        roles,
        _("A stakeholder role"),
        60,
        MAX_ROLES,
        _("A workshop can offer at most %(n)d stakeholder roles.", n=MAX_ROLES),
    )


def default_criteria() -> list[str]:
    """What ideas are scored on unless the organizer says otherwise (DESIGN §4)."""
    return [_("Impact on equality"), _("Feasibility")]


def _criteria(criteria: list[str] | None) -> list[str]:
    """Check a list of criteria: at most 5 of 80 characters."""
    if criteria is None:
        return default_criteria()
    return _distinct(
        criteria,
        _("A criterion"),
        80,
        MAX_CRITERIA,
        _("A workshop can score ideas on at most %(n)d criteria.", n=MAX_CRITERIA),
    )


def local_schedule(workshop: Workshop) -> tuple[datetime | None, datetime | None]:
    """The start and end as naive local times in the first time zone (for the form)."""
    home = ZoneInfo(workshop.time_zones[0]) if workshop.time_zones else UTC

    def local(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(home).replace(tzinfo=None)

    return local(workshop.starts_at), local(workshop.ends_at)


def voting_opened(workshop: Workshop) -> bool:
    """Whether any room has reached the vote phase or later, or anyone has voted in one
    (removed rooms aside: nobody votes there any more)."""
    rooms = [room for room in workshop.rooms if not room.removed]
    if any(room.phase in VOTED_PHASES for room in rooms):
        return True
    room_ids = [room.id for room in rooms]
    return (
        db.session.scalar(sa.select(Vote.id).where(Vote.room_id.in_(room_ids)).limit(1)) is not None
    )


def _voting_rules(rules: "WorkshopSettings | Workshop") -> tuple:
    """What votes are counted by: the mode, and the criteria when ideas are scored."""
    return (rules.voting_mode, rules.criteria if rules.voting_mode == "scores" else None)


def new_join_code() -> str:
    """Return a random join code (unchecked for uniqueness)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """Turn what someone typed ("abcd efgh", "ABCD-EFGH") into a stored code."""
    return re.sub(r"[^0-9A-Z]", "", (raw or "").upper())


def format_code(code: str) -> str:
    """Split a code in two halves for reading aloud: ABCD-EFGH."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def workshop_by_code(raw: str) -> Workshop:
    """Return the workshop with this join code; raises NotFound with advice."""
    code = normalise_code(raw)
    workshop = db.session.scalar(sa.select(Workshop).where(Workshop.join_code == code))
    if workshop is None:
        raise no_workshop_with_code()
    return workshop


def no_workshop_with_code() -> NotFound:
    """The error for a join code of no workshop, with advice."""
    return NotFound(_("No workshop has this code. Check it on the screen and try again."))


def id_of_code(raw: str) -> sa.ScalarSelect:
    """The id of the workshop with this join code, as a subquery: a statement finds the
    workshop's rows by its code without a round trip to look up the id first."""
    code = normalise_code(raw)
    return sa.select(Workshop.id).where(Workshop.join_code == code).scalar_subquery()


def _room_fields(name: object, topic: object) -> tuple[str, str]:
    return (
        validate.text(name, _("Room name"), max_length=80),
        validate.text(topic, _("Room topic"), max_length=300, required=False),
    )


def create_workshop(user_id: int, settings: WorkshopSettings, rooms: list[tuple[str, str]]) -> int:
    """Create a workshop with its plenary lobby and breakout rooms; return its id.

    Raises Invalid when a setting or room breaks a rule.
    """
    settings = settings.checked()
    rooms = [_room_fields(name, topic) for name, topic in rooms]
    if len(rooms) > MAX_ROOMS:
        raise Invalid(_("A workshop can have at most %(n)d rooms.", n=MAX_ROOMS))

    def work(change: Change) -> dict:
        code = new_join_code()
        while db.session.scalar(sa.select(Workshop.id).where(Workshop.join_code == code)):
            code = new_join_code()
        workshop = Workshop(join_code=code, **settings.columns())
        db.session.add(workshop)
        db.session.flush()
        db.session.add(Membership(user_id=user_id, workshop_id=workshop.id, role="owner"))
        tags.copy_defaults(workshop.id)  # each workshop edits its own copy (DESIGN §7)
        db.session.add(
            Room(
                workshop_id=workshop.id,
                kind="plenary",
                name=_("Plenary"),
                position=0,
                phase="lobby",
            )
        )
        for position, (name, topic) in enumerate(rooms, start=1):
            db.session.add(
                Room(
                    workshop_id=workshop.id,
                    kind="breakout",
                    name=name,
                    topic=topic,
                    position=position,
                )
            )
        return {"workshop_id": workshop.id}

    return perform(f"user:{user_id}", None, work)["workshop_id"]


def workshops_of(user_id: int) -> list[Workshop]:
    """Return the workshops an account runs, newest first."""
    return db.session.scalars(
        sa.select(Workshop)
        .join(Membership)
        .where(Membership.user_id == user_id)
        .order_by(Workshop.id.desc())
    ).all()


def lock_open_rooms(change: Change, workshop: Workshop) -> None:
    """Lock a workshop's open rooms before changing the workshop itself: every action
    that changes both takes the rooms first, so two never wait on each other."""
    change.lock_rooms([room.id for room in workshop.rooms if not room.removed])


def announce(change: Change, workshop: Workshop) -> dict:
    """Tell every open room that the workshop's rules or room list changed; return the news."""
    rooms = [room for room in workshop.rooms if not room.removed]
    counts = member_counts(workshop.id)
    data = {
        "workshop": workshop_view(workshop),
        "rooms": [room_view(room, counts[room.id]) for room in rooms],
    }
    for room in change.lock_rooms([room.id for room in rooms]).values():
        change.record(room, "workshop_changed", data)
    return data


def update_workshop(
    user_id: int, workshop_id: int, settings: WorkshopSettings, action_id: str | None = None
) -> dict:
    """Change a workshop's question and rules.

    The voting mode and criteria change only before voting opens (votes of one mode
    cannot be counted in another): the rooms are locked while that is checked, so no
    vote slips in between. Raises NotFound unless the account runs it; Invalid for a bad
    setting; Conflict for a voting change once voting has opened.
    """
    settings = settings.checked()

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        lock_open_rooms(change, workshop)
        if _voting_rules(settings) != _voting_rules(workshop) and voting_opened(workshop):
            raise Conflict(
                _("The voting mode and criteria can change only before voting opens in any room.")
            )
        for key, value in settings.columns().items():
            setattr(workshop, key, value)
        db.session.flush()
        return announce(change, workshop)

    return perform(f"user:{user_id}", action_id, work)


def add_room(
    user_id: int, workshop_id: int, name: str, topic: str = "", action_id: str | None = None
) -> dict:
    """Add a breakout room; raises NotFound or Invalid."""
    name, topic = _room_fields(name, topic)

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        if sum(1 for r in workshop.rooms if not r.removed and not r.is_plenary) >= MAX_ROOMS:
            raise Invalid(_("A workshop can have at most %(n)d rooms.", n=MAX_ROOMS))
        room = Room(
            workshop_id=workshop.id,
            kind="breakout",
            name=name,
            topic=topic,
            position=max((r.position for r in workshop.rooms), default=0) + 1,
        )
        db.session.add(room)
        db.session.flush()
        db.session.refresh(workshop)
        announce(change, workshop)
        return {"room": room_view(room, 0)}

    return perform(f"user:{user_id}", action_id, work)


def _breakout_for_moderator(user_id: int, room_id: int) -> tuple[Workshop, Room]:
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound(_("There is no such room in this workshop."))
    workshop = access.workshop_for_moderator(user_id, room.workshop_id)
    if room.removed or room.is_plenary:
        raise NotFound(_("There is no such room in this workshop."))
    return workshop, room


def update_room(
    user_id: int, room_id: int, name: str, topic: str = "", action_id: str | None = None
) -> dict:
    """Rename a breakout room or change its topic; raises NotFound or Invalid."""
    name, topic = _room_fields(name, topic)

    def work(change: Change) -> dict:
        workshop, room = _breakout_for_moderator(user_id, room_id)
        room.name, room.topic = name, topic
        db.session.flush()
        announce(change, workshop)
        return {"room": room_view(room, 0)}

    return perform(f"user:{user_id}", action_id, work)


def remove_room(user_id: int, room_id: int, action_id: str | None = None) -> dict:
    """Remove a breakout room; its people go back to the plenary, its ideas are kept.

    Raises NotFound unless the account runs the room's workshop.
    """

    def work(change: Change) -> dict:
        workshop, room = _breakout_for_moderator(user_id, room_id)
        plenary = next(r for r in workshop.rooms if r.is_plenary)
        locked = change.lock_rooms([room.id, plenary.id])
        people = db.session.scalars(
            sa.select(Participant).where(
                Participant.room_id == room.id, Participant.removed.is_(False)
            )
        ).all()
        for person in people:
            move(change, person, locked[room.id], locked[plenary.id])
        room.removed = True
        change.record(locked[room.id], "room_removed", {"room_id": room.id})
        db.session.flush()
        announce(change, workshop)
        return {"room_id": room.id, "moved": len(people)}

    return perform(f"user:{user_id}", action_id, work)


def moderators_of(user_id: int, workshop_id: int) -> list[dict]:
    """The accounts that run a workshop, owner first; raises NotFound."""
    access.workshop_for_moderator(user_id, workshop_id)
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workshop_id == workshop_id)
        .order_by(Membership.role.desc(), User.name)
    ).all()
    return [{"id": i, "name": n, "email": e, "role": r} for i, n, e, r in rows]


def invite_moderator(
    user_id: int, workshop_id: int, email: str, action_id: str | None = None
) -> dict:
    """The owner makes another account a co-moderator of the workshop.

    The account must exist (create it with `flask create-organizer`). Raises NotAllowed
    for anyone but the owner, NotFound for an unknown e-mail, Conflict when it already
    runs the workshop.
    """
    email = validate.text(email, _("E-mail"), max_length=254).lower()

    def work(change: Change) -> dict:
        access.workshop_for_moderator(user_id, workshop_id, owner=True)
        invitee = db.session.scalar(sa.select(User).where(User.email == email))
        if invitee is None:
            raise NotFound(_("No account has this e-mail. Create the account first."))
        taken = db.session.get(Membership, (invitee.id, workshop_id))
        if taken is not None:
            raise Conflict(_("This account already runs the workshop."))
        db.session.add(Membership(user_id=invitee.id, workshop_id=workshop_id, role="moderator"))
        return {"user_id": invitee.id, "name": invitee.name, "role": "moderator"}

    return perform(f"user:{user_id}", action_id, work)


def remove_moderator(
    user_id: int, workshop_id: int, moderator_id: int, action_id: str | None = None
) -> dict:
    """The owner takes a co-moderator off the workshop; raises NotAllowed or NotFound."""

    def work(change: Change) -> dict:
        access.workshop_for_moderator(user_id, workshop_id, owner=True)
        membership = db.session.get(Membership, (moderator_id, workshop_id))
        if membership is None or membership.role != "moderator":
            raise NotFound(_("This account is not a co-moderator of the workshop."))
        db.session.delete(membership)
        return {"user_id": moderator_id}

    return perform(f"user:{user_id}", action_id, work)
