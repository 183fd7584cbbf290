"""Themes by hand (the cluster phase): group a breakout room's ideas into named themes.

Who may: the moderators of the workshop, in any open breakout room; the room's
facilitator, in their own room; and, when the workshop lets participants cluster
(`participants_cluster`), anyone in the room during its `cluster` phase. Nobody changes
the themes of a closed room.

Every operation locks the room first, then reads the theme and the ideas again under the
lock: a theme dissolved or merged meanwhile is `NotFound` (the client resyncs), never a
theme that gets an idea after it was deleted. An idea is in at most one theme (one
column), and only in a theme of its own room (a composite foreign key).
"""

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Idea, Room, Theme
from cocreate.services import access, phases, validate
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
from cocreate.services.theme_views import views
from cocreate.services.unit import Change, perform

#: Who groups ideas: ("user", account id) for a moderator, ("participant", id) otherwise.
Clusterer = tuple[str, int]

NAME_MAX = 80
DESCRIPTION_MAX = 300
#: The most ideas one create_theme names.
IDEAS_MAX = 500


def _gone() -> NotFound:
    return NotFound(
        _("This theme is gone: it was dissolved or merged into another. Here are the themes now.")
    )


def _open_for_themes(room: Room) -> None:
    """Raise NotAllowed where themes cannot change: the plenary, a closed room."""
    if room.is_plenary:
        raise NotAllowed(_("Ideas are grouped into themes in breakout rooms."))
    if room.phase == "closed":
        raise NotAllowed(_("This room is closed: its themes stay as they are."))


def _participant_room(change: Change, participant_id: int) -> Room:
    """Lock the room of a participant who may group its ideas now; raises NotAllowed."""
    me = access.participant(participant_id)
    room = change.lock_room(me.room_id)
    db.session.refresh(me)  # a move that committed before the lock was ours
    if me.removed:
        raise NotAllowed(_("A moderator removed you from this workshop."))
    if me.room_id != room.id:
        raise Conflict(_("You were moved to another room meanwhile. Try again there."))
    _open_for_themes(room)
    if room.facilitator_id == me.id:
        return room
    if not room.workshop.participants_cluster:
        raise NotAllowed(_("Only the room's facilitator or a moderator can group ideas."))
    phases.require(room, "cluster")
    return room


def _room(change: Change, by: Clusterer, room_id: object) -> Room:
    """Lock the room `by` groups ideas in: a participant's own room, or the breakout room
    `room_id` of a workshop the account runs. Raises NotAllowed or NotFound."""
    kind, who = by
    if kind == "participant":
        return _participant_room(change, who)
    room = db.session.get(Room, room_id) if type(room_id) is int else None
    if room is None:
        raise NotFound(_("There is no such room in this workshop."))
    access.workshop_for_moderator(who, room.workshop_id)
    access.room_in_workshop(room.workshop_id, room.id, breakout_only=True)
    room = change.lock_room(room.id)
    if room.removed:
        raise NotFound(_("There is no such room in this workshop."))
    _open_for_themes(room)
    return room


def _room_of(
    by: Clusterer, model: type[Idea] | type[Theme], row_id: object, missing: NotFound
) -> int | None:
    """The room a moderator acts in: the theme's or the idea's, read before the lock (the
    work reads it again under the lock). None for a participant: their own room."""
    if by[0] != "user":
        return None
    found = db.session.get(model, row_id) if type(row_id) is int else None
    if found is None:
        raise missing
    return found.room_id


def _theme(room: Room, theme_id: object) -> Theme:
    """Read a theme of the locked room again; raises NotFound when it is gone."""
    theme = (
        db.session.scalar(
            sa.select(Theme)
            .where(Theme.id == theme_id, Theme.room_id == room.id)
            .execution_options(populate_existing=True)
        )
        if type(theme_id) is int
        else None
    )
    if theme is None:
        raise _gone()
    return theme


def _idea(room: Room, idea_id: object) -> Idea:
    """Read a visible idea of the locked room again; raises NotFound."""
    idea = (
        db.session.scalar(
            sa.select(Idea)
            .where(Idea.id == idea_id, Idea.room_id == room.id, Idea.status == "visible")
            .execution_options(populate_existing=True)
        )
        if type(idea_id) is int
        else None
    )
    if idea is None:
        raise NotFound(_("There is no such idea in this room."))
    return idea


def _fields(name: object, description: object) -> tuple[str, str | None]:
    name = validate.text(name, _("The theme's name"), max_length=NAME_MAX)
    if description is not None:
        description = validate.text(
            description, _("The theme's description"), max_length=DESCRIPTION_MAX, required=False
        )
    return name, description


def _idea_ids(idea_ids: object) -> list[int]:
    if idea_ids is None:
        return []
    if not isinstance(idea_ids, list | tuple) or any(type(i) is not int for i in idea_ids):
        raise Invalid(_("List the ideas by their ids."))
    unique = list(dict.fromkeys(idea_ids))
    if len(unique) > IDEAS_MAX:
        raise Invalid(_("A theme can start with at most %(n)d ideas.", n=IDEAS_MAX))
    return unique


def _seen_by(by: Clusterer, public: dict, full: dict) -> dict:
    """The view the actor gets in the ack: moderators' or participants'."""
    return full if by[0] == "user" else public


def _ids(ideas: Iterable[Idea]) -> tuple[list[int], list[int]]:
    """Ideas' ids as participants see them (visible ones), and as moderators do."""
    ideas = sorted(ideas, key=lambda idea: idea.id)
    return [i.id for i in ideas if i.status == "visible"], [i.id for i in ideas]


def create_theme(
    by: Clusterer,
    name: object,
    description: object = "",
    idea_ids: object = (),
    room_id: object = None,
    action_id: str | None = None,
) -> dict:
    """Make a theme in a breakout room; the listed ideas (visible ones of that room) move
    into it, out of any theme they were in.

    Raises Invalid (name, description, ids), NotAllowed, NotFound (room, an idea).
    """
    name, description = _fields(name, description or "")
    wanted = _idea_ids(idea_ids)

    def work(change: Change) -> dict:
        room = _room(change, by, room_id)
        ideas = [_idea(room, idea_id) for idea_id in wanted]
        theme = Theme(room_id=room.id, name=name, description=description)
        db.session.add(theme)
        db.session.flush()
        for idea in ideas:
            idea.theme_id = theme.id
        db.session.flush()
        public, full = views(theme)
        change.record(room, "theme_created", {"theme": public}, {"theme": full})
        return {"theme": _seen_by(by, public, full)}

    return perform(f"{by[0]}:{by[1]}", action_id, work)


def rename_theme(
    by: Clusterer,
    theme_id: object,
    name: object,
    description: object = None,
    action_id: str | None = None,
) -> dict:
    """Rename a theme; a description replaces the old one (None keeps it).

    Raises Invalid, NotAllowed, NotFound (a theme gone or out of reach).
    """
    name, description = _fields(name, description)

    def work(change: Change) -> dict:
        room = _room(change, by, _room_of(by, Theme, theme_id, _gone()))
        theme = _theme(room, theme_id)
        theme.name = name
        if description is not None:
            theme.description = description
        public, full = views(theme)
        change.record(room, "theme_changed", {"theme": public}, {"theme": full})
        return {"theme": _seen_by(by, public, full)}

    return perform(f"{by[0]}:{by[1]}", action_id, work)


def move_idea(
    by: Clusterer, idea_id: object, theme_id: object, action_id: str | None = None
) -> dict:
    """Put a visible idea in a theme of its room, or out of any theme (theme_id None).

    Moving an idea where it is already succeeds and records nothing; of two moves of one
    idea, the later commit's theme stands. Raises NotAllowed, NotFound (the idea, or a
    theme that is gone or in another room).
    """
    if theme_id is not None and type(theme_id) is not int:
        raise Invalid(_("Name the theme by its id, or null for none."))

    def work(change: Change) -> dict:
        missing = NotFound(_("There is no such idea in this room."))
        room = _room(change, by, _room_of(by, Idea, idea_id, missing))
        idea = _idea(room, idea_id)
        if theme_id is not None:
            _theme(room, theme_id)
        if idea.theme_id != theme_id:
            idea.theme_id = theme_id
            change.record(room, "idea_moved", {"idea_id": idea.id, "theme_id": theme_id})
        return {"idea_id": idea.id, "theme_id": theme_id}

    return perform(f"{by[0]}:{by[1]}", action_id, work)


def _ideas_in(theme: Theme) -> list[Idea]:
    return list(db.session.scalars(sa.select(Idea).where(Idea.theme_id == theme.id)))


def merge_themes(
    by: Clusterer, keep_id: object, merged_id: object, action_id: str | None = None
) -> dict:
    """Fold one theme into another of the same room: its ideas (hidden ones included) move
    to the kept theme, and it is deleted.

    Raises Invalid (the same theme twice), NotAllowed, NotFound (a theme gone, or of
    another room).
    """
    if keep_id == merged_id:
        raise Invalid(_("Choose two different themes to merge."))

    def work(change: Change) -> dict:
        room = _room(change, by, _room_of(by, Theme, keep_id, _gone()))
        keep, merged = _theme(room, keep_id), _theme(room, merged_id)
        moving = _ideas_in(merged)
        for idea in moving:
            idea.theme_id = keep.id
        db.session.flush()
        db.session.delete(merged)
        db.session.flush()
        public, full = views(keep)
        shown, every = _ids(moving)
        change.record(
            room,
            "themes_merged",
            {"theme": public, "merged_id": merged.id, "idea_ids": shown},
            {"theme": full, "merged_id": merged.id, "idea_ids": every},
        )
        return {"theme": _seen_by(by, public, full)}

    return perform(f"{by[0]}:{by[1]}", action_id, work)


def dissolve_theme(by: Clusterer, theme_id: object, action_id: str | None = None) -> dict:
    """Delete a theme; its ideas (hidden ones included) are in no theme any more.

    Raises NotAllowed, NotFound (a theme gone or out of reach).
    """

    def work(change: Change) -> dict:
        room = _room(change, by, _room_of(by, Theme, theme_id, _gone()))
        theme = _theme(room, theme_id)
        leaving = _ideas_in(theme)
        for idea in leaving:
            idea.theme_id = None
        db.session.flush()
        db.session.delete(theme)
        db.session.flush()
        shown, every = _ids(leaving)
        change.record(
            room,
            "theme_dissolved",
            {"theme_id": theme.id, "idea_ids": shown},
            {"theme_id": theme.id, "idea_ids": every},
        )
        return {"theme_id": theme.id, "idea_ids": every if by[0] == "user" else shown}

    return perform(f"{by[0]}:{by[1]}", action_id, work)
