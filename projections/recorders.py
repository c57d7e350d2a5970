"""The ledger's recorders: the library's SQLite and PostgreSQL recorders, group-committing,
and for SQLite a subscription that polls the log (SQLite cannot notify)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from threading import Event, Thread
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, ListenNotifySubscription, StoredEvent, Subscription
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic

from projections.group_commit import GroupCommitter

POLL_INTERVAL = 0.05
"""Seconds between looks at the log; SQLite has no LISTEN/NOTIFY to wake a follower."""


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


RECORDERS = {
    "eventsourcing.sqlite": get_topic(LedgerSQLiteRecorder),
    "eventsourcing.postgres": get_topic(LedgerPostgresRecorder),
}


def ledger_env(env: Mapping[str, str]) -> dict[str, str]:
    """The library's environment, with the ledger's recorder for SQLite and PostgreSQL."""
    full = dict(env)
    topic = RECORDERS.get(full.get("PERSISTENCE_MODULE", ""))
    if topic is not None:
        full.setdefault("APPLICATION_RECORDER_TOPIC", topic)
    return full


def sqlite_env(path: str) -> dict[str, str]:
    """The library's environment for a ledger in the SQLite file at `path`."""
    return ledger_env({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
