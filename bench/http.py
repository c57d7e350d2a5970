"""HTTP: commands/s and latency through the real service, beside GET /health, at 10 concurrent clients.

Starts `ledger migrate` and `ledger serve` on a fresh store and a free loopback port, its logs in a
temporary file. Each client opens a ticket and records its milestones (response, dispatch, departure,
arrival, restoration, resolution, sign-off, closure), then opens the next, until the time or the
request budget runs out. GET /health is driven the same way first, as the baseline. The server is
always stopped at the end. From the project root:

    .venv/bin/python bench/http.py [--quick] [--store postgres|sqlite] [--clients N] [--seconds S]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/ (http is stdlib)
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from bench.common import (
    PLAN,
    ROOT,
    TRAVEL,
    draft,
    history_start,
    machine_facts,
    postgres_facts,
    postgres_problem,
    print_facts,
    print_table,
    throwaway_store,
    ticket_times,
)

TOKENS = "bench=bench-agent:hotline_agent,eng=bench-eng:engineer"
DESK = {"Authorization": "Bearer bench"}
FIELD = {"Authorization": "Bearer eng"}
TIMEOUT = httpx.Timeout(30.0)
Body = Callable[[datetime], dict[str, object]]


def when(at: datetime) -> dict[str, object]:
    return {"occurred_at": at.isoformat()}


MILESTONES: tuple[tuple[str, dict[str, str], Body], ...] = (
    ("response", DESK, when),
    (
        "dispatch",
        DESK,
        lambda at: {**when(at), "engineer_id": "bench-eng", "planned_at": (at + PLAN).isoformat()},
    ),
    ("departure", FIELD, lambda at: {**when(at), "eta": (at + TRAVEL).isoformat()}),
    ("arrival", FIELD, when),
    ("restoration", FIELD, when),
    (
        "resolution",
        FIELD,
        lambda at: {**when(at), "fixed_first_time": True, "resolution": "Replaced the line card"},
    ),
    ("sign-off", FIELD, lambda at: {**when(at), "satisfaction": 5, "signed_by": "Zhang Wei, IT lead"}),
    ("closure", DESK, when),
)
"""What follows the opening of a ticket: path under /tickets/{id}/, who posts it, its body."""


@dataclass
class Tally:
    """One client's requests: latency of each (ms) and how many got each status."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    def time(self, call: Callable[[], httpx.Response]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except httpx.HTTPError as error:
            self.statuses[type(error).__name__] += 1
            return None
        finally:
            self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[str(response.status_code)] += 1
        return response


@dataclass(frozen=True)
class Limits:
    """When a client stops: at the deadline or after its share of the request budget."""

    deadline: float
    requests: int

    def reached(self, tally: Tally) -> bool:
        return len(tally.latencies) >= self.requests or time.monotonic() >= self.deadline


@dataclass(frozen=True)
class Phase:
    """Many clients' requests of one kind, with the CPU each side spent on them."""

    name: str
    seconds: float
    latencies: list[float]
    statuses: Counter[str]
    client_cpu: float
    server_cpu: float | None

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def row(self) -> tuple[object, ...]:
        p50, p95, p99 = percentiles(self.latencies)
        server = "-" if self.server_cpu is None else self.server_cpu
        errors = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()) if not s.startswith("2"))
        cpu = (self.client_cpu, server)
        return (
            self.name,
            len(self.latencies),
            self.seconds,
            self.rate,
            p50,
            p95,
            p99,
            *cpu,
            errors or "none",
        )


def percentiles(latencies: Sequence[float]) -> tuple[float, float, float]:
    if len(latencies) < 2:
        only = latencies[0] if latencies else 0.0
        return only, only, only
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--max-requests", type=int, default=50_000, help="request budget of each phase")
    parser.add_argument("--quick", action="store_true", help="3 s phases")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 3.0
    return args


def ledger_command() -> list[str]:
    """The `ledger` script beside this Python, else the same entry point through `python -c`."""
    script = Path(sys.executable).parent / "ledger"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from api.cli import main; main()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def service_env(variables: dict[str, str], port: int, tokens: str = TOKENS) -> dict[str, str]:
    settings = {
        "LEDGER_TOKENS": tokens,
        "LEDGER_LOG_FORMAT": "json",
        "LEDGER_HOST": "127.0.0.1",
        "LEDGER_PORT": str(port),
        "LEDGER_DEMO": "0",
    }
    return {**os.environ, **variables, **settings, "PYTHONPATH": str(ROOT)}


@contextmanager
def running_service(
    variables: dict[str, str], log_path: Path, tokens: str = TOKENS
) -> Iterator[tuple[str, int]]:
    """The migrated service on a free port, taking `tokens`: its base URL and process id; stopped on
    leaving."""
    port = free_port()
    env = service_env(variables, port, tokens)
    with log_path.open("ab") as log:
        migrated = subprocess.run(
            [*ledger_command(), "migrate"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
            check=False,
            timeout=120,
        )
        if migrated.returncode != 0:
            sys.exit(f"`ledger migrate` failed with {migrated.returncode}:\n{tail(log_path)}")
        server = subprocess.Popen([*ledger_command(), "serve"], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_health(base, server, log_path)
        yield base, server.pid
    finally:
        stop(server)


def wait_for_health(
    base: str, server: subprocess.Popen[bytes], log_path: Path, timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the service exited with {server.returncode}:\n{tail(log_path)}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"the service did not answer /health within {timeout:.0f} s:\n{tail(log_path)}")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def tail(log_path: Path, lines: int = 30) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of another process so far (Linux /proc), or None where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(name: str, pid: int, clients: int, work: Callable[[], Tally]) -> Phase:
    """Run `work` in `clients` threads at once; what they did together, and the CPU it took."""
    server_before, client_before = process_cpu_seconds(pid), time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        tallies = [f.result() for f in [pool.submit(work) for _ in range(clients)]]
    seconds = time.perf_counter() - started
    server_after = process_cpu_seconds(pid)
    server = (
        None if server_before is None or server_after is None else (server_after - server_before) / seconds
    )
    latencies = [ms for t in tallies for ms in t.latencies]
    statuses = sum((t.statuses for t in tallies), Counter[str]())
    return Phase(name, seconds, latencies, statuses, (time.process_time() - client_before) / seconds, server)


def health_client(base: str, limits: Limits) -> Tally:
    tally = Tally()
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        while not limits.reached(tally):
            tally.time(lambda: client.get("/health"))
    return tally


def command_client(base: str, limits: Limits, tickets: Iterator[int], start: datetime) -> Tally:
    tally = Tally()
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        while not limits.reached(tally):
            record_ticket(client, tally, limits, next(tickets), start)
    return tally


def record_ticket(client: httpx.Client, tally: Tally, limits: Limits, index: int, start: datetime) -> None:
    """Open ticket `index` and post its milestones, giving up on it at the first refusal."""
    at = ticket_times(start, index)
    opened = tally.time(partial(client.post, "/tickets", json=open_body(index, at[0]), headers=DESK))
    if opened is None or opened.status_code != 201:
        return
    ticket = opened.json()["id"]
    for (path, headers, body), occurred in zip(MILESTONES, at[1:], strict=True):
        if limits.reached(tally):
            return
        post = partial(client.post, f"/tickets/{ticket}/{path}", json=body(occurred), headers=headers)
        answer = tally.time(post)
        if answer is None or answer.status_code != 200:
            return


def open_body(index: int, reported_at: datetime) -> dict[str, object]:
    report = draft(index, reported_at)
    return {
        "channel": report.channel.value,
        "customer_id": report.customer_id,
        "site_id": report.site_id,
        "region_tier": report.region_tier,
        "asset_id": report.asset_id,
        "severity": report.severity,
        "category": report.category,
        "description": report.description,
        "reported_at": reported_at.isoformat(),
    }


def run_phases(base: str, pid: int, args: argparse.Namespace) -> list[Phase]:
    share = max(1, args.max_requests // args.clients)
    tickets = itertools.count()  # next() on it is atomic under the GIL: each client its own tickets
    start = history_start(args.max_requests + args.clients)
    warm = Limits(time.monotonic() + 1.0, 20)
    drive("warm-up", pid, 2, lambda: command_client(base, warm, tickets, start))

    def limits() -> Limits:
        return Limits(time.monotonic() + args.seconds, share)

    health = drive("GET /health", pid, args.clients, lambda: health_client(base, limits()))
    commands = drive("commands", pid, args.clients, lambda: command_client(base, limits(), tickets, start))
    return [health, commands]


def final_health(base: str) -> str:
    body: dict[str, Any] = httpx.get(f"{base}/health", timeout=10).json()
    return f"log position {body['log_position']:,}, views {body['views']}"


def log_levels(log_path: Path) -> str:
    levels: Counter[str] = Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            levels[str(json.loads(line).get("level", "?"))] += 1
        except (ValueError, AttributeError):
            levels["plain text"] += 1
    return ", ".join(f"{level}: {n:,}" for level, n in sorted(levels.items()))


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"http: {args.clients} clients, {args.seconds:.0f} s per phase, {args.store} store")
    if args.store == "postgres" and (problem := postgres_problem()):
        sys.exit(f"http: {problem}")
    with throwaway_store(args.store) as variables, tempfile.TemporaryDirectory(prefix="bench-http-") as logs:
        log_path = Path(logs) / "server.log"
        with running_service(variables, log_path) as (base, pid):
            phases = run_phases(base, pid, args)
            after = final_health(base)
        facts = postgres_facts(variables) if args.store == "postgres" else []
        levels = log_levels(log_path)
    report(args, phases, facts, after, levels)


def report(
    args: argparse.Namespace, phases: list[Phase], facts: list[tuple[str, str]], after: str, levels: str
) -> None:
    print_facts(machine_facts([("server", "ledger serve: uvicorn, 1 worker"), *facts]))
    header = (
        "phase",
        "requests",
        "seconds",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "client CPU",
        "server CPU",
        "non-2xx",
    )
    print_table(
        f"{args.clients} concurrent clients on {args.store} (CPU in cores busy)",
        header,
        [p.row() for p in phases],
    )
    health, commands = phases
    print(f"\ncommands/s / GET /health rps: {commands.rate / health.rate:.2f}")
    print(f"after the run: {after}")
    print(f"server log lines by level: {levels}")


if __name__ == "__main__":
    main()
