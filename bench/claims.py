"""Claim reconciliation queries: p50/p95 latency of each query kind over a year of 200,000 claims.

A throwaway PostgreSQL database is migrated with the project's own migrations and filled through
the real write path, `SqlClaimLedgerView.apply`, in batches in recorded order as the projection
would write them. Each synthetic claim goes through the changes a claim's row goes through:
drafted, submitted (10% late), approved (some for less than claimed), credited (a fifth of credit
notes differ from the approved amount), paid (some in two payouts) and closed; 4% are rejected, and
most of those resubmitted as a linked second claim. Changes after the year's end are not recorded,
so the year ends with claims in flight. The tables are then vacuumed and analysed, and each query
kind is timed through the view's own methods, round-robin, with its parameters drawn at random per
run, as of now, as of 1 July and as of 1 December. The baseline is `SELECT 1` through the same
view's `fetch`.

From the project root:

    .venv/bin/python -m bench.claims [--claims N] [--runs N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import heapq
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Tracking

from bench.common import (
    conninfo,
    fresh_postgres,
    ledger_env,
    machine_facts,
    postgres_facts,
    postgres_problem,
    print_facts,
    print_table,
)
from bench.kpis import BASELINE, TARGET_MS, Timings, datastore_for, latency_rows, vacuum
from domain.money import rounded
from migrations.runner import migrate
from projections.claim_ledger import ZERO, ClaimFilter, ClaimQuery, ClaimRow
from projections.claim_ledger_sql import SqlClaimLedgerView
from projections.kpis import REPORTING_ZONE
from projections.sql import Dialect

YEAR = 2026
YEAR_START = datetime(YEAR, 1, 1, tzinfo=REPORTING_ZONE)
YEAR_END = datetime(YEAR + 1, 1, 1, tzinfo=REPORTING_ZONE)
MID_YEAR = datetime(YEAR, 7, 1, tzinfo=REPORTING_ZONE)
LAST_CLOSE = datetime(YEAR, 12, 1, tzinfo=REPORTING_ZONE)
"""The recorded times as-of answers are asked at: the middle of the year (half the changes were
recorded since), and the last month's close (a month of changes since)."""
VENDORS = tuple(f"vendor-{i:02d}" for i in range(30))
CURRENCIES = {**dict.fromkeys(VENDORS[:25], "CNY"), **dict.fromkeys(VENDORS[25:28], "USD")}
CURRENCIES.update(dict.fromkeys(VENDORS[28:], "EUR"))
KINDS = {"warranty": 70, "commercial": 15, "compensation": 10, "subsidy": 5}
MONTHS = tuple(f"{YEAR}-{m:02d}" for m in range(1, 13))
LATE_SHARE, REJECTED_SHARE, RESUBMITTED_SHARE = 0.10, 0.04, 0.6
CREDITED_SHARE, CREDIT_DIFFERS_SHARE, PAID_SHARE, SPLIT_SHARE, CLOSED_SHARE = 0.85, 0.2, 0.9, 0.2, 0.5


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--claims", type=int, default=200_000, help="claims over the year")
    parser.add_argument("--batch-claims", type=int, default=2_000, help="claims drafted per apply()")
    parser.add_argument("--runs", type=int, default=100, help="timed runs of each query kind")
    parser.add_argument("--warm-up", type=int, default=3, help="untimed runs of each kind first")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


# --- the synthetic year of claims ----------------------------------------------------------------


def days(low: float, high: float, rng: random.Random) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


class Year:
    """A seeded year of claims in drafting order, each a series of row changes by recorded time."""

    def __init__(self, claims: int, seed: int) -> None:
        self.claims = claims
        self.rng = random.Random(seed)
        self.vendor_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(VENDORS))]
        self.position = 0
        self.drafted = 0
        self.resubmitted = 0

    def batches(self, size: int) -> Iterator[list[ClaimRow]]:
        """The changes recorded while each `size` claims were drafted, in recorded order."""
        pending: list[tuple[datetime, int, ClaimRow]] = []
        while self.drafted < self.claims:
            count = min(size, self.claims - self.drafted)
            offsets = sorted(self.rng.random() for _ in range(count))
            for offset in offsets:
                drafted = YEAR_START + (YEAR_END - YEAR_START) * (
                    (self.drafted + offset * count) / self.claims
                )
                for at, row in self.lifecycle(drafted):
                    heapq.heappush(pending, (at, self.rng.getrandbits(62), row))
            self.drafted += count
            yield self.recorded(pending, YEAR_END if self.drafted >= self.claims else drafted)

    def recorded(self, pending: list[tuple[datetime, int, ClaimRow]], horizon: datetime) -> list[ClaimRow]:
        """The changes recorded up to `horizon` (those of claims drafted up to then), positioned."""
        changes: list[ClaimRow] = []
        while pending and pending[0][0] <= horizon:
            at, _, row = heapq.heappop(pending)
            self.position += 1
            changes.append(replace(row, position=self.position, recorded_at=at))
        return changes

    def lifecycle(self, drafted: datetime, first: ClaimRow | None = None) -> list[tuple[datetime, ClaimRow]]:
        """A claim's row after each change up to the year's end (and its resubmission's, if any)."""
        rng = self.rng
        claim_id = str(UUID(int=rng.getrandbits(128), version=4))
        vendor = first.vendor_id if first else rng.choices(VENDORS, self.vendor_weights)[0]
        claimed = first.claimed if first else Decimal(rng.randint(5_000, 3_000_000)) / 100
        row = ClaimRow(
            claim_id=claim_id,
            kind=first.kind if first else rng.choices(tuple(KINDS), tuple(KINDS.values()))[0],
            vendor_id=vendor,
            customer_id=first.customer_id if first else f"customer-{rng.randrange(500):03d}",
            currency=CURRENCIES[vendor],
            status="drafted",
            period=month_of(drafted),
            drafted_at=drafted,
            submitted_at=None,
            days_late=0,
            approved_at=None,
            claimed=claimed,
            approved=ZERO,
            credited=ZERO,
            paid=ZERO,
            outstanding=ZERO,
            credit_notes=0,
            credit_variance=None,
            chain_id=first.chain_id if first else claim_id,
            resubmission_of=first.claim_id if first else None,
            resubmitted_as=None,
            rejection=None,
            version=1,
            position=0,
            recorded_at=drafted,
        )
        changes = [(drafted, row)]

        def change(after: timedelta, **values: Any) -> datetime:
            """The row changed `after` its last change; when."""
            nonlocal row
            at = changes[-1][0] + after
            row = replace(row, version=row.version + 1, **values)
            changes.append((at, row))
            return at

        submitted = drafted + days(0.05, 10, rng)
        late = rng.randint(1, 20) if rng.random() < LATE_SHARE else 0
        values = {"submitted_at": submitted, "period": month_of(submitted), "days_late": late}
        change(submitted - drafted, status="submitted", **values)
        if first is None and rng.random() < REJECTED_SHARE:
            rejected = change(days(2, 10, rng), status="rejected", rejection="Evidence missing")
            resubmitted = rejected + days(1, 5, rng)
            if rng.random() < RESUBMITTED_SHARE and resubmitted < YEAR_END:
                self.resubmitted += 1
                second = self.lifecycle(resubmitted, row)
                change(resubmitted - rejected, status="resubmitted", resubmitted_as=second[0][1].claim_id)
                changes += second
        else:
            approved = claimed if rng.random() < 0.7 else rounded(claimed * Decimal(rng.uniform(0.8, 1)))
            after = days(3, 30, rng)
            values = {"approved_at": changes[-1][0] + after, "approved": approved, "outstanding": approved}
            change(after, status="approved", **values)
            self.settle(approved, change)
        return [(at, r) for at, r in changes if at < YEAR_END]

    def settle(self, approved: Decimal, change: Callable[..., datetime]) -> None:
        """Credit note, payouts and closing, each with the chance the constants give."""
        rng = self.rng
        if rng.random() >= CREDITED_SHARE:
            return
        differs = rng.random() < CREDIT_DIFFERS_SHARE
        credited = rounded(approved * Decimal(rng.uniform(0.9, 1.1))) if differs else approved
        payable = min(approved, credited)
        change(
            days(5, 60, rng),
            credited=credited,
            credit_notes=1,
            credit_variance=credited - approved,
            outstanding=payable,
        )
        if rng.random() >= PAID_SHARE:
            return
        if rng.random() < SPLIT_SHARE:
            half = rounded(payable / 2)
            change(days(3, 30, rng), paid=half, outstanding=payable - half)
        change(days(3, 30, rng), paid=payable, outstanding=ZERO)
        if rng.random() < CLOSED_SHARE:
            change(days(1, 10, rng), status="closed")


def month_of(instant: datetime) -> str:
    return instant.astimezone(REPORTING_ZONE).strftime("%Y-%m")


# --- loading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    claims: int
    resubmissions: int
    changes: int
    batches: int
    seconds: float


def load(view: SqlClaimLedgerView, claims: int, batch_claims: int, seed: int) -> Load:
    """Write the year through `apply`, one transaction per batch, tracking the last position."""
    year = Year(claims, seed)
    started = time.perf_counter()
    changes, batches = 0, 0
    expected = -(-claims // batch_claims)
    for batch in year.batches(batch_claims):
        view.apply(batch, Tracking("ServiceLedger", max(year.position, 1)))
        changes, batches = changes + len(batch), batches + 1
        if batches in (1, 5) or batches % 20 == 0:
            elapsed = time.perf_counter() - started
            print(
                f"  batch {batches:,}/{expected:,}: {elapsed:.1f} s, "
                f"projected total {elapsed / batches * expected:.0f} s",
                flush=True,
            )
    return Load(year.drafted, year.resubmitted, changes, batches, time.perf_counter() - started)


def table_rows(env: dict[str, str]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    with psycopg.connect(conninfo(env)) as connection:
        for table in SqlClaimLedgerView.tables:
            found = connection.execute(
                f"SELECT count(*), pg_total_relation_size('{table}'), pg_indexes_size('{table}') FROM {table}"
            ).fetchone()
            assert found is not None
            rows.append((table, int(found[0]), found[1] / 2**20, found[2] / 2**20))
    return rows


# --- the query mix ---------------------------------------------------------------------------------

Query = Callable[[SqlClaimLedgerView, random.Random], int]
"""One query of a kind, with parameters drawn from the generator; the rows it returned."""
TODAY = YEAR_END.date()
"""The day outstanding amounts are aged to, as of now."""


def vendor_page(as_of: datetime | None) -> Query:
    return lambda view, rng: len(
        view.rows(ClaimQuery(ClaimFilter(vendor_id=rng.choice(VENDORS), as_of=as_of), limit=101))
    )


def month_approved_page(view: SqlClaimLedgerView, rng: random.Random) -> int:
    return len(view.rows(ClaimQuery(ClaimFilter(period=rng.choice(MONTHS)), status="approved", limit=101)))


def deep_page(view: SqlClaimLedgerView, rng: random.Random) -> int:
    after = str(UUID(int=rng.getrandbits(128), version=4))
    return len(view.rows(ClaimQuery(after=after, limit=101)))


def year_totals(as_of: datetime | None) -> Query:
    return lambda view, _: len(view.totals(ClaimFilter(as_of=as_of)))


def month_totals(as_of: datetime | None, month: str | None = None) -> Query:
    return lambda view, rng: len(view.totals(ClaimFilter(period=month or rng.choice(MONTHS), as_of=as_of)))


def aging(as_of: datetime | None, *, by_vendor: bool = False) -> Query:
    on = TODAY if as_of is None else as_of.astimezone(REPORTING_ZONE).date()
    return lambda view, rng: len(
        view.aging(ClaimFilter(vendor_id=rng.choice(VENDORS) if by_vendor else None, as_of=as_of), on)
    )


def exceptions(as_of: datetime | None) -> Query:
    """The three lists of the exceptions route, 50 rows each (and one more to know if there are)."""
    return lambda view, rng: sum(
        len(view.rows(ClaimQuery(ClaimFilter(as_of=as_of), exception=name, limit=51)))
        for name in ("credit_variance", "late", "rejected")
    )


def awaiting_credit(view: SqlClaimLedgerView, rng: random.Random) -> int:
    return len(view.awaiting_credit(rng.choice(VENDORS)))


def as_of_queries(day: str, as_of: datetime, month: str) -> list[tuple[str, Query]]:
    return [
        (f"as of {day}: rows, 1 vendor, page of 100", vendor_page(as_of)),
        (f"as of {day}: totals, full year", year_totals(as_of)),
        (f"as of {day}: totals, the month before", month_totals(as_of, month)),
        (f"as of {day}: aging, all vendors", aging(as_of)),
        (f"as of {day}: exceptions", exceptions(as_of)),
    ]


QUERIES: tuple[tuple[str, Query], ...] = (
    ("rows: 1 vendor, first page of 100", vendor_page(None)),
    ("rows: 1 month, approved, page of 100", month_approved_page),
    ("rows: page of 100 after a random claim", deep_page),
    ("totals: full year", year_totals(None)),
    ("totals: 1 month", month_totals(None)),
    ("aging: all vendors", aging(None)),
    ("aging: 1 vendor", aging(None, by_vendor=True)),
    ("exceptions: 3 lists of 50", exceptions(None)),
    ("awaiting credit: 1 vendor", awaiting_credit),
    *as_of_queries("Jul 1", MID_YEAR, "2026-06"),
    *as_of_queries("Dec 1", LAST_CLOSE, "2026-11"),
)


def time_queries(view: SqlClaimLedgerView, runs: int, warm_up: int, seed: int) -> list[Timings]:
    """Every kind once per round, in turn, so that all see the same state of the machine."""
    rng = random.Random(seed)
    calls: list[tuple[str, Callable[[], int]]] = [(BASELINE, lambda: len(view.fetch("SELECT 1", ())))]
    calls += [(name, bound(query, view, rng)) for name, query in QUERIES]
    timings = {name: Timings(name, [], []) for name, _ in calls}
    for round_number in range(warm_up + runs):
        for name, call in calls:
            started = time.perf_counter()
            rows = call()
            elapsed = (time.perf_counter() - started) * 1000
            if round_number >= warm_up:
                timings[name].millis.append(elapsed)
                timings[name].rows.append(rows)
    return list(timings.values())


def bound(query: Query, view: SqlClaimLedgerView, rng: random.Random) -> Callable[[], int]:
    return lambda: query(view, rng)


# --- the run ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"claims: {args.claims:,} claims over {YEAR} on PostgreSQL")
    if problem := postgres_problem():
        sys.exit(f"claims: {problem}")
    with fresh_postgres() as variables:
        env = ledger_env(variables)
        migrate(env)
        datastore = datastore_for(env)
        try:
            view = SqlClaimLedgerView(Dialect("postgres", datastore))
            print(f"loading through SqlClaimLedgerView.apply, {args.batch_claims:,} claims drafted per batch")
            loaded = load(view, args.claims, args.batch_claims, args.seed)
            vacuumed = vacuum(env, SqlClaimLedgerView.tables)
            tables = table_rows(env)
            print(
                f"timing {len(QUERIES) + 1} query kinds, {args.runs} runs each after {args.warm_up} warm-up"
            )
            timings = time_queries(view, args.runs, args.warm_up, args.seed)
            facts = postgres_facts(env)
        finally:
            datastore.close()
    print_facts(machine_facts(facts))
    print_table(
        "Load through SqlClaimLedgerView.apply (one transaction per batch)",
        ("what", "value"),
        [
            ("claims", loaded.claims),
            ("  and their resubmissions, each a claim of its own", loaded.resubmissions),
            ("row changes (versions)", loaded.changes),
            ("apply() batches", loaded.batches),
            ("load seconds (apply + generation)", round(loaded.seconds, 1)),
            ("row changes/s", round(loaded.changes / loaded.seconds)),
            ("VACUUM (ANALYZE) seconds", round(vacuumed, 1)),
        ],
    )
    print_table("Tables after loading", ("table", "rows", "total MiB", "indexes MiB"), tables)
    print_table(
        f"Reconciliation query latency: SqlClaimLedgerView, {args.runs} runs each",
        (
            "query",
            "p50 ms",
            "p95 ms",
            "max ms",
            "rows (median)",
            "p95 / baseline p95",
            f"p95 <= {TARGET_MS:.0f} ms",
        ),
        latency_rows(timings),
    )


if __name__ == "__main__":
    main()
