"""Suggested tags for an idea, for the people who tag it (issue 8): who may ask, and
which of the workshop's tags the engine (cocreate.services.tag_suggestions) suggests.

Nothing here writes: a suggestion is an answer, never applied. Taking one is the
ordinary `tag_idea` (the picker's tap), so the one write path stays as it is. The engine
runs through `theme_suggestions.on_engine`, the process's one engine queue, off the
event loop, and like the typing hint it waits at most HINT_WAIT_S for the engine: a busy
engine answers no suggestion, not an error.

Only the workshop's default tags (those with a key) that are still on its lists can be
suggested, and among them only the domains measured reliable
(tag_suggestions.SUGGESTED_TAGS); tags an organizer added get no suggestion.
"""

from functools import partial

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Idea, Room, Tag
from cocreate.services import access, tag_suggestions, validate
from cocreate.services.errors import Invalid, NotAllowed, NotFound
from cocreate.services.theme_suggestions import HINT_WAIT_S, Asker, on_engine


def _idea_for(by: Asker, idea_id: object, workshop_id: object) -> Idea:
    """The visible idea `by` may tag (the rule of tags.tag_idea / moderate_tag_idea).
    Raises NotAllowed, NotFound."""
    kind, who = by
    idea = db.session.get(Idea, idea_id) if type(idea_id) is int else None
    if kind == "user":
        if type(workshop_id) is not int:
            raise NotFound(_("There is no such workshop, or you do not run it."))
        workshop = access.workshop_for_moderator(who, workshop_id)
        room = db.session.get(Room, idea.room_id) if idea else None
        if idea is None or room.workshop_id != workshop.id or idea.status != "visible":
            raise NotFound(_("There is no such idea in this workshop."))
        return idea
    me, room = _own_room(who)
    if idea is None or idea.room_id != room.id or idea.status != "visible":
        raise NotFound(_("This idea is not in your room (any more)."))
    if room.facilitator_id == me.id:
        return idea
    if idea.author_id != me.id:
        raise NotAllowed(_("Only its author or the room's facilitator can tag an idea."))
    if room.phase != "propose":
        raise NotAllowed(_("Authors tag their ideas during the Propose phase."))
    return idea


def _own_room(participant_id: int):
    """The participant and their breakout room, not closed. Raises NotAllowed."""
    me = access.participant(participant_id)
    room = db.session.get(Room, me.room_id)
    if room is None or room.removed or room.is_plenary:
        raise NotAllowed(_("Ideas are tagged in breakout rooms. Wait to be placed in one."))
    if room.phase == "closed":
        raise NotAllowed(_("This room is closed: its ideas and themes can no longer change."))
    return me, room


def suggest_tags(
    by: Asker, idea_id: object = None, text: object = None, workshop_id: object = None
) -> dict:
    """Tags suggested for a visible idea (`idea_id`) or for text being written (`text`):
    `{idea_id, suggestions: [{tag_id, kind, score}]}`, best first within each kind (at
    most two per kind; none while the engine is busy). Stores nothing.

    A participant asks about their own idea during `propose`, or, facilitating, about any
    visible idea of their room (not `closed`); `text` is anyone's in a breakout room
    during `propose`, or the facilitator's. A moderator (`by` ("user", id)) asks about
    any visible idea of the workshop `workshop_id`, or about `text`.

    Raises Invalid (neither or both of idea_id and text; text empty or too long),
    NotAllowed, NotFound.
    """
    if (idea_id is None) == (text is None):
        raise Invalid(_("Ask about one idea, or about one text."))
    if text is not None:
        most = current_app.config["IDEA_TEXT_MAX"]
        typed = validate.text(text, _("The idea"), max_length=most)
        kind, who = by
        if kind == "user":
            if type(workshop_id) is not int:
                raise NotFound(_("There is no such workshop, or you do not run it."))
            workshop_id = access.workshop_for_moderator(who, workshop_id).id
        else:
            me, room = _own_room(who)
            if room.facilitator_id != me.id and room.phase != "propose":
                raise NotAllowed(_("Authors tag their ideas during the Propose phase."))
            workshop_id = room.workshop_id
    else:
        idea = _idea_for(by, idea_id, workshop_id)
        typed, idea_id = idea.text, idea.id
        workshop_id = db.session.get(Room, idea.room_id).workshop_id
    tag_of = {
        key: tag_id
        for key, tag_id in db.session.execute(
            sa.select(Tag.key, Tag.id).where(
                Tag.workshop_id == workshop_id,
                Tag.removed.is_(False),
                Tag.key.in_(tag_suggestions.SUGGESTED_TAGS),
            )
        )
    }
    found = []
    if tag_of:
        suggest = partial(tag_suggestions.suggest, keys=sorted(tag_of))
        answer = on_engine(HINT_WAIT_S, suggest, [typed])
        found = answer[0] if answer else []
    return {
        "idea_id": idea_id,
        "suggestions": [{"tag_id": tag_of[s.key], "kind": s.kind, "score": s.score} for s in found],
    }
