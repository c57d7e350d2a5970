"""An SQLite log that can be followed: the library's SQLite recorder, plus a polling subscription."""

from __future__ import annotations

from collections.abc import Sequence
from threading import Event, Thread
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, ListenNotifySubscription, Subscription
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic

POLL_INTERVAL = 0.05
"""Seconds between looks at the log; SQLite has no LISTEN/NOTIFY to wake a follower."""


class PollingSubscription(ListenNotifySubscription[SQLiteApplicationRecorder]):
    """Yields newly recorded notifications by looking at the log every `interval` seconds."""

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


class FollowableSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, with a subscription that polls."""

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return PollingSubscription(self, gt=gt, topics=topics)


def sqlite_env(path: str) -> dict[str, str]:
    """The library's environment for a ledger in the SQLite file at `path`."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        "APPLICATION_RECORDER_TOPIC": get_topic(FollowableSQLiteRecorder),
    }
