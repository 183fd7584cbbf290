"""Organizer and moderator accounts."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Membership, User
from cocreate.services import validate
from cocreate.services.errors import Conflict, Invalid, NotAllowed, NotFound
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
    """Return the account for these credentials, or None.

    An unknown e-mail costs one password check too, so the time a refusal takes does
    not tell which addresses have accounts.
    """
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    user = user_by_email(email)
    if user is None:
        return User.check_no_password(password) or None
    return user if user.check_password(password) else None


def load_session_user(token: str) -> User | None:
    """Return the account a session or remember cookie names ("id:epoch"), or None when
    the account signed out or changed its password since that cookie was made.

    Tokens without an epoch (cookies from before sessions had one) are refused too.
    """
    user_id, _sep, epoch = str(token).partition(":")
    if not (user_id.isdigit() and epoch.isdigit()) or len(user_id) > 10:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_epoch != int(epoch):
        return None
    return user


def end_sessions(user_id: int) -> int:
    """End every session, remember cookie and console connection of the account (in
    every browser and process); return the new session epoch."""

    def work(change):
        user = db.session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound(_("There is no such account."))
        user.session_epoch += 1
        return {"session_epoch": user.session_epoch}

    return perform(f"user:{user_id}", None, work)["session_epoch"]


def change_password(user_id: int, current: str, new: str) -> int:
    """Replace the account's password and end all its sessions; return the new epoch
    (the caller signs its own browser in again with it).

    Raises NotAllowed when `current` is wrong, Invalid for a short new password.
    """
    if not isinstance(new, str) or len(new) < PASSWORD_MIN:
        raise Invalid(_("Choose a password of at least %(n)d characters.", n=PASSWORD_MIN))

    def work(change):
        user = db.session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound(_("There is no such account."))
        if not isinstance(current, str) or not user.check_password(current):
            raise NotAllowed(_("Your current password is not right."))
        user.set_password(new)
        user.session_epoch += 1
        return {"session_epoch": user.session_epoch}

    return perform(f"user:{user_id}", None, work)["session_epoch"]


def revoked(consoles: list[tuple[int, int, int]]) -> set[tuple[int, int, int]]:
    """Of these (account, session epoch, workshop) sign-ins, return those that have
    ended: the account signed out or changed its password since, or no longer runs the
    workshop. Two queries however many are asked about."""
    user_ids = {user_id for user_id, _epoch, _workshop in consoles}
    if not user_ids:
        return set()
    epochs = dict(
        db.session.execute(
            sa.select(User.id, User.session_epoch).where(User.id.in_(user_ids))
        ).all()
    )
    runs = set(
        db.session.execute(
            sa.select(Membership.user_id, Membership.workshop_id).where(
                Membership.user_id.in_(user_ids)
            )
        ).all()
    )
    return {
        (user_id, epoch, workshop_id)
        for user_id, epoch, workshop_id in consoles
        if epochs.get(user_id) != epoch or (user_id, workshop_id) not in runs
    }
