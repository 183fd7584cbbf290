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
from cocreate.services.errors import RateLimited


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
