"""Scribe mode: a facilitator or moderator enters the ideas and dots of people without a
phone (on paper). They take part as "participants on paper" of the room, and their ideas
and dots are marked as such in the results."""

import uuid

from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Participant, Room
from cocreate.services import access, ideas, votes
from cocreate.services.errors import NotAllowed, NotFound
from cocreate.services.participants import checked_name
from cocreate.services.snapshots import member_event, member_for_moderators
from cocreate.services.unit import Change, perform

#: Who scribes: ("user", account id) for a moderator, ("participant", id) for a facilitator.
Scribe = tuple[str, int]


def _room_for(scribe: Scribe, room_id: object) -> Room:
    """The breakout room this scribe may enter paper for; raises NotAllowed or NotFound."""
    kind, scribe_id = scribe
    if kind == "participant":
        me = access.participant(scribe_id)
        room = db.session.get(Room, me.room_id)
        if room.facilitator_id != me.id:
            raise NotAllowed(_("Only the room's facilitator or a moderator can do this."))
        return room
    room = db.session.get(Room, room_id) if type(room_id) is int else None
    if room is None:
        raise NotFound(_("There is no such room in this workshop."))
    access.workshop_for_moderator(scribe_id, room.workshop_id)
    return access.room_in_workshop(room.workshop_id, room.id, breakout_only=True)


def _paper_person(scribe: Scribe, paper_id: object) -> Participant:
    """A participant on paper in a room the scribe may enter for; raises NotFound."""
    person = db.session.get(Participant, paper_id) if type(paper_id) is int else None
    if person is None or not person.on_paper or person.removed:
        raise NotFound(_("There is no such person on paper in this room."))
    if _room_for(scribe, person.room_id).id != person.room_id:  # a facilitator's own room only
        raise NotFound(_("There is no such person on paper in this room."))
    return person


def add_paper_person(
    scribe: Scribe, room_id: object, name: object = None, action_id: str | None = None
) -> dict:
    """Add a person without a phone to a breakout room (name optional).

    Raises NotAllowed or NotFound for a room out of the scribe's reach, Invalid for a
    long name.
    """
    name = checked_name(name)

    def work(change: Change) -> dict:
        room = change.lock_room(_room_for(scribe, room_id).id)
        person = Participant(
            workshop_id=room.workshop_id,
            device_token=f"paper:{uuid.uuid4()}",
            display_name=name,
            room_id=room.id,
            on_paper=True,
        )
        db.session.add(person)
        db.session.flush()
        change.count_heads(room, 1)
        change.record(room, "member_joined", *member_event(person))
        return {"member": member_for_moderators(person)}

    return perform(f"{scribe[0]}:{scribe[1]}", action_id, work)


def post_idea(
    scribe: Scribe,
    paper_id: object,
    text: object,
    details: object = "",
    action_id: str | None = None,
) -> dict:
    """Post an idea from paper, as the person on paper; the same rules as any idea."""
    person = _paper_person(scribe, paper_id)
    return ideas.post_idea(person.id, text, details, action_id=action_id)


def give_dot(
    scribe: Scribe,
    paper_id: object,
    idea_id: object,
    delta: object,
    action_id: str | None = None,
) -> dict:
    """Give or take back a dot from paper, within the person on paper's own budget."""
    person = _paper_person(scribe, paper_id)
    return votes.give_dot(person.id, idea_id, delta, action_id=action_id)


def give_opinion(
    scribe: Scribe,
    paper_id: object,
    idea_id: object,
    stance: object,
    action_id: str | None = None,
) -> dict:
    """Enter the opinion of a person on paper (agree, disagree, pass or None)."""
    person = _paper_person(scribe, paper_id)
    return votes.give_opinion(person.id, idea_id, stance, action_id=action_id)


def give_score(
    scribe: Scribe,
    paper_id: object,
    idea_id: object,
    criterion: object,
    score: object,
    action_id: str | None = None,
) -> dict:
    """Enter the score a person on paper gave an idea on one criterion."""
    person = _paper_person(scribe, paper_id)
    return votes.give_score(person.id, idea_id, criterion, score, action_id=action_id)
