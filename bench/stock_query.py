"""Stock query latency: p50/p95/p99 of the stock view's queries over 50,000 parts x 50 locations.

A throwaway PostgreSQL database is migrated with the project's migrations; the stock view's tables
are filled in bulk inside PostgreSQL from seeded generated rows (no events replayed), indexes
dropped and rebuilt from their own definitions. Each item (a part at a location) has an opening row
of 5 January; 40% get one to three changes between 1 February and 23 November. After VACUUM
(ANALYZE), the view's totals are checked against sums read straight from the rows. Each query kind
is then timed through `SqlStockView.rows` and `.totals`, the two calls of GET /stock (a page asks
for 101 rows), round-robin, with a random part and location per run, as of now, of 1 November and
of 22 November, beside `SELECT 1` through the same `fetch`, and the indexes each plan reads.
`--explain` prints the plans. From the project root (the database is dropped at the end):

    .venv/bin/python -m bench.stock_query [--quick] [--parts N] [--locations N] [--runs N] [--explain]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import os
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import psycopg

from bench import common
from bench.kpis import BASELINE, TARGET_MS, Timings, condensed, datastore_for, vacuum
from migrations.runner import migrate
from projections.kpis import REPORTING_ZONE
from projections.sql import Dialect
from projections.stock_levels import SUMMED, StockFilter, StockQuery
from projections.stock_levels_sql import COUNTED, STOCK, SUMS_BY, SqlStockView

AS_OF = {"Nov 1": datetime(2026, 11, 1, tzinfo=REPORTING_ZONE)}
AS_OF["Nov 22"] = datetime(2026, 11, 22, tzinfo=REPORTING_ZONE)
"""Past times the as-of answers are asked at: a month's close, and yesterday."""
TIMES = {"opening": "2026-01-05", "start": "2026-02-01", "end": "2026-11-23"}
"""The opening rows (8 hours from midnight), and the span of the later changes (Asia/Shanghai)."""
PAGE = 101
LOADED = ("stock_level_versions", "stock_levels")
FUNCTIONS = (
    # A number in [0, 1) for an item (or a part) and a salt, the same in every run; and when version
    # v of an item with n was recorded: the opening, then one change in each (n - 1)th of the span.
    "CREATE FUNCTION pg_temp.r(id bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT (hashint8extended(id, salt) & 2147483647)::float8 / 2147483648 $$",
    "CREATE FUNCTION pg_temp.at(id bigint, v int, n int) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT CASE WHEN v = 1 THEN {opening} + pg_temp.r(id, 2) * interval '8 hours' "
    "ELSE {start} + ({end} - {start}) * ((v - 2 + pg_temp.r(id, 10 + v)) / (n - 1)) END $$",
)
ITEMS = """
CREATE TEMP TABLE bench_items AS
SELECT id, part_number, location_id,
       1 + (pg_temp.r(id, 1) < 0.4)::int + (pg_temp.r(id, 1) < 0.15)::int
         + (pg_temp.r(id, 1) < 0.05)::int AS n,
       CASE WHEN pg_temp.r(id, 3) < 0.3 THEN 1 + floor(5 * pg_temp.r(id, 4)) ELSE 0 END::int AS safety,
       500 + floor(100000 * pg_temp.r(p, 5))::bigint AS unit_cost
FROM (
    SELECT p, p::bigint * 1000 + l AS id, 'P-' || lpad(p::text, 6, '0') AS part_number,
           'loc-' || lpad(l::text, 2, '0') AS location_id
    FROM generate_series(0, %d - 1) AS p, generate_series(0, %d - 1) AS l
) AS items
"""
"""Each item: how many versions it has, its safety stock (30% have one), its part's unit cost."""
VERSIONS = f"""
INSERT INTO stock_level_versions ({STOCK.selected}, superseded_at)
SELECT part_number, location_id, on_hand, reserved, in_transit, in_transit * unit_cost, on_hand * unit_cost,
       unit_cost, safety, on_hand < safety, open_requests, on_hand < safety AND open_requests = 0, 2 * v,
       floor(extract(epoch FROM at) * 1000000)::bigint, at, superseded_at
FROM (
    SELECT i.*, v, on_hand, pg_temp.at(id, v, n) AS at,
           CASE WHEN v < n THEN pg_temp.at(id, v + 1, n) END AS superseded_at,
           CASE WHEN pg_temp.r(id, 30 + v) < 0.1 THEN on_hand * 3 / 10 ELSE 0 END AS reserved,
           CASE WHEN pg_temp.r(id, 40 + v) < 0.02 THEN 1 + floor(3 * pg_temp.r(id, 50 + v)) ELSE 0 END::bigint
             AS in_transit,
           (on_hand < safety AND pg_temp.r(id, 60 + v) < 0.8)::int AS open_requests
    FROM bench_items AS i, generate_series(1, i.n) AS v,
         LATERAL (SELECT floor(60 * pg_temp.r(id, 20 + v) ^ 2)::bigint AS on_hand) AS counted
) AS versions
ORDER BY at
"""
"""Every version in recorded order, as the writer appends them; positions increase with time."""
CURRENT = f"INSERT INTO stock_levels ({STOCK.selected}) SELECT {STOCK.selected} FROM stock_level_versions "
CURRENT += "WHERE superseded_at IS NULL ORDER BY recorded_at"
SUMS = ", ".join(f"sum({c})" for c in SUMMED)
TOTALS = [
    f"INSERT INTO {table} ({key}, below_safety, {', '.join(COUNTED)}) "
    f"SELECT {key}, below_safety, count(*), {SUMS} FROM stock_levels GROUP BY {key}, below_safety"
    for table, key in SUMS_BY.items()
]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--parts", type=int, default=50_000)
    parser.add_argument("--locations", type=int, default=50, help="at most 100")
    parser.add_argument("--runs", type=int, default=200, help="timed runs of each query kind")
    parser.add_argument("--warm-up", type=int, default=5, help="untimed runs of each kind first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans (condensed)")
    parser.add_argument("--quick", action="store_true", help="5,000 parts x 10 locations, 50 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.parts, args.locations, args.runs = 5_000, 10, 50
    return args


# --- loading ---------------------------------------------------------------------------------------


def load(connection: psycopg.Connection[Any], parts: int, locations: int) -> list[tuple[object, ...]]:
    """Fill the view's tables with their indexes dropped, then rebuild them; seconds per step."""
    steps: list[tuple[object, ...]] = []

    def step(name: str, *statements: str) -> None:
        started = time.perf_counter()
        for statement in statements:
            connection.execute(statement)
        steps.append((name, round(time.perf_counter() - started, 1)))

    times = {name: f"'{day} 00:00+08'::timestamptz" for name, day in TIMES.items()}
    for function in FUNCTIONS:
        connection.execute(function.format(**times))
    connection.execute("SET maintenance_work_mem = '512MB'")
    keys = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype = 'p'",
        (list(LOADED),),
    ).fetchall()
    indexes = [d for d in index_definitions(connection) if " UNIQUE INDEX " not in d]
    for definition in indexes:
        connection.execute(f"DROP INDEX {definition.split()[2]}")
    for table, name, _ in keys:
        connection.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    step(f"generate {parts:,} x {locations} items", ITEMS % (parts, locations))
    step("insert the versions", VERSIONS)
    step("insert the current rows (each item's last version)", CURRENT)
    step("insert the totals by part and by location", *TOTALS)
    rebuilt = (f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}" for table, name, definition in keys)
    step(f"rebuild the primary keys and {len(indexes)} indexes", *rebuilt, *indexes)
    connection.execute("DROP TABLE bench_items")
    connection.commit()
    return steps


def index_definitions(connection: psycopg.Connection[Any]) -> list[str]:
    found = connection.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)", (list(LOADED),))
    return sorted(d for (d,) in found.fetchall())


def table_rows(connection: psycopg.Connection[Any]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for table in SqlStockView.tables:
        below = "count(*) FILTER (WHERE below_safety)" if table in LOADED else "NULL"
        sizes = f"pg_total_relation_size('{table}'), pg_indexes_size('{table}')"
        found = connection.execute(f"SELECT count(*), {below}, {sizes} FROM {table}").fetchone()
        assert found is not None
        below_count = "-" if found[1] is None else int(found[1])
        rows.append((table, int(found[0]), below_count, found[2] / 2**20, found[3] / 2**20))
    return rows


def check(view: SqlStockView, connection: psycopg.Connection[Any], locations: int) -> list[str]:
    """The view's answers against sums read straight from the rows: that the load is consistent."""
    problems: list[str] = []
    for label, as_of in (("now", None), *AS_OF.items()):
        valid = "recorded_at <= %(t)s AND (superseded_at IS NULL OR superseded_at > %(t)s)"
        source = "stock_levels" if as_of is None else f"stock_level_versions WHERE {valid}"
        found = connection.execute(f"SELECT count(*), {SUMS} FROM {source}", {"t": as_of}).fetchone()
        assert found is not None
        got = view.totals(StockFilter(as_of=as_of))
        cents = (int(got.in_transit_value * 100), int(got.value * 100))
        if (totals := (got.items, got.on_hand, got.reserved, got.in_transit, *cents)) != tuple(found):
            problems.append(f"totals as of {label}: the view's {totals}, the rows' {tuple(found)}")
        one_part = StockQuery(StockFilter(part_number="P-000000", as_of=as_of), limit=PAGE)
        if len(view.rows(one_part)) != locations:
            problems.append(f"one part's rows as of {label}: not one per location")
    return problems


# --- the query kinds -------------------------------------------------------------------------------


ASKS = {
    "one part, all locations": "p",
    "one location, first page": "l",
    "one location, page after a random part": "la",
    "one location, below safety, first page": "lb",
    "below safety everywhere, first page": "b",
    "everything, first page": "",
    "one part at one location": "pl",
}
"""What GET /stock is asked, by the letters of its filter: a part, a location, below safety stock,
after a random part; each a page of rows, and the totals of the same filter."""
Kind = tuple[str, str, datetime | None, str]
"""A query kind's name, its letters, the time it is as of, and whether it asks for rows or totals."""


def query_kinds() -> list[Kind]:
    kinds: list[Kind] = []
    for label, as_of in (("", None), *((f"as of {day}: ", t) for day, t in AS_OF.items())):
        for name, spec in ASKS.items():
            if as_of is None or "a" not in spec:  # a deep page as of T reads as the first page does
                kinds += [(f"{label}{name}: {what}", spec, as_of, what) for what in ("rows", "totals")]
    return kinds


def ask(view: SqlStockView, args: argparse.Namespace, rng: random.Random, kind: Kind) -> int:
    """One query of a kind, drawn at random: the rows of the page, or the items the totals count."""
    _, spec, as_of, what = kind
    part = f"P-{rng.randrange(args.parts):06d}" if "p" in spec else None
    location = f"loc-{rng.randrange(args.locations):02d}" if "l" in spec else None
    after = (f"P-{rng.randrange(args.parts):06d}", location or "") if "a" in spec else None
    where = StockFilter(part, location, True if "b" in spec else None, as_of)
    return len(view.rows(StockQuery(where, after, PAGE))) if what == "rows" else view.totals(where).items


class RecordingStockView(SqlStockView):
    """The view, keeping the last statement it sent and its parameters, to explain it later."""

    last: tuple[str, list[Any]] = ("", [])

    def fetch(self, statement: str, params: Sequence[Any]) -> list[Any]:
        self.last = (statement, list(params))
        return super().fetch(statement, params)


def time_queries(view: RecordingStockView, args: argparse.Namespace) -> tuple[list[Timings], dict[str, Any]]:
    """Every kind once per round, in turn, so that all see the same state of the machine; and the
    statement each kind sent last."""
    rng, kinds, sent = random.Random(args.seed), query_kinds(), {}
    timings = [Timings(BASELINE, [], []), *(Timings(k[0], [], []) for k in kinds)]
    calls: list[Callable[[], int]] = [lambda: len(view.fetch("SELECT 1", ()))]
    calls += [partial(ask, view, args, rng, k) for k in kinds]
    for round_number in range(args.warm_up + args.runs):
        for timing, call in zip(timings, calls, strict=True):
            started = time.perf_counter()
            rows = call()
            if round_number >= args.warm_up:
                timing.millis.append((time.perf_counter() - started) * 1000)
                timing.rows.append(rows)
            sent[timing.name] = view.last
    return timings, {name: statement for name, statement in sent.items() if name != BASELINE}


SCANS = re.compile(
    r"(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: Backward)? (?:using|on) (\S+)"
)


def plans(env: dict[str, str], sent: dict[str, Any], args: argparse.Namespace) -> dict[str, list[str]]:
    """The plan of each kind's last statement (EXPLAIN ANALYZE with --explain), its parameters first."""
    explain, found = "EXPLAIN (ANALYZE, BUFFERS)" if args.explain else "EXPLAIN", {}
    with psycopg.connect(common.conninfo(env), autocommit=True) as connection:
        for name, (statement, params) in sent.items():
            plan = connection.execute(f"{explain} {statement}", params).fetchall()
            found[name] = [f"parameters {', '.join(map(str, params))}", *(p for (p,) in plan)]
    return found


def scans(plan: list[str]) -> str:
    """The indexes (and the tables read whole) a plan reads, in the order it names them."""
    named = [f"{'seq scan ' * (k == 'Seq Scan')}{name}" for line in plan for k, name in SCANS.findall(line)]
    return ", ".join(dict.fromkeys(named)) or "none"


# --- the run ---------------------------------------------------------------------------------------


@dataclass
class Report:
    steps: list[tuple[object, ...]]
    tables: list[tuple[object, ...]]
    problems: list[str]
    timings: list[Timings]
    plans: dict[str, list[str]]
    facts: list[tuple[str, str]]


def measure(args: argparse.Namespace, env: dict[str, str], view: RecordingStockView) -> Report:
    with psycopg.connect(common.conninfo(env)) as connection:
        migrated = index_definitions(connection)
        print(f"loading {args.parts * args.locations:,} items in bulk", flush=True)
        steps = load(connection, args.parts, args.locations)
        if index_definitions(connection) != migrated:
            sys.exit("stock_query: the rebuilt indexes differ from the migrated ones")
    steps.append(("VACUUM (ANALYZE) the view's tables", round(vacuum(env, SqlStockView.tables), 1)))
    with psycopg.connect(common.conninfo(env)) as connection:
        tables, problems = table_rows(connection), check(view, connection, args.locations)
    print(f"timing {len(query_kinds()) + 1} query kinds, {args.runs} runs each after {args.warm_up} warm-up")
    timings, sent = time_queries(view, args)
    facts = common.postgres_facts(env)
    with psycopg.connect(common.conninfo(env)) as connection:
        settings = ("work_mem", "random_page_cost", "effective_cache_size", "max_parallel_workers_per_gather")
        for setting in settings:
            value = connection.execute(f"SHOW {setting}").fetchone()
            facts.append((f"postgres {setting}", "?" if value is None else str(value[0])))
    return Report(steps, tables, problems, timings, plans(env, sent, args), facts)


def latency_rows(report: Report) -> list[tuple[object, ...]]:
    baseline = report.timings[0].percentile(0.95)
    rows: list[tuple[object, ...]] = []
    for t in report.timings:
        p50, p95, p99 = (round(t.percentile(share), 2) for share in (0.5, 0.95, 0.99))
        uses = scans(report.plans[t.name]) if t.name in report.plans else ""
        ok = "yes" if p95 <= TARGET_MS else "NO"
        ratio = round(p95 / baseline, 1)
        rows.append((t.name, p50, p95, p99, int(statistics.median(t.rows)), ratio, ok, uses))
    return rows


HEADER = f"query|p50 ms|p95 ms|p99 ms|rows/items|p95 / baseline|p95 <= {TARGET_MS:.0f} ms|indexes it reads"


def print_report(args: argparse.Namespace, report: Report, load_average: list[str]) -> None:
    loads = ("load average before / after", " / ".join(load_average))
    common.print_facts(common.machine_facts([*report.facts, loads]))
    common.print_table("Bulk load inside PostgreSQL, indexes rebuilt after", ("step", "s"), report.steps)
    header = ("table", "rows", "below safety", "total MiB", "indexes MiB")
    common.print_table("Tables after loading", header, report.tables)
    print(f"\ncheck of the view's totals and pages against the rows: {'; '.join(report.problems) or 'ok'}")
    title = f"Stock query latency: SqlStockView, {args.parts:,} parts x {args.locations} locations, "
    title += f"{args.runs} runs each (pages of {PAGE} rows)"
    common.print_table(title, HEADER.split("|"), latency_rows(report))
    if args.explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS), condensed: one query of each kind")
        for name, plan in report.plans.items():
            print(f"  {name}  ({plan[0]})")
            print("\n".join(f"  {line}" for line in condensed(plan[1:])))


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"stock_query: {args.parts:,} parts x {args.locations} locations on PostgreSQL")
    if problem := common.postgres_problem():
        sys.exit(f"stock_query: {problem}")
    loads = [load_average()]
    with common.fresh_postgres() as variables:  # dropped at the end, and on failure
        env = common.ledger_env(variables)
        migrate(env)
        datastore = datastore_for(env)
        try:
            report = measure(args, env, RecordingStockView(Dialect("postgres", datastore)))
        finally:
            datastore.close()
    print_report(args, report, [*loads, load_average()])


if __name__ == "__main__":
    main()
