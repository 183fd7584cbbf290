"""Pathways toward equality (DESIGN §5): what a breakout room turns its strongest themes
into, and what participants say about them."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow

#: A step's time horizon, shortest first.
HORIZONS = ("short", "medium", "long")

#: The fields of a pathway that people edit, each versioned on its own (field_versions):
#: two facilitators who change different fields at once both keep their edit, and only
#: two changes of the same field meet as a conflict (cocreate.services.pathways).
PATHWAY_FIELDS = ("title", "challenge", "vision", "steps", "tags", "ideas")


class Pathway(db.Model):
    """A trajectory of change drafted in a room, from one of its themes or from scratch.

    Its steps are a JSON list of {"action", "actor", "horizon", "indicator"} in order:
    the list is edited as one field (reordering is an edit of the list), which keeps a
    step's text and its place consistent under the version check. Its rights, groups and
    domains are PathwayTag rows and the ideas it builds on PathwayIdea rows; support is
    computed from those ideas' results, never stored.
    """

    __tablename__ = "pathways"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    #: The theme it was drafted from (None: from scratch, or the theme is gone).
    theme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("themes.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(120))
    #: The inequality it addresses.
    challenge: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: Where the city wants to be.
    vision: Mapped[str] = mapped_column(sa.String(1000), default="")
    steps: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    #: Bumped by every change; an editor sends the version they started from.
    version: Mapped[int] = mapped_column(default=1)
    #: {field: the version that last changed it}, for fields of PATHWAY_FIELDS.
    field_versions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Removed by a facilitator or moderator: kept for the record, shown nowhere.
    removed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PathwayIdea(db.Model):
    """A pathway builds on an idea of its room (one row per pair)."""

    __tablename__ = "pathway_ideas"

    pathway_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pathways.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PathwayTag(db.Model):
    """A pathway concerns a right, a group or a domain (one row per pair; several groups
    at once make it intersectional)."""

    __tablename__ = "pathway_tags"

    pathway_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pathways.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PathwayComment(db.Model):
    """A participant's comment on a pathway (the pathway phase)."""

    __tablename__ = "pathway_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pathways.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.String(500))
    #: Hidden by a moderator or facilitator.
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PathwayEndorsement(db.Model):
    """A participant endorses a pathway: one row per participant and pathway, never two."""

    __tablename__ = "pathway_endorsements"

    pathway_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pathways.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
