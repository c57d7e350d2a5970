"""In-memory views: the same contract as the SQL views, for tests and the embedded demo."""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder


class MemoryView(TrackingRecorder):
    """Rows kept in dicts; a lock makes rows and tracking change together."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.positions: dict[str, int] = {}

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.lock:
            self.track(tracking)

    def track(self, tracking: Tracking) -> None:
        """Advance the tracked position; a position already tracked is refused."""
        last = self.positions.get(tracking.application_name)
        if last is not None and last >= tracking.notification_id:
            msg = f"{tracking.application_name} {tracking.notification_id} is already tracked"
            raise IntegrityError(msg)
        self.positions[tracking.application_name] = tracking.notification_id

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.lock:
            return self.positions.get(application_name)

    @contextmanager
    def writing(self, tracking: Tracking) -> Iterator[None]:
        """Check the tracking first, then let the caller change rows under the lock."""
        with self.lock:
            self.track(tracking)
            yield

    def truncate(self) -> None:
        with self.lock:
            self.positions.clear()
            self.clear_rows()

    @abstractmethod
    def clear_rows(self) -> None:
        """Drop every row of the view."""
