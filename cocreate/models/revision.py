"""The audit log of changes to ideas' text."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow


class IdeaRevision(db.Model):
    """An idea's text before a change: who changed it (author or moderator) and when."""

    __tablename__ = "idea_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    #: The text and details as they were before the change.
    text: Mapped[str] = mapped_column(sa.String(280))
    details: Mapped[str] = mapped_column(sa.String(1000))
    #: "participant:<id>" (the author) or "user:<id>" (a moderator correcting a typo).
    changed_by: Mapped[str] = mapped_column(sa.String(40))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
