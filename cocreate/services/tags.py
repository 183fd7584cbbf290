"""Human-rights tags (DESIGN §7): a workshop's own tag lists, and tagging ideas and themes.

A new workshop gets a copy of the default sets (cocreate.tagsets) in its organizer's
language; the organizer edits the lists on the settings page (`update_tags`). Taking a
tag off a list is a soft removal (Tag.removed): the ideas and themes that carry it keep
the link, it is no longer offered or shown, and putting the same label back restores it
with its links. Changing a label's text makes a new tag.

Who tags, through the one write path (the room's lock, then `idea_tagged` /
`theme_tagged` in the room's log):
- an idea's author tags their own visible idea during the propose phase (when they write
  it);
- the room's facilitator tags any visible idea and any theme of their room, in every
  phase but closed;
- moderators tag any visible idea and any theme of their workshop, in any phase (as their
  other events, they are not bound by phases).
A tagging action replaces the set of active tags of the idea or theme (at most
MAX_TAGS_PER_IDEA / MAX_TAGS_PER_THEME); links to removed tags are left alone.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import TAG_KINDS, Idea, IdeaTag, Participant, Room, Tag, Theme, ThemeTag
from cocreate.services import access, validate, workshops
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
from cocreate.services.tagviews import active_tags, tag_view
from cocreate.services.unit import Change, perform
from cocreate.tagsets import DEFAULTS

#: Most tags on one idea: enough for a right, a group or two and a domain; more would
#: make every idea "about everything" and flatten the coverage matrix.
MAX_TAGS_PER_IDEA = 6
#: Most tags on one theme (a theme gathers several ideas, so it may carry a few more).
MAX_TAGS_PER_THEME = 10
#: Most tags in one kind's list (the UDHR alone has 30 articles).
MAX_TAGS_PER_KIND = 60
TAG_LABEL_MAX = 80


def kind_names() -> dict[str, str]:
    """Each kind of tag with its name for people, in TAG_KINDS order."""
    return {
        "rights": _("Rights (Universal Declaration of Human Rights)"),
        "groups": _("Groups at risk of exclusion"),
        "domains": _("Policy domains"),
    }


def copy_defaults(workshop_id: int) -> None:
    """Add the default tag sets to a new workshop, in the current language (inside the
    caller's transaction: creating a workshop calls it)."""
    for kind, entries in DEFAULTS.items():
        for position, (key, label) in enumerate(entries):
            db.session.add(
                Tag(
                    workshop_id=workshop_id, kind=kind, key=key, label=str(label), position=position
                )
            )


def tag_lists(user_id: int, workshop_id: int) -> dict[str, list[str]]:
    """The labels of each kind's list, for the settings form; raises NotFound unless the
    account runs the workshop."""
    access.workshop_for_moderator(user_id, workshop_id)
    lists: dict[str, list[str]] = {kind: [] for kind in TAG_KINDS}
    for tag in active_tags(workshop_id):
        lists[tag.kind].append(tag.label)
    return lists


def _labels(kind: str, labels: object) -> list[str]:
    """Check one kind's list as the organizer typed it: trimmed, blanks and repeats
    dropped, at most MAX_TAGS_PER_KIND labels of TAG_LABEL_MAX characters."""
    if not isinstance(labels, list):
        raise Invalid(_("A list of tags is expected."))
    name = kind_names()[kind]
    checked: list[str] = []
    for label in labels:
        label = validate.text(label, _("A tag"), max_length=TAG_LABEL_MAX, required=False)
        if label and label not in checked:
            checked.append(label)
    if len(checked) > MAX_TAGS_PER_KIND:
        raise Invalid(_("%(kind)s: at most %(n)d tags.", kind=name, n=MAX_TAGS_PER_KIND))
    return checked


def update_tags(
    user_id: int,
    workshop_id: int,
    lists: dict[str, object],
    action_id: str | None = None,
) -> dict:
    """Replace the workshop's tag lists (kinds left out of `lists` stay as they are).

    A label no longer listed is soft-removed (its links stay); a listed label that was
    removed comes back; a new label is a new tag. When anything changed, every open room
    records `workshop_changed` (the workshop view lists the tags). Returns
    {"tags": [TagView]} (the active tags). Raises NotFound unless the account runs the
    workshop, Invalid for a long label or too many.
    """
    checked = {kind: _labels(kind, lists[kind]) for kind in TAG_KINDS if kind in lists}

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        # The rooms first (as every workshop change does): no tagging action can choose
        # a tag between its check and its removal.
        workshops.lock_open_rooms(change, workshop)
        existing = db.session.scalars(sa.select(Tag).where(Tag.workshop_id == workshop.id)).all()
        before = {(t.id, t.position, t.removed) for t in existing}
        by_label = {(t.kind, t.label): t for t in existing}
        for kind, labels in checked.items():
            for position, label in enumerate(labels):
                tag = by_label.get((kind, label))
                if tag is None:
                    db.session.add(
                        Tag(workshop_id=workshop.id, kind=kind, label=label, position=position)
                    )
                else:
                    tag.position, tag.removed = position, False
            for tag in existing:
                if tag.kind == kind and tag.label not in labels:
                    tag.removed = True
        db.session.flush()
        now = db.session.scalars(sa.select(Tag).where(Tag.workshop_id == workshop.id)).all()
        if {(t.id, t.position, t.removed) for t in now} != before:
            workshops.announce(change, workshop)
        return {"tags": [tag_view(tag) for tag in active_tags(workshop.id)]}

    return perform(f"user:{user_id}", action_id, work)


# --- Tagging -----------------------------------------------------------------------------


def _tag_ids(tag_ids: object, most: int, what: str) -> list[int]:
    """Check the ids a client chose: a list of whole numbers, at most `most` different
    ones; return them sorted, without repeats. Raises Invalid."""
    if not isinstance(tag_ids, list) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in tag_ids
    ):
        raise Invalid(_("Choose tags by their ids."))
    chosen = sorted(set(tag_ids))
    if len(chosen) > most:
        raise Invalid(_("%(what)s can have at most %(n)d tags.", what=what, n=most))
    return chosen


def _workshop_tags(workshop_id: int, tag_ids: list[int]) -> list[int]:
    """Check that every chosen id is an active tag of the workshop (call under the room's
    lock: the organizer's removals take the rooms' locks too). Raises Invalid."""
    if not tag_ids:
        return []
    found = set(
        db.session.scalars(
            sa.select(Tag.id).where(
                Tag.id.in_(tag_ids), Tag.workshop_id == workshop_id, Tag.removed.is_(False)
            )
        )
    )
    if found != set(tag_ids):
        raise Invalid(_("Choose tags from this workshop's lists."))
    return tag_ids


def _retag(
    change: Change,
    room: Room,
    link: type[IdeaTag] | type[ThemeTag],
    owner_id: int,
    tag_ids: list[int],
    event: str,
) -> dict:
    """Make the active tags of an idea or theme exactly `tag_ids`; record the event when
    that changed something. Links to removed tags stay."""
    column = link.idea_id if link is IdeaTag else link.theme_id
    name = "idea_id" if link is IdeaTag else "theme_id"
    current = set(
        db.session.scalars(
            sa.select(link.tag_id)
            .join(Tag, Tag.id == link.tag_id)
            .where(column == owner_id, Tag.removed.is_(False))
        )
    )
    wanted = set(tag_ids)
    if current != wanted:
        if current - wanted:
            db.session.execute(
                sa.delete(link).where(column == owner_id, link.tag_id.in_(current - wanted))
            )
        for tag_id in sorted(wanted - current):
            db.session.add(link(**{name: owner_id, "tag_id": tag_id}))
        change.record(room, event, {name: owner_id, "tag_ids": sorted(wanted)})
    return {name: owner_id, "tag_ids": sorted(wanted)}


def _participant_room(change: Change, participant_id: int) -> tuple[Participant, Room, bool]:
    """Lock the participant's room; return them, it, and whether they facilitate it.
    Raises NotAllowed in the plenary lobby, Conflict when they were just moved."""
    me = access.participant(participant_id)
    room = change.lock_room(me.room_id)
    db.session.refresh(me)  # a move or removal that committed before the lock was ours
    if me.removed:
        raise NotAllowed(_("A moderator removed you from this workshop."))
    if me.room_id != room.id:
        raise Conflict(_("You were moved to another room meanwhile. Try again there."))
    if room.is_plenary:
        raise NotAllowed(_("Ideas are tagged in breakout rooms. Wait to be placed in one."))
    return me, room, room.facilitator_id == me.id


def _facilitator_phase(room: Room) -> None:
    if room.phase == "closed":
        raise NotAllowed(_("This room is closed: its ideas and themes can no longer change."))


def tag_idea(
    participant_id: int, idea_id: object, tag_ids: object, action_id: str | None = None
) -> dict:
    """Replace the tags of a visible idea in the participant's room: their own during the
    propose phase, or any as the room's facilitator (in every phase but closed).

    Returns {idea_id, tag_ids}. Raises NotAllowed (lobby, phase, someone else's idea),
    NotFound (not a visible idea of the room), Invalid (ids, too many, not the workshop's).
    """
    chosen = _tag_ids(tag_ids, MAX_TAGS_PER_IDEA, _("An idea"))

    def work(change: Change) -> dict:
        me, room, facilitates = _participant_room(change, participant_id)
        if facilitates:
            _facilitator_phase(room)
        elif room.phase != "propose":
            raise NotAllowed(_("Authors tag their ideas during the Propose phase."))
        idea = db.session.get(Idea, idea_id) if type(idea_id) is int else None
        if idea is None or idea.room_id != room.id or idea.status != "visible":
            raise NotFound(_("This idea is not in your room (any more)."))
        if not facilitates and idea.author_id != me.id:
            raise NotAllowed(_("Only its author or the room's facilitator can tag an idea."))
        _workshop_tags(room.workshop_id, chosen)
        return _retag(change, room, IdeaTag, idea.id, chosen, "idea_tagged")

    return perform(f"participant:{participant_id}", action_id, work)


def moderate_tag_idea(
    user_id: int,
    workshop_id: int,
    idea_id: object,
    tag_ids: object,
    action_id: str | None = None,
) -> dict:
    """A moderator replaces the tags of any visible idea of the workshop, in any phase.

    Returns {idea_id, tag_ids}. Raises NotFound (workshop, idea), Invalid (tags).
    """
    chosen = _tag_ids(tag_ids, MAX_TAGS_PER_IDEA, _("An idea"))

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        idea = db.session.get(Idea, idea_id) if type(idea_id) is int else None
        room = db.session.get(Room, idea.room_id) if idea else None
        if idea is None or room.workshop_id != workshop.id or idea.status != "visible":
            raise NotFound(_("There is no such idea in this workshop."))
        room = change.lock_room(room.id)
        _workshop_tags(workshop.id, chosen)
        return _retag(change, room, IdeaTag, idea.id, chosen, "idea_tagged")

    return perform(f"user:{user_id}", action_id, work)


def tag_theme(
    participant_id: int, theme_id: object, tag_ids: object, action_id: str | None = None
) -> dict:
    """The facilitator replaces the tags of a theme of their room (every phase but
    closed). Returns {theme_id, tag_ids}. Raises NotAllowed (lobby, not the facilitator,
    closed), NotFound (not a theme of the room), Invalid (tags)."""
    chosen = _tag_ids(tag_ids, MAX_TAGS_PER_THEME, _("A theme"))

    def work(change: Change) -> dict:
        _me, room, facilitates = _participant_room(change, participant_id)
        if not facilitates:
            raise NotAllowed(_("Only the room's facilitator or a moderator can do this."))
        _facilitator_phase(room)
        theme = db.session.get(Theme, theme_id) if type(theme_id) is int else None
        if theme is None or theme.room_id != room.id:
            raise NotFound(_("This theme is not in your room (any more)."))
        _workshop_tags(room.workshop_id, chosen)
        return _retag(change, room, ThemeTag, theme.id, chosen, "theme_tagged")

    return perform(f"participant:{participant_id}", action_id, work)


def moderate_tag_theme(
    user_id: int,
    workshop_id: int,
    theme_id: object,
    tag_ids: object,
    action_id: str | None = None,
) -> dict:
    """A moderator replaces the tags of any theme of the workshop, in any phase.

    Returns {theme_id, tag_ids}. Raises NotFound (workshop, theme), Invalid (tags).
    """
    chosen = _tag_ids(tag_ids, MAX_TAGS_PER_THEME, _("A theme"))

    def work(change: Change) -> dict:
        workshop = access.workshop_for_moderator(user_id, workshop_id)
        theme = db.session.get(Theme, theme_id) if type(theme_id) is int else None
        room = db.session.get(Room, theme.room_id) if theme else None
        if theme is None or room.workshop_id != workshop.id:
            raise NotFound(_("There is no such theme in this workshop."))
        room = change.lock_room(room.id)
        _workshop_tags(workshop.id, chosen)
        return _retag(change, room, ThemeTag, theme.id, chosen, "theme_tagged")

    return perform(f"user:{user_id}", action_id, work)
