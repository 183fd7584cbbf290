"""Cross-room themes (DESIGN §2 step 5): back in plenary, the moderator gathers the rooms'
themes about the same thing into workshop-level themes, from suggestions or by hand.

Who may: the moderators of the workshop (owner or co-moderator), at any time; the
projector shows them once the breakouts are closed. The events are recorded in the
plenary room's log (`cross_theme_created`, `cross_theme_changed`, `cross_theme_removed`),
so consoles and the projector follow them with sequence numbers like any room event.

A room theme is in at most one cross-room theme (the key of `cross_theme_themes`).
Putting a theme in a cross-room theme takes it out of the one it was in (that is how a
split is one action), and that cross-room theme's change is recorded too.

**A deleted room theme leaves its cross-room theme by one rule**: the database deletes
its link in the transaction that deletes the theme (ON DELETE CASCADE; themes.py's
dissolve and merge know nothing of cross-room themes). The plenary log records nothing
then: the room's own `theme_dissolved` / `themes_merged` event says the theme is gone,
and every reader of cross-room themes (moderators, the projector) receives every room's
events and drops the theme from the cross-room theme when applying them
(static/js/workshop-state.js, `dropTheme`). Snapshots read the links as they are. Every
write here locks the plenary room and the rooms of the themes it names or holds (in id
order, like every multi-room action), so a theme cannot be dissolved between the check
and the commit: its link is either written before the deletion (and cascades with it)
or the write finds the theme gone (NotFound).
"""

from typing import Any

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import CrossTheme, CrossThemeMember, Idea, Room, Theme
from cocreate.services import access, suggestions, validate
from cocreate.services.errors import Invalid, NotFound, RateLimited
from cocreate.services.unit import Change, perform

NAME_MAX = 80
DESCRIPTION_MAX = 300
#: The most room themes one cross-room theme names.
THEMES_MAX = 200
#: How much of a theme's ideas its text for the embedding takes (the engine reads 500
#: characters): the name first, then its ideas, oldest first.
TEXT_MAX = 480
#: The cut of the average-linkage tree on (centred) cosine distance between room themes.
#: Looser than the rooms' idea clustering: a workshop has few themes, all about its
#: question, and centring few rows spreads them apart (tried on housing, mobility and
#: schools themes in English and French: 1.1 groups housing with "logement", not with
#: mobility).
CROSS_DISTANCE = 1.1
#: With fewer themes than this, centring on their mean says nothing (two rows centred are
#: opposite, three or four stay far apart): they are grouped on raw cosine similarity.
CENTRED_FROM = 5
#: Raw cosine similarity (e5 puts any two texts above 0.8) above which a theme joins a
#: group, on average over the group's themes (few themes only).
SAME_SIMILARITY = 0.87


def _gone() -> NotFound:
    return NotFound(
        _("This cross-room theme is gone: another moderator discarded it. Here they are now.")
    )


# ---- the read side ----------------------------------------------------------------


def cross_theme_view(cross: CrossTheme, theme_ids: list[int]) -> dict[str, Any]:
    """Describe a cross-room theme with the ids of its room themes, oldest first."""
    return {
        "id": cross.id,
        "name": cross.name,
        "description": cross.description,
        "theme_ids": sorted(theme_ids),
        "created_at": cross.created_at.isoformat(),
    }


def _members(cross_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {cross_id: [] for cross_id in cross_ids}
    if cross_ids:
        rows = db.session.execute(
            sa.select(CrossThemeMember.cross_theme_id, CrossThemeMember.theme_id)
            .where(CrossThemeMember.cross_theme_id.in_(cross_ids))
            .order_by(CrossThemeMember.theme_id)
        )
        for cross_id, theme_id in rows:
            found[cross_id].append(theme_id)
    return found


def cross_themes_of(workshop_id: int) -> list[dict[str, Any]]:
    """The workshop's cross-room themes, oldest first (for snapshots)."""
    crosses = db.session.scalars(
        sa.select(CrossTheme)
        .where(CrossTheme.workshop_id == workshop_id)
        .order_by(CrossTheme.id)
        .execution_options(populate_existing=True)
    ).all()
    members = _members([cross.id for cross in crosses])
    return [cross_theme_view(cross, members[cross.id]) for cross in crosses]


def _view(cross: CrossTheme) -> dict[str, Any]:
    return cross_theme_view(cross, _members([cross.id])[cross.id])


# ---- suggestions --------------------------------------------------------------------


def _theme_text(theme: Theme, idea_texts: list[str]) -> str:
    return ". ".join([theme.name, *(text.rstrip(". ") for text in idea_texts)])[:TEXT_MAX]


def _embed_and_cluster(texts: list[str], distance: float) -> tuple[np.ndarray, list[int]]:
    """Embeddings of the themes' texts and a group number per theme (CPU work)."""
    vectors = suggestions.encode(texts)
    if len(texts) >= CENTRED_FROM:
        return vectors, suggestions.cluster(vectors, distance=distance)
    groups: list[list[int]] = []
    for index in range(len(texts)):
        home = next(
            (
                group
                for group in groups
                if float(np.mean(vectors[group] @ vectors[index])) >= SAME_SIMILARITY
            ),
            None,
        )
        if home is None:
            groups.append([index])
        else:
            home.append(index)
    numbers = {index: number for number, group in enumerate(groups) for index in group}
    return vectors, [numbers[index] for index in range(len(texts))]


def suggest_cross_themes(
    user_id: int, workshop_id: int, *, distance: float = CROSS_DISTANCE
) -> dict[str, Any]:
    """Suggest cross-room themes: groups of room themes (not yet in a cross-room theme)
    that say the same thing, each spanning two rooms at least, largest first. Each has
    the name of its most central theme. Changes nothing; the same themes and ideas
    always give the same suggestions.

    Raises NotFound unless the account runs the workshop.
    """
    workshop = access.workshop_for_moderator(user_id, workshop_id)
    rooms = {room.id: room for room in workshop.rooms if not room.is_plenary and not room.removed}
    kept = sa.select(CrossThemeMember.theme_id)
    themes = db.session.scalars(
        sa.select(Theme)
        .where(Theme.room_id.in_(list(rooms)), Theme.id.not_in(kept))
        .order_by(Theme.id)
    ).all()
    if len({theme.room_id for theme in themes}) < 2:
        return {"suggestions": []}
    texts: dict[int, list[str]] = {theme.id: [] for theme in themes}
    for theme_id, text in db.session.execute(
        sa.select(Idea.theme_id, Idea.text)
        .where(Idea.theme_id.in_(list(texts)), Idea.status == "visible")
        .order_by(Idea.id)
    ):
        texts[theme_id].append(text)
    # (imported here: theme_suggestions reads the phases, which read the snapshots)
    from cocreate.services import theme_suggestions

    theme_texts = [_theme_text(theme, texts[theme.id]) for theme in themes]
    # Through the engine's one queue (it also gives the connection back and lowers the
    # computing thread's priority), never beside a room's suggestion or the warm-up.
    computed = theme_suggestions.on_engine(60, _embed_and_cluster, theme_texts, distance)
    if computed is None:
        raise RateLimited(
            _("The theme suggestions are busy. Try again in a moment."), retry_after=5
        )
    vectors, assignment = computed
    groups: dict[int, list[int]] = {}
    for index, number in enumerate(assignment):
        groups.setdefault(number, []).append(index)
    found = []
    for members in groups.values():
        room_ids = sorted({themes[i].room_id for i in members}, key=lambda r: rooms[r].position)
        if len(room_ids) < 2:
            continue
        centre = vectors[members].mean(axis=0)
        # nearest the centroid; argmax keeps the first (oldest theme) on a tie
        central = themes[members[int(np.argmax(vectors[members] @ centre))]]
        found.append(
            {
                "name": central.name,
                "theme_ids": [themes[i].id for i in members],
                "room_ids": room_ids,
                "central_theme_id": central.id,
            }
        )
    found.sort(key=lambda s: (-len(s["theme_ids"]), s["theme_ids"][0]))
    return {"suggestions": found}


# ---- the write side -------------------------------------------------------------------


def _fields(name: object, description: object) -> tuple[str, str | None]:
    name = validate.text(name, _("The cross-room theme's name"), max_length=NAME_MAX)
    if description is not None:
        description = validate.text(
            description,
            _("The cross-room theme's description"),
            max_length=DESCRIPTION_MAX,
            required=False,
        )
    return name, description


def _theme_ids(theme_ids: object) -> list[int]:
    if not isinstance(theme_ids, list | tuple) or any(type(i) is not int for i in theme_ids):
        raise Invalid(_("List the room themes by their ids."))
    unique = list(dict.fromkeys(theme_ids))
    if not unique:
        raise Invalid(_("Choose at least one room theme."))
    if len(unique) > THEMES_MAX:
        raise Invalid(_("A cross-room theme holds at most %(n)d room themes.", n=THEMES_MAX))
    return unique


def _lock(
    change: Change, user_id: int, workshop_id: int, theme_ids: list[int], cross_id: object = None
) -> tuple[Room, CrossTheme | None, list[Theme]]:
    """Lock the plenary and the rooms of the named themes and of the cross-room theme's
    themes, then read the cross-room theme and the themes again under the locks.

    Raises NotFound (the workshop, the cross-room theme, a theme gone or of another
    workshop).
    """
    workshop = access.workshop_for_moderator(user_id, workshop_id)
    plenary = next(room for room in workshop.rooms if room.is_plenary)
    held = (
        sa.select(CrossThemeMember.theme_id).where(CrossThemeMember.cross_theme_id == cross_id)
        if type(cross_id) is int
        else None
    )
    wanted = (
        Theme.id.in_(theme_ids) if held is None else Theme.id.in_(theme_ids) | Theme.id.in_(held)
    )
    room_ids = db.session.scalars(sa.select(Theme.room_id).where(wanted).distinct()).all()
    locked = change.lock_rooms([plenary.id, *room_ids])
    cross = None
    if cross_id is not None:
        cross = (
            db.session.scalar(
                sa.select(CrossTheme)
                .where(CrossTheme.id == cross_id, CrossTheme.workshop_id == workshop_id)
                .execution_options(populate_existing=True)
            )
            if type(cross_id) is int
            else None
        )
        if cross is None:
            raise _gone()
    themes = db.session.scalars(
        sa.select(Theme)
        .join(Room, Room.id == Theme.room_id)
        .where(
            Theme.id.in_(theme_ids),
            Room.workshop_id == workshop_id,
            Room.kind == "breakout",
            Room.removed.is_(False),
        )
        .order_by(Theme.id)
        .execution_options(populate_existing=True)
    ).all()
    if len(themes) != len(theme_ids):
        raise NotFound(
            _(
                "A room theme you chose is gone (dissolved or merged) or is not in this"
                " workshop. Here are the themes now."
            )
        )
    return locked[plenary.id], cross, themes


def _gather(change: Change, plenary: Room, cross: CrossTheme, themes: list[Theme]) -> None:
    """Make `themes` the members of `cross`: others leave it, and each theme leaves the
    cross-room theme it was in (whose change is recorded)."""
    wanted = {theme.id for theme in themes}
    db.session.execute(
        sa.delete(CrossThemeMember).where(
            CrossThemeMember.cross_theme_id == cross.id, CrossThemeMember.theme_id.not_in(wanted)
        )
    )
    current = {
        m.theme_id: m
        for m in db.session.scalars(
            sa.select(CrossThemeMember)
            .where(CrossThemeMember.theme_id.in_(wanted))
            .execution_options(populate_existing=True)
        )
    }
    losing = sorted({m.cross_theme_id for m in current.values() if m.cross_theme_id != cross.id})
    for theme_id in sorted(wanted):
        if theme_id in current:
            current[theme_id].cross_theme_id = cross.id
        else:
            db.session.add(CrossThemeMember(theme_id=theme_id, cross_theme_id=cross.id))
    db.session.flush()
    for other_id in losing:
        other = db.session.get(CrossTheme, other_id)
        change.record(plenary, "cross_theme_changed", {"cross_theme": _view(other)})


def create_cross_theme(
    user_id: int,
    workshop_id: int,
    name: object,
    theme_ids: object,
    description: object = "",
    action_id: str | None = None,
) -> dict:
    """Make a cross-room theme of these room themes (keeping a suggestion, or by hand);
    each leaves the cross-room theme it was in.

    Raises Invalid (name, description, ids), NotFound (the workshop, a theme).
    """
    name, description = _fields(name, description or "")
    wanted = _theme_ids(theme_ids)

    def work(change: Change) -> dict:
        plenary, _cross, themes = _lock(change, user_id, workshop_id, wanted)
        cross = CrossTheme(workshop_id=workshop_id, name=name, description=description)
        db.session.add(cross)
        db.session.flush()
        _gather(change, plenary, cross, themes)
        view = _view(cross)
        change.record(plenary, "cross_theme_created", {"cross_theme": view})
        return {"cross_theme": view}

    return perform(f"user:{user_id}", action_id, work)


def rename_cross_theme(
    user_id: int,
    workshop_id: int,
    cross_theme_id: object,
    name: object,
    description: object = None,
    action_id: str | None = None,
) -> dict:
    """Rename a cross-room theme; a description replaces the old one (None keeps it).

    Raises Invalid, NotFound (the workshop, the cross-room theme).
    """
    name, description = _fields(name, description)

    def work(change: Change) -> dict:
        plenary, cross, _themes = _lock(change, user_id, workshop_id, [], cross_theme_id)
        cross.name = name
        if description is not None:
            cross.description = description
        view = _view(cross)
        change.record(plenary, "cross_theme_changed", {"cross_theme": view})
        return {"cross_theme": view}

    return perform(f"user:{user_id}", action_id, work)


def set_cross_theme_members(
    user_id: int,
    workshop_id: int,
    cross_theme_id: object,
    theme_ids: object,
    action_id: str | None = None,
) -> dict:
    """Make these room themes the members of a cross-room theme (others leave it; each
    new one leaves the cross-room theme it was in).

    Raises Invalid (ids), NotFound (the workshop, the cross-room theme, a theme).
    """
    wanted = _theme_ids(theme_ids)

    def work(change: Change) -> dict:
        plenary, cross, themes = _lock(change, user_id, workshop_id, wanted, cross_theme_id)
        _gather(change, plenary, cross, themes)
        view = _view(cross)
        change.record(plenary, "cross_theme_changed", {"cross_theme": view})
        return {"cross_theme": view}

    return perform(f"user:{user_id}", action_id, work)


def remove_cross_theme(
    user_id: int, workshop_id: int, cross_theme_id: object, action_id: str | None = None
) -> dict:
    """Discard a cross-room theme; its room themes stay as they are.

    Raises NotFound (the workshop, the cross-room theme).
    """

    def work(change: Change) -> dict:
        plenary, cross, _themes = _lock(change, user_id, workshop_id, [], cross_theme_id)
        db.session.execute(
            sa.delete(CrossThemeMember).where(CrossThemeMember.cross_theme_id == cross.id)
        )
        db.session.delete(cross)
        db.session.flush()
        change.record(plenary, "cross_theme_removed", {"cross_theme_id": cross.id})
        return {"cross_theme_id": cross.id}

    return perform(f"user:{user_id}", action_id, work)
