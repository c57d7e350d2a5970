"""Concurrent saves share transactions, and each keeps its own verdict."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.errors import ConcurrentUpdate
from domain.ledger import Recorded, ServiceLedger
from projections.group_commit import GroupCommitter, PendingSave, write_batch
from tests.support import AGENT, ago, draft


def stored(name: str) -> StoredEvent:
    return StoredEvent(originator_id=name, originator_version=1, topic="t", state=b"")


def test_saves_arriving_during_a_write_go_together_in_the_next() -> None:
    committer = GroupCommitter()
    calls: list[list[str]] = []
    first_started, release = threading.Event(), threading.Event()

    def insert(events: Sequence[StoredEvent]) -> list[int]:
        calls.append([str(e.originator_id) for e in events])
        if len(calls) == 1:
            first_started.set()
            release.wait(5)
        return list(range(len(calls) * 100, len(calls) * 100 + len(events)))

    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(committer.save, insert, [stored("a")])
        first_started.wait(5)
        rest = [pool.submit(committer.save, insert, [stored(n)]) for n in "bcde"]
        while len(committer.queue) < 4:
            threading.Event().wait(0.001)
        release.set()
        assert first.result() == [100]
        results = sorted(list(r.result() or []) for r in rest)
    assert calls[0] == ["a"]
    assert sorted(calls[1]) == ["b", "c", "d", "e"]
    assert results == [[200], [201], [202], [203]]


def test_a_failed_batch_is_retried_save_by_save() -> None:
    committer = GroupCommitter()

    def insert(events: Sequence[StoredEvent]) -> list[int]:
        if any(e.originator_id == "bad" for e in events):
            raise IntegrityError("duplicate")
        return [1] * len(events)

    batch = [PendingSave([stored("ok-1")]), PendingSave([stored("bad")]), PendingSave([stored("ok-2")])]
    write_batch(insert, batch)
    assert [(p.done, p.ids, type(p.error).__name__) for p in batch] == [
        (True, [1], "NoneType"),
        (True, None, "IntegrityError"),
        (True, [1], "NoneType"),
    ]
    assert committer.queue == []


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_many_writers_each_get_their_own_position(store: str, request: pytest.FixtureRequest) -> None:
    env = request.getfixturevalue("postgres_env" if store == "postgres" else "sqlite_store_env")
    ledger = ServiceLedger(env=env)
    try:
        with ThreadPoolExecutor(10) as pool:
            outcomes = list(pool.map(lambda _: ledger.open_ticket(draft(), AGENT), range(200)))
        positions = sorted(o.position for o in outcomes)
        assert positions == list(range(1, 201))
        assert ledger.recorder.max_notification_id() == 200
    finally:
        ledger.close()


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_racing_writers_on_one_ticket_lose_nothing(store: str, request: pytest.FixtureRequest) -> None:
    env = request.getfixturevalue("postgres_env" if store == "postgres" else "sqlite_store_env")
    ledger = ServiceLedger(env=env)
    try:
        ticket = ledger.open_ticket(draft(), AGENT).id
        barrier = threading.Barrier(20)

        def dispatch(n: int) -> Recorded | None:
            barrier.wait()
            try:
                return ledger.dispatch(ticket, f"eng-{n}", ago(minutes=-30), ago(minutes=1), AGENT)
            except ConcurrentUpdate:
                return None

        with ThreadPoolExecutor(20) as pool:
            outcomes = list(pool.map(dispatch, range(20)))
        won = [o for o in outcomes if o is not None]
        assert won
        assert ledger.get_ticket(ticket).version == 1 + len(won)
        assert sorted(o.version for o in won) == list(range(2, 2 + len(won)))
    finally:
        ledger.close()
