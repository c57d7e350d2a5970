"""KPI queries: p50/p95 latency of a realistic query mix over a year of 1,000,000 tickets.

A throwaway PostgreSQL database is migrated with the project's own migrations and filled through
the real write path, `SqlKpiView.apply`, in batches as the projection would write them: each
synthetic ticket is one `KpiFact` in a realistic cell and one `KpiChange`, and about 30% get a
second change later (a restore verdict arriving after the ticket closed), written in a later
batch together with the ticket's updated fact. The tables are then vacuumed and analysed, and each
query kind is timed through `SqlKpiView.query`, round-robin, with its parameters (month, contract,
week, engineer, quarter) drawn at random per run. The baseline is `SELECT 1` through the same
view's `fetch`, so the ratios hold on noisy machines.

`--explain` prints the condensed EXPLAIN (ANALYZE, BUFFERS) plan of one query of each kind.

From the project root:

    .venv/bin/python -m bench.kpis [--tickets N] [--runs N] [--explain]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import heapq
import math
import random
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore

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
from migrations.runner import migrate
from projections.kpi_stores import SqlKpiView
from projections.kpis import MEASURES, REPORTING_ZONE, KpiCell, KpiChange, KpiFact, KpiQuery
from projections.sql import Dialect

TARGET_MS = 50.0
YEAR = 2026
YEAR_START = datetime(YEAR, 1, 1, tzinfo=REPORTING_ZONE)
YEAR_LENGTH = datetime(YEAR + 1, 1, 1, tzinfo=REPORTING_ZONE) - YEAR_START
AS_OF = datetime(YEAR, 7, 1, tzinfo=REPORTING_ZONE)
"""The recorded time the as-of report is asked at: the middle of the year."""
CONTRACTS = tuple(f"contract-{i:02d}" for i in range(20))
ENGINEERS = tuple(f"eng-{i:03d}" for i in range(200))
SEVERITY_WEIGHTS = {"severe": 5, "major": 20, "general": 60, "non_fault": 15}
TIER_WEIGHTS = (55, 30, 15)
TIERS = ("city", "county", "province")
CANCELLED_SHARE = 0.02
"""Cancelled tickets: a fact and a change of zeros."""
LATE_VERDICT_SHARE = 0.3
"""Tickets whose restore verdict arrives after their first change: a second change, later."""
REPAIRED_SHARE = 0.8
"""About this share of tickets is repaired (a fault, resolved, not cancelled) and so has a verdict."""
LATE_VERDICT = ("restore_due", "restore_met", "repair_business_count", "repair_business_minutes")
REPAIR_MINUTES = {"severe": (5.0, 0.6), "major": (6.0, 0.6), "general": (7.0, 0.7)}
"""Log-normal (mu, sigma) of minutes to repair per severity (medians about 2.5 h, 7 h, 18 h)."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets over the year")
    parser.add_argument("--batch-size", type=int, default=10_000, help="tickets per apply()")
    parser.add_argument("--runs", type=int, default=200, help="timed runs of each query kind")
    parser.add_argument("--warm-up", type=int, default=5, help="untimed runs of each kind first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans (condensed)")
    return parser.parse_args(argv)


# --- the synthetic year of tickets ---------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticTicket:
    """One synthetic ticket: its final contribution, and the part of it that arrives late."""

    fact: KpiFact
    closed_at: datetime
    """When its first change is recorded."""
    late: tuple[int, ...] | None
    """The values of a second change (a late verdict), or None."""
    late_at: datetime


class Year:
    """A seeded year of tickets in report order, cut into batches as the projection writes them."""

    def __init__(self, tickets: int, seed: int) -> None:
        self.tickets = tickets
        self.rng = random.Random(seed)
        self.contract_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(CONTRACTS))]
        """Contracts of different sizes: the largest about 11 times the smallest."""
        self.teams = {
            contract: [e for i, e in enumerate(ENGINEERS) if i % 20 == n or i // 10 == n]
            for n, contract in enumerate(CONTRACTS)
        }
        self.tier_weights = {
            contract: TIER_WEIGHTS[n % 3 :] + TIER_WEIGHTS[: n % 3] for n, contract in enumerate(CONTRACTS)
        }
        self.position = 0

    def batches(self, size: int) -> Iterator[tuple[list[KpiFact], list[KpiChange]]]:
        """Facts and changes per batch; late verdicts join the batch in whose span they arrive."""
        late: list[tuple[datetime, int, SyntheticTicket]] = []
        for first in range(0, self.tickets, size):
            count = min(size, self.tickets - first)
            offsets = sorted(self.rng.random() for _ in range(count))
            facts: dict[str, KpiFact] = {}
            entries: list[tuple[datetime, KpiCell, tuple[int, ...]]] = []
            for number, offset in enumerate(offsets):
                reported = YEAR_START + YEAR_LENGTH * ((first + offset * count) / self.tickets)
                ticket = self.ticket(first + number, reported)
                values = ticket.fact.values
                if ticket.late is not None:
                    values = tuple(v - d for v, d in zip(values, ticket.late, strict=True))
                    heapq.heappush(late, (ticket.late_at, first + number, ticket))
                facts[ticket.fact.ticket_id] = KpiFact(ticket.fact.ticket_id, ticket.fact.cell, values)
                entries.append((ticket.closed_at, ticket.fact.cell, values))
            horizon = (
                max(at for at, _, _ in entries)
                if first + count < self.tickets
                else datetime.max.replace(tzinfo=REPORTING_ZONE)
            )
            while late and late[0][0] <= horizon:
                arrived_at, _, ticket = heapq.heappop(late)
                assert ticket.late is not None
                facts[ticket.fact.ticket_id] = ticket.fact
                entries.append((arrived_at, ticket.fact.cell, ticket.late))
            entries.sort(key=lambda entry: entry[0])
            changes = [KpiChange(self.next_position(), at, cell, values) for at, cell, values in entries]
            yield list(facts.values()), changes

    def next_position(self) -> int:
        self.position += 1
        return self.position

    def ticket(self, index: int, reported: datetime) -> SyntheticTicket:
        rng = self.rng
        contract = rng.choices(CONTRACTS, self.contract_weights)[0]
        severity = rng.choices(tuple(SEVERITY_WEIGHTS), tuple(SEVERITY_WEIGHTS.values()))[0]
        tier = rng.choices(TIERS, self.tier_weights[contract])[0]
        engineer = "" if rng.random() < 0.03 else rng.choice(self.teams[contract])
        cell = KpiCell(reported.date(), contract, severity, tier, engineer)
        measures = self.measures(severity, cancelled=rng.random() < CANCELLED_SHARE)
        values = tuple(measures.get(m, 0) for m in MEASURES)
        fact = KpiFact(f"ticket-{index:07d}", cell, values)
        closed_at = reported + timedelta(minutes=measures["repair_minutes"] + rng.randint(30, 3 * 24 * 60))
        if measures["restore_due"] and rng.random() < LATE_VERDICT_SHARE / REPAIRED_SHARE:
            late = tuple(measures.get(m, 0) if m in LATE_VERDICT else 0 for m in MEASURES)
            late_at = closed_at + timedelta(minutes=rng.randint(60, 10 * 24 * 60))
            return SyntheticTicket(fact, closed_at, late, late_at)
        return SyntheticTicket(fact, closed_at, None, closed_at)

    def measures(self, severity: str, *, cancelled: bool) -> dict[str, int]:
        """Plausible 0/1 measures and minutes for one ticket (all zero if it was cancelled)."""
        if cancelled:
            return {"repair_minutes": 0, "restore_due": 0}
        rng = self.rng
        fault = severity != "non_fault"
        resolved = rng.random() < (0.99 if not fault else 0.97)
        reopened = rng.random() < 0.03
        repaired = fault and resolved
        minutes = round(rng.lognormvariate(*REPAIR_MINUTES[severity])) if repaired else 0
        restore_met = rng.random() < (0.8 if severity == "severe" else 0.9)
        escalated = rng.random() < (0.3 if severity == "severe" else 0.06)
        on_site = fault and rng.random() < 0.7
        rated = rng.random() < 0.45
        return {
            "tickets": 1,
            "response_due": 1,
            "response_met": int(rng.random() < 0.96),
            "arrival_due": int(on_site),
            "arrival_met": int(on_site and rng.random() < 0.9),
            "restore_due": int(repaired),
            "restore_met": int(repaired and restore_met),
            "escalation_due": int(escalated),
            "escalation_met": int(escalated and rng.random() < 0.7),
            "resolved": int(resolved),
            "fixed_first_time": int(resolved and not reopened and rng.random() < 0.85),
            "reopened": int(reopened),
            "callbacks": int(resolved and rng.random() < 0.6),
            "satisfaction_count": int(rated),
            "satisfaction_sum": rng.choices((1, 2, 3, 4, 5), (2, 3, 10, 35, 50))[0] if rated else 0,
            "complaints": int(rng.random() < (0.05 if not restore_met else 0.01)),
            "repair_count": int(repaired),
            "repair_minutes": minutes,
            "repair_business_count": int(repaired),
            "repair_business_minutes": round(minutes * rng.uniform(0.3, 1.0)),
        }


# --- loading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    tickets: int
    changes: int
    batches: int
    seconds: float
    generate_seconds: float


def load(view: SqlKpiView, tickets: int, batch_size: int, seed: int) -> Load:
    """Write the year through `apply`, one transaction per batch, tracking the last position."""
    year = Year(tickets, seed)
    started = time.perf_counter()
    generating, changes, batches = 0.0, 0, 0
    expected = -(-tickets // batch_size)
    generated = time.perf_counter()
    for facts, batch in year.batches(batch_size):
        generating += time.perf_counter() - generated
        view.apply(facts, batch, Tracking("ServiceLedger", year.position))
        changes, batches = changes + len(batch), batches + 1
        if batches in (1, 5) or batches % 20 == 0:
            elapsed = time.perf_counter() - started
            print(
                f"  batch {batches:,}/{expected:,}: {elapsed:.1f} s, "
                f"projected total {elapsed / batches * expected:.0f} s",
                flush=True,
            )
        generated = time.perf_counter()
    return Load(tickets, changes, batches, time.perf_counter() - started, generating)


def table_rows(connection: psycopg.Connection[Any]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for table in SqlKpiView.tables:
        found = connection.execute(
            f"SELECT count(*), pg_total_relation_size('{table}'), pg_indexes_size('{table}') FROM {table}"
        ).fetchone()
        assert found is not None
        rows.append((table, int(found[0]), found[1] / 2**20, found[2] / 2**20))
    return rows


def vacuum(env: dict[str, str], tables: Sequence[str]) -> float:
    """Vacuum and analyse the tables (as autovacuum would); seconds."""
    started = time.perf_counter()
    with psycopg.connect(conninfo(env), autocommit=True) as connection:
        for table in tables:
            connection.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - started


# --- the query mix ---------------------------------------------------------------------------------


def month_end(month: int) -> date:
    return date(YEAR, month + 1, 1) - timedelta(days=1) if month < 12 else date(YEAR, 12, 31)


def day_of_year(number: int) -> date:
    return date(YEAR, 1, 1) + timedelta(days=number)


def monthly_report(rng: random.Random) -> KpiQuery:
    month = rng.randint(1, 12)
    return KpiQuery("month", date(YEAR, month, 1), month_end(month), ("severity",))


def year_by_contract(_: random.Random) -> KpiQuery:
    return KpiQuery("month", date(YEAR, 1, 1), date(YEAR, 12, 31), ("contract_id",))


def contract_month_daily(rng: random.Random) -> KpiQuery:
    start = rng.randint(0, 365 - 30)
    return KpiQuery(
        "day",
        day_of_year(start),
        day_of_year(start + 29),
        ("severity", "region_tier"),
        {"contract_id": rng.choice(CONTRACTS)},
    )


def week_by_engineer(rng: random.Random) -> KpiQuery:
    start = rng.randint(0, 365 - 7)
    return KpiQuery("day", day_of_year(start), day_of_year(start + 6), ("engineer_id",))


def engineer_quarter(rng: random.Random) -> KpiQuery:
    quarter = rng.randint(0, 3)
    start, end = date(YEAR, 3 * quarter + 1, 1), month_end(3 * quarter + 3)
    return KpiQuery("total", start, end, (), {"engineer_id": rng.choice(ENGINEERS)})


def monthly_report_as_of(_: random.Random) -> KpiQuery:
    """June's report as the ledger knew it on July 1, before June's late verdicts had arrived."""
    return KpiQuery("month", date(YEAR, 6, 1), month_end(6), ("severity",), as_of=AS_OF)


QUERIES: tuple[tuple[str, Callable[[random.Random], KpiQuery]], ...] = (
    ("month, 1 month, by severity", monthly_report),
    ("month, full year, by contract", year_by_contract),
    ("day, 30 days, 1 contract, by severity+tier", contract_month_daily),
    ("day, 1 week, by engineer", week_by_engineer),
    ("total, 1 quarter, 1 engineer", engineer_quarter),
    ("month, June, by severity, as of Jul 1", monthly_report_as_of),
)
BASELINE = "baseline: SELECT 1 via fetch"


@dataclass
class Timings:
    name: str
    millis: list[float]
    rows: list[int]

    def percentile(self, share: float) -> float:
        """Nearest rank: the smallest time that at least `share` of the runs took no longer than."""
        ordered = sorted(self.millis)
        return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class Phase:
    """One timing of the whole mix, with its own baseline."""

    title: str
    timings: list[Timings]


def time_queries(view: SqlKpiView, runs: int, warm_up: int, seed: int) -> list[Timings]:
    """Every kind once per round, in turn, so that all see the same state of the machine."""
    rng = random.Random(seed)
    calls: list[tuple[str, Callable[[], int]]] = [(BASELINE, lambda: len(view.fetch("SELECT 1", ())))]
    calls += [(name, querying(view, make, rng)) for name, make in QUERIES]
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


def querying(
    view: SqlKpiView, make: Callable[[random.Random], KpiQuery], rng: random.Random
) -> Callable[[], int]:
    """A call that asks the view a new query of one kind and counts the rows returned."""
    return lambda: len(view.query(make(rng)))


def latency_rows(timings: list[Timings]) -> list[tuple[object, ...]]:
    baseline = next(t for t in timings if t.name == BASELINE).percentile(0.95)
    rows: list[tuple[object, ...]] = []
    for t in timings:
        p95 = t.percentile(0.95)
        rows.append(
            (
                t.name,
                round(t.percentile(0.5), 2),
                round(p95, 2),
                round(max(t.millis), 2),
                int(statistics.median(t.rows)),
                round(p95 / baseline, 1),
                "yes" if p95 <= TARGET_MS else "NO",
            )
        )
    return rows


# --- query plans -----------------------------------------------------------------------------------


class CapturingKpiView(SqlKpiView):
    """Records the statements `query` would send, not sending them."""

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect)
        self.captured: list[tuple[str, list[Any]]] = []

    def fetch(self, statement: str, params: Sequence[Any]) -> list[Any]:
        self.captured.append((statement, list(params)))
        return []


PLAN_DETAILS = ("Index Cond", "Filter", "Recheck Cond", "Heap Fetches", "Workers Launched", "Execution")


def explain(env: dict[str, str], capturing: CapturingKpiView, seed: int) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the first query of each kind, condensed."""
    rng, lines = random.Random(seed), []
    with psycopg.connect(conninfo(env), autocommit=True) as connection:
        for name, make in QUERIES:
            capturing.query(make(rng))
            statement, params = capturing.captured[-1]
            plan = connection.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params).fetchall()
            lines += [f"{name}  (parameters {', '.join(map(str, params))})", *condensed(p for (p,) in plan)]
    return lines


def condensed(plan: Iterator[str] | Sequence[str]) -> list[str]:
    """The plan's nodes, their conditions, and the buffers their scans touched."""
    kept: list[str] = []
    in_scan = False
    for line in plan:
        text = line.strip()
        node = not kept or text.startswith("->")
        if node or text.startswith("Planning"):
            in_scan = node and " Scan " in f"{text} "
        if node or text.startswith(PLAN_DETAILS) or (in_scan and text.startswith("Buffers")):
            kept.append(f"  {line}")
    return kept


# --- the run ---------------------------------------------------------------------------------------


def datastore_for(env: dict[str, str]) -> PostgresDatastore:
    return PostgresDatastore(
        env["POSTGRES_DBNAME"],
        env["POSTGRES_HOST"],
        env["POSTGRES_PORT"],
        env["POSTGRES_USER"],
        env["POSTGRES_PASSWORD"],
    )


@dataclass
class Report:
    """Everything the run measured, printed once the throwaway database is gone."""

    loaded: Load
    tables: list[tuple[object, ...]]
    setup: list[tuple[object, ...]]
    phases: list[Phase]
    plans: list[str]
    facts: list[tuple[str, str]]


def measure(args: argparse.Namespace, env: dict[str, str], dialect: Dialect) -> Report:
    view = SqlKpiView(dialect)
    print(f"loading {args.tickets:,} tickets through SqlKpiView.apply, {args.batch_size:,} per batch")
    loaded = load(view, args.tickets, args.batch_size, args.seed)
    vacuumed = vacuum(env, SqlKpiView.tables)
    with psycopg.connect(conninfo(env)) as connection:
        tables = table_rows(connection)
    report = Report(loaded, tables, [("VACUUM (ANALYZE) the KPI tables", round(vacuumed, 1), "")], [], [], [])
    print(f"timing {len(QUERIES) + 1} query kinds, {args.runs} runs each after {args.warm_up} warm-up")
    report.phases.append(Phase("as migrated", time_queries(view, args.runs, args.warm_up, args.seed)))
    if args.explain:
        report.plans += explain(env, CapturingKpiView(dialect), args.seed)
    report.facts = postgres_facts(env)
    with psycopg.connect(conninfo(env)) as connection:
        for setting in ("work_mem", "max_parallel_workers_per_gather", "random_page_cost"):
            found = connection.execute(f"SHOW {setting}").fetchone()
            report.facts.append((f"postgres {setting}", "?" if found is None else str(found[0])))
    return report


def print_report(args: argparse.Namespace, report: Report) -> None:
    loaded = report.loaded
    print_facts(machine_facts(report.facts))
    print_table(
        "Load through SqlKpiView.apply (one transaction per batch)",
        ("what", "value"),
        [
            ("tickets", loaded.tickets),
            ("changes (30% of tickets have a 2nd, later change)", loaded.changes),
            ("apply() batches", loaded.batches),
            ("load seconds (apply + generation)", round(loaded.seconds, 1)),
            ("  of which generating the tickets in Python", round(loaded.generate_seconds, 1)),
            ("tickets/s", round(loaded.tickets / loaded.seconds)),
        ],
    )
    print_table("Tables after loading", ("table", "rows", "total MiB", "indexes MiB"), report.tables)
    print_table("Maintenance and ad hoc objects", ("what", "seconds", "MiB"), report.setup)
    for phase in report.phases:
        print_table(
            f"KPI query latency, {phase.title}: SqlKpiView.query, {args.runs} runs each "
            f"(target p95 <= {TARGET_MS:.0f} ms)",
            ("query", "p50 ms", "p95 ms", "max ms", "rows (median)", "p95 / baseline p95", "p95 <= 50 ms"),
            latency_rows(phase.timings),
        )
    if report.plans:
        print("\nEXPLAIN (ANALYZE, BUFFERS), condensed: one query of each kind")
        for line in report.plans:
            print(f"  {line}" if line else "")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"kpis: {args.tickets:,} tickets over {YEAR} on PostgreSQL")
    if problem := postgres_problem():
        sys.exit(f"kpis: {problem}")
    with fresh_postgres() as variables:
        env = ledger_env(variables)
        migrate(env)
        datastore = datastore_for(env)
        try:
            report = measure(args, env, Dialect("postgres", datastore))
        finally:
            datastore.close()
    print_report(args, report)


if __name__ == "__main__":
    main()
