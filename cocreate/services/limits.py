"""Limits on how fast one person may act, counted where every server process sees them.

A venue puts hundreds of people behind one address, so limits count per participant
(from the database) or per device (its cookie), and per address only as a cap on
scripts (cocreate.extensions). The numbers are settings (config.DEFAULTS).
"""

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from cocreate.extensions import db
from cocreate.models import Idea, Participant
from cocreate.services.errors import DomainError


class RateLimited(DomainError):
    """Too many of one action in a short time; `retry_after` says in how many seconds
    the next one may succeed."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after

    def to_ack(self) -> dict:
        """Return the error as an acknowledgement, with `retry_after` when known."""
        ack = super().to_ack()
        if self.retry_after is not None:
            ack["error"]["retry_after"] = self.retry_after
        return ack


def idea_pace(author: Participant, now: datetime) -> None:
    """Check that the author may post another idea now: at most IDEAS_PER_MINUTE in any
    minute. Ideas withdrawn, hidden or waiting for approval count too.

    A person types one idea in some 20 seconds at best; a scribe entering a paper sheet
    posts for each person on paper, who counts on their own. Call it in the posting
    transaction, with the author's room locked, so the count is exact across processes.
    Raises RateLimited with the seconds until the next idea may go.
    """
    most = current_app.config["IDEAS_PER_MINUTE"]
    window = timedelta(minutes=1)
    oldest_counted = db.session.scalar(
        sa.select(Idea.created_at)
        .where(Idea.author_id == author.id, Idea.created_at > now - window)
        .order_by(Idea.created_at.desc())
        .limit(1)
        .offset(most - 1)
    )
    if oldest_counted is None:
        return
    wait = max(1, math.ceil((oldest_counted + window - now).total_seconds()))
    raise RateLimited(
        _(
            "At most %(n)d ideas a minute from one person. The next one can go in "
            "%(seconds)d seconds.",
            n=most,
            seconds=wait,
        ),
        retry_after=wait,
    )
