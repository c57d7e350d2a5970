"""The log as the chain's verifier reads it: the stored events, a page at a time, in log order, as
plain tuples (no object per event).

On SQLite and PostgreSQL the events table is read directly (binary on PostgreSQL: payloads come
as the stored bytes); the in-memory store is read through its recorder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from projections.chain_sealer import LAST_POSITION, fetch_rows
from projections.read_side import dialect_for
from projections.sql import Dialect

Event = tuple[int, str, int, str, bytes]
"""A stored event: its position, aggregate id, version, topic and payload."""


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
    """The ledger's log: its table read directly on SQLite and PostgreSQL."""
    dialect, recorder = dialect_for(ledger), ledger.recorder
    if dialect and isinstance(recorder, SQLiteApplicationRecorder | PostgresApplicationRecorder):
        return SqlLog(dialect, recorder)
    return RecorderLog(recorder)
