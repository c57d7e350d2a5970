"""The log as the chain's verifier reads it: the stored events, a page at a time, in log order, as
plain tuples (no object per event).

On SQLite and PostgreSQL the events table is read directly (binary on PostgreSQL: payloads come
as the stored bytes); the in-memory store is read through its recorder.

On PostgreSQL the database can also check a range of positions itself (PostgresLog.check): it
hashes each event from the link sealed before it, with its builtin sha256, and returns only the
positions that disagree, so no payload leaves it. RELINKED spells the canonical encoding of
domain/audit_chain.py in SQL, byte for byte: the header line is written as JSON (to_json escapes
strings as Python's json.dumps does, keeping non-ASCII as UTF-8) and the payload follows as stored.
The recorded time is the payload's own bytes up to the first quote after STATED_TIME. A payload
that states it otherwise (not first, past STATED_WITHIN bytes, with a backslash or a byte that is
not ASCII) is not hashed there: its position is returned, and Python hashes it, as the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row

from domain.audit_chain import GENESIS
from projections.chain_sealer import CHAIN, LAST_POSITION, fetch_rows
from projections.read_side import dialect_for
from projections.sql import Dialect

Event = tuple[int, str, int, str, bytes]
"""A stored event: its position, aggregate id, version, topic and payload."""
STATED_TIME = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
"""How a stored payload begins: with its recorded time, which the canonical header line repeats."""
STATED_WITHIN = 64
"""How many bytes after STATED_TIME the database looks for the quote that ends the recorded time."""
_AT = len(STATED_TIME) + 1
RELINKED = rf"""
SELECT e.position, e.originator_id, e.version, e.topic, e.state,
  c.position AS sealed_at, c.previous, c.link,
  CASE WHEN strpos(e.stated, '\') = 0 THEN pg_catalog.sha256(c.previous || convert_to(
    '[' || e.position || ',"' || e.originator_id || '",' || e.version || ','
      || to_json(e.topic)::text || ',' || to_json(e.stated)::text || ']' || chr(10), 'UTF8'
  ) || e.state) END AS relinked
FROM (
  SELECT notification_id AS position, originator_id::text AS originator_id,
    originator_version AS version, topic, state,
    CASE WHEN substr(state, 1, {_AT - 1}) = %(stated_time)s THEN encode(substr(state, {_AT},
      NULLIF(position('"'::bytea IN substr(state, {_AT}, {STATED_WITHIN})), 0) - 1), 'escape')
    END AS stated
  FROM {{events}} WHERE notification_id > %(after)s AND notification_id <= %(upto)s
) e FULL JOIN (
  SELECT position, link, lag(link, 1, COALESCE(
    (SELECT link FROM {CHAIN} WHERE position <= %(after)s ORDER BY position DESC LIMIT 1), %(genesis)s
  )) OVER (ORDER BY position) AS previous
  FROM {CHAIN} WHERE position > %(after)s AND position <= %(upto)s
) c ON c.position = e.position
"""
"""Every position from `after` to `upto` that holds an event or a sealed link, on PostgreSQL: the
event (position NULL when none), its sealed link and the link sealed before it (NULL when none),
and the link the database computes for it (relinked; NULL when it leaves the event to Python).

The header line is JSON as Python's json.dumps writes it with ensure_ascii=False: to_json escapes
the topic and the recorded time the same way (a quote, a backslash, a control character; nothing
else, so UTF-8 stays as it is). The aggregate id is a uuid, whose text (hex digits and hyphens)
needs no escaping. `stated` is the recorded time as text: `encode(..., 'escape')` keeps ASCII bytes
as they are and writes a backslash for any other (a NUL, a byte above 127, a backslash), so text
without one is the payload's own bytes."""


class LogReader(Protocol):
    """Reads the log's stored events, a page at a time."""

    def page(self, after: int, upto: int | None, limit: int) -> list[Event]:
        """Up to `limit` events after position `after` (and up to `upto`), in log order."""
        ...

    def end(self) -> int:
        """The log's last position (0 when empty)."""
        ...


class SqlLog:
    """The events table, read directly."""

    def __init__(
        self, dialect: Dialect, recorder: SQLiteApplicationRecorder | PostgresApplicationRecorder
    ) -> None:
        self.dialect = dialect
        self.recorder = recorder
        if isinstance(recorder, PostgresApplicationRecorder):
            position, aggregate = "notification_id", "originator_id::text"
        else:
            position, aggregate = "rowid", "originator_id"
        self.statement = (
            f"SELECT {position}, {aggregate}, originator_version, topic, state "
            f"FROM {recorder.events_table_name} "
            f"WHERE {position} > %s AND {position} <= %s ORDER BY {position} LIMIT %s"
        )

    def page(self, after: int, upto: int | None, limit: int) -> list[Event]:
        bounds = (after, LAST_POSITION if upto is None else upto, limit)
        rows = fetch_rows(self.dialect, self.statement, bounds)
        if isinstance(self.recorder, PostgresApplicationRecorder):
            return rows
        read_id = self.recorder.convert_originator_id
        return [(p, _text(read_id, i), v, t, _blob(s)) for p, i, v, t, s in rows]

    def end(self) -> int:
        return self.recorder.max_notification_id() or 0


def _blob(stored: object) -> bytes:
    """A payload's bytes; SQLite may hold one as text (its UTF-8 bytes) if someone wrote it so."""
    return stored if isinstance(stored, bytes) else str(stored).encode()


def _text(read_id: Callable[[str], object], stored: str) -> str:
    """An aggregate id as the library reads it from SQLite (a UUID), or as stored if it is none."""
    try:
        return str(read_id(stored))
    except ValueError:
        return stored


class Checked(NamedTuple):
    """A range of positions as the database checked it."""

    events: int
    last: int | None
    """The range's last event (None when it holds none)."""
    gone: list[int]
    """Sealed positions that hold no event."""
    suspects: list[int]
    """Events that do not hash to a link sealed for them, or that the database left to Python."""


class PostgresLog(SqlLog):
    """The events table on PostgreSQL, which can also check ranges of it against the sealed chain."""

    recorder: PostgresApplicationRecorder

    def __init__(self, dialect: Dialect, recorder: PostgresApplicationRecorder) -> None:
        super().__init__(dialect, recorder)
        self.relinked = RELINKED.format(events=recorder.events_table_name)
        self.checking = (
            "SELECT count(position), max(position), "
            "array_agg(sealed_at) FILTER (WHERE position IS NULL), array_agg(position) "
            "FILTER (WHERE position IS NOT NULL AND NOT coalesce(relinked = link, false)) "
            f"FROM ({self.relinked}) relinked"
        )
        self.counting = (
            f"SELECT count(*) FROM {recorder.events_table_name} "
            "WHERE notification_id > %s AND notification_id <= %s"
        )

    def check(self, after: int, upto: int) -> Checked:
        """The positions after `after` up to `upto`, each event hashed by the database from the link
        sealed before it (the last sealed up to `after` for the first)."""
        params = {"after": after, "upto": upto, "stated_time": STATED_TIME, "genesis": GENESIS}
        with self.recorder.datastore.get_connection() as connection:
            cursor = connection.cursor(row_factory=tuple_row)
            row = cursor.execute(self.checking, params, prepare=True, binary=True).fetchone()
        assert row is not None  # an aggregate's one row
        events, last, gone, suspects = row
        return Checked(events, last, sorted(gone or ()), sorted(suspects or ()))

    def count(self, after: int, upto: int | None) -> int:
        """How many events lie after `after`, up to `upto`."""
        bounds = (after, LAST_POSITION if upto is None else upto)
        counted: int = fetch_rows(self.dialect, self.counting, bounds)[0][0]
        return counted


class RecorderLog:
    """The log read through the recorder (the in-memory store)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder

    def page(self, after: int, upto: int | None, limit: int) -> list[Event]:
        notifications = self.recorder.select_notifications(
            start=after, limit=limit, stop=upto, inclusive_of_start=False
        )
        return [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state) for n in notifications]

    def end(self) -> int:
        return self.recorder.max_notification_id() or 0


def log_reader(ledger: Application[Any]) -> LogReader:
    """The ledger's log: its table read directly on SQLite, and on PostgreSQL, which can check it too."""
    dialect, recorder = dialect_for(ledger), ledger.recorder
    if dialect and isinstance(recorder, PostgresApplicationRecorder):
        return PostgresLog(dialect, recorder)
    if dialect and isinstance(recorder, SQLiteApplicationRecorder):
        return SqlLog(dialect, recorder)
    return RecorderLog(recorder)
