"""Exporting a regulator bundle: events/s and peak resident memory for the whole log, by log size.

The log is bulk-loaded untimed, as bench/rebuild.py does it (real tickets, nine events each,
`--open-tickets` of them interleaved), up to N/4 and then N events. At each size a fresh process
exports a bundle of the whole log to a file (unfiltered, signed), timed, sampling its resident
memory: the bundle's size should not show in it. The baseline, in the same process and over the same
log, reads the log alone in pages, then reads it and folds the chain's links (what an export must
do at least). The views are left empty: their tables are small beside the events. From the project
root:

    .venv/bin/python bench/export.py [--quick] [--events N] [--store postgres|sqlite]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import gc
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context

from bench.common import (
    EVENTS_PER_TICKET,
    history_start,
    ledger_env,
    machine_facts,
    postgres_facts,
    postgres_problem,
    print_facts,
    print_table,
    throwaway_store,
)
from bench.rebuild import MIB, RssSampler, extend_log
from domain.audit_chain import GENESIS, link
from domain.checkpoints import SigningKey
from domain.ledger import ServiceLedger
from migrations.runner import migrate
from projections.bundle_export import Bundle
from projections.bundle_filters import BundleRequest
from projections.checkpoint_store import Chain, event_pages
from projections.read_side import ReadSide

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the longest log")
    parser.add_argument("--quick", action="store_true", help="a log of 100,000 events")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--open-tickets", type=int, default=1000, help="tickets under way at once")
    args = parser.parse_args(argv)
    if args.quick:
        args.events = 100_000
    return args


def export_in_this_process(env: dict[str, str]) -> tuple[int, float, float, int]:
    """Export the whole log to a file: (events, seconds, RSS growth in MiB, bundle bytes)."""
    ledger = ServiceLedger(env=env)
    try:
        request = BundleRequest(*EVER)
        key = SigningKey.from_setting("")
        gc.collect()
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder, RssSampler() as rss:
            started = time.perf_counter()
            bundle = Bundle(ledger, ReadSide(ledger), Chain.of(ledger), key, request, datetime.now(UTC))
            bundle.prepare()
            out = Path(folder) / "bundle.tar"
            with out.open("wb") as file:
                for chunk in bundle.stream():
                    file.write(chunk)
            seconds = time.perf_counter() - started
            size = out.stat().st_size
        return bundle.files[0].rows, seconds, rss.growth / MIB, size
    finally:
        ledger.close()


def export_in_fresh_process(env: dict[str, str]) -> tuple[int, float, float, int]:
    """A new process for each export, so that its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(export_in_this_process, env).result()


def baseline(ledger: ServiceLedger, head: int) -> list[tuple[object, ...]]:
    """Reading the log alone, and reading it while folding every link."""
    rows: list[tuple[object, ...]] = []
    for what, fold in (("read the log in pages", False), ("read + fold the chain's links", True)):
        started, count, value = time.perf_counter(), 0, GENESIS
        for page in event_pages(ledger, 0, head):
            count += len(page)
            if fold:
                for event in page:
                    value = link(value, event)
        seconds = time.perf_counter() - started
        rows.append((what, count, seconds, count / seconds, "-", "-"))
    return rows


def run(args: argparse.Namespace, env: dict[str, str]) -> list[tuple[object, ...]]:
    migrate(env)
    total = -(-args.events // EVENTS_PER_TICKET)
    start, built = history_start(total), 0
    rows: list[tuple[object, ...]] = []
    ledger = ServiceLedger(env=env)
    try:
        for tickets in (total // 4, total):
            began = time.perf_counter()
            extend_log(ledger, range(built, tickets), args.open_tickets, start)
            built = tickets
            head = ledger.recorder.max_notification_id() or 0
            print(f"log built to {head:,} events ({time.perf_counter() - began:.1f} s)")
            rows.extend((f"{row[0]} ({head:,})", *row[1:]) for row in baseline(ledger, head))
            events, seconds, growth, size = export_in_fresh_process(env)
            rows.append((f"export bundle ({head:,})", events, seconds, events / seconds, growth, size / MIB))
    finally:
        ledger.close()
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"export: whole-log bundles on {args.store}, logs of up to {args.events:,} events")
    if args.store == "postgres" and (problem := postgres_problem()):
        sys.exit(f"export: {problem}")
    with throwaway_store(args.store) as variables:
        rows = run(args, ledger_env(variables))
        facts = postgres_facts(variables) if args.store == "postgres" else []
    print_facts(machine_facts(facts))
    header = ("step (log size)", "events", "seconds", "events/s", "RSS growth MiB", "bundle MiB")
    print_table(f"Regulator bundle export on {args.store} (export in a fresh process)", header, rows)


if __name__ == "__main__":
    main()
