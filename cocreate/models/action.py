"""Client actions already carried out, for idempotent retries."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cocreate.extensions import db
from cocreate.models._time import UTCDateTime, utcnow


class ClientAction(db.Model):
    """The first result of an action id, returned again when a client retries it."""

    __tablename__ = "client_actions"
    __table_args__ = (sa.UniqueConstraint("actor", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(sa.String(40))
    #: The UUID the client generated for the action.
    action_id: Mapped[str] = mapped_column(sa.String(36))
    #: The service that carried it out (an id reused for another action is refused).
    kind: Mapped[str] = mapped_column(sa.String(40))
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
