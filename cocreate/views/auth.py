"""Signing in and out, changing one's password, and the first-run set-up."""

import hashlib
import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse

from cocreate.extensions import failed, limiter
from cocreate.services import accounts
from cocreate.services.errors import DomainError
from cocreate.views.forms import LoginForm, PasswordForm, SetupForm

bp = Blueprint("auth", __name__)

#: Wrong passwords one account takes before its sign-in pauses until the window ends.
#: Counted per account, not per address: a whole venue shares one address.
ACCOUNT_FAILURES = parse("10 per 15 minutes")
#: Failed sign-ins from one address: only against spraying many accounts from one place,
#: high enough for a venue behind one address.
ADDRESS_FAILURES = "100 per minute"


def _safe_next(target: str | None) -> str:
    """Only follow a path on this site after sign-in (no open redirects).

    Refuses anything with a scheme or a host, "//" (another host, scheme-relative),
    backslashes (browsers read them as slashes) and control characters (browsers
    drop tabs and newlines, so "/\\t/evil.example" would become "//evil.example").
    """
    fallback = url_for("organize.index")
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def _account_key(email: str) -> tuple[str, str, str]:
    """The per-account counter's key (a digest: the limiter's store holds no e-mails)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return current_app.config.get("RATELIMIT_KEY_PREFIX", ""), "sign-in", digest


def _seconds_locked(email: str) -> int:
    """How long this account's sign-in still pauses after too many wrong passwords (0: not)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return 0
    key = _account_key(email)
    if limiter.limiter.test(ACCOUNT_FAILURES, *key):
        return 0
    reset_at = limiter.limiter.get_window_stats(ACCOUNT_FAILURES, *key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def _count_failure(email: str) -> None:
    """Count a wrong password against the account."""
    if current_app.config.get("RATELIMIT_ENABLED", True):
        limiter.limiter.hit(ACCOUNT_FAILURES, *_account_key(email))


def _forget_failures(email: str) -> None:
    """Start the account's count afresh after a successful sign-in."""
    if current_app.config.get("RATELIMIT_ENABLED", True):
        limiter.limiter.clear(ACCOUNT_FAILURES, *_account_key(email))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ADDRESS_FAILURES, methods=["POST"], deduct_when=failed)
def login():
    """Sign in an organizer or moderator."""
    if not accounts.has_accounts():
        return redirect(url_for("auth.setup"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data
        locked = _seconds_locked(email)
        if locked:
            minutes = math.ceil(locked / 60)
            flash(
                ngettext(
                    "Too many wrong passwords for this account. Try again in %(num)d minute.",
                    "Too many wrong passwords for this account. Try again in %(num)d minutes.",
                    minutes,
                ),
                "error",
            )
            return render_template("auth/login.html", form=form), 429
        user = accounts.authenticate(email, form.password.data)
        if user is not None:
            _forget_failures(email)
            login_user(user, remember=True)
            return redirect(_safe_next(request.args.get("next")))
        _count_failure(email)
        flash(_("This e-mail and password do not match an account."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out everywhere: every browser's session and every open console of the account."""
    accounts.end_sessions(current_user.id)
    logout_user()
    return redirect(url_for("participate.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; every other browser and console is signed out, this one not."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user.id, form.current_password.data, form.new_password.data
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            # The change ended this browser's session too: sign it in again, new epoch.
            login_user(current_user._get_current_object(), remember=True)
            flash(_("Your password is changed. Every other sign-in has ended."), "info")
            return redirect(url_for("organize.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/setup", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"], deduct_when=failed)
def setup():
    """Create the first organizer account; closed once any account exists."""
    if accounts.has_accounts():
        flash(_("Set-up is done: an account already exists. Sign in instead."), "info")
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        try:
            accounts.create_user(
                form.email.data, form.name.data, form.password.data, first_run=True
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            login_user(accounts.authenticate(form.email.data, form.password.data), remember=True)
            flash(_("Welcome! Create your first workshop."), "info")
            return redirect(url_for("organize.new_workshop"))
    return render_template("auth/setup.html", form=form)
