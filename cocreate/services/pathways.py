"""Pathways toward equality (DESIGN §5): a breakout room turns its themes into pathways,
and its participants comment on them and endorse them.

Who may:
- draft, edit and remove a pathway: the room's facilitator, in their own room, from the
  cluster phase on (cluster, vote, pathway); the workshop's moderators, in any breakout
  room, in every phase but closed;
- comment and endorse: anyone in the room during its pathway phase, and the facilitator
  whenever they may draft;
- hide a comment: the room's facilitator (every phase but closed) and the moderators (any
  phase: taking hostile text down never waits).
Nobody acts in the plenary, and a closed room's pathways stay as they are.

Every operation locks the room first, then reads the pathway (or comment) again under the
lock: one removed meanwhile is NotFound. Two people may edit one pathway at once and no
edit is silently lost: an editor sends the `version` they started from, and the edit is
refused as a whole (EditConflict, with the pathway as it is now) when a field it changes
was changed by someone else after that version (field_versions); edits of different
fields both stand.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import (
    HORIZONS,
    PATHWAY_FIELDS,
    Idea,
    Participant,
    Pathway,
    PathwayComment,
    PathwayEndorsement,
    PathwayIdea,
    PathwayTag,
    Room,
    Tag,
    Theme,
)
from cocreate.models._time import utcnow
from cocreate.services import access, tags, validate
from cocreate.services.errors import Conflict, EditConflict, Invalid, NotAllowed, NotFound
from cocreate.services.pathway_views import build, comment_view, endorsement_counts
from cocreate.services.tagviews import theme_tag_ids
from cocreate.services.unit import Change, perform

#: Who acts: ("user", account id) for a moderator, ("participant", id) otherwise.
Actor = tuple[str, int]

TITLE_MAX = 120
TEXT_MAX = 1000  # challenge, vision
STEPS_MAX = 20
ACTION_MAX = 300
ACTOR_MAX = 120
INDICATOR_MAX = 300
#: The most ideas a pathway names.
IDEAS_MAX = 200
#: The most active tags on a pathway (as on a theme).
TAGS_MAX = tags.MAX_TAGS_PER_THEME
COMMENT_MAX = 500
#: Bounds that keep a room's snapshot and a pathway's events a sensible size.
PATHWAYS_PER_ROOM = 50
COMMENTS_PER_PATHWAY = 300

#: The phases in which a facilitator drafts.
DRAFTING = ("cluster", "vote", "pathway")
#: The change keys clients send, by the field of PATHWAY_FIELDS they change.
CHANGE_KEYS = {
    "title": "title",
    "challenge": "challenge",
    "vision": "vision",
    "steps": "steps",
    "tags": "tag_ids",
    "ideas": "idea_ids",
}
STEP_KEYS = frozenset({"action", "actor", "horizon", "indicator"})


def field_names() -> dict[str, str]:
    """Each field of PATHWAY_FIELDS as people call it."""
    return {
        "title": _("title"),
        "challenge": _("challenge"),
        "vision": _("vision"),
        "steps": _("steps"),
        "tags": _("tags"),
        "ideas": _("ideas"),
    }


def _gone() -> NotFound:
    return NotFound(_("This pathway is gone: it was removed, or it is not in your room."))


# --- Checking what clients send ----------------------------------------------------------


def _title(value: object) -> str:
    return validate.text(value, _("The pathway's title"), max_length=TITLE_MAX)


def _steps(value: object) -> list[dict[str, str]]:
    """Check a list of steps; raises Invalid for anything but at most STEPS_MAX objects
    with exactly an action (required), an actor, a horizon of HORIZONS and an indicator."""
    if not isinstance(value, list):
        raise Invalid(_("The steps must be a list."))
    if len(value) > STEPS_MAX:
        raise Invalid(_("A pathway can have at most %(n)d steps.", n=STEPS_MAX))
    steps = []
    for position, step in enumerate(value, start=1):
        if not isinstance(step, dict) or set(step) - STEP_KEYS or "action" not in step:
            raise Invalid(
                _(
                    "Step %(n)d needs an action and a time horizon, and may have an actor "
                    "and an indicator (nothing else).",
                    n=position,
                )
            )
        horizon = step.get("horizon")
        if horizon not in HORIZONS:
            raise Invalid(
                _(
                    "Step %(n)d: choose the time horizon short, medium or long.",
                    n=position,
                )
            )
        steps.append(
            {
                "action": validate.text(
                    step["action"], _("Step %(n)d's action", n=position), max_length=ACTION_MAX
                ),
                "actor": validate.text(
                    step.get("actor", ""),
                    _("Step %(n)d's actor", n=position),
                    max_length=ACTOR_MAX,
                    required=False,
                ),
                "horizon": horizon,
                "indicator": validate.text(
                    step.get("indicator", ""),
                    _("Step %(n)d's indicator", n=position),
                    max_length=INDICATOR_MAX,
                    required=False,
                ),
            }
        )
    return steps


def _ids(value: object, most: int, too_many: str) -> list[int]:
    """A list of whole numbers, at most `most` different ones, sorted; raises Invalid."""
    if not isinstance(value, list | tuple) or any(type(i) is not int for i in value):
        raise Invalid(_("List them by their ids."))
    chosen = sorted(set(value))
    if len(chosen) > most:
        raise Invalid(too_many)
    return chosen


def _changes(changes: object) -> dict[str, object]:
    """Check an edit's changes, by field of PATHWAY_FIELDS; raises Invalid."""
    if not isinstance(changes, dict) or not changes:
        raise Invalid(_("Say what changes: the title, challenge, vision, steps, tags or ideas."))
    fields = {key: field for field, key in CHANGE_KEYS.items()}
    unknown = set(changes) - set(fields)
    if unknown:
        raise Invalid(_("A pathway has no field %(name)s.", name=sorted(unknown)[0]))
    checked: dict[str, object] = {}
    for key, value in changes.items():
        field = fields[key]
        if field == "title":
            checked[field] = _title(value)
        elif field in ("challenge", "vision"):
            label = _("The challenge") if field == "challenge" else _("The vision")
            checked[field] = validate.text(value, label, max_length=TEXT_MAX, required=False)
        elif field == "steps":
            checked[field] = _steps(value)
        elif field == "tags":
            checked[field] = _ids(
                value, TAGS_MAX, _("A pathway can have at most %(n)d tags.", n=TAGS_MAX)
            )
        else:
            checked[field] = _ids(
                value, IDEAS_MAX, _("A pathway can build on at most %(n)d ideas.", n=IDEAS_MAX)
            )
    return checked


# --- Rooms, pathways and comments, under the room's lock ---------------------------------


def _breakout_open(room: Room) -> None:
    """Raise NotAllowed where pathways cannot change: the plenary, a closed room."""
    if room.is_plenary:
        raise NotAllowed(_("Pathways are drafted in breakout rooms."))
    if room.phase == "closed":
        raise NotAllowed(_("This room is closed: its pathways stay as they are."))


def _my_room(change: Change, participant_id: int) -> tuple[Participant, Room]:
    """Lock a participant's breakout room; raises NotAllowed (removed, plenary) or
    Conflict (moved meanwhile)."""
    me = access.participant(participant_id)
    room = change.lock_room(me.room_id)
    db.session.refresh(me)  # a move or removal that committed before the lock was ours
    if me.removed:
        raise NotAllowed(_("A moderator removed you from this workshop."))
    if me.room_id != room.id:
        raise Conflict(_("You were moved to another room meanwhile. Try again there."))
    if room.is_plenary:
        raise NotAllowed(_("Pathways are drafted in breakout rooms."))
    return me, room


def _moderated_room(change: Change, user_id: int, room_id: object) -> Room:
    """Lock a breakout room of a workshop the account runs; raises NotFound."""
    room = db.session.get(Room, room_id) if type(room_id) is int else None
    if room is None:
        raise NotFound(_("There is no such room in this workshop."))
    access.workshop_for_moderator(user_id, room.workshop_id)
    access.room_in_workshop(room.workshop_id, room.id, breakout_only=True)
    room = change.lock_room(room.id)
    if room.removed:
        raise NotFound(_("There is no such room in this workshop."))
    return room


def _drafting_room(change: Change, by: Actor, room_id: object) -> Room:
    """Lock the room `by` drafts in now (theirs, or the moderator's `room_id`); raises
    NotAllowed or NotFound."""
    kind, who = by
    if kind == "participant":
        me, room = _my_room(change, who)
        if room.facilitator_id != me.id:
            raise NotAllowed(_("Only the room's facilitator or a moderator drafts pathways."))
        _breakout_open(room)
        if room.phase not in DRAFTING:
            raise NotAllowed(_("Pathways are drafted from the Cluster phase on."))
        return room
    room = _moderated_room(change, who, room_id)
    _breakout_open(room)
    return room


def _room_of(by: Actor, model: type[Pathway] | type[PathwayComment], row_id: object) -> int | None:
    """The room a moderator acts in: the pathway's or the comment's, read before the lock
    (the work reads it again under the lock). None for a participant: their own room."""
    if by[0] != "user":
        return None
    found = db.session.get(model, row_id) if type(row_id) is int else None
    if found is None:
        raise _gone() if model is Pathway else NotFound(_("There is no such comment."))
    pathway = found if model is Pathway else db.session.get(Pathway, found.pathway_id)
    return pathway.room_id


def _pathway(room: Room, pathway_id: object) -> Pathway:
    """Read a pathway of the locked room again; raises NotFound when it is gone."""
    pathway = (
        db.session.scalar(
            sa.select(Pathway)
            .where(Pathway.id == pathway_id, Pathway.room_id == room.id, Pathway.removed.is_(False))
            .execution_options(populate_existing=True)
        )
        if type(pathway_id) is int
        else None
    )
    if pathway is None:
        raise _gone()
    return pathway


def _seen_by(by: Actor, room: Room, pathway: Pathway) -> tuple[dict, dict, dict]:
    """The pathway as participants see it, as moderators do, and as `by` does."""
    db.session.flush()
    public = build(room.workshop, [pathway])[0]
    full = build(room.workshop, [pathway], moderators=True)[0]
    return public, full, full if by[0] == "user" else public


def _saved(change: Change, by: Actor, room: Room, pathway: Pathway) -> dict:
    """Record `pathway_saved` and return the ack's pathway."""
    public, full, mine = _seen_by(by, room, pathway)
    change.record(room, "pathway_saved", {"pathway": public}, {"pathway": full})
    return {"pathway": mine}


# --- Ideas and tags ----------------------------------------------------------------------


def _linked(pathway: Pathway) -> tuple[list[int], list[int], set[int]]:
    """The pathway's visible ideas and active tags, ascending (the values an edit of
    `ideas` or `tags` replaces), and its ideas that are not visible (they stay linked)."""
    rows = db.session.execute(
        sa.select(PathwayIdea.idea_id, Idea.status)
        .join(Idea, Idea.id == PathwayIdea.idea_id)
        .where(PathwayIdea.pathway_id == pathway.id)
        .order_by(PathwayIdea.idea_id)
    ).all()
    active = db.session.scalars(
        sa.select(PathwayTag.tag_id)
        .join(Tag, Tag.id == PathwayTag.tag_id)
        .where(PathwayTag.pathway_id == pathway.id, Tag.removed.is_(False))
        .order_by(PathwayTag.tag_id)
    ).all()
    visible = [idea_id for idea_id, status in rows if status == "visible"]
    return visible, list(active), {idea_id for idea_id, status in rows if status != "visible"}


def _check_ideas(room: Room, idea_ids: list[int]) -> None:
    """Every id must be a visible idea of the locked room; raises NotFound."""
    if not idea_ids:
        return
    found = set(
        db.session.scalars(
            sa.select(Idea.id).where(
                Idea.id.in_(idea_ids), Idea.room_id == room.id, Idea.status == "visible"
            )
        )
    )
    if found != set(idea_ids):
        raise NotFound(_("Some of these ideas are not in this room (any more)."))


def _check_tags(room: Room, tag_ids: list[int]) -> None:
    """Every id must be an active tag of the room's workshop (the organizer's removals
    lock the rooms too); raises Invalid."""
    if not tag_ids:
        return
    found = set(
        db.session.scalars(
            sa.select(Tag.id).where(
                Tag.id.in_(tag_ids), Tag.workshop_id == room.workshop_id, Tag.removed.is_(False)
            )
        )
    )
    if found != set(tag_ids):
        raise Invalid(_("Choose tags from this workshop's lists."))


def _relink(
    link: type[PathwayIdea] | type[PathwayTag], pathway: Pathway, old: list[int], new: list[int]
) -> None:
    """Make the pathway's shown links `new` instead of `old`; links nobody sees (hidden
    ideas, removed tags) stay as they are."""
    column = link.idea_id if link is PathwayIdea else link.tag_id
    name = "idea_id" if link is PathwayIdea else "tag_id"
    dropped = set(old) - set(new)
    if dropped:
        db.session.execute(
            sa.delete(link).where(link.pathway_id == pathway.id, column.in_(dropped))
        )
    for linked in sorted(set(new) - set(old)):
        db.session.add(link(pathway_id=pathway.id, **{name: linked}))


# --- Operations --------------------------------------------------------------------------


def create_pathway(
    by: Actor,
    title: object = None,
    theme_id: object = None,
    room_id: object = None,
    action_id: str | None = None,
) -> dict:
    """Draft a pathway in a breakout room, from one of its themes (its title defaults to
    the theme's name; the theme's visible ideas, at most IDEAS_MAX of the oldest, and its
    active tags come along) or from scratch (a title is needed).

    Returns {pathway}. Raises Invalid (title, ids), NotAllowed, NotFound (room, theme),
    Conflict (the room has PATHWAYS_PER_ROOM pathways).
    """
    if title is not None:
        title = _title(title)
    if theme_id is not None and type(theme_id) is not int:
        raise Invalid(_("Name the theme by its id, or leave it out."))
    if title is None and theme_id is None:
        raise Invalid(_("Give the pathway a title, or draft it from a theme."))

    def work(change: Change) -> dict:
        room = _drafting_room(change, by, room_id)
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Pathway)
            .where(Pathway.room_id == room.id, Pathway.removed.is_(False))
        )
        if count >= PATHWAYS_PER_ROOM:
            raise Conflict(_("A room can have at most %(n)d pathways.", n=PATHWAYS_PER_ROOM))
        theme, idea_ids, tag_ids = None, [], []
        if theme_id is not None:
            theme = db.session.scalar(
                sa.select(Theme).where(Theme.id == theme_id, Theme.room_id == room.id)
            )
            if theme is None:
                raise NotFound(_("This theme is not in this room (any more)."))
            idea_ids = db.session.scalars(
                sa.select(Idea.id)
                .where(Idea.theme_id == theme.id, Idea.status == "visible")
                .order_by(Idea.id)
                .limit(IDEAS_MAX)
            ).all()
            tag_ids = theme_tag_ids([theme.id])[theme.id][:TAGS_MAX]
        pathway = Pathway(
            room_id=room.id,
            theme_id=theme.id if theme else None,
            title=title or theme.name,
            challenge="",
            vision="",
            steps=[],
            version=1,
            field_versions=dict.fromkeys(PATHWAY_FIELDS, 1),
        )
        db.session.add(pathway)
        db.session.flush()
        _relink(PathwayIdea, pathway, [], list(idea_ids))
        _relink(PathwayTag, pathway, [], list(tag_ids))
        return _saved(change, by, room, pathway)

    return perform(f"{by[0]}:{by[1]}", action_id, work)


def edit_pathway(
    by: Actor,
    pathway_id: object,
    version: object,
    changes: object,
    action_id: str | None = None,
) -> dict:
    """Change fields of a pathway, as of the `version` the editor started from.

    A field whose new value is its current one is left out. When a changed field was
    changed by someone else after `version`, nothing is saved and EditConflict names the
    clashing fields with the pathway as it is now; otherwise the pathway's version goes
    up by one and each changed field records it. New idea ids must be visible ideas of the
    room, tag ids active tags of the workshop; links nobody sees stay. Returns {pathway}.
    Raises Invalid, NotAllowed, NotFound (the pathway, an idea), EditConflict.
    """
    checked = _changes(changes)
    if type(version) is not int or version < 1:
        raise Invalid(_("Send the version of the pathway you started from."))

    def work(change: Change) -> dict:
        room = _drafting_room(change, by, _room_of(by, Pathway, pathway_id))
        pathway = _pathway(room, pathway_id)
        if version > pathway.version:
            raise Invalid(_("Send the version of the pathway you started from."))
        ideas, active, unseen = _linked(pathway)
        if "ideas" in checked:  # a moderator's list names hidden ideas too: they stay anyway
            checked["ideas"] = [i for i in checked["ideas"] if i not in unseen]
        current = {
            "title": pathway.title,
            "challenge": pathway.challenge,
            "vision": pathway.vision,
            "steps": pathway.steps,
            "tags": active,
            "ideas": ideas,
        }
        changed = {field: v for field, v in checked.items() if v != current[field]}
        clashing = [
            f for f in PATHWAY_FIELDS if f in changed and pathway.field_versions.get(f, 0) > version
        ]
        if clashing:
            names = field_names()
            raise EditConflict(
                _(
                    "Someone else changed the %(fields)s of this pathway meanwhile, so your "
                    "edit was not saved. Here is the pathway now: make your change again.",
                    fields=", ".join(names[f] for f in clashing),
                ),
                fields=clashing,
                current=_seen_by(by, room, pathway)[2],
            )
        if not changed:
            return {"pathway": _seen_by(by, room, pathway)[2]}
        if "ideas" in changed:
            _check_ideas(room, [i for i in changed["ideas"] if i not in ideas])
            _relink(PathwayIdea, pathway, ideas, changed["ideas"])
        if "tags" in changed:
            _check_tags(room, changed["tags"])
            _relink(PathwayTag, pathway, active, changed["tags"])
        for field in ("title", "challenge", "vision", "steps"):
            if field in changed:
                setattr(pathway, field, changed[field])
        new_version = pathway.version + 1
        pathway.version = new_version
        pathway.field_versions = {**pathway.field_versions, **dict.fromkeys(changed, new_version)}
        pathway.updated_at = utcnow()
        return _saved(change, by, room, pathway)

    return perform(f"{by[0]}:{by[1]}", action_id, work)


def remove_pathway(by: Actor, pathway_id: object, action_id: str | None = None) -> dict:
    """Take a pathway away (kept for the record, shown nowhere). Returns {pathway_id}.

    Raises NotAllowed, NotFound (a pathway gone or out of reach).
    """

    def work(change: Change) -> dict:
        room = _drafting_room(change, by, _room_of(by, Pathway, pathway_id))
        pathway = _pathway(room, pathway_id)
        pathway.removed = True
        pathway.updated_at = utcnow()
        change.record(room, "pathway_removed", {"pathway_id": pathway.id})
        return {"pathway_id": pathway.id}

    return perform(f"{by[0]}:{by[1]}", action_id, work)


def _taking_part(change: Change, participant_id: int, pathway_id: object) -> tuple:
    """Lock the participant's room, where they may comment and endorse now, and read the
    pathway again. Raises NotAllowed (phase, closed, plenary), NotFound, Conflict."""
    me, room = _my_room(change, participant_id)
    _breakout_open(room)
    facilitates = room.facilitator_id == me.id
    if room.phase != "pathway" and not (facilitates and room.phase in DRAFTING):
        raise NotAllowed(_("Pathways are commented on and endorsed during the Pathway phase."))
    return me, room, _pathway(room, pathway_id)


def comment_pathway(
    participant_id: int, pathway_id: object, text: object, action_id: str | None = None
) -> dict:
    """Comment on a pathway of the participant's room. Returns {comment}.

    Raises Invalid (text), NotAllowed, NotFound, Conflict (COMMENTS_PER_PATHWAY reached).
    """
    text = validate.text(text, _("The comment"), max_length=COMMENT_MAX)

    def work(change: Change) -> dict:
        me, room, pathway = _taking_part(change, participant_id, pathway_id)
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PathwayComment)
            .where(PathwayComment.pathway_id == pathway.id)
        )
        if count >= COMMENTS_PER_PATHWAY:
            raise Conflict(
                _("This pathway has %(n)d comments: it takes no more.", n=COMMENTS_PER_PATHWAY)
            )
        comment = PathwayComment(pathway_id=pathway.id, author_id=me.id, text=text)
        db.session.add(comment)
        db.session.flush()
        view = comment_view(comment, me.display_name)
        change.record(room, "pathway_commented", {"comment": view})
        return {"comment": view}

    return perform(f"participant:{participant_id}", action_id, work)


def endorse_pathway(
    participant_id: int, pathway_id: object, endorse: object, action_id: str | None = None
) -> dict:
    """Endorse a pathway of the participant's room (True), or take it back (False).

    Records `pathway_endorsed` when that changed something. Returns {pathway_id,
    endorsed, endorsements}. Raises Invalid, NotAllowed, NotFound, Conflict.
    """
    if not isinstance(endorse, bool):
        raise Invalid(_("Say whether you endorse the pathway (true) or not (false)."))

    def work(change: Change) -> dict:
        me, room, pathway = _taking_part(change, participant_id, pathway_id)
        mine = db.session.get(PathwayEndorsement, (pathway.id, me.id))
        if endorse and mine is None:
            db.session.add(PathwayEndorsement(pathway_id=pathway.id, participant_id=me.id))
        elif not endorse and mine is not None:
            db.session.delete(mine)
        db.session.flush()
        count = endorsement_counts([pathway.id])[pathway.id]
        if endorse != (mine is not None):
            change.record(
                room, "pathway_endorsed", {"pathway_id": pathway.id, "endorsements": count}
            )
        return {"pathway_id": pathway.id, "endorsed": endorse, "endorsements": count}

    return perform(f"participant:{participant_id}", action_id, work)


def hide_pathway_comment(by: Actor, comment_id: object, action_id: str | None = None) -> dict:
    """Hide a comment: the room's facilitator (every phase but closed) or a moderator (any
    phase). Hiding a hidden comment records nothing. Returns {pathway_id, comment_id}.

    Raises NotAllowed, NotFound.
    """

    def work(change: Change) -> dict:
        missing = NotFound(_("There is no such comment."))
        kind, who = by
        if kind == "participant":
            me, room = _my_room(change, who)
            if room.facilitator_id != me.id:
                raise NotAllowed(_("Only the room's facilitator or a moderator hides comments."))
            _breakout_open(room)
        else:
            room = _moderated_room(change, who, _room_of(by, PathwayComment, comment_id))
        comment = (
            db.session.scalar(
                sa.select(PathwayComment)
                .join(Pathway, Pathway.id == PathwayComment.pathway_id)
                .where(PathwayComment.id == comment_id, Pathway.room_id == room.id)
                .execution_options(populate_existing=True)
            )
            if type(comment_id) is int
            else None
        )
        if comment is None:
            raise missing
        if not comment.hidden:
            comment.hidden = True
            change.record(
                room,
                "pathway_comment_hidden",
                {"pathway_id": comment.pathway_id, "comment_id": comment.id},
            )
        return {"pathway_id": comment.pathway_id, "comment_id": comment.id}

    return perform(f"{by[0]}:{by[1]}", action_id, work)
