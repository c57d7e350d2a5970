"""`make run` end to end: the real server as a subprocess, a ticket opened over HTTP, read back."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from projections.kpis import REPORTING_ZONE

ROOT = Path(__file__).resolve().parents[2]
MANAGER = {"Authorization": "Bearer demo-manager"}
AGENT = {"Authorization": "Bearer demo-hotline-agent"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_health(base: str, process: subprocess.Popen[str], timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited with {process.returncode}")
        try:
            health: dict[str, object] = httpx.get(f"{base}/health", timeout=1).json()
            return health
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("the server did not answer /health in time")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "PERSISTENCE_", "SQLITE_"))}
    env |= {"SQLITE_DBNAME": str(tmp_path / "ledger.db"), "LEDGER_PORT": str(port)}
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)


def read_after(url: str, params: dict[str, str | int]) -> Any:
    """A read that waits for the views, retrying as a 503's Retry-After asks (the demo's first
    catch-up takes a few seconds)."""
    deadline = time.monotonic() + 60
    while True:
        response = httpx.get(url, params=params, headers=MANAGER, timeout=10)
        if response.status_code != 503 or time.monotonic() > deadline:
            assert response.status_code == 200, response.text
            return response.json()
        time.sleep(float(response.headers.get("retry-after", "1")))


def demo_month(board: Any) -> tuple[str, str]:
    """The first and last day of the month the newest demo ticket was reported in."""
    reported = datetime.fromisoformat(board["items"][0]["reported_at"]).astimezone(REPORTING_ZONE).date()
    return reported.replace(day=1).isoformat(), reported.isoformat()


@pytest.mark.slow
def test_make_run_serves_the_demo_and_a_new_ticket_reaches_the_board(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    base, process = served
    health = wait_for_health(base, process, timeout=120)
    assert health["store"] == "sqlite"
    demo_end = health["log_position"]
    assert isinstance(demo_end, int)
    assert demo_end > 1000
    board = read_after(f"{base}/tickets", {"after": demo_end, "limit": 1})
    assert board["total"] >= 300
    month = demo_month(board)
    kpis = read_after(
        f"{base}/kpis", {"after": demo_end, "from": month[0], "to": month[1], "group_by": "severity"}
    )
    assert {row["dimensions"]["severity"] for row in kpis["rows"]} >= {"severe", "major", "general"}
    assert sum(row["sums"]["tickets"] for row in kpis["rows"]) > 0

    opened = httpx.post(
        f"{base}/tickets",
        json={
            "channel": "phone",
            "customer_id": "e2e-customer",
            "site_id": "e2e-site",
            "region_tier": "county",
            "severity": "major",
            "category": "network",
            "description": "Router at the county office drops every few minutes",
        },
        headers=AGENT,
        timeout=10,
    )
    assert opened.status_code == 201
    ticket, position = opened.json()["id"], opened.json()["position"]
    listed = read_after(f"{base}/tickets", {"customer_id": "e2e-customer", "after": position})
    assert [item["ticket_id"] for item in listed["items"]] == [ticket]
    assert listed["items"][0]["description"] == "Router at the county office drops every few minutes"

    os.killpg(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    assert "demo-manager" in output
    assert "openTicket" in output
