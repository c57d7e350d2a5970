"""Penalty ledger query latency: p50/p95 of the penalty view's totals and pages, 500,000 penalties.

A throwaway PostgreSQL database is migrated; the view's tables are filled in bulk inside PostgreSQL
from seeded generated rows (no events replayed), indexes dropped and rebuilt from their own
definitions. Penalties occurred from 1 January 2025 to 22 November 2026 under 12 rules (3 in
points) against 2,000 parties; 80% have one line, 15% two, 5% five. Each goes one way through its
life: allocated (45%), settled (25%), disputed and upheld (8%), disputed and waived (7%), reversed
(7%), settled then reversed (4%), disputed, upheld and settled (4%), steps 1 to 21 days apart; none
is recorded after 23 November 2026. After VACUUM (ANALYZE), the view's totals of a period are
checked against sums read straight from the rows (as of T: each line's latest version by T). Each
kind is timed through `SqlPenaltyLedgerView.totals` or `.rows`, round-robin, with a random party,
rule and period, now and as of past times, beside `SELECT 1` through the same `fetch`, with the
indexes each plan reads. From the project root (the database is dropped at the end):

    .venv/bin/python -m bench.penalty_query [--quick] [--penalties N] [--parties N] [--runs N] [--explain]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import psycopg

from bench import common
from bench.kpis import BASELINE, Timings, condensed, datastore_for, latency_rows, vacuum
from bench.stock_query import load_average, plans, scans
from migrations.runner import migrate
from projections.kpis import REPORTING_ZONE
from projections.penalty_ledger import Grouping, PenaltyFilter, PenaltyQuery
from projections.penalty_ledger_sql import PENALTY, SUMMED, SqlPenaltyLedgerView
from projections.sql import Dialect

RULES, POINTS = 12, 3
"""Rules, the last POINTS of them in points."""
PERIODS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)][:23]
AS_OF = {"Nov 1": datetime(2026, 11, 1, tzinfo=REPORTING_ZONE)}
AS_OF["Jul 1"] = datetime(2026, 7, 1, tzinfo=REPORTING_ZONE)
"""Past times the as-of answers are asked at: three weeks back, and five months back."""
PAGE = 101
FUNCTIONS = (
    # A number in [0, 1) for a penalty and a salt, the same in every run; and when the step v of a
    # penalty's life was recorded: hours after it occurred, then 1 to 21 days after the last step.
    "CREATE FUNCTION pg_temp.r(id bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT (hashint8extended(id, salt) & 2147483647)::float8 / 2147483648 $$",
    "CREATE FUNCTION pg_temp.at(id bigint, occurred timestamptz, v int) RETURNS timestamptz "
    "LANGUAGE sql STABLE AS $$ SELECT occurred + pg_temp.r(id, 100) * interval '4 hours' + "
    "((v >= 2)::int * (1 + 20 * pg_temp.r(id, 102)) + (v >= 3)::int * (1 + 20 * pg_temp.r(id, 103)) "
    "+ (v >= 4)::int * (1 + 20 * pg_temp.r(id, 104))) * interval '1 day' $$",
)
PATHS = (
    "allocated",
    "allocated settled",
    "allocated disputed upheld",
    "allocated disputed waived",
    "allocated reversed",
    "allocated settled reversed",
    "allocated disputed upheld settled",
)
"""Each way through a penalty's life, step by step."""
PENALTIES = """
CREATE TEMP TABLE bench_penalties AS
SELECT id, md5(id::text)::uuid::text AS penalty_id, occurred_at,
       to_char(occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS period,
       floor({rules} * pg_temp.r(id, 2))::int AS rule,
       width_bucket(pg_temp.r(id, 3), ARRAY[0, 0.45, 0.70, 0.78, 0.85, 0.92, 0.96]::float8[]) - 1 AS path,
       CASE WHEN pg_temp.r(id, 4) < 0.8 THEN 1 WHEN pg_temp.r(id, 4) < 0.95 THEN 2 ELSE 5 END AS lines,
       (1 + floor(20 * pg_temp.r(id, 5)))::bigint * 5000 AS amount
FROM (SELECT id, {start} + ({end} - {start}) * pg_temp.r(id, 1) AS occurred_at
      FROM generate_series(1, {penalties}) AS id) AS drawn
"""
"""Each penalty: its id, when it occurred, its rule, its way through life, lines and amount."""
VERSIONS = f"""
INSERT INTO penalty_line_versions ({PENALTY.selected}, superseded_at)
SELECT penalty_id || ':' || n, penalty_id,
       'party-' || lpad(floor({{parties}} * pg_temp.r(id, 10 + n))::text, 4, '0'),
       CASE WHEN n = 1 THEN 'party' ELSE 'share' END, 'rule-' || lpad(rule::text, 2, '0'),
       CASE rule % 3 WHEN 0 THEN 'book-a' WHEN 1 THEN 'book-b' ELSE 'contract-c' END,
       CASE rule % 3 WHEN 2 THEN 'contract' ELSE 'book' END, 1 + rule % 2,
       CASE rule % 3 WHEN 2 THEN 'sla_breach' ELSE 'manual' END,
       CASE WHEN rule >= {{rules}} - {{points}} THEN 'points' ELSE 'money' END, period, occurred_at,
       status, disputed, line, CASE WHEN waived THEN line ELSE 0 END, CASE WHEN reversed THEN line ELSE 0 END,
       CASE WHEN settled THEN line ELSE 0 END, v + 1, floor(extract(epoch FROM at) * 1000000)::bigint, at,
       CASE WHEN next <= {{end}} THEN next END
FROM bench_penalties AS p JOIN bench_steps AS s USING (path), generate_series(1, p.lines) AS n,
     LATERAL (SELECT pg_temp.at(id, occurred_at, v) AS at,
                     CASE WHEN v < steps THEN pg_temp.at(id, occurred_at, v + 1) END AS next,
                     amount / lines + CASE WHEN n = 1 THEN amount % lines ELSE 0 END AS line) AS t
WHERE at <= {{end}}
ORDER BY at
"""
"""Every version recorded by the end, in recorded order, as the writer appends them."""
CURRENT = f"INSERT INTO penalty_lines ({PENALTY.selected}) SELECT {PENALTY.selected} "
CURRENT += "FROM penalty_line_versions WHERE superseded_at IS NULL ORDER BY key"
TIMES = {"start": "2025-01-01", "end": "2026-11-23"}
"""The span penalties occurred in (Asia/Shanghai); nothing is recorded after its end."""


def steps_table() -> str:
    """Each way's number, its steps, and its rows' state after each step."""
    rows = []
    for path, way in enumerate(PATHS):
        statuses = way.split()
        for v, status in enumerate(statuses, start=1):
            done = statuses[:v]
            flags = ("disputed" in done, status == "waived", status == "reversed", "settled" in done)
            rows.append(f"({path}, {len(statuses)}, {v}, '{status}', {', '.join(map(str, flags))})")
    columns = "path, steps, v, status, disputed, waived, reversed, settled"
    return f"CREATE TEMP TABLE bench_steps ({columns}) AS VALUES {', '.join(rows)}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--penalties", type=int, default=500_000)
    parser.add_argument("--parties", type=int, default=2_000, help="at most 10,000")
    parser.add_argument("--runs", type=int, default=200, help="timed runs of each query kind")
    parser.add_argument("--warm-up", type=int, default=5, help="untimed runs of each kind first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans (condensed)")
    parser.add_argument("--quick", action="store_true", help="50,000 penalties, 50 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.penalties, args.runs = 50_000, 50
    return args


# --- loading ---------------------------------------------------------------------------------------


def load(connection: psycopg.Connection[Any], penalties: int, parties: int) -> list[tuple[object, ...]]:
    """Fill the view's tables with their indexes dropped, then rebuild them; seconds per step."""
    steps: list[tuple[object, ...]] = []

    def step(name: str, *statements: str) -> None:
        started = time.perf_counter()
        for statement in statements:
            connection.execute(statement)
        steps.append((name, round(time.perf_counter() - started, 1)))

    names = {name: f"'{day} 00:00+08'::timestamptz" for name, day in TIMES.items()}
    for function in FUNCTIONS:
        connection.execute(function)
    connection.execute("SET maintenance_work_mem = '512MB'")
    indexes = index_definitions(connection)
    for definition in indexes:
        connection.execute(f"DROP INDEX {definition.split()[2]}")
    counts = {"penalties": penalties, "parties": parties, "rules": RULES, "points": POINTS}
    step(f"generate {penalties:,} penalties", steps_table(), PENALTIES.format(**counts, **names))
    step("insert their lines' versions", VERSIONS.format(**counts, **names))
    step("insert the current rows (each line's last version)", CURRENT)
    step(f"rebuild {len(indexes)} indexes", *indexes)
    connection.execute("DROP TABLE bench_penalties, bench_steps")
    connection.commit()
    return steps


def index_definitions(connection: psycopg.Connection[Any]) -> list[str]:
    """The view's indexes but its primary keys, which the load keeps."""
    found = connection.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT LIKE '%%_pkey'",
        (list(SqlPenaltyLedgerView.tables),),
    )
    return sorted(d for (d,) in found.fetchall())


def table_rows(connection: psycopg.Connection[Any]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for table in SqlPenaltyLedgerView.tables:
        sizes = f"pg_total_relation_size('{table}'), pg_indexes_size('{table}')"
        found = connection.execute(f"SELECT count(*), count(DISTINCT penalty_id), {sizes} FROM {table}")
        count, penalties, total, indexes = found.fetchone() or (0, 0, 0, 0)
        rows.append((table, int(count), int(penalties), total / 2**20, indexes / 2**20))
    return rows


LATEST = (
    "SELECT DISTINCT ON (key) * FROM penalty_line_versions WHERE recorded_at <= %(t)s "
    "ORDER BY key, recorded_at DESC, position DESC"
)
"""Each line as of T read another way than the view reads it: its latest version by then."""


def check(view: SqlPenaltyLedgerView, connection: psycopg.Connection[Any]) -> list[str]:
    """The view's totals of a period against sums read straight from the rows."""
    problems: list[str] = []
    sums = ", ".join(f"sum({c})" for c in SUMMED)
    for label, as_of in (("now", None), *AS_OF.items()):
        source = "penalty_lines" if as_of is None else f"({LATEST}) AS latest"
        statement = f"SELECT count(*), {sums} FROM {source} WHERE period = '2026-06'"
        found = tuple(connection.execute(statement, {"t": as_of}).fetchone() or ())
        for by in ("party", "rule"):
            totals = view.totals(PenaltyFilter(period="2026-06", as_of=as_of), by)
            got = (
                sum(t.lines for t in totals),
                *(int(sum(getattr(t, c) for t in totals) * 100) for c in SUMMED),
            )
            if got != found:
                problems.append(f"June by {by} as of {label}: the view's {got}, the rows' {found}")
    return problems


# --- the query kinds -------------------------------------------------------------------------------


@dataclass
class Draw:
    """What a query asks about, drawn at random."""

    rng: random.Random
    parties: int

    def party(self) -> str:
        return f"party-{self.rng.randrange(self.parties):04d}"

    def rule(self) -> str:
        return f"rule-{self.rng.randrange(RULES):02d}"

    def period(self, as_of: datetime | None) -> str:
        """A period that had begun by the time asked about."""
        month = "2026-11" if as_of is None else as_of.strftime("%Y-%m")
        return self.rng.choice([p for p in PERIODS if p <= month])


ASKS: dict[str, Callable[[Draw, datetime | None], tuple[PenaltyFilter, Grouping | None]]] = {
    "totals by party, one period": lambda d, t: (PenaltyFilter(period=d.period(t), as_of=t), "party"),
    "totals by rule, one period": lambda d, t: (PenaltyFilter(period=d.period(t), as_of=t), "rule"),
    "totals of one party, all periods": lambda d, t: (PenaltyFilter(party=d.party(), as_of=t), "party"),
    "page: one rule in one period": lambda d, t: (
        PenaltyFilter(rule=d.rule(), period=d.period(t), as_of=t),
        None,
    ),
    "page: one party, all periods": lambda d, t: (PenaltyFilter(party=d.party(), as_of=t), None),
}
"""What the penalty reports ask: totals by a grouping, or a drill-down page of lines (no grouping)."""


def ask(view: SqlPenaltyLedgerView, draw: Draw, as_of: datetime | None, name: str) -> int:
    """One query of a kind, drawn at random: the rows of the page, or the groups of the totals."""
    where, by = ASKS[name](draw, as_of)
    if by is None:
        return len(view.rows(PenaltyQuery(where, limit=PAGE)))
    return len(view.totals(where, by))


class RecordingView(SqlPenaltyLedgerView):
    """The view, keeping the last statement it sent and its parameters, to explain it later."""

    last: tuple[str, list[Any]] = ("", [])

    def fetch(self, statement: str, params: Sequence[Any]) -> list[Any]:
        self.last = (statement, list(params))
        return super().fetch(statement, params)


def time_queries(view: RecordingView, args: argparse.Namespace) -> tuple[list[Timings], dict[str, Any]]:
    """Every kind once per round, in turn; and the statement each kind sent last."""
    draw, sent = Draw(random.Random(args.seed), args.parties), {}
    kinds = [
        (f"{label}{name}", t, name)
        for label, t in (("", None), *((f"as of {d}: ", t) for d, t in AS_OF.items()))
        for name in ASKS
    ]
    timings = [Timings(BASELINE, [], []), *(Timings(k[0], [], []) for k in kinds)]
    calls: list[Callable[[], int]] = [lambda: len(view.fetch("SELECT 1", ()))]
    calls += [partial(ask, view, draw, as_of, name) for _, as_of, name in kinds]
    for round_number in range(args.warm_up + args.runs):
        for timing, call in zip(timings, calls, strict=True):
            started = time.perf_counter()
            found = call()
            if round_number >= args.warm_up:
                timing.millis.append((time.perf_counter() - started) * 1000)
                timing.rows.append(found)
            sent[timing.name] = view.last
    return timings, {name: statement for name, statement in sent.items() if name != BASELINE}


# --- the run ---------------------------------------------------------------------------------------

HEADER = "query|p50 ms|p95 ms|max ms|rows/groups|p95 / baseline|p95 <= 50 ms|indexes it reads"


def run(args: argparse.Namespace, env: dict[str, str], view: RecordingView, loads: list[str]) -> None:
    """Load, check and time, then print what was found."""
    with psycopg.connect(common.conninfo(env)) as connection:
        migrated = index_definitions(connection)
        print(f"loading {args.penalties:,} penalties in bulk", flush=True)
        steps = load(connection, args.penalties, args.parties)
        if index_definitions(connection) != migrated:
            sys.exit("penalty_query: the rebuilt indexes differ from the migrated ones")
    steps.append(("VACUUM (ANALYZE) the view's tables", round(vacuum(env, view.tables), 1)))
    with psycopg.connect(common.conninfo(env)) as connection:
        tables, problems = table_rows(connection), check(view, connection)
    print(f"timing {len(ASKS) * (1 + len(AS_OF)) + 1} query kinds, {args.runs} runs each", flush=True)
    timings, sent = time_queries(view, args)
    explained = plans(env, sent, args)
    loads = [*loads, load_average()]
    common.print_facts(
        common.machine_facts([*common.postgres_facts(env), ("load average", " / ".join(loads))])
    )
    common.print_table("Bulk load inside PostgreSQL, indexes rebuilt after", ("step", "s"), steps)
    common.print_table("Tables after loading", ("table", "rows", "penalties", "MiB", "indexes MiB"), tables)
    print(f"\ncheck of the view's totals against the rows: {'; '.join(problems) or 'ok'}")
    latencies = [(*r, scans(explained[r[0]]) if r[0] in explained else "") for r in latency_rows(timings)]
    title = (
        f"Penalty query latency: SqlPenaltyLedgerView, {args.penalties:,} penalties, {args.runs} runs each"
    )
    common.print_table(f"{title} (pages of {PAGE} rows)", HEADER.split("|"), latencies)
    if args.explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS), condensed: one query of each kind")
        for name, plan in explained.items():
            print(f"  {name}  ({plan[0]})")
            print("\n".join(f"  {line}" for line in condensed(plan[1:])))


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"penalty_query: {args.penalties:,} penalties on PostgreSQL")
    if problem := common.postgres_problem():
        sys.exit(f"penalty_query: {problem}")
    loads = [load_average()]
    with common.fresh_postgres() as variables:  # dropped at the end, and on failure
        env = common.ledger_env(variables)
        migrate(env)
        datastore = datastore_for(env)
        try:
            run(args, env, RecordingView(Dialect("postgres", datastore)), loads)
        finally:
            datastore.close()


if __name__ == "__main__":
    main()
