"""A view runner killed mid-stream and restarted leaves no duplicate and no gap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.ledger import ServiceLedger
from migrations.runner import migrate
from projections.read_side import ReadSide
from projections.recorders import sqlite_env
from tests.support import AGENT, ago, draft

LEDGER = str(Path(sys.executable).with_name("ledger"))
TICKETS = 300


def record_log(ledger: ServiceLedger) -> int:
    """Open and answer many tickets; the last log position."""
    for _ in range(TICKETS):
        opened = ledger.open_ticket(draft(), AGENT)
        ledger.record_response(opened.id, ago(hours=1), AGENT)
    last = ledger.recorder.max_notification_id()
    assert last == 2 * TICKETS
    return last


def start_runner(env: dict[str, str]) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, **env, "LEDGER_VIEW_BATCH_SIZE": "5"}
    return subprocess.Popen(
        [LEDGER, "project"], env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_killed_runner_resumes_without_duplicates_or_gaps(store: str, request: pytest.FixtureRequest) -> None:
    env = (
        request.getfixturevalue("postgres_env")
        if store == "postgres"
        else _migrated_sqlite(request.getfixturevalue("sqlite_path"))
    )
    ledger = ServiceLedger(env=env)
    watcher = ReadSide(ledger)
    try:
        last = record_log(ledger)
        history = watcher.runner("ticket_history")
        runner = start_runner(env)
        assert wait_until(lambda: history.position() >= last // 3, 60), "the runner made no progress"
        runner.send_signal(signal.SIGKILL)
        runner.wait(60)
        killed_at = history.position()
        assert 0 < killed_at < last, "the kill should land mid-stream"
        restarted = start_runner(env)
        try:
            assert wait_until(lambda: watcher.wait(last, 0), 60), "the restarted runner did not catch up"
        finally:
            restarted.terminate()
            restarted.wait(60)
        rows = history.projection.view.all_rows()
        assert [r.position for r in rows] == list(range(1, last + 1))
        board = watcher.runner("ticket_board").projection.view.all_rows()
        watcher.rebuild("ticket_board")
        assert watcher.runner("ticket_board").projection.view.all_rows() == board
        assert all(row.status == "open" and row.version == 2 for row in board)
    finally:
        ledger.close()


def _migrated_sqlite(path: str) -> dict[str, str]:
    env = sqlite_env(path)
    migrate(env)
    return env
