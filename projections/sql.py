"""SQL views on SQLite and PostgreSQL: one dialect seam, and tracking written with the rows."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

IN_CHUNK = 500
"""Values per `IN (...)` list: well inside both databases' limits on parameters."""


class Cursor(Protocol):
    """What a view needs of a database cursor: both drivers' cursors provide it."""

    def execute(self, statement: Any, params: Any = ...) -> Any: ...

    def executemany(self, statement: Any, params_seq: Any) -> Any: ...

    def fetchall(self) -> Any: ...

    def fetchone(self) -> Any: ...


@dataclass(frozen=True)
class Dialect:
    """How one database spells placeholders and stores instants."""

    name: str
    datastore: SQLiteDatastore | PostgresDatastore

    def sql(self, statement: str) -> str:
        """Statements are written with %s placeholders; SQLite wants '?'."""
        return statement.replace("%s", "?") if self.name == "sqlite" else statement

    def time_in(self, value: datetime | None) -> Any:
        """SQLite keeps instants as fixed-width UTC text, so text order is time order."""
        if value is None or self.name != "sqlite":
            return value
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def time_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        instant = datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(instant, datetime)
        return instant.astimezone(UTC)

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    @contextmanager
    def derived_write(self) -> Iterator[Cursor]:
        """A transaction that writes only what the log can rebuild.

        On PostgreSQL it commits without waiting for its WAL to reach the disk. A crash may
        lose the last such commits, rows and tracking together, and the runner replays them:
        the view is never ahead of what it tracks, and nothing is counted twice.
        """
        with self.transaction(commit=True) as cursor:
            if self.name == "postgres":
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield cursor


class SqlView(TrackingRecorder):
    """A view whose rows and tracking record commit together, so each event counts once."""

    tables: tuple[str, ...] = ()
    """The view's own tables (owned by migrations), emptied on rebuild."""

    def __init__(self, dialect: Dialect, name: str) -> None:
        self.dialect = dialect
        self.tracking_table = f"{name}_tracking"

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.dialect.derived_write() as cursor:
            self.track(cursor, tracking)

    def track(self, cursor: Cursor, tracking: Tracking) -> None:
        """Advance the tracked position; a position already tracked aborts the transaction."""
        cursor.execute(
            self.dialect.sql(
                f"INSERT INTO {self.tracking_table} (application_name, notification_id) VALUES (%s, %s) "
                "ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id "
                f"WHERE {self.tracking_table}.notification_id < excluded.notification_id "
                "RETURNING notification_id"
            ),
            (tracking.application_name, tracking.notification_id),
        )
        if cursor.fetchone() is None:
            msg = f"{tracking.application_name} {tracking.notification_id} is already tracked"
            raise IntegrityError(msg)

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.dialect.transaction(commit=False) as cursor:
            cursor.execute(
                self.dialect.sql(
                    f"SELECT notification_id FROM {self.tracking_table} WHERE application_name = %s"
                ),
                (application_name,),
            )
            row = cursor.fetchone()
        return None if row is None else int(row["notification_id"])

    def truncate(self) -> None:
        """Empty the view and its tracking in one transaction, ready for a replay."""
        with self.dialect.derived_write() as cursor:
            for table in (*self.tables, self.tracking_table):
                cursor.execute(f"DELETE FROM {table}")

    def fetch(self, statement: str, params: Sequence[Any]) -> list[Any]:
        with self.dialect.transaction(commit=False) as cursor:
            cursor.execute(self.dialect.sql(statement), tuple(params))
            return list(cursor.fetchall())

    def fetch_in(self, select: str, column: str, values: Collection[str]) -> list[Any]:
        """The rows of `select` whose `column` is one of `values`, asked for 500 at a time."""
        wanted, found = list(values), []
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            found += self.fetch(f"{select} WHERE {column} IN ({', '.join(['%s'] * len(chunk))})", chunk)
        return found
