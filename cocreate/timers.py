"""The clock of a server process: carries out room timers that reach zero, and closes
the connections of participants a moderator removed."""

import logging

from flask import Flask

from cocreate.extensions import db, socketio
from cocreate.services import phases
from cocreate.sockets.moderator import disconnect_revoked
from cocreate.sockets.participant import disconnect_removed

log = logging.getLogger(__name__)


def keep_time(app: Flask, interval: float = 1.0) -> None:
    """Run forever: every `interval` seconds, move rooms whose countdown ended on, and
    close this process's connections of removed participants.

    Every server process runs one; each room is changed once however many ask
    (services/phases.expire_timers re-checks it under the room's lock).
    """
    while True:
        socketio.sleep(interval)
        # Each job on its own: one failed round of one must not stop the other, or the clock.
        for job in (phases.expire_timers, disconnect_removed, disconnect_revoked):
            with app.app_context():
                try:
                    job()
                except Exception:
                    log.exception("the clock could not run %s", job.__name__)
                finally:
                    db.session.remove()
