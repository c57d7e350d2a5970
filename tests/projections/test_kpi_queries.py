"""KPI queries on SQLite and PostgreSQL answer exactly as summing the change log in memory does:
whichever table a query reads (sums with or without the engineer, the change log, or the sums
minus the changes after an as-of time), on random changes and random queries."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

import pytest
from eventsourcing.persistence import Tracking

from domain.ledger import ServiceLedger
from migrations.runner import migrate
from projections.kpi_stores import MemoryKpiView, SqlKpiView
from projections.kpis import (
    DIMENSIONS,
    MEASURES,
    PERIODS,
    REPORTING_ZONE,
    KpiCell,
    KpiChange,
    KpiQuery,
    KpiRow,
    KpiView,
)
from projections.read_side import dialect_for
from projections.sql import Dialect

FIRST_DAY = date(2026, 1, 20)
DAYS = 40
VALUES = {
    "contract_id": ("contract-a", "contract-b", "contract-c"),
    "severity": ("severe", "general"),
    "region_tier": ("city", "province"),
    "engineer_id": ("", "eng-li", "eng-wang"),
}


def random_changes(rng: random.Random, count: int) -> list[KpiChange]:
    """Changes to random cells, recorded on or up to ten days after their report day, some negative."""
    changes = []
    for position in range(1, count + 1):
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        cell = KpiCell(day, *(rng.choice(VALUES[d]) for d in DIMENSIONS))
        recorded = datetime.combine(day, datetime.min.time(), REPORTING_ZONE) + timedelta(
            minutes=rng.randrange(10 * 24 * 60)
        )
        values = tuple(rng.choice((-1, 0, 1, 1, 2, 30)) for _ in MEASURES)
        changes.append(KpiChange(position, recorded, cell, values))
    return changes


def random_query(rng: random.Random) -> KpiQuery:
    start = FIRST_DAY + timedelta(days=rng.randrange(-3, DAYS))
    end = start + timedelta(days=rng.randrange(0, 20))
    group_by = tuple(d for d in DIMENSIONS if rng.random() < 0.4)
    filters = {d: rng.choice(VALUES[d]) for d in DIMENSIONS if rng.random() < 0.2}
    as_of = rng.choice(
        (
            None,
            datetime.combine(start, datetime.min.time(), REPORTING_ZONE)
            + timedelta(hours=rng.randrange(600)),
        )
    )
    return KpiQuery(rng.choice(PERIODS), start, end, group_by, filters, as_of)


def answer(rows: list[KpiRow]) -> list[tuple[str, list[tuple[str, str]], dict[str, int]]]:
    """Rows in a collation-free order (PostgreSQL may order text unlike Python)."""
    return sorted((r.period, sorted(r.dimensions.items()), r.sums) for r in rows)


STORES = ["sqlite_store_env", pytest.param("postgres_env", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORES)
def env(request: pytest.FixtureRequest) -> dict[str, str]:
    found: dict[str, str] = request.getfixturevalue(request.param)
    return found


@pytest.fixture
def dialect(env: dict[str, str]) -> Iterator[Dialect]:
    ledger = ServiceLedger(env=env)
    found = dialect_for(ledger)
    assert found is not None
    yield found
    ledger.close()


def load(views: Sequence[KpiView], changes: list[KpiChange]) -> None:
    for batch, start in enumerate(range(0, len(changes), 100), start=1):
        for view in views:
            view.apply([], changes[start : start + 100], Tracking("kpis", batch))


def test_every_query_path_answers_as_the_change_log_summed(dialect: Dialect) -> None:
    sql, memory = SqlKpiView(dialect), MemoryKpiView()
    rng = random.Random(2026)
    load((sql, memory), random_changes(rng, 600))
    queries = [random_query(rng) for _ in range(150)]
    differing = [q for q in queries if answer(sql.query(q)) != answer(memory.query(q))]
    assert differing == []
    assert sum(bool(memory.query(q)) for q in queries) > 100, "most queries find something"
    paths = {(q.as_of is None, "engineer_id" in (*q.group_by, *(q.filters or {}))) for q in queries}
    assert len(paths) == 4


def test_the_coarse_sums_migration_fills_them_from_the_sums_already_kept(
    env: dict[str, str], dialect: Dialect
) -> None:
    view = SqlKpiView(dialect)
    load((view,), random_changes(random.Random(7), 300))
    coarse = ("kpi_daily_coarse", "kpi_monthly_coarse")
    kept = {table: rows(view, table) for table in coarse}
    with dialect.transaction(commit=True) as cursor:
        for table in coarse:
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute("DROP INDEX kpi_daily_by_engineer")
        cursor.execute("DELETE FROM schema_migrations WHERE version = '0007_kpi_coarse_sums'")
    assert migrate(env) == ["0007_kpi_coarse_sums"]
    assert {table: rows(view, table) for table in coarse} == kept
    assert all(kept.values())


def rows(view: SqlKpiView, table: str) -> list[dict[str, object]]:
    return [dict(row) for row in view.fetch(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4", [])]
