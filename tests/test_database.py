"""The connections the app keeps: a pooled PostgreSQL connection that the server closed
(a restart, an administrator) is replaced before an action uses it, and checking costs
the action no statement (cocreate/database.py)."""

import select
import time

import pytest
import sqlalchemy as sa

from cocreate.extensions import db
from cocreate.models import Workshop
from cocreate.services import participants
from tests.conftest import World
from tests.support import PG_ADMIN_URL

pytestmark = pytest.mark.postgres


def close_from_the_server(database: str, connections: list) -> None:
    """End every session on `database` as PostgreSQL's administrator would, and wait until
    the app's `connections` have received the end (the server's session list drops them a
    moment before their sockets hear of it)."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).all()
            assert ended, "the app had no connection open"
    finally:
        admin.dispose()
    sockets = [connection.pgconn.socket for connection in connections]
    waiting = set(sockets)
    deadline = time.monotonic() + 10
    while waiting and time.monotonic() < deadline:
        readable, _, _ = select.select(list(waiting), [], [], 0.1)
        waiting -= set(readable)
    assert not waiting, "PostgreSQL did not close the connections"


def test_an_action_after_postgresql_closed_the_pooled_connection_succeeds(pg_app):
    opened = []
    with pg_app.app_context():
        db.engine.dispose()
        sa.event.listen(db.engine, "connect", lambda dbapi, _record: opened.append(dbapi))
        w = World().workshop()
        first = participants.join_workshop(w["code"], "device-one", "One")
        db.session.remove()  # the request's end: the connection waits in the pool
        assert db.engine.pool.checkedin() >= 1

        close_from_the_server(db.engine.url.database, opened)

        second = participants.join_workshop(w["code"], "device-two", "Two")
        assert second["participant_id"] != first["participant_id"]
        assert db.session.get(Workshop, w["id"]) is not None


def test_taking_a_connection_from_the_pool_sends_nothing_to_postgresql(pg_app, tmp_path):
    """SQLAlchemy's pre-ping sent a SELECT each time an action took a connection: a round
    trip the loop waited for. The check only reads what has arrived. libpq's trace of the
    connection shows every message it sends."""
    trace = (tmp_path / "libpq.trace").open("w")

    def traced(dbapi_connection, _record):
        dbapi_connection.pgconn.trace(trace.fileno())

    with pg_app.app_context():
        db.engine.dispose()
        sa.event.listen(db.engine, "connect", traced)
        try:
            World().workshop()
            db.session.remove()  # the connection goes back to the pool
            trace.flush()
            before = (tmp_path / "libpq.trace").read_text()
            assert "Query" in before or "Parse" in before  # the trace sees what is sent

            raw = db.engine.raw_connection()  # taken from the pool, as an action takes it
            raw.close()
            trace.flush()
            after = (tmp_path / "libpq.trace").read_text()
        finally:
            sa.event.remove(db.engine, "connect", traced)
            db.engine.dispose()
            trace.close()
        assert after == before
