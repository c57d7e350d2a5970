"""The ledger's recorders: the library's SQLite and PostgreSQL recorders, group-committing,
and for SQLite a subscription that polls the log (SQLite cannot notify).

On PostgreSQL the service runs as the role POSTGRES_USER names. That should be `ledger_runtime`
(migration 0013), which may read and insert the log but not change it: set POSTGRES_USER (and
POSTGRES_PASSWORD) to it, and LEDGER_POSTGRES_OWNER (and LEDGER_POSTGRES_OWNER_PASSWORD) to the
role that owns the tables, which `ledger migrate` connects as. Without LEDGER_POSTGRES_OWNER,
POSTGRES_USER owns the tables and everything connects as it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from threading import Event, Thread
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, ListenNotifySubscription, StoredEvent, Subscription
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic
from psycopg.sql import SQL, Identifier

from projections.group_commit import GroupCommitter

POLL_INTERVAL = 0.05
"""Seconds between looks at the log; SQLite has no LISTEN/NOTIFY to wake a follower."""
OWNER = "LEDGER_POSTGRES_OWNER"
"""The role that owns the PostgreSQL tables, when the service connects as another; its password
is in LEDGER_POSTGRES_OWNER_PASSWORD."""


class PollingSubscription(ListenNotifySubscription[SQLiteApplicationRecorder]):
    """Yields newly recorded notifications by looking at the log every `POLL_INTERVAL` seconds."""

    def __init__(
        self, recorder: SQLiteApplicationRecorder, gt: int | None = None, topics: Sequence[str] = ()
    ) -> None:
        self._stopping = Event()
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._poll_thread = Thread(target=self._poll, daemon=True)
        self._poll_thread.start()

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._poll_thread.join()

    def _poll(self) -> None:
        while not self._stopping.wait(POLL_INTERVAL):
            self._has_been_notified.set()


class GroupCommitting(ApplicationRecorder):
    """Saves made at the same time share one transaction (see GroupCommitter)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = GroupCommitter()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        parent = super().insert_events  # type: ignore[safe-super]  # mixed into concrete recorders only
        return self.group.save(lambda events: parent(events, **kwargs), stored_events)


class LedgerSQLiteRecorder(GroupCommitting, SQLiteApplicationRecorder):
    """The library's SQLite recorder, group-committing, with a polling subscription."""

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return PollingSubscription(self, gt=gt, topics=topics)


class LedgerPostgresRecorder(GroupCommitting, PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, group-committing."""


class LedgerRuntimePostgresRecorder(LedgerPostgresRecorder):
    """The ledger's PostgreSQL recorder for a role that may not lock the log itself, such as
    `ledger_runtime`: it takes the same lock through the owner's `lock_<log table>()` function."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(datastore.lock_timeout),
            SQL("SELECT {0}.{1}()").format(
                Identifier(datastore.schema), Identifier(f"lock_{events_table_name}")
            ),
        ]


RECORDERS = {
    "eventsourcing.sqlite": get_topic(LedgerSQLiteRecorder),
    "eventsourcing.postgres": get_topic(LedgerPostgresRecorder),
}
RUNTIME_RECORDER = get_topic(LedgerRuntimePostgresRecorder)
"""The PostgreSQL recorder of a service that connects as another role than the tables' owner."""


def ledger_env(env: Mapping[str, str]) -> dict[str, str]:
    """The library's environment, with the ledger's recorder for SQLite and PostgreSQL. A service
    that does not connect as the owner of the PostgreSQL tables creates none (CREATE_TABLE=n)."""
    full = dict(env)
    module = full.get("PERSISTENCE_MODULE", "")
    if module == "eventsourcing.postgres" and not _connects_as_owner(full):
        full.update(APPLICATION_RECORDER_TOPIC=RUNTIME_RECORDER, CREATE_TABLE="n")
    topic = RECORDERS.get(module)
    if topic is not None:
        full.setdefault("APPLICATION_RECORDER_TOPIC", topic)
    return full


def owner_env(env: Mapping[str, str]) -> dict[str, str]:
    """The library's environment for the same store, connected as the owner of its tables."""
    if _connects_as_owner(env):
        return dict(env)
    full = {
        key: value for key, value in env.items() if key not in {OWNER, f"{OWNER}_PASSWORD", "CREATE_TABLE"}
    }
    if full.get("APPLICATION_RECORDER_TOPIC") == RUNTIME_RECORDER:
        del full["APPLICATION_RECORDER_TOPIC"]
    return ledger_env(
        {**full, "POSTGRES_USER": env[OWNER], "POSTGRES_PASSWORD": env.get(f"{OWNER}_PASSWORD", "")}
    )


def _connects_as_owner(env: Mapping[str, str]) -> bool:
    return env.get(OWNER) in {None, "", env.get("POSTGRES_USER")}


def sqlite_env(path: str) -> dict[str, str]:
    """The library's environment for a ledger in the SQLite file at `path`."""
    return ledger_env({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
