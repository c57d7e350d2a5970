"""Rebuilding a view: events/s replaying the whole log into it, and whether memory grows with the log.

The log is written fast and untimed: real Ticket aggregates are taken through their lifecycle in
memory, their events mapped by the ledger's own mapper and inserted by its recorder in big batches,
interleaved as if `--open-tickets` tickets were under way at once. The log is built up to N/4, N/2
and N events; at each size a fresh process rebuilds the view, timed, sampling its resident memory
(with --trace, another rebuilds it under tracemalloc for the peak of Python's heap). Reading and
decoding the log alone are timed at N, to show where the time goes. From the project root:

    .venv/bin/python bench/rebuild.py [--quick] [--events N] [--store sqlite|postgres] [--trace]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import gc
import resource
import threading
import time
import tracemalloc
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from typing import Any
from uuid import uuid4

from bench.common import (
    AGENT,
    ENGINEER,
    EVENTS_PER_TICKET,
    PLAN,
    TRAVEL,
    draft,
    history_start,
    ledger_env,
    machine_facts,
    postgres_facts,
    postgres_problem,
    print_facts,
    print_table,
    throwaway_store,
    ticket_times,
)
from domain.ledger import ServiceLedger
from domain.tickets import Ticket
from migrations.runner import migrate
from projections.read_side import ReadSide

MIB = 1024 * 1024


@dataclass(frozen=True)
class Rebuild:
    """One size of log: how fast the view was rebuilt and how much memory that took."""

    events: int
    seconds: float
    rss_growth_mib: float
    """Peak resident memory during the rebuild above the process's memory before it."""
    traced_peak_mib: float | None

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def row(self) -> tuple[object, ...]:
        peak = "-" if self.traced_peak_mib is None else self.traced_peak_mib
        return (self.events, self.seconds, self.rate, self.rss_growth_mib, peak)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the longest log")
    parser.add_argument("--quick", action="store_true", help="a log of 100,000 events")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--view", choices=("ticket_board", "ticket_history"), default="ticket_board")
    parser.add_argument("--open-tickets", type=int, default=1000, help="tickets under way at once")
    parser.add_argument("--batch-size", type=int, default=10_000, help="events per view transaction")
    parser.add_argument("--trace", action="store_true", help="also rebuild under tracemalloc (slow)")
    args = parser.parse_args(argv)
    if args.quick:
        args.events = 100_000
    return args


def ticket_events(index: int, start: datetime, now: datetime) -> list[Any]:
    """A real ticket taken from report to close in memory: its nine events."""
    at = ticket_times(start, index)
    report = draft(index, at[0])
    ticket = Ticket.open(uuid4(), actor=AGENT, now=now, **vars(report))
    ticket.respond(at[1], AGENT, now)
    ticket.dispatch(ENGINEER.id, at[2] + PLAN, at[2], AGENT, now)
    ticket.depart(at[3] + TRAVEL, at[3], ENGINEER, now)
    ticket.arrive(at[4], ENGINEER, now)
    ticket.restore(at[5], ENGINEER, now)
    ticket.resolve(True, "Replaced the failed line card", at[6], ENGINEER, now)
    ticket.sign_off(5, "Zhang Wei, IT lead", at[7], ENGINEER, now)
    ticket.close(at[8], AGENT, now)
    return list(ticket.collect_events())


def extend_log(ledger: ServiceLedger, tickets: range, spread: int, start: datetime) -> None:
    """Append the tickets' events, `spread` tickets at a time with their events interleaved."""
    now = datetime.now(UTC)
    for first in range(tickets.start, tickets.stop, spread):
        lifecycles = [ticket_events(i, start, now) for i in range(first, min(first + spread, tickets.stop))]
        interleaved = [events[step] for step in range(EVENTS_PER_TICKET) for events in lifecycles]
        ledger.recorder.insert_events([ledger.mapper.to_stored_event(e) for e in interleaved])


def rebuild_in_this_process(
    env: dict[str, str], view: str, batch_size: int, trace: bool
) -> tuple[int, float, float, float]:
    """Rebuild the view: (position reached, seconds, RSS growth, tracemalloc peak), memory in MiB."""
    ledger = ServiceLedger(env=env)
    try:
        read_side = ReadSide(ledger, batch_size=batch_size)
        gc.collect()
        if trace:
            tracemalloc.start()
        with RssSampler() as rss:
            started = time.perf_counter()
            position = read_side.rebuild(view)
            seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        return position, seconds, rss.growth / MIB, peak / MIB
    finally:
        ledger.close()


class RssSampler:
    """The process's resident memory, sampled while the block runs: its peak above the start."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.start = self.peak = resident_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def growth(self) -> int:
        return self.peak - self.start

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, resident_bytes())

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, resident_bytes())


def resident_bytes() -> int:
    """Current resident set size (Linux /proc), else the peak so far from getrusage."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return pages * resource.getpagesize()


def rebuild_in_fresh_process(
    env: dict[str, str], args: argparse.Namespace, trace: bool
) -> tuple[int, float, float, float]:
    """A new process for each rebuild, so that its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(rebuild_in_this_process, env, args.view, args.batch_size, trace).result()


def measure(env: dict[str, str], args: argparse.Namespace) -> Rebuild:
    position, seconds, rss_growth, _ = rebuild_in_fresh_process(env, args, trace=False)
    peak = rebuild_in_fresh_process(env, args, trace=True)[3] if args.trace else None
    return Rebuild(position, seconds, rss_growth, peak)


def time_reading(ledger: ServiceLedger, page_size: int, decode: bool) -> tuple[int, float]:
    """Read the whole log in pages, optionally decoding each notification into a domain event."""
    started, last, count = time.perf_counter(), 0, 0
    while page := ledger.recorder.select_notifications(start=last, limit=page_size, inclusive_of_start=False):
        if decode:
            for notification in page:
                ledger.mapper.to_domain_event(notification)
        count, last = count + len(page), page[-1].id
    return count, time.perf_counter() - started


def reading_rows(ledger: ServiceLedger, page_size: int) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for what, decode in (("select pages only", False), ("select pages + mapper.to_domain_event", True)):
        count, seconds = time_reading(ledger, page_size, decode)
        rows.append((what, count, seconds, count / seconds))
    return rows


def run(args: argparse.Namespace, env: dict[str, str]) -> tuple[list[Rebuild], list[tuple[object, ...]]]:
    migrate(env)
    total = -(-args.events // EVENTS_PER_TICKET)
    start, built, results = history_start(total), 0, []
    ledger = ServiceLedger(env=env)
    try:
        for tickets in (total // 4, total // 2, total):
            began = time.perf_counter()
            extend_log(ledger, range(built, tickets), args.open_tickets, start)
            built = tickets
            print(
                f"log built to {tickets * EVENTS_PER_TICKET:,} events ({time.perf_counter() - began:.1f} s)"
            )
            results.append(measure(env, args))
        last = results[-1]
        rebuilt = ("rebuild: select + decode + fold + view writes", last.events, last.seconds, last.rate)
        return results, [*reading_rows(ledger, args.batch_size), rebuilt]
    finally:
        ledger.close()


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"rebuild: {args.view} on {args.store}, logs of up to {args.events:,} events")
    if args.store == "postgres" and (problem := postgres_problem()):
        sys.exit(f"rebuild: {problem}")
    with throwaway_store(args.store) as variables:
        rebuilds, reads = run(args, ledger_env(variables))
        facts = postgres_facts(variables) if args.store == "postgres" else []
    print_facts(machine_facts(facts))
    header = ("events", "seconds", "events/s", "RSS growth MiB", "tracemalloc peak MiB")
    print_table(
        f"Rebuild of {args.view} on {args.store} (fresh process each)", header, [r.row() for r in rebuilds]
    )
    print_table(
        f"Reading the log alone, pages of {args.batch_size:,}",
        ("reading", "events", "seconds", "events/s"),
        reads,
    )


if __name__ == "__main__":
    main()
