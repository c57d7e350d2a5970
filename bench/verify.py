"""The hash chain at scale: sealing a long log, verifying it, and how far the sealer trails the log.

A PostgreSQL log of N plausible stored events is bulk-loaded with COPY (untimed): real tickets
taken through their lifecycle in memory and mapped by the ledger's own mapper, copied under new
aggregate ids with recorded times one millisecond apart. The sealer then seals it from the start
(timed), and the whole log is verified (timed) against the target of 200,000 events/s, beside a
baseline in the same run: reading the same pages with the verifier's own queries and nothing
else. PostgreSQL hashes the events itself, one statement at a time and then `--processes`
statements side by side; the CPU column counts this process and its children, not the database.
Last, the sealer follows the log while tickets are opened one at a time, on PostgreSQL and on
SQLite: the time from each save to its seal. The database is dropped afterwards. From the project
root:

    .venv/bin/python bench/verify.py [--quick] [--events N] [--processes K]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import os
import resource
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder

from bench.common import (
    AGENT,
    conninfo,
    draft,
    fresh_postgres,
    ledger_env,
    machine_facts,
    postgres_facts,
    postgres_problem,
    print_facts,
    print_table,
    temp_sqlite,
)
from bench.rebuild import ticket_events
from domain.audit_chain import GENESIS
from domain.ledger import ServiceLedger
from migrations.runner import migrate
from projections.chain_log import log_reader
from projections.chain_verify import PAGE, Verification, default_processes, verify, verify_store
from projections.read_side import ReadSide

TARGET = 200_000
"""Events verified per second that the chain should reach."""
TEMPLATE_TICKETS = 200
TIMESTAMP = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the log")
    parser.add_argument("--quick", action="store_true", help="a log of 100,000 events")
    parser.add_argument(
        "--processes", type=int, default=max(2, default_processes()), help="statements side by side"
    )
    parser.add_argument("--lag-saves", type=int, default=100, help="saves timed to their seal, per store")
    args = parser.parse_args(argv)
    if args.quick:
        args.events = 100_000
    return args


def templates(ledger: ServiceLedger) -> list[tuple[int, str, bytes]]:
    """Real tickets' stored events (version, topic, payload), nine to a ticket, in lifecycle order."""
    now = datetime.now(UTC)
    start = now - timedelta(days=30)
    return [
        (stored.originator_version, stored.topic, stored.state)
        for index in range(TEMPLATE_TICKETS)
        for stored in map(ledger.mapper.to_stored_event, ticket_events(index, start, now))
    ]


def restamped(payload: bytes, recorded_at: datetime) -> bytes:
    """The payload with another recorded time (the first thing every stored payload states)."""
    assert payload.startswith(TIMESTAMP)
    end = payload.index(b'"', len(TIMESTAMP))
    return TIMESTAMP + recorded_at.isoformat(timespec="microseconds").encode() + payload[end:]


def bulk_load(env: dict[str, str], ledger: ServiceLedger, events: int) -> None:
    """COPY `events` stored events into the log, each template ticket copied under a new id."""
    recorder = ledger.recorder
    assert isinstance(recorder, PostgresApplicationRecorder)
    table = recorder.events_table_name
    stored = templates(ledger)
    first = datetime.now(UTC) - timedelta(milliseconds=events)
    copy = f"COPY {table} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
    with psycopg.connect(conninfo(env)) as connection:
        with connection.cursor().copy(copy) as rows:
            rows.set_types(["uuid", "int8", "text", "bytea"])
            aggregate = uuid.uuid4()
            for n in range(events):
                version, topic, payload = stored[n % len(stored)]
                if version == 1:
                    aggregate = uuid.uuid4()
                recorded_at = first + timedelta(milliseconds=n)
                rows.write_row((aggregate, version, topic, restamped(payload, recorded_at)))
        connection.execute(f"ANALYZE {table}")


def timed(work: Callable[[], object]) -> tuple[object, float, float]:
    """What `work` returns, its wall seconds, and the CPU seconds of this process and of the
    processes it started and waited for."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = work()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def cpu_seconds() -> float:
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def read_pages(ledger: ServiceLedger, read_side: ReadSide, links: bool) -> int:
    """Read the whole log as the verifier pages it, and the links beside each page when `links`."""
    log, after, count = log_reader(ledger), 0, 0
    while events := log.page(after, None, PAGE):
        if links:
            dict(read_side.chain.links(after, events[-1][0], events[-1][0] - after))
        count, after = count + len(events), events[-1][0]
    return count


def sealing(ledger: ServiceLedger, events: int) -> list[tuple[object, ...]]:
    read_side = ReadSide(ledger)
    position, wall, cpu = timed(read_side.sealer.catch_up)
    assert position == events, position
    return [("seal (sealer catch-up, batches of 10,000)", events, wall, events / wall, cpu / events * 1e6)]


def verifying(
    env: dict[str, str], ledger: ServiceLedger, events: int, processes: int
) -> list[tuple[object, ...]]:
    read_side = ReadSide(ledger)
    runs: list[tuple[str, Callable[[], object]]] = [
        ("baseline: read the log's pages", lambda: read_pages(ledger, read_side, links=False)),
        ("baseline: read the pages and their links", lambda: read_pages(ledger, read_side, links=True)),
        ("verify, one statement at a time", lambda: verify(log_reader(ledger), read_side.chain)),
        (f"verify, {processes} statements side by side", lambda: verify_store(env, processes=processes)),
    ]
    rows: list[tuple[object, ...]] = []
    for what, work in runs:
        result, wall, cpu = timed(work)
        if isinstance(result, Verification):
            assert (result.problem, result.verified) == (None, events), result
        share = f"{events / wall / TARGET:.0%}"
        rows.append((what, events, wall, events / wall, cpu / events * 1e6, share))
    return rows


def sealer_lag(env: dict[str, str], saves: int) -> list[float]:
    """Seconds from each ticket's opening (saved) to its seal, with the sealer following the log."""
    ledger = ServiceLedger(env=env)
    read_side = ReadSide(ledger)
    read_side.sealer.start()
    lags: list[float] = []
    try:
        for index in range(saves):
            recorded = ledger.open_ticket(draft(index, datetime.now(UTC) - timedelta(hours=1)), AGENT)
            saved = time.perf_counter()
            while read_side.sealer.position() < recorded.position:
                time.sleep(0.001)
            lags.append(time.perf_counter() - saved)
            time.sleep(0.02)  # light traffic: the sealer is idle, waiting on the log, when a save lands
    finally:
        read_side.sealer.stop()
        ledger.close()
    return lags


def lag_row(store: str, lags: list[float]) -> tuple[object, ...]:
    ordered = sorted(lags)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (store, len(lags), statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"verify: a PostgreSQL log of {args.events:,} events; load average {os.getloadavg()[0]:.1f}")
    if problem := postgres_problem():
        sys.exit(f"verify: {problem}")
    with fresh_postgres() as variables:
        env = ledger_env(variables)
        migrate(env)
        ledger = ServiceLedger(env=env)
        try:
            began = time.perf_counter()
            bulk_load(env, ledger, args.events)
            print(f"log loaded with COPY ({time.perf_counter() - began:.1f} s)")
            sealed = sealing(ledger, args.events)
            verified = verifying(env, ledger, args.events, args.processes)
            assert ReadSide(ledger).chain.head().link != GENESIS
        finally:
            ledger.close()
        lags = [lag_row("postgres", sealer_lag(env, args.lag_saves))]
        facts = postgres_facts(variables)
    with temp_sqlite() as sqlite:
        migrate(sqlite)
        lags.append(lag_row("sqlite", sealer_lag(sqlite, args.lag_saves)))
    print_facts(machine_facts([*facts, ("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}")]))
    header = ("work", "events", "seconds", "events/s", "CPU us/event (this process and its children)")
    print_table(f"Sealing {args.events:,} events on PostgreSQL", header, sealed)
    print_table(
        f"Verifying {args.events:,} events on PostgreSQL (target {TARGET:,} events/s)",
        (*header, "of target"),
        verified,
    )
    print_table(
        "Sealer lag: a save to its seal, the sealer following the log",
        ("store", "saves", "median ms", "p95 ms", "max ms"),
        lags,
    )


if __name__ == "__main__":
    main()
