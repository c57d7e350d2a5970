"""Runners keep a view current: catch up in pages, then follow the log's subscription."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from queue import Empty, Full, Queue
from threading import Event, Lock, Thread
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Notification, Subscription, Tracking

from projections.batching import BatchProjection, Positioned

ErrorHandler = Callable[[str, BaseException], None]
RETRY_SECONDS = 1.0
IDLE_CATCH_UP_SECONDS = 1.0


class SubscriptionEnded(Exception):
    """The log's subscription stopped; the runner starts a new one."""


class ViewRunner:
    """Feeds one projection from the ledger's log, writing one transaction per batch."""

    def __init__(
        self,
        ledger: Application[Any],
        projection: BatchProjection[Any],
        *,
        batch_size: int = 10_000,
        on_error: ErrorHandler | None = None,
    ) -> None:
        self.ledger = ledger
        self.projection = projection
        self.batch_size = batch_size
        self.on_error = on_error
        self.lock = Lock()
        self._stopping = Event()
        self._thread: Thread | None = None
        self._subscription: Subscription[Any] | None = None

    @property
    def name(self) -> str:
        return self.projection.name

    def position(self) -> int:
        """The last log position the view has taken in (0 when empty)."""
        return self.projection.view.max_tracking_id(self.ledger.name) or 0

    def catch_up(self) -> int:
        """Take in everything recorded so far, a page at a time; return the position reached."""
        with self.lock:
            last = self.position()
            while not self._stopping.is_set():
                page = self.ledger.recorder.select_notifications(
                    start=last, limit=self.batch_size, inclusive_of_start=False
                )
                if not page:
                    break
                self._process(page)
                last = page[-1].id
            return last

    def start(self) -> None:
        self._stopping.clear()
        self._thread = Thread(target=self._run, name=f"runner-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.signal_stop()
        self.join()

    def signal_stop(self) -> None:
        """Ask the runner to stop after the batch it is writing."""
        self._stopping.set()
        if self._subscription is not None:
            self._subscription.stop()

    def join(self) -> None:
        """Wait for a runner asked to stop, then make it ready to start or catch up again."""
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self._subscription = None
        self._stopping.clear()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.catch_up()
                self._follow()
            except Exception as error:  # a runner outlives any one failure, and retries
                if self.on_error is not None and not self._stopping.is_set():
                    self.on_error(self.name, error)
                self._stopping.wait(RETRY_SECONDS)

    def _follow(self) -> None:
        queue: Queue[Notification | BaseException] = Queue(maxsize=self.batch_size * 2)
        subscription = self.ledger.recorder.subscribe(gt=self.position())
        self._subscription = subscription
        with subscription:
            reader = Thread(target=self._feed, args=(subscription, queue), daemon=True)
            reader.start()
            try:
                self._take_from(queue)
            finally:
                subscription.stop()
                reader.join(timeout=10)

    def _take_from(self, queue: Queue[Notification | BaseException]) -> None:
        """Process what the subscription delivers; when it is quiet, look at the log directly.

        A wake-up can be missed (a notification sent while a subscription starts), so an idle
        runner catches up by reading the log; notifications it has already taken are skipped.
        """
        last = self.position()
        idle_since = time.monotonic()
        while not self._stopping.is_set():
            batch, error = drain(queue, self.batch_size)
            fresh = [n for n in batch if n.id > last]
            if fresh:
                with self.lock:
                    self._process(fresh)
                last = fresh[-1].id
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > IDLE_CATCH_UP_SECONDS:
                last = self.catch_up()
                idle_since = time.monotonic()
            if error is not None:
                raise error

    def _feed(self, subscription: Subscription[Any], queue: Queue[Notification | BaseException]) -> None:
        try:
            for notification in subscription:
                put(queue, notification, self._stopping)
            put(queue, SubscriptionEnded("the log's subscription ended"), self._stopping)
        except Exception as error:  # handed to the processing loop, which raises it
            put(queue, error, self._stopping)

    def _process(self, notifications: Sequence[Notification]) -> None:
        mapper = self.ledger.mapper
        events = [Positioned(mapper.to_domain_event(n), n.id) for n in notifications]
        self.projection.process_batch(events, Tracking(self.ledger.name, notifications[-1].id))


def put(queue: Queue[Notification | BaseException], item: Notification | BaseException, stop: Event) -> None:
    while not stop.is_set():
        try:
            queue.put(item, timeout=0.2)
        except Full:
            continue
        return


def drain(
    queue: Queue[Notification | BaseException], limit: int
) -> tuple[list[Notification], BaseException | None]:
    """Wait briefly for one item, then take whatever else is already waiting, up to an error."""
    try:
        item = queue.get(timeout=0.2)
    except Empty:
        return [], None
    batch: list[Notification] = []
    while True:
        if isinstance(item, BaseException):
            return batch, item
        batch.append(item)
        if len(batch) >= limit:
            return batch, None
        try:
            item = queue.get_nowait()
        except Empty:
            return batch, None


def wait_for(runners: Sequence[ViewRunner], position: int, timeout: float) -> bool:
    """Whether every view reaches `position` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        if all(r.position() >= position for r in runners):
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, 0.05)
