"""Organizer and moderator accounts."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import User
from cocreate.services import validate
from cocreate.services.errors import Conflict, Invalid, NotAllowed
from cocreate.services.unit import perform

PASSWORD_MIN = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def has_accounts() -> bool:
    """Tell whether any account exists (first-run set-up is open until one does)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 0


def create_user(email: str, name: str, password: str, *, first_run: bool = False) -> int:
    """Create an account and return its id.

    Raises Invalid for a bad e-mail, name or short password, Conflict when the
    e-mail is taken, and NotAllowed for a first-run set-up once accounts exist.
    """
    email = validate.text(email, _("E-mail"), max_length=254).lower()
    if not _EMAIL.match(email):
        raise Invalid(_("Enter an e-mail address such as name@example.org."))
    name = validate.text(name, _("Name"), max_length=80)
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise Invalid(_("Choose a password of at least %(n)d characters.", n=PASSWORD_MIN))

    def work(change):
        if first_run and has_accounts():
            raise NotAllowed(_("Set-up is done: an account already exists. Sign in instead."))
        if db.session.scalar(sa.select(User.id).where(User.email == email)):
            raise Conflict(_("An account with this e-mail already exists."))
        user = User(email=email, name=name)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        return {"user_id": user.id}

    return perform("system", None, work)["user_id"]


def user_by_email(email: str) -> User | None:
    """Return the account with this e-mail, if any."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """Return the account for these credentials, or None."""
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    user = user_by_email(email)
    if user is None or not user.check_password(password):
        return None
    return user
