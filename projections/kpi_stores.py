"""KPI tables in memory, SQLite or PostgreSQL: facts, sums per day and month (also without the
engineer), and the change log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from eventsourcing.persistence import Tracking

from projections.kpis import (
    DIMENSIONS,
    MEASURES,
    REPORTING_ZONE,
    KpiCell,
    KpiChange,
    KpiFact,
    KpiQuery,
    KpiRow,
    KpiView,
)
from projections.memory import MemoryView
from projections.sql import Cursor, Dialect, SqlView

KEYS = ", ".join(DIMENSIONS)
SUMS = ", ".join(MEASURES)
COARSE = tuple(d for d in DIMENSIONS if d != "engineer_id")
"""The dimensions of the coarse sums: every one but the engineer, which multiplies cells."""
ADD = ", ".join(f"{m} = {{table}}.{m} + excluded.{m}" for m in MEASURES)


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def summed(
    changes: Iterable[KpiChange], period: str, dimensions: Sequence[str] = DIMENSIONS
) -> dict[tuple[str, ...], list[int]]:
    """Changes added up per period (day, month, or '' for a total) and the dimensions named."""
    sums: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    for change in changes:
        key = (period_of(change.cell, period), *(getattr(change.cell, d) for d in dimensions))
        totals = sums[key]
        for index, value in enumerate(change.values):
            totals[index] += value
    return sums


def period_of(cell: KpiCell, period: str) -> str:
    return {"day": cell.day.isoformat(), "month": cell.month}.get(period, "")


def month_bounds(query: KpiQuery) -> tuple[str, str]:
    return query.start.strftime("%Y-%m"), query.end.strftime("%Y-%m")


def period_end(query: KpiQuery) -> datetime:
    """When the last report day the query covers ends (its month's last day, by month)."""
    last = query.end
    if query.period == "month":
        last = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return datetime.combine(last + timedelta(days=1), time(), REPORTING_ZONE)


class SqlKpiView(SqlView, KpiView):
    """Facts replaced per ticket; sums added to per cell; changes appended, all per batch."""

    tables = (
        "kpi_facts",
        "kpi_daily",
        "kpi_monthly",
        "kpi_daily_coarse",
        "kpi_monthly_coarse",
        "kpi_changes",
    )

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "kpis")

    def facts(self, ticket_ids: Sequence[str]) -> dict[str, KpiFact]:
        rows = self.fetch_in(f"SELECT ticket_id, day, {KEYS}, {SUMS} FROM kpi_facts", "ticket_id", ticket_ids)
        return {row["ticket_id"]: self._fact(row) for row in rows}

    def all_rows(self) -> list[KpiFact]:
        rows = self.fetch(f"SELECT ticket_id, day, {KEYS}, {SUMS} FROM kpi_facts ORDER BY ticket_id", [])
        return [self._fact(row) for row in rows]

    def _fact(self, row: Any) -> KpiFact:
        cell = KpiCell(self._day_out(row["day"]), *(row[d] for d in DIMENSIONS))
        return KpiFact(row["ticket_id"], cell, tuple(int(row[m]) for m in MEASURES))

    def apply(self, facts: Sequence[KpiFact], changes: Sequence[KpiChange], tracking: Tracking) -> None:
        sql = self.dialect.sql
        with self.dialect.derived_write() as cursor:
            if facts:
                cursor.executemany(
                    sql(
                        f"INSERT INTO kpi_facts (ticket_id, day, {KEYS}, {SUMS}) "
                        f"VALUES ({placeholders(2 + len(DIMENSIONS) + len(MEASURES))}) "
                        f"ON CONFLICT (ticket_id) DO UPDATE SET day = excluded.day, "
                        + ", ".join(f"{c} = excluded.{c}" for c in (*DIMENSIONS, *MEASURES))
                    ),
                    [(f.ticket_id, self._day_in(f.cell.day), *self._cell(f.cell), *f.values) for f in facts],
                )
            if changes:
                for table, column in (("kpi_daily", "day"), ("kpi_monthly", "month")):
                    self._add(cursor, table, column, DIMENSIONS, summed(changes, column))
                    self._add(cursor, f"{table}_coarse", column, COARSE, summed(changes, column, COARSE))
                cursor.executemany(
                    sql(
                        f"INSERT INTO kpi_changes (position, recorded_at, day, month, {KEYS}, {SUMS}) "
                        f"VALUES ({placeholders(4 + len(DIMENSIONS) + len(MEASURES))})"
                    ),
                    [
                        (
                            c.position,
                            self.dialect.time_in(c.recorded_at),
                            self._day_in(c.cell.day),
                            c.cell.month,
                            *self._cell(c.cell),
                            *c.values,
                        )
                        for c in changes
                    ],
                )
            self.track(cursor, tracking)

    def _add(
        self,
        cursor: Cursor,
        table: str,
        column: str,
        dimensions: Sequence[str],
        sums: dict[tuple[str, ...], list[int]],
    ) -> None:
        keys = ", ".join(dimensions)
        statement = (
            f"INSERT INTO {table} ({column}, {keys}, {SUMS}) "
            f"VALUES ({placeholders(1 + len(dimensions) + len(MEASURES))}) "
            f"ON CONFLICT ({column}, {keys}) DO UPDATE SET {ADD.format(table=table)}"
        )
        rows = [
            (self._day_in(date.fromisoformat(key[0])) if column == "day" else key[0], *key[1:], *values)
            for key, values in sums.items()
        ]
        cursor.executemany(self.dialect.sql(statement), rows)

    def query(self, query: KpiQuery) -> list[KpiRow]:
        groups = [d for d in DIMENSIONS if d in query.group_by]
        column = "month" if query.period == "month" else "day"
        where, params = self._where(query, column)
        keys = [column] if query.period != "total" else []
        keys += groups
        source, params = self._source(query, column, groups, where, params)
        select_keys = "".join(f"{k}, " for k in keys)
        group = f" GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}" if keys else ""
        sums = ", ".join(f"CAST(SUM({m}) AS BIGINT) AS {m}" for m in MEASURES)
        rows = self.fetch(f"SELECT {select_keys}{sums} FROM {source}{group}", params)
        return [
            KpiRow(
                period="" if query.period == "total" else self._period_out(row[column]),
                dimensions={g: row[g] for g in groups},
                sums={m: int(row[m] or 0) for m in MEASURES},
            )
            for row in rows
            if any(row[m] for m in MEASURES)
        ]

    def _where(self, query: KpiQuery, column: str) -> tuple[str, list[Any]]:
        """The period's bounds and the filters, as a condition and its parameters."""
        if column == "month":
            params: list[Any] = list(month_bounds(query))
        else:
            params = [self._day_in(query.start), self._day_in(query.end)]
        where = [f"{column} BETWEEN %s AND %s"]
        for dimension, value in sorted((query.filters or {}).items()):
            where.append(f"{dimension} = %s")
            params.append(value)
        return " AND ".join(where), params

    def _source(
        self, query: KpiQuery, column: str, groups: list[str], where: str, params: list[Any]
    ) -> tuple[str, list[Any]]:
        """What to sum. Without an engineer in the query, the coarse sums (no engineer dimension).
        As of a time before the period ends: the change log up to it. As of a later time: the
        current sums minus the changes recorded after it, which are few."""
        coarse = "engineer_id" not in (*groups, *(query.filters or {}))
        sums = ("kpi_monthly" if column == "month" else "kpi_daily") + ("_coarse" if coarse else "")
        if query.as_of is None:
            return f"{sums} WHERE {where}", params
        as_of = self.dialect.time_in(query.as_of)
        if query.as_of < period_end(query):
            return f"kpi_changes WHERE {where} AND recorded_at <= %s", [*params, as_of]
        columns = ", ".join([column, *groups])
        negated = ", ".join(f"-{m} AS {m}" for m in MEASURES)
        known = (
            f"SELECT {columns}, {SUMS} FROM {sums} WHERE {where} UNION ALL "
            f"SELECT {columns}, {negated} FROM kpi_changes WHERE {where} AND recorded_at > %s"
        )
        return f"({known}) AS known", [*params, *params, as_of]

    def _cell(self, cell: KpiCell) -> tuple[str, ...]:
        return tuple(getattr(cell, d) for d in DIMENSIONS)

    def _day_in(self, day: date) -> Any:
        return day.isoformat() if self.dialect.name == "sqlite" else day

    def _day_out(self, value: Any) -> date:
        if isinstance(value, str):
            return date.fromisoformat(value)
        assert isinstance(value, date)
        return value

    def _period_out(self, value: Any) -> str:
        return value if isinstance(value, str) else self._day_out(value).isoformat()


class MemoryKpiView(MemoryView, KpiView):
    """Facts in a dict and the change log in a list; queries add the changes up."""

    def __init__(self) -> None:
        super().__init__()
        self.by_ticket: dict[str, KpiFact] = {}
        self.changes: list[KpiChange] = []

    def clear_rows(self) -> None:
        self.by_ticket.clear()
        self.changes.clear()

    def facts(self, ticket_ids: Sequence[str]) -> dict[str, KpiFact]:
        with self.lock:
            return {t: self.by_ticket[t] for t in ticket_ids if t in self.by_ticket}

    def all_rows(self) -> list[KpiFact]:
        with self.lock:
            return [self.by_ticket[t] for t in sorted(self.by_ticket)]

    def apply(self, facts: Sequence[KpiFact], changes: Sequence[KpiChange], tracking: Tracking) -> None:
        with self.writing(tracking):
            self.by_ticket.update((f.ticket_id, f) for f in facts)
            self.changes.extend(changes)

    def query(self, query: KpiQuery) -> list[KpiRow]:
        groups = tuple(d for d in DIMENSIONS if d in query.group_by)
        filters = query.filters or {}
        monthly = query.period == "month"
        first, last = month_bounds(query) if monthly else (query.start.isoformat(), query.end.isoformat())
        with self.lock:
            chosen = [
                c
                for c in self.changes
                if first <= (c.cell.month if monthly else c.cell.day.isoformat()) <= last
                and (query.as_of is None or c.recorded_at <= query.as_of)
                and all(getattr(c.cell, d) == v for d, v in filters.items())
            ]
        totals = summed(chosen, query.period, groups)
        return [
            KpiRow(
                period=key[0],
                dimensions=dict(zip(groups, key[1:], strict=True)),
                sums=dict(zip(MEASURES, values, strict=True)),
            )
            for key, values in sorted(totals.items())
            if any(values)
        ]
