"""Cross-room themes: the workshop-level themes that gather room themes about the same
thing (DESIGN §2 step 5), kept by the moderator back in plenary."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow


class CrossTheme(db.Model):
    """A named theme of the whole workshop; room themes point at it through
    CrossThemeMember. Its events are in the plenary room's log."""

    __tablename__ = "cross_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrossThemeMember(db.Model):
    """A room theme in a cross-room theme.

    The room theme is the primary key: it is in at most one cross-room theme. Deleting
    the room theme (dissolved, or merged into another) deletes this row in the same
    transaction (ON DELETE CASCADE): the one rule by which a deleted theme leaves its
    cross-room theme (cocreate.services.cross_themes explains what readers see).
    """

    __tablename__ = "cross_theme_themes"

    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )
    cross_theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cross_themes.id", ondelete="CASCADE"), index=True
    )
