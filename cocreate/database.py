"""Connection settings that depend on the database engine."""

import sqlite3

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cocreate.services.unit import WRITE_INTENT


@sa.event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Use WAL (readers never block the writer), foreign keys, and a busy wait."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is corruption-safe and skips an fsync per commit (a power cut
    # may lose the last moments; a crash of the process loses nothing).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@sa.event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """Start write transactions with BEGIN IMMEDIATE so concurrent writers queue up.

    A deferred transaction that read first and writes later can fail with
    "database is locked" when another writer got there in between; taking the
    write lock at BEGIN (only for the write path) avoids that.
    """
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if WRITE_INTENT.get() else "BEGIN")


#: How long a PostgreSQL statement waits for a row lock before it fails.
LOCK_TIMEOUT_MS = 3000


@sa.event.listens_for(Engine, "do_connect")
def _postgres_lock_timeout(dialect, connection_record, cargs, cparams):
    """Give every PostgreSQL session a lock timeout.

    psycopg's C driver blocks the server's loop (gevent's or eventlet's) while it waits for
    the database, as SQLite's does: a transaction then runs from BEGIN to COMMIT without
    another of its process in between, so no action waits on a lock held by a green thread
    that waits for its turn (the pure-Python driver yields at every round trip, and under
    load a room's lock stayed held for seconds: bench/db_on_loop.py). The write path never
    yields inside a transaction; should something ever do so while holding a lock that
    another green thread of its process then waits for, the loop would stop for good. The
    timeout turns that into a failed action after a few seconds. Waits on other processes'
    locks are milliseconds.
    """
    if dialect.name == "postgresql":
        cparams.setdefault("options", f"-c lock_timeout={LOCK_TIMEOUT_MS}")
