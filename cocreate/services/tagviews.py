"""The read side of tags: a workshop's lists and the tags of ideas and themes, as plain
data (cocreate.services.snapshots builds its views with these)."""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import TAG_KINDS, IdeaTag, Tag, ThemeTag

_tags = Tag.__table__


def _ordered(query: sa.Select) -> sa.Select:
    """Order tags as lists show them: by kind (TAG_KINDS), then position (ORM tags or rows)."""
    kind_order = sa.case({kind: n for n, kind in enumerate(TAG_KINDS)}, value=_tags.c.kind)
    return query.order_by(kind_order, _tags.c.position, _tags.c.id)


def active_tags(workshop_id: int) -> list[Tag]:
    """A workshop's tags that are on its lists, in display order."""
    return db.session.scalars(
        _ordered(sa.select(Tag).where(Tag.workshop_id == workshop_id, Tag.removed.is_(False)))
    ).all()


def tag_view(tag: Tag) -> dict[str, Any]:
    """A tag as clients see it."""
    return {"id": tag.id, "kind": tag.kind, "label": tag.label}


#: What workshop_tags shows of the active tags (`workshop`: its id), in display order,
#: built once: every phone's snapshot reads it, and loading fifty-odd tags as ORM objects
#: was a fifth of a join storm's work. `tag_views` makes the view of its rows.
TAG_VIEWS = _ordered(
    sa.select(_tags.c.id, _tags.c.kind, _tags.c.label).where(
        _tags.c.workshop_id == sa.bindparam("workshop"), _tags.c.removed.is_(False)
    )
)


def workshop_tags(workshop_id: int) -> list[dict[str, Any]]:
    """The workshop view's `tags`: the active tags, in display order (as tag_view)."""
    return tag_views(db.session.execute(TAG_VIEWS, {"workshop": workshop_id}))


def tag_views(rows: Iterable[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """The workshop view's `tags` from the rows of TAG_VIEWS."""
    return [{"id": id_, "kind": kind, "label": label} for id_, kind, label in rows]


def _active_links(link: type[IdeaTag] | type[ThemeTag], ids: Iterable[int]) -> dict[int, list]:
    column = link.idea_id if link is IdeaTag else link.theme_id
    ids = list(ids)
    found: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.session.execute(
        sa.select(column, link.tag_id)
        .join(Tag, Tag.id == link.tag_id)
        .where(column.in_(ids), Tag.removed.is_(False))
        .order_by(column, link.tag_id)
    )
    for owner, tag_id in rows:
        found[owner].append(tag_id)
    return found


def idea_tag_ids(idea_ids: Iterable[int]) -> dict[int, list[int]]:
    """The active tags of each idea, by idea id (sorted tag ids; [] when none). Links
    to tags the organizer removed are kept in the database but not shown."""
    return _active_links(IdeaTag, idea_ids)


def theme_tag_ids(theme_ids: Iterable[int]) -> dict[int, list[int]]:
    """The active tags of each theme, by theme id (sorted tag ids; [] when none)."""
    return _active_links(ThemeTag, theme_ids)
