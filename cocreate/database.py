"""Connection settings that depend on the database engine."""

import sqlite3
import weakref

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from cocreate.services.unit import BEGIN_WITH_NEXT, WRITE_INTENT


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
def _begin(conn):
    """Open the transaction: for SQLite always, for PostgreSQL on the write path.

    SQLite: write transactions start with BEGIN IMMEDIATE so concurrent writers queue up.
    A deferred transaction that read first and writes later can fail with "database is
    locked" when another writer got there in between; taking the write lock at BEGIN
    (only for the write path) avoids that.

    PostgreSQL reads in autocommit (below); the write path (`unit.perform`) opens its
    transaction here. On a connection in autocommit, its BEGIN goes with the first
    statement, in one round trip (`_execute_after_begin`).
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if WRITE_INTENT.get() else "BEGIN")
    elif conn.dialect.name == "postgresql" and WRITE_INTENT.get():
        raw = conn.connection.dbapi_connection
        if (
            conn.engine in _READING_IN_AUTOCOMMIT
            and raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        ):
            conn.connection.info[BEGIN_WITH_NEXT] = True
        else:
            _open_transaction(raw)


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


#: Where a pooled PostgreSQL connection notes that the server said it is ending it.
_ENDING = "cocreate_server_ending"


@sa.event.listens_for(Engine, "connect")
def _postgres_hear_the_end(dbapi_connection, connection_record):
    """Note on the pool's record when PostgreSQL says it is ending this session.

    A server that ends an idle session (a restart, an administrator, an idle timeout) sends
    a FATAL message, then closes the socket a moment later. libpq hands a message that
    comes while nothing was asked to the notice handlers, once it parses its input.
    """
    if not hasattr(dbapi_connection, "pgconn"):
        return
    info = connection_record.info
    info[_ENDING] = False

    def heard(diagnostic) -> None:
        if diagnostic.severity_nonlocalized in ("FATAL", "PANIC"):
            info[_ENDING] = True

    dbapi_connection.add_notice_handler(heard)


@sa.event.listens_for(Engine, "checkout")
def _postgres_still_open(dbapi_connection, connection_record, connection_proxy):
    """Replace a pooled PostgreSQL connection that the server has ended, without asking it.

    A connection waiting in the pool has nothing to read unless the server ended it: then
    its last message, or the end of the stream, has arrived. libpq reads what has arrived
    without waiting, so this costs a system call where SQLAlchemy's `pool_pre_ping` cost
    every action a round trip (a `SELECT 1`, which the loop waited for). Raises
    DisconnectionError, on which the pool opens a new connection and the action goes on
    as if nothing happened. A server that vanished without a word (a cable pulled) is
    found by the action's first statement, where the ping would have waited too; the
    pool is then renewed.
    """
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    try:
        pgconn.consume_input()
        pgconn.is_busy()  # parses what came: a FATAL message goes to `heard` above
    except psycopg.OperationalError as exc:  # the stream has ended
        raise DisconnectionError("PostgreSQL closed this pooled connection") from exc
    if connection_record.info.get(_ENDING) or pgconn.status != psycopg.pq.ConnStatus.OK:
        raise DisconnectionError("PostgreSQL is ending this pooled connection")


#: The engines whose connections read in autocommit and send that BEGIN so.
_READING_IN_AUTOCOMMIT: weakref.WeakSet[Engine] = weakref.WeakSet()


def read_in_autocommit(engine: Engine) -> None:
    """Let the app's PostgreSQL connections read without a transaction around each read.

    Outside the write path the app only reads, and under READ COMMITTED (PostgreSQL's
    default) each statement sees what was committed before it started, in a transaction or
    not. So the BEGIN that psycopg sent before a read, and the ROLLBACK that ended it, were
    two round trips bought for nothing, and the loop waited for both: a phone's connect
    took three where it now takes one. A transaction is opened where one is needed: by
    the write path at its start (`_begin` above), its BEGIN sent with its first statement
    in one round trip (`_execute_after_begin`), and anywhere else at the first statement
    that may write or lock (`_begin_to_write` below), so that a change made outside the
    write path (a migration, a command, a test's fixture) is still all or nothing and ends
    with its COMMIT or ROLLBACK. psycopg's commit and rollback send nothing when no
    transaction is open. Only the app's engine reads so; nothing else changes for SQLite.
    """
    if engine.dialect.name != "postgresql":
        return
    sa.event.listen(engine, "connect", _autocommit)
    sa.event.listen(engine, "before_cursor_execute", _begin_to_write)
    sa.event.listen(engine, "do_execute", _execute_after_begin)
    sa.event.listen(engine, "do_execute_no_params", _execute_after_begin_no_params)
    sa.event.listen(engine, "do_executemany", _executemany_after_begin)
    for ended in ("commit", "rollback"):
        sa.event.listen(engine, ended, _no_begin_waits)
    sa.event.listen(engine, "checkin", _no_begin_waits_in_the_pool)
    _READING_IN_AUTOCOMMIT.add(engine)


def _autocommit(dbapi_connection, connection_record) -> None:
    """Put a new psycopg connection in autocommit (see read_in_autocommit)."""
    dbapi_connection.autocommit = True


def _open_transaction(dbapi_connection) -> None:
    """Send BEGIN on a psycopg connection in autocommit, unless a transaction is open."""
    if (
        dbapi_connection.autocommit
        and dbapi_connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    ):
        dbapi_connection.execute("BEGIN")


def _begin_to_write(conn, cursor, statement, parameters, context, executemany) -> None:
    """Open a transaction before a statement that is not a plain read.

    A plain read is a SELECT without a row lock (FOR UPDATE, FOR SHARE …); anything else
    (a write, a lock, DDL, a SET, a CTE) is taken to need a transaction, which stays open
    until the session commits or rolls back. The write path's transaction is opened with
    its first statement (`_execute_after_begin`).
    """
    if conn.connection.info.get(BEGIN_WITH_NEXT):
        return
    if not statement.startswith("SELECT") or " FOR " in statement:
        _open_transaction(cursor.connection)


def _execute_after_begin(cursor, statement, parameters, context) -> bool | None:
    """Send the write path's waiting BEGIN and this statement in one round trip.

    In psycopg's pipeline mode the BEGIN does not wait for its answer; the statement's
    results, or its error, are there when the pipeline ends, before SQLAlchemy reads
    them. Returns True when it executed the statement, None to let SQLAlchemy do it.
    """
    if not _pooled(context).pop(BEGIN_WITH_NEXT, False):
        return None
    raw = cursor.connection
    if raw.pgconn.pipeline_status:  # in a pipeline already: the BEGIN goes first in it
        raw.execute("BEGIN")
        return None
    with raw.pipeline():
        raw.execute("BEGIN")
        cursor.execute(statement, parameters)
    return True


def _execute_after_begin_no_params(cursor, statement, context) -> bool | None:
    """`_execute_after_begin` for a statement without parameters."""
    return _execute_after_begin(cursor, statement, None, context)


def _executemany_after_begin(cursor, statement, parameters, context) -> None:
    """Send the write path's waiting BEGIN before a statement run many times (its own
    round trip: such statements are rare and not first)."""
    if _pooled(context).pop(BEGIN_WITH_NEXT, False):
        _open_transaction(cursor.connection)


def _pooled(context) -> dict:
    """The pool's notes on the connection a statement runs on (`info`); none while the
    dialect first looks at a new connection, which is not pooled yet."""
    try:
        return context.root_connection.connection.info
    except NotImplementedError:  # SQLAlchemy's ad hoc proxy for that first look
        return {}


def _no_begin_waits(conn) -> None:
    """A transaction that ends before any statement leaves no BEGIN waiting."""
    conn.connection.info.pop(BEGIN_WITH_NEXT, None)


def _no_begin_waits_in_the_pool(dbapi_connection, connection_record) -> None:
    """A connection goes back to the pool with no BEGIN waiting (`_no_begin_waits`)."""
    connection_record.info.pop(BEGIN_WITH_NEXT, None)
