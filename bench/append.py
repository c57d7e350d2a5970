"""Appending: events/s of ticket lifecycles through the ledger, beside raw psycopg inserts.

Each ticket is opened, responded to, dispatched, departed, arrived, restored, resolved, signed off
and closed: nine commands, each its own save. The raw baseline inserts rows of the same size into a
table shaped like the library's, one transaction per command. From the project root:

    .venv/bin/python bench/append.py [--quick] [--tickets N] [--writers N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from uuid import UUID, uuid4

import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg_pool import ConnectionPool

from bench.common import (
    EVENTS_PER_TICKET,
    conninfo,
    fresh_postgres,
    history_start,
    ledger_env,
    machine_facts,
    postgres_facts,
    postgres_problem,
    print_facts,
    print_table,
    record_lifecycle,
    temp_sqlite,
)
from domain.ledger import ServiceLedger

WARM_UP_TICKETS = 5
RAW_TABLE = """
CREATE TABLE raw_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX raw_events_notification_id_idx ON raw_events (notification_id ASC)
"""
RAW_INSERT = (
    "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
    "VALUES (%s, %s, %s, %s) RETURNING notification_id"
)


@dataclass(frozen=True)
class Run:
    """One timed run: who wrote, with how many threads, how many events in how long."""

    store: str
    writer: str
    threads: int
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def row(self) -> tuple[object, ...]:
        mean_ms = self.seconds * self.threads / self.events * 1000  # one event per command
        return (self.store, self.writer, self.threads, self.events, self.seconds, self.rate, mean_ms)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000, help="tickets per run (9 events each)")
    parser.add_argument("--quick", action="store_true", help="200 tickets per run")
    parser.add_argument("--writers", type=int, default=10, help="threads of the concurrent runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.tickets = 200
    return args


def timed_threads(threads: int, tickets: int, work: Callable[[int], object]) -> float:
    """Seconds to do `work(index)` for every ticket index, spread over `threads` threads."""
    started = time.perf_counter()
    if threads == 1:
        for index in range(tickets):
            work(index)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            shares = [pool.submit(do_share, work, range(t, tickets, threads)) for t in range(threads)]
            for share in shares:
                share.result()
    return time.perf_counter() - started


def do_share(work: Callable[[int], object], indexes: range) -> None:
    for index in indexes:
        work(index)


def time_ledger(store: str, ledger: ServiceLedger, tickets: int, threads: int) -> Run:
    start = history_start(tickets)
    seconds = timed_threads(threads, tickets, lambda index: record_lifecycle(ledger, index, start))
    return Run(store, "ledger", threads, tickets * EVENTS_PER_TICKET, seconds)


def warm_up(ledger: ServiceLedger) -> UUID:
    """Record a few tickets untimed (connections, prepared statements); one ticket's id."""
    start = history_start(WARM_UP_TICKETS)
    ids = [record_lifecycle(ledger, index, start) for index in range(WARM_UP_TICKETS)]
    return ids[0]


def sqlite_runs(tickets: int) -> list[Run]:
    with temp_sqlite() as variables:
        ledger = ServiceLedger(env=ledger_env(variables))
        try:
            warm_up(ledger)
            return [time_ledger("sqlite", ledger, tickets, 1)]
        finally:
            ledger.close()


def ledger_postgres_runs(
    env: dict[str, str], tickets: int, writers: int
) -> tuple[list[Run], list[StoredEvent]]:
    """The ledger's runs on PostgreSQL, and one ticket's stored events as the raw runs' rows."""
    ledger = ServiceLedger(env=ledger_env(env))
    try:
        sample = list(ledger.recorder.select_events(warm_up(ledger)))
        runs = [time_ledger("postgres", ledger, tickets, threads) for threads in (1, writers)]
        return runs, sample
    finally:
        ledger.close()


def raw_lifecycle(conn: psycopg.Connection[tuple[object, ...]], rows: Sequence[StoredEvent]) -> None:
    """One ticket's rows, one transaction per command, as the ledger's saves would be."""
    originator_id = uuid4()
    for row in rows:
        conn.execute(RAW_INSERT, (originator_id, row.originator_version, row.topic, row.state)).fetchone()
        conn.commit()


def time_raw_single(env: dict[str, str], rows: Sequence[StoredEvent], tickets: int) -> Run:
    with psycopg.connect(conninfo(env)) as conn:
        for _ in range(WARM_UP_TICKETS):
            raw_lifecycle(conn, rows)
        seconds = timed_threads(1, tickets, lambda _: raw_lifecycle(conn, rows))
    return Run("postgres", "raw psycopg", 1, tickets * len(rows), seconds)


def time_raw_pooled(env: dict[str, str], rows: Sequence[StoredEvent], tickets: int, threads: int) -> Run:
    def lifecycle(_: int) -> None:
        originator_id = uuid4()
        for row in rows:
            with pool.connection() as conn:  # commits on leaving: one transaction per command
                conn.execute(RAW_INSERT, (originator_id, row.originator_version, row.topic, row.state))

    with ConnectionPool(conninfo(env), min_size=threads, max_size=threads, open=True) as pool:
        pool.wait()
        timed_threads(threads, threads * 2, lifecycle)
        seconds = timed_threads(threads, tickets, lifecycle)
    return Run("postgres", "raw psycopg pool", threads, tickets * len(rows), seconds)


def postgres_runs(tickets: int, writers: int) -> tuple[list[Run], list[tuple[str, str]]]:
    with fresh_postgres() as env:
        ledger_runs, rows = ledger_postgres_runs(env, tickets, writers)
        with psycopg.connect(conninfo(env), autocommit=True) as conn:
            conn.execute(RAW_TABLE)
        raw_runs = [time_raw_single(env, rows, tickets), time_raw_pooled(env, rows, tickets, writers)]
        mean_state = sum(len(r.state) for r in rows) / len(rows)
        facts = [*postgres_facts(env), ("stored event state, mean bytes", f"{mean_state:.0f}")]
    return [ledger_runs[0], raw_runs[0], ledger_runs[1], raw_runs[1]], facts


def print_ratios(runs: Sequence[Run]) -> None:
    """Each PostgreSQL ledger run against the raw run after it (same thread count)."""
    postgres = [r for r in runs if r.store == "postgres"]
    print()
    for ledger, raw in zip(postgres[::2], postgres[1::2], strict=True):
        ratio = ledger.rate / raw.rate
        print(f"ledger_pg / raw_pg, {ledger.threads} writer thread(s): {ratio:.2f} (target >= 0.8)")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"append: {args.tickets:,} tickets ({args.tickets * EVENTS_PER_TICKET:,} events) per run")
    runs = sqlite_runs(args.tickets)
    facts: list[tuple[str, str]] = []
    problem = postgres_problem()
    if problem is None:
        pg_runs, facts = postgres_runs(args.tickets, args.writers)
        runs += pg_runs
    else:
        print(f"skipping PostgreSQL: {problem}")
    print_facts(machine_facts(facts))
    header = ("store", "writer", "threads", "events", "seconds", "events/s", "mean ms/command")
    print_table("Appending ticket lifecycles (one transaction per command)", header, [r.row() for r in runs])
    print_ratios(runs)


if __name__ == "__main__":
    main()
