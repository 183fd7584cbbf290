"""The read side of themes: a theme as participants and moderators see it, and what a
replayed theme event may still say.

Participants see the visible ideas of a theme; moderators also its hidden ones (a hidden
idea keeps its theme, to come back to it when restored). Withdrawn and merged ideas have
no theme (models.idea.leave_theme), and pending ones are never grouped.
"""

from typing import Any

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Idea, Theme
from cocreate.services.tagviews import theme_tag_ids

#: The statuses of the ideas each audience sees in a theme.
FOR_PARTICIPANTS = ("visible",)
FOR_MODERATORS = ("visible", "hidden")

#: The room events about themes (docs/protocol.md, section 8).
THEME_EVENTS = frozenset(
    {"theme_created", "theme_changed", "idea_moved", "themes_merged", "theme_dissolved"}
)


def ideas_of(theme_ids: list[int], statuses: tuple[str, ...]) -> dict[int, list[int]]:
    """The ids of each theme's ideas of these statuses, oldest first, by theme id."""
    found: dict[int, list[int]] = {theme_id: [] for theme_id in theme_ids}
    if theme_ids:
        rows = db.session.execute(
            sa.select(Idea.theme_id, Idea.id)
            .where(Idea.theme_id.in_(theme_ids), Idea.status.in_(statuses))
            .order_by(Idea.id)
        )
        for theme_id, idea_id in rows:
            found[theme_id].append(idea_id)
    return found


def theme_view(
    theme: Theme, idea_ids: list[int], tag_ids: list[int] | None = None
) -> dict[str, Any]:
    """Describe a theme with the ids of the ideas in it (as the reader may see them) and
    of its active tags (read when not given; cocreate.services.tags)."""
    return {
        "id": theme.id,
        "room_id": theme.room_id,
        "name": theme.name,
        "description": theme.description,
        "idea_ids": idea_ids,
        "created_at": theme.created_at.isoformat(),
        "tag_ids": theme_tag_ids([theme.id])[theme.id] if tag_ids is None else tag_ids,
    }


def views(theme: Theme) -> tuple[dict[str, Any], dict[str, Any]]:
    """A theme as participants see it, and as moderators do (with its hidden ideas)."""
    public = theme_view(theme, ideas_of([theme.id], FOR_PARTICIPANTS)[theme.id])
    return public, theme_view(theme, ideas_of([theme.id], FOR_MODERATORS)[theme.id])


def themes_in(room_ids: list[int], *, moderators: bool = False) -> list[dict[str, Any]]:
    """The themes of these rooms, oldest first, each with its ideas as the audience sees them."""
    themes = db.session.scalars(
        sa.select(Theme).where(Theme.room_id.in_(room_ids)).order_by(Theme.id)
    ).all()
    members = ideas_of(
        [theme.id for theme in themes], FOR_MODERATORS if moderators else FOR_PARTICIPANTS
    )
    tagged = theme_tag_ids([theme.id for theme in themes])
    return [theme_view(theme, members[theme.id], tagged[theme.id]) for theme in themes]


def _mentioned(data: dict[str, Any]) -> list[int]:
    ids = list(data.get("idea_ids", []))
    if isinstance(data.get("theme"), dict):
        ids += data["theme"]["idea_ids"]
    if "idea_id" in data:
        ids.append(data["idea_id"])
    return ids


def as_seen_now(messages: list[dict[str, Any]], reader_id: int | None) -> list[dict[str, Any]]:
    """Rewrite replayed theme events (participants' version) to what the reader may see
    now, as snapshots.as_seen_now does for idea events: an idea the reader may no longer
    see (hidden, withdrawn, merged) leaves the events' idea lists, and `idea_moved` about
    it becomes `idea_redacted` `{idea_ids}`. Names and descriptions stay as they were:
    later events of the log carry the changes."""
    ids = {i for m in messages if m["type"] in THEME_EVENTS for i in _mentioned(m["data"])}
    if not ids:
        return messages
    readable = set(
        db.session.scalars(
            sa.select(Idea.id).where(
                Idea.id.in_(ids),
                sa.or_(
                    Idea.status == "visible",
                    sa.and_(Idea.status == "pending", Idea.author_id == reader_id),
                ),
            )
        )
    )
    seen = []
    for message in messages:
        data = message["data"]
        if message["type"] not in THEME_EVENTS:
            seen.append(message)
            continue
        if message["type"] == "idea_moved" and data["idea_id"] not in readable:
            redacted = {"idea_ids": [data["idea_id"]]}
            seen.append({**message, "type": "idea_redacted", "data": redacted})
            continue
        data = dict(data)
        if "idea_ids" in data:
            data["idea_ids"] = [i for i in data["idea_ids"] if i in readable]
        if isinstance(data.get("theme"), dict):
            theme = data["theme"]
            data["theme"] = {**theme, "idea_ids": [i for i in theme["idea_ids"] if i in readable]}
        seen.append({**message, "data": data})
    return seen
