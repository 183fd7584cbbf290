"""Organizer and moderator accounts."""

import functools
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow


@functools.cache
def _unused_hash() -> str:
    """A hash of no account's password, made the way real ones are (same method, same cost)."""
    return generate_password_hash("no account has this password")


class User(UserMixin, db.Model):
    """A person with an account: creates workshops and moderates them."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sign-in name, stored lower-case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: Shown to co-moderators.
    name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    #: The generation of the account's sign-ins: signing out or changing the password
    #: adds one, and every session cookie, remember cookie and console connection made
    #: with an earlier number stops working (they carry it, see `get_id`).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        """Flask-Login's token for the session and remember cookies: "id:epoch"."""
        return f"{self.id}:{self.session_epoch}"

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def check_no_password(password: str) -> bool:
        """Spend as long as `check_password` does, for an e-mail with no account, and
        return False: how fast a sign-in fails must not tell whether the account exists."""
        check_password_hash(_unused_hash(), password)
        return False
