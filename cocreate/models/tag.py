"""Human-rights tags: a workshop's own lists of rights, groups and domains (DESIGN §7),
and which ideas and themes carry them."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db
from cocreate.tagsets import TAG_KINDS


class Tag(db.Model):
    """One entry of a workshop's tag lists, e.g. "Art. 25 Adequate standard of living".

    A workshop starts with a copy of the default sets (cocreate.tagsets) and its
    organizer edits them. Taking a tag off a list only marks it `removed`: the ideas and
    themes that carry it keep the link (the history of what was said stays countable),
    nobody can choose it any more, and views leave it out. Putting the same label back
    brings the tag, and its links, back.
    """

    __tablename__ = "tags"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('rights', 'groups', 'domains')", name="tag_kind"),
        # One row per label and kind: re-adding a removed label restores it.
        sa.UniqueConstraint("workshop_id", "kind", "label", name="one_tag_per_label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    #: One of TAG_KINDS: "rights", "groups" or "domains".
    kind: Mapped[str] = mapped_column(sa.String(10))
    #: The default set's key (e.g. "udhr-25", the same in every language and workshop);
    #: None for a tag the organizer added.
    key: Mapped[str | None] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(80))
    #: Order within its kind's list.
    position: Mapped[int] = mapped_column(default=0)
    #: Taken off the list by the organizer (links kept; see the class docstring).
    removed: Mapped[bool] = mapped_column(default=False)


class IdeaTag(db.Model):
    """An idea carries a tag (one row per pair)."""

    __tablename__ = "idea_tags"

    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ThemeTag(db.Model):
    """A theme carries a tag (one row per pair)."""

    __tablename__ = "theme_tags"

    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


__all__ = ["TAG_KINDS", "IdeaTag", "Tag", "ThemeTag"]
