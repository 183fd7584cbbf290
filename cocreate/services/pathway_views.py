"""The read side of pathways: a pathway as participants and moderators see it, and what a
replayed pathway event may still say.

Participants see a pathway's visible ideas; moderators also its hidden ones (a hidden
idea keeps its link, to come back when restored). Both see its active tags, its comments
that are not hidden, and how many endorse it. Its `support` is its visible ideas' votes
added up in the workshop's mode (cocreate.services.results.group_support: the sum a
theme's support is, static/js/themes.js themeSupport): participants get the tally, None
while their room's results are hidden; moderators always get it, with `by_role`.

Every builder reads a whole list of pathways in a fixed number of queries, however many
pathways and rooms there are.
"""

from typing import Any

import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import (
    Idea,
    Participant,
    Pathway,
    PathwayComment,
    PathwayEndorsement,
    PathwayIdea,
    PathwayTag,
    Room,
    Tag,
    Workshop,
)
from cocreate.services import results

#: The statuses of the ideas each audience sees in a pathway.
FOR_PARTICIPANTS = ("visible",)
FOR_MODERATORS = ("visible", "hidden")

#: The room events about pathways (docs/protocol.md, section 15).
PATHWAY_EVENTS = frozenset(
    {
        "pathway_saved",
        "pathway_removed",
        "pathway_commented",
        "pathway_comment_hidden",
        "pathway_endorsed",
    }
)


def comment_view(comment: PathwayComment, author: str | None) -> dict[str, Any]:
    """A comment as everyone in the room sees it: the author's display name, never their id."""
    return {
        "id": comment.id,
        "pathway_id": comment.pathway_id,
        "text": comment.text,
        "author": author,
        "created_at": comment.created_at.isoformat(),
    }


def _links(
    link: type[PathwayIdea] | type[PathwayTag], pathway_ids: list[int], *where
) -> dict[int, list[int]]:
    """{pathway id: ascending ids of its linked ideas or tags that pass `where`}."""
    column = link.idea_id if link is PathwayIdea else link.tag_id
    target = Idea if link is PathwayIdea else Tag
    found: dict[int, list[int]] = {pathway_id: [] for pathway_id in pathway_ids}
    if pathway_ids:
        rows = db.session.execute(
            sa.select(link.pathway_id, column)
            .join(target, target.id == column)
            .where(link.pathway_id.in_(pathway_ids), *where)
            .order_by(link.pathway_id, column)
        )
        for pathway_id, linked in rows:
            found[pathway_id].append(linked)
    return found


def idea_links(pathway_ids: list[int], statuses: tuple[str, ...]) -> dict[int, list[int]]:
    """The ideas of each pathway with these statuses, ascending, by pathway id."""
    return _links(PathwayIdea, pathway_ids, Idea.status.in_(statuses))


def tag_links(pathway_ids: list[int]) -> dict[int, list[int]]:
    """The active tags of each pathway, ascending, by pathway id (links to tags the
    organizer removed stay in the database, unseen)."""
    return _links(PathwayTag, pathway_ids, Tag.removed.is_(False))


def endorsement_counts(pathway_ids: list[int]) -> dict[int, int]:
    """How many participants endorse each pathway, by pathway id."""
    found = dict.fromkeys(pathway_ids, 0)
    if pathway_ids:
        rows = db.session.execute(
            sa.select(PathwayEndorsement.pathway_id, sa.func.count())
            .where(PathwayEndorsement.pathway_id.in_(pathway_ids))
            .group_by(PathwayEndorsement.pathway_id)
        )
        found.update(dict(rows.all()))
    return found


def comments_of(pathway_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The comments of each pathway that are not hidden, oldest first, by pathway id."""
    found: dict[int, list[dict[str, Any]]] = {pathway_id: [] for pathway_id in pathway_ids}
    if pathway_ids:
        rows = db.session.execute(
            sa.select(PathwayComment, Participant.display_name)
            .join(Participant, Participant.id == PathwayComment.author_id)
            .where(PathwayComment.pathway_id.in_(pathway_ids), PathwayComment.hidden.is_(False))
            .order_by(PathwayComment.id)
        )
        for comment, author in rows:
            found[comment.pathway_id].append(comment_view(comment, author))
    return found


def _hidden_results(room_ids: set[int]) -> set[int]:
    """Which of these rooms hide their results from participants."""
    if not room_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Room.id).where(Room.id.in_(room_ids), Room.results_hidden.is_(True))
        )
    )


def build(
    workshop: Workshop, pathways: list[Pathway], *, moderators: bool = False
) -> list[dict[str, Any]]:
    """Describe these pathways (of one workshop) as participants, or moderators, see them."""
    ids = [pathway.id for pathway in pathways]
    shown = idea_links(ids, FOR_PARTICIPANTS)
    linked = idea_links(ids, FOR_MODERATORS) if moderators else shown
    tagged = tag_links(ids)
    endorsed = endorsement_counts(ids)
    comments = comments_of(ids)
    support = results.group_support(workshop, shown)
    hidden = set() if moderators else _hidden_results({p.room_id for p in pathways})
    views = []
    for pathway in pathways:
        if pathway.room_id in hidden:
            seen = None
        elif moderators:
            seen = {**support[pathway.id]["tally"], "by_role": support[pathway.id]["by_role"]}
        else:
            seen = support[pathway.id]["tally"]
        views.append(
            {
                "id": pathway.id,
                "room_id": pathway.room_id,
                "theme_id": pathway.theme_id,
                "title": pathway.title,
                "challenge": pathway.challenge,
                "vision": pathway.vision,
                "steps": [dict(step) for step in pathway.steps],
                "tag_ids": tagged[pathway.id],
                "idea_ids": linked[pathway.id],
                "version": pathway.version,
                "field_versions": dict(pathway.field_versions),
                "support": seen,
                "endorsements": endorsed[pathway.id],
                "comments": comments[pathway.id],
            }
        )
    return views


def views(workshop: Workshop, pathway: Pathway) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pathway as participants see it, and as moderators do."""
    return build(workshop, [pathway])[0], build(workshop, [pathway], moderators=True)[0]


def pathways_in(
    workshop: Workshop, room_ids: list[int], *, moderators: bool = False
) -> list[dict[str, Any]]:
    """The pathways of these rooms that are not removed, oldest first."""
    if not room_ids:
        return []
    pathways = db.session.scalars(
        sa.select(Pathway)
        .where(Pathway.room_id.in_(room_ids), Pathway.removed.is_(False))
        .order_by(Pathway.id)
    ).all()
    return build(workshop, list(pathways), moderators=moderators)


def as_seen_now(room: Room, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rewrite replayed pathway events (participants' version) to what the reader may see
    now, as snapshots.as_seen_now does for ideas: a pathway's ideas the reader may no
    longer see leave its `idea_ids`, its comments hidden since leave its `comments`, its
    `support` is None while the room hides its results, and `pathway_commented` about a
    comment hidden since becomes `pathway_comment_hidden` (its text is not sent again).
    Titles, steps and counts stay as they were: later events of the log carry changes."""
    saved = [m["data"]["pathway"] for m in messages if m["type"] == "pathway_saved"]
    commented = [m["data"]["comment"]["id"] for m in messages if m["type"] == "pathway_commented"]
    if not saved and not commented:
        return messages
    idea_ids = {i for pathway in saved for i in pathway["idea_ids"]}
    comment_ids = set(commented) | {c["id"] for pathway in saved for c in pathway["comments"]}
    readable = (
        set(
            db.session.scalars(
                sa.select(Idea.id).where(Idea.id.in_(idea_ids), Idea.status == "visible")
            )
        )
        if idea_ids
        else set()
    )
    hidden = (
        set(
            db.session.scalars(
                sa.select(PathwayComment.id).where(
                    PathwayComment.id.in_(comment_ids), PathwayComment.hidden.is_(True)
                )
            )
        )
        if comment_ids
        else set()
    )
    seen = []
    for message in messages:
        data = message["data"]
        if message["type"] == "pathway_commented" and data["comment"]["id"] in hidden:
            comment = data["comment"]
            gone = {"pathway_id": comment["pathway_id"], "comment_id": comment["id"]}
            seen.append({**message, "type": "pathway_comment_hidden", "data": gone})
            continue
        if message["type"] == "pathway_saved":
            pathway = data["pathway"]
            pathway = {
                **pathway,
                "idea_ids": [i for i in pathway["idea_ids"] if i in readable],
                "comments": [c for c in pathway["comments"] if c["id"] not in hidden],
                "support": None if room.results_hidden else pathway["support"],
            }
            seen.append({**message, "data": {**data, "pathway": pathway}})
            continue
        seen.append(message)
    return seen
