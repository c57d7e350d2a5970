"""The background timer: rounds on time, a failed round reported and followed by the next, the
first round at once or after the first interval, and nothing after stop."""

from __future__ import annotations

import time

from projections.timer import Timer


def test_a_failed_round_is_reported_and_the_next_comes_all_the_same() -> None:
    rounds: list[float] = []
    errors: list[BaseException] = []

    def work() -> None:
        rounds.append(time.monotonic())
        if len(rounds) == 1:
            raise RuntimeError("the store did not answer")

    timer = Timer("test", 0.02, work, errors.append, at_start=True)
    timer.start()
    time.sleep(0.2)
    timer.stop()
    done = len(rounds)
    time.sleep(0.06)

    assert [repr(e) for e in errors] == ["RuntimeError('the store did not answer')"]
    assert done >= 3
    assert len(rounds) == done


def test_the_first_round_waits_an_interval_unless_asked_at_start() -> None:
    started = time.monotonic()
    at_once: list[float] = []
    later: list[float] = []
    timers = [
        Timer("at-once", 0.3, lambda: at_once.append(time.monotonic()), print, at_start=True),
        Timer("later", 0.3, lambda: later.append(time.monotonic()), print, at_start=False),
    ]
    for timer in timers:
        timer.start()
    time.sleep(0.15)
    for timer in timers:
        timer.stop()

    assert len(at_once) == 1
    assert at_once[0] - started < 0.1
    assert later == []
