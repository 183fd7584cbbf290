"""Who may run a workshop."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cocreate.extensions import db

ROLES = ("owner", "moderator")


class Membership(db.Model):
    """An account's role in one workshop."""

    __tablename__ = "memberships"
    __table_args__ = (sa.CheckConstraint("role IN ('owner', 'moderator')", name="membership_role"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(10))

    workshop: Mapped["Workshop"] = relationship(back_populates="memberships")  # noqa: F821
    user: Mapped["User"] = relationship()  # noqa: F821
