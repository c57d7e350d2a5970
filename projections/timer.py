"""A background timer: one daemon thread doing a piece of work every so many seconds until it is
stopped. A round that fails is handed to `on_error`; the next comes on time all the same."""

from __future__ import annotations

from collections.abc import Callable
from threading import Event, Thread


class Timer:
    def __init__(
        self,
        name: str,
        seconds: float,
        work: Callable[[], object],
        on_error: Callable[[BaseException], None],
        *,
        at_start: bool,
    ) -> None:
        """`at_start`: do the first round at once rather than after the first interval."""
        self.name = name
        self.seconds = seconds
        self.work = work
        self.on_error = on_error
        self.at_start = at_start
        self._stopping = Event()
        self._thread: Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._thread = Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        if not self.at_start and self._stopping.wait(self.seconds):
            return
        while True:
            try:
                self.work()
            except Exception as error:  # the timer outlives any one failure, and tries again
                self.on_error(error)
            if self._stopping.wait(self.seconds):
                return
