"""The one write path: validate, one transaction with the room's events, commit, emit.

Every service that changes state runs its work through `perform`. The work may
lock rooms, change rows and record room events; `perform` stores the result
under the client's action id in the same transaction, commits, and only then
hands the events to the broadcaster. A retried action id returns the stored
result and changes nothing.

The writes nothing in the transaction reads back (the room's events, its sequence
number, the action's result, a vote) wait in the Change and go to the database together
with the COMMIT: on PostgreSQL as one statement, in one round trip with the COMMIT
(psycopg's pipeline mode), where sent one by one each was a wait on the event loop and
CPU of its own in the driver. A hot path's reads can go together likewise, each still
seeing what was committed when it starts (`read_together`: a vote's lock and its idea).
On SQLite those reads and writes go to the driver's cursor, past SQLAlchemy's execute,
whose work per statement cost a vote as much CPU again as SQLite's own.
"""

import collections
import contextlib
import contextvars
import functools
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from cocreate import realtime
from cocreate.extensions import db
from cocreate.models import ClientAction, Participant, Room, RoomEvent
from cocreate.models._time import utcnow
from cocreate.services.errors import Conflict, DomainError, Invalid

#: Read by the SQLite "begin" hook: a write transaction starts with BEGIN IMMEDIATE
#: so two writers queue instead of failing when one upgrades its read lock.
WRITE_INTENT: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)
#: Where a pooled PostgreSQL connection notes that the write path's BEGIN waits to go
#: with its first statement (cocreate.database sends it so; `read_together` too).
BEGIN_WITH_NEXT = "cocreate_begin_with_next"


# Statements every action runs, built once (building them cost more than running them).
_INSERT_EVENT = sa.insert(RoomEvent.__table__).inline()  # no RETURNING: nothing reads the id
_INSERT_ACTION = sa.insert(ClientAction.__table__).inline()
#: The id a new participant gets, drawn from its column's sequence (PostgreSQL).
_NEXT_PARTICIPANT_ID = sa.func.nextval(
    sa.cast(sa.func.pg_get_serial_sequence("participants", "id"), postgresql.REGCLASS)
)
_ROOM = sa.update(Room.__table__).where(Room.__table__.c.id == sa.bindparam("room"))
#: A room's new numbers, by whether the action changed its sequence and its head count.
_NUMBERS = {
    (True, False): _ROOM.values(last_seq=sa.bindparam("seq")),
    (False, True): _ROOM.values(head_count=sa.bindparam("heads")),
    (True, True): _ROOM.values(last_seq=sa.bindparam("seq"), head_count=sa.bindparam("heads")),
}


def run(statement: sa.Executable, params: dict[str, Any] | None = None) -> sa.CursorResult:
    """Execute a prebuilt Core statement on the session's connection, in its transaction.

    For the hot paths (a vote, its tally, the event): the ORM session's own execute costs
    a statement about as much again as SQLAlchemy's Core, and these statements load no
    ORM objects. Nothing pending in the session is flushed first, so callers use it only
    where the transaction has no unflushed ORM change. Raises what the database raises.
    """
    return db.session.connection().execute(statement, params)


def read_together(reads: list[tuple[sa.Select, dict[str, Any]]]) -> list[list[Any]]:
    """Run reads in their order and return each one's rows (named tuples of the
    statement's column keys, as `run` names them): the write path's, or a snapshot's.

    On PostgreSQL they go in one round trip, with the write path's BEGIN when it waits:
    psycopg's pipeline sends them together, and PostgreSQL runs each once the one before
    has finished, taking its snapshot then. So a read after one that locks a row sees what
    the lock's last holder committed, as it would sent on its own; the reads just do not
    wait for each other's answers. On SQLite they run one by one on the driver's cursor,
    past SQLAlchemy's execute (`_read_now`), their values converted as SQLAlchemy would.
    A read's parameters must not be expanding (IN lists). Raises what the database raises, as
    SQLAlchemy's errors.
    """
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    if not hasattr(raw, "pipeline"):  # SQLite: in the caller, with no round trip to save
        return [
            _read_now(raw, statement, params, connection.dialect) for statement, params in reads
        ]
    if len(reads) < 2:
        return [run(statement, params).all() for statement, params in reads]
    sent = []
    with _pipeline(connection):  # the answers come when it ends
        if connection.connection.info.pop(BEGIN_WITH_NEXT, False):
            raw.execute("BEGIN")
        for statement, params in reads:
            sql, compiled, processors, row = _read_of(statement, connection.dialect)
            cursor = raw.cursor()
            cursor.execute(sql, _values(compiled, processors, params))
            sent.append((cursor, row))
    return [[row(*values) for values in cursor.fetchall()] for cursor, row in sent]


def _read_now(
    raw: sqlite3.Connection, statement: sa.Select, params: dict[str, Any], dialect: sa.Dialect
) -> list:
    """One read of `read_together` on SQLite, on the driver's cursor: SQLAlchemy's execute
    cost a vote's reads and writes about as much CPU again as SQLite's own work."""
    sql, compiled, processors, row = _read_of(statement, dialect)
    return [row(*values) for values in _on_cursor(raw, sql, _values(compiled, processors, params))]


def _on_cursor(raw: sqlite3.Connection, sql: str, values: tuple) -> list[tuple]:
    """Execute on SQLite's own connection, in the session's transaction; return the rows.
    sqlite3's errors come out as SQLAlchemy's (an IntegrityError for a retried action
    id), as from SQLAlchemy's execute."""
    cursor = raw.cursor()
    try:
        cursor.execute(sql, values)
        return cursor.fetchall()
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, values, exc, sqlite3.Error) from exc
    finally:
        cursor.close()


@contextlib.contextmanager
def _pipeline(connection: sa.Connection) -> Iterator[None]:
    """psycopg's pipeline mode on the connection: what is sent inside goes in one round
    trip when it ends. The driver's errors, raised outside SQLAlchemy's execute, come out
    as SQLAlchemy's (an IntegrityError for a retried action id)."""
    driver = connection.dialect.loaded_dbapi
    try:
        with connection.connection.dbapi_connection.pipeline():
            yield
    except driver.Error as exc:
        raise sa.exc.DBAPIError.instance(None, None, exc, driver.Error) from exc


@functools.lru_cache(maxsize=64)
def _read_of(statement: sa.Select, dialect: sa.Dialect) -> tuple:
    """A read's SQL for the driver (psycopg's pipeline, or SQLite's cursor), its compiled
    form, its parameters' type processing and what makes its rows (named tuples, with
    the values converted as SQLAlchemy would): built once for each statement. Raises
    ValueError for expanding parameters."""
    compiled = statement.compile(dialect=dialect)
    if any(bind.expanding for bind in compiled.binds.values()):
        raise ValueError("read_together takes no expanding parameters")
    converted = [
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.selected_columns
    ]
    row = collections.namedtuple("Row", statement.selected_columns.keys())
    if any(convert is not None for convert in converted):
        plain = row

        def row(*values: Any) -> tuple:
            """The row as SQLAlchemy would give it (SQLite's 0 and 1 as booleans, times
            in UTC, etc.)."""
            return plain(
                *(
                    value if convert is None or value is None else convert(value)
                    for convert, value in zip(converted, values, strict=True)
                )
            )

    return compiled.string, compiled, _processors(compiled, dialect), row


def _processors(compiled: sa.Compiled, dialect: sa.Dialect) -> dict[str, Callable | None]:
    """What SQLAlchemy's execute does to each parameter of a compiled statement."""
    return {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect)
        for name, bind in compiled.binds.items()
    }


def _values(
    compiled: sa.Compiled, processors: dict[str, Callable | None], params: dict[str, Any]
) -> dict[str, Any] | tuple:
    """A compiled statement's parameters as the driver takes them: by name (psycopg), or
    in their order in the SQL (SQLite's `?`)."""
    values = {
        name: value if processors[name] is None else processors[name](value)
        for name, value in compiled.construct_params(params).items()
    }
    if compiled.positional:
        return tuple(values[name] for name in compiled.positiontup)
    return values


@dataclass
class RoomRow:
    """A room read and locked without the ORM, by a hot path (a vote: ORM objects cost
    it more than its queries). Change.record keeps its sequence in the database."""

    id: int
    workshop_id: int
    last_seq: int
    kind: str
    phase: str
    results_hidden: bool

    @property
    def is_plenary(self) -> bool:
        """Tell whether this is the workshop's lobby."""
        return self.kind == "plenary"


@dataclass
class Change:
    """What one action did: the room events and personal notices to send after commit,
    and the writes that wait for it (`later`)."""

    actor: str
    events: list[tuple[int, RoomEvent]] = field(default_factory=list)
    notices: list[tuple[str, str, str, dict]] = field(default_factory=list)
    writes: list[tuple[sa.Executable, dict[str, Any]]] = field(default_factory=list)
    #: Each room this action logged to, by id, with its new last sequence number: written
    #: with the commit (`sequence_writes`), not by the ORM's flush.
    sequences: dict[int, int] = field(default_factory=dict)
    #: Each room whose head count this action changed, by id, with its new count: written
    #: with the commit, as the sequence numbers are.
    head_counts: dict[int, int] = field(default_factory=dict)

    def later(self, statement: sa.Executable, params: dict[str, Any]) -> None:
        """Write this with the commit, after the work and its ORM changes: for a write
        that nothing later in the transaction reads (its reads would not see it). On
        PostgreSQL such writes usually go as one statement (`_one_statement`)."""
        self.writes.append((statement, params))

    def lock_room(self, room_id: int | sa.ScalarSelect) -> Room | None:
        """Lock a room's row, found by its id (or a subquery giving it), for this
        transaction (writes to a room are serialised).

        Raises nothing; returns None when the room does not exist.
        """
        return self._locked(Room.id == room_id)

    def lock_plenary(
        self, workshop_id: int | sa.ScalarSelect, device_token: str | None = None
    ) -> tuple[Room | None, Participant | None, int | None]:
        """Lock a workshop's lobby, found by the workshop's id (or a subquery giving it),
        and load its workshop (`room.workshop`) in the same statement: a join storm pays
        for each phone every round trip a join takes. Given a device's token, the same
        statement finds the participant that device already is in the workshop and, on
        PostgreSQL, draws from the participants' sequence the id a new one would get, so
        that a new participant's row can wait for the commit (unused when the device had
        joined: a gap in the ids).

        Returns (lobby, that participant, the id drawn); the lobby is None when the
        workshop does not exist, the participant None when the device has not joined it,
        the id None on SQLite or without a token. Raises nothing.
        """
        query = (
            sa.select(Room)
            .where(Room.workshop_id == workshop_id, Room.kind == "plenary")
            .join(Room.workshop)
            .options(contains_eager(Room.workshop))
        )
        drawing = device_token and db.engine.dialect.name == "postgresql"
        if device_token:
            query = query.add_columns(Participant).outerjoin(
                Participant,
                sa.and_(
                    Participant.workshop_id == Room.workshop_id,
                    Participant.device_token == device_token,
                ),
            )
        if drawing:
            query = query.add_columns(_NEXT_PARTICIPANT_ID)
        row = db.session.execute(self._for_update(query)).first()
        if row is None:
            return None, None, None
        return (
            self._renumbered(row[0]),
            row[1] if device_token else None,
            row[2] if drawing else None,
        )

    def _locked(self, *where: sa.ColumnElement[bool]) -> Room | None:
        """Lock the room these conditions find; None when there is none. Raises nothing."""
        query = self._for_update(sa.select(Room).where(*where))
        return self._renumbered(db.session.scalar(query))

    @staticmethod
    def _for_update(query: sa.Select) -> sa.Select:
        """Lock the rooms a query reads (only them), and refresh them if already loaded."""
        return query.with_for_update(of=Room).execution_options(populate_existing=True)

    def _renumbered(self, room: Room | None) -> Room | None:
        """A room just locked, with this action's last sequence number if it logged to it,
        and its head count if the action changed it."""
        # Read again, the row still has the numbers from before this action: its own are
        # written with the commit.
        if room is not None and room.id in self.sequences:
            set_committed_value(room, "last_seq", self.sequences[room.id])
        if room is not None and room.id in self.head_counts:
            set_committed_value(room, "head_count", self.head_counts[room.id])
        return room

    def count_heads(self, room: Room, change: int) -> None:
        """Count people into (change > 0) or out of a room this action has locked, or has
        just made. Every arrival and departure goes through here, so that a room's
        `head_count` is how many participants are in it. Written with the commit, as a
        sequence number is."""
        set_committed_value(room, "head_count", room.head_count + change)
        self.head_counts[room.id] = room.head_count

    def lock_rooms(self, room_ids: list[int]) -> dict[int, Room]:
        """Lock several rooms in id order, so two actions never wait on each other in a ring."""
        return {room_id: self.lock_room(room_id) for room_id in sorted(set(room_ids))}

    def record(
        self,
        room: Room | RoomRow,
        type_: str,
        data: dict[str, Any],
        moderator_data: dict[str, Any] | None = None,
    ) -> RoomEvent:
        """Append an event to a locked room's log with the next sequence number.

        `moderator_data`, when given, is what moderators receive instead of `data`.
        The event is written with the commit (`later`: nothing reads a room's log in the
        transaction that appends to it), as a plain insert: the ORM's unit of work cost
        a vote more than the insert itself. So is the room's new sequence number, once for
        all of the action's events in the room: for an ORM room it is set as if loaded, so
        that its flush is not an UPDATE of its own (one round trip less on PostgreSQL).
        """
        if isinstance(room, Room):
            set_committed_value(room, "last_seq", room.last_seq + 1)
        else:
            room.last_seq += 1
        self.sequences[room.id] = room.last_seq
        event = RoomEvent(
            room_id=room.id,
            seq=room.last_seq,
            type=type_,
            data=data,
            moderator_data=moderator_data,
            actor=self.actor,
            created_at=utcnow(),
        )
        self.later(
            _INSERT_EVENT,
            {
                "room_id": event.room_id,
                "seq": event.seq,
                "type": event.type,
                "data": event.data,
                "moderator_data": event.moderator_data,
                "actor": event.actor,
                "created_at": event.created_at,
            },
        )
        self.events.append((room.workshop_id, event))
        return event

    def sequence_writes(self) -> list[tuple[sa.Executable, dict[str, Any]]]:
        """The rooms' new sequence numbers and head counts, to write with the commit."""
        writes = []
        for room in {**self.sequences, **self.head_counts}:
            params = {"room": room}
            if room in self.sequences:
                params["seq"] = self.sequences[room]
            if room in self.head_counts:
                params["heads"] = self.head_counts[room]
            writes.append((_NUMBERS["seq" in params, "heads" in params], params))
        return writes

    def notify(self, namespace: str, channel: str, name: str, data: dict) -> None:
        """Send a message to one channel after commit (not logged: a hint to resync)."""
        self.notices.append((namespace, channel, name, data))


def _commit(writes: list[tuple[sa.Executable, dict[str, Any]]]) -> None:
    """Run the writes that waited for the commit, and commit.

    On PostgreSQL the writes go as one statement, and it and the COMMIT go in one round
    trip (psycopg's pipeline mode): the connection is in autocommit
    (database.read_in_autocommit) and the write path sent its own BEGIN, so a COMMIT sent
    as a statement ends the transaction, and psycopg's commit then sends nothing.
    psycopg's commit inside the pipeline would wait for its own sync: a round trip more.
    When the writes fail, the COMMIT after them in the pipeline is skipped and the
    transaction stays open, failed, for the rollback. On SQLite the writes run one by one
    before the commit, on the driver's cursor where they can (`_write_of`). Raises what
    the writes or the COMMIT raise, as SQLAlchemy's errors (an IntegrityError for a
    retried action id).
    """
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    if not writes or not hasattr(raw, "pipeline"):
        for statement, params in writes:
            found = _write_of(statement, tuple(sorted(params)), connection.dialect)
            if found is None:
                run(statement, params)
            else:
                sql, compiled, processors = found
                _on_cursor(raw, sql, _values(compiled, processors, params))
        db.session.commit()
        return
    with _pipeline(connection):  # the results, and errors, come when it ends
        combined = _one_statement(writes, connection.dialect)
        if combined is not None:
            connection.exec_driver_sql(*combined)
        else:
            for statement, params in writes:
                run(statement, params)
        raw.execute("COMMIT")
    db.session.commit()  # SQLAlchemy's side of it: the session's transaction ends


#: A bind parameter in SQL compiled for psycopg: %(name)s (a literal % is written %%).
_PLACEHOLDER = re.compile(r"(?<!%)%\((\w+)\)s")


def _one_statement(
    writes: list[tuple[sa.Executable, dict[str, Any]]], dialect: sa.Dialect
) -> tuple[str, dict[str, Any]] | None:
    """Several writes as one PostgreSQL statement, and its parameters: each but the last a
    data-modifying WITH query, the last the statement itself. None for a single write, or
    for writes that may not go so (`_statement_of`).

    PostgreSQL runs every part; they all see the database as it was before the statement,
    and the constraints are checked at its end. Sent one by one, each write cost the
    client about as much CPU as the whole statement: psycopg's and SQLAlchemy's work per
    statement, which is most of what a vote costs on PostgreSQL beyond SQLite.
    """
    if len(writes) < 2:
        return None
    found = _statement_of(
        tuple((statement, tuple(sorted(params))) for statement, params in writes), dialect
    )
    if found is None:
        return None
    sql, parts = found
    values = {}
    for (prefix, compiled, processors), (_statement, params) in zip(parts, writes, strict=True):
        for name, value in _values(compiled, processors, params).items():
            values[prefix + name] = value
    return sql, values


@functools.lru_cache(maxsize=256)
def _statement_of(
    writes: tuple[tuple[sa.Executable, tuple[str, ...]], ...], dialect: sa.Dialect
) -> tuple[str, tuple] | None:
    """The SQL of `_one_statement` for these statements and parameter names, and for each
    write its parameters' prefix, its compiled form and its parameters' type processing
    (what SQLAlchemy's execute would do with them): built once for each combination.

    None unless each write is an INSERT, UPDATE or DELETE and no table is changed by two
    of them but for plain INSERTs: the parts of one statement do not see each other's changes,
    and of two changes to one row only one takes effect.
    """
    inserted, changed = set(), []
    for statement, _keys in writes:
        if isinstance(statement, sa.Insert) and statement._post_values_clause is None:
            inserted.add(statement.table)  # an upsert (ON CONFLICT) changes rows: below
        elif isinstance(statement, sa.Insert | sa.Update | sa.Delete):
            changed.append(statement.table)
        else:
            return None
    if len(set(changed)) < len(changed) or inserted.intersection(changed):
        return None
    queries, parts = [], []
    for number, (statement, keys) in enumerate(writes):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        prefix = f"w{number}_"
        queries.append(_PLACEHOLDER.sub(rf"%({prefix}\1)s", compiled.string))
        parts.append((prefix, compiled, _processors(compiled, dialect)))
    *first, last = queries
    withs = ", ".join(f"w{number} AS ({query})" for number, query in enumerate(first))
    return f"WITH {withs} {last}", tuple(parts)


@functools.lru_cache(maxsize=256)
def _write_of(
    statement: sa.Executable, keys: tuple[str, ...], dialect: sa.Dialect
) -> tuple[str, sa.Compiled, dict[str, Callable | None]] | None:
    """A write's SQL for SQLite's cursor with these parameter names, its compiled form and
    its parameters' type processing; None when it must go through SQLAlchemy's execute:
    not an INSERT, UPDATE or DELETE, an expanding parameter, or a column whose default or
    on-update value SQLAlchemy would fill in (only its execute does that)."""
    if not isinstance(statement, sa.Insert | sa.Update | sa.Delete) or dialect.name != "sqlite":
        return None
    filled = {
        column.key
        for column in statement.table.columns
        if (isinstance(statement, sa.Insert) and column.default is not None)
        or (isinstance(statement, sa.Update) and column.onupdate is not None)
    }
    if filled - set(keys):
        return None
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    if any(bind.expanding for bind in compiled.binds.values()):
        return None
    return compiled.string, compiled, _processors(compiled, dialect)


def check_action_id(action_id: str | None) -> str | None:
    """Normalise a client action id; raises Invalid unless it is a UUID."""
    if action_id is None:
        return None
    try:
        return str(uuid.UUID(str(action_id)))
    except ValueError as exc:
        raise Invalid(_("Every action needs an id: a UUID made by the app.")) from exc


def _stored_result(actor: str, action_id: str, kind: str) -> dict | None:
    """Return the first result of this action id; raises Conflict if it was another action."""
    row = db.session.execute(
        sa.select(ClientAction.kind, ClientAction.result).where(
            ClientAction.actor == actor, ClientAction.action_id == action_id
        )
    ).first()
    if row is None:
        return None
    if row.kind != kind:
        raise Conflict(_("This action id was already used for another action."))
    return row.result


def perform(actor: str, action_id: str | None, work: Callable[[Change], dict]) -> dict:
    """Run one action exactly once and return its result.

    The action's kind is the name of the service whose nested `work` this is
    (e.g. "post_idea"). Raises whatever domain error the work raises (nothing is
    committed then), and Conflict for an action id already used for another kind.
    """
    action_id = check_action_id(action_id)
    kind = work.__qualname__.partition(".")[0]
    db.session.rollback()  # end any read transaction: the write starts its own
    # A retry is found by the action id's unique row at commit (IntegrityError below),
    # not by a look before the work: that look cost every action two round trips to
    # the database for the rare retry. A retry's work is rolled back.
    change = Change(actor=actor)
    token = WRITE_INTENT.set(True)
    try:
        try:
            result = work(change)
            if action_id is not None:
                change.later(
                    _INSERT_ACTION,
                    {
                        "actor": actor,
                        "action_id": action_id,
                        "kind": kind,
                        "result": result,
                        "created_at": utcnow(),
                    },
                )
            messages = [
                (workshop_id, event.to_message(), event.to_message(moderator=True))
                for workshop_id, event in change.events
            ]
            db.session.flush()  # the ORM's changes first: rows the later writes refer to
            _commit(change.writes + change.sequence_writes())
        except IntegrityError:
            db.session.rollback()
            # The same action id committed before (a retry), or meanwhile (racing it).
            earlier = _stored_result(actor, action_id, kind) if action_id else None
            if earlier is None:
                raise
            db.session.rollback()
            return earlier
        except DomainError:
            db.session.rollback()
            # A retry of an applied action gets its first result, not the refusal the
            # state would give now (a dot's retry once the budget is used up).
            earlier = _stored_result(actor, action_id, kind) if action_id else None
            db.session.rollback()
            if earlier is not None:
                return earlier
            raise
        except BaseException:
            db.session.rollback()
            raise
    finally:
        WRITE_INTENT.reset(token)
    realtime.publish(messages, change.notices)
    return result
