"""Group commit: concurrent saves share one database transaction, each keeping its own verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from threading import Condition
from typing import Any

from eventsourcing.persistence import StoredEvent


@dataclass
class PendingSave:
    """One caller's events, waiting for a leader to write them."""

    events: Sequence[StoredEvent]
    ids: Sequence[int] | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class GroupCommitter:
    """Leader-follower batching: whoever finds no write under way writes everything queued.

    A lone save goes straight through; saves that arrive while one is being written wait
    and go together in the next transaction. If that transaction fails (say one caller's
    aggregate was changed by another writer), each save is retried alone, so only the
    caller whose save fails sees the failure.
    """

    max_batch: int = 500
    queue: list[PendingSave] = field(default_factory=list)
    writing: bool = False
    condition: Condition = field(default_factory=Condition)

    def save(self, insert: Any, events: Sequence[StoredEvent]) -> Sequence[int] | None:
        pending = PendingSave(events)
        with self.condition:
            self.queue.append(pending)
            while not pending.done and self.writing:
                self.condition.wait()
            if pending.done:
                return self._outcome(pending)
            self.writing = True
            batch, self.queue = self.queue[: self.max_batch], self.queue[self.max_batch :]
        try:
            write_batch(insert, batch)
        finally:
            with self.condition:
                self.writing = False
                self.condition.notify_all()
        return self._outcome(pending)

    @staticmethod
    def _outcome(pending: PendingSave) -> Sequence[int] | None:
        if pending.error is not None:
            raise pending.error
        return pending.ids


def write_batch(insert: Any, batch: list[PendingSave]) -> None:
    """Write every save in one transaction, or, if that fails, each on its own."""
    if len(batch) > 1 and write_together(insert, batch):
        return
    for pending in batch:
        try:
            pending.ids = insert(pending.events)
        except Exception as error:  # handed to the caller whose save it was
            pending.error = error
        pending.done = True


def write_together(insert: Any, batch: list[PendingSave]) -> bool:
    """One transaction for the whole batch; False if it failed and nothing was written."""
    try:
        ids = insert([e for p in batch for e in p.events])
    except Exception:  # every save is then retried alone, and keeps its own verdict
        return False
    offset = 0
    for pending in batch:
        count = len(pending.events)
        pending.ids = None if ids is None else list(ids[offset : offset + count])
        pending.done, offset = True, offset + count
    return True
