"""Stock on hand on SQLite or PostgreSQL (tables owned by migrations; amounts in whole hundredths):

- `stock_levels`: each item's current row; `stock_level_versions`: every row it has had;
- `stock_movements`: every movement, by log position;
- `stock_part_totals` and `stock_location_totals`: the current rows added up by part, or by
  location, and whether below safety stock, so that totals never read every row.

Totals as of a past time T are the current totals, less the current rows changed since T, plus
the versions of those rows valid at T: the work grows with the changes since T, not with the stock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from eventsourcing.persistence import Tracking

from domain.money import cents, from_cents
from projections.sql import Dialect, SqlView
from projections.sql_rows import Codec, VersionedTables, clause
from projections.stock_levels import SUMMED, Item, StockFilter, StockQuery, StockRow, StockTotals, StockView
from projections.stock_movements import MovementQuery, MovementRow

STOCK = Codec(
    StockRow,
    times=frozenset({"recorded_at"}),
    money=frozenset({"in_transit_value", "value", "unit_cost"}),
    flags=frozenset({"below_safety", "flagged"}),
)
MOVEMENT = Codec(
    MovementRow,
    times=frozenset({"occurred_at", "recorded_at"}),
    money=frozenset({"value", "unit_cost_after"}),
    flags=frozenset({"chargeable"}),
)
SUMS_BY = {"stock_part_totals": "part_number", "stock_location_totals": "location_id"}
"""Each totals table and the column it adds rows up by (with below_safety)."""
COUNTED = ("items", *SUMMED)


def cells(table: str, pairs: Iterable[tuple[StockRow | None, StockRow]]) -> dict[tuple[Any, ...], list[int]]:
    """What to add to each cell of a totals table to go from the old rows to the new."""
    by = SUMS_BY[table]
    sums: dict[tuple[Any, ...], list[int]] = {}
    for old, new in pairs:
        for row, sign in ((old, -1), (new, 1)):
            if row is not None:
                cell = sums.setdefault((getattr(row, by), row.below_safety), [0] * len(COUNTED))
                for index, value in enumerate((1, *(counted(row, s) for s in SUMMED))):
                    cell[index] += sign * value
    return {key: values for key, values in sums.items() if any(values)}


def counted(row: StockRow, name: str) -> int:
    value = getattr(row, name)
    return cents(value) if "value" in name else int(value)


class SqlStockView(SqlView, StockView):
    """Rows, versions, movements and totals written per batch with the tracking record."""

    tables = ("stock_levels", "stock_level_versions", "stock_movements", *SUMS_BY)

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "stock")
        self.items = VersionedTables(
            dialect, STOCK, "stock_levels", "stock_level_versions", ("part_number", "location_id")
        )

    def rows_for(self, items: Collection[Item]) -> dict[Item, StockRow]:
        with self.dialect.transaction(commit=False) as cursor:
            return {(k[0], k[1]): row for k, row in self.items.rows_for(cursor, items).items()}

    def apply(
        self, changes: Sequence[StockRow], movements: Sequence[MovementRow], tracking: Tracking
    ) -> None:
        sql = self.dialect.sql
        with self.dialect.derived_write() as cursor:
            self.track(cursor, tracking)  # first: a position taken in already writes nothing
            if changes:
                before = self.items.write(cursor, changes)
                latest = {row.key: row for row in changes}
                pairs = [(before.get(key), row) for key, row in latest.items()]
                for table in SUMS_BY:
                    self._add(cursor, table, cells(table, pairs))
            if movements:
                marks = ", ".join(["%s"] * len(MOVEMENT.columns))
                statement = f"INSERT INTO stock_movements ({MOVEMENT.selected}) VALUES ({marks})"
                cursor.executemany(sql(statement), [MOVEMENT.params(self.dialect, m) for m in movements])

    def rows(self, query: StockQuery) -> list[StockRow]:
        source, conditions, params = self.items.source(query.where.as_of)
        more, values = self._conditions(query.where)
        conditions += more
        params += values
        if query.after is not None:
            # The first condition lets an index on (location_id, part_number) seek too.
            conditions.append("part_number >= %s AND (part_number, location_id) > (%s, %s)")
            params += [query.after[0], *query.after]
        statement = (
            f"SELECT {STOCK.selected} FROM {source}{clause(conditions)} "
            "ORDER BY part_number, location_id LIMIT %s"
        )
        return [STOCK.row(self.dialect, r) for r in self.fetch(statement, [*params, query.limit])]

    def totals(self, where: StockFilter) -> StockTotals:
        summed = ", ".join(f"CAST(SUM({c}) AS BIGINT) AS {c}" for c in COUNTED)
        known, params = self._summable(where)
        (record,) = self.fetch(f"SELECT {summed} FROM ({known}) AS known", params)
        sums = {c: int(record[c] or 0) for c in COUNTED}
        return StockTotals(
            items=sums["items"],
            on_hand=sums["on_hand"],
            reserved=sums["reserved"],
            in_transit=sums["in_transit"],
            in_transit_value=from_cents(sums["in_transit_value"]),
            value=from_cents(sums["value"]),
        )

    def movements(self, query: MovementQuery) -> list[MovementRow]:
        conditions: list[str] = ["part_number = %s"]
        params: list[Any] = [query.part_number]
        for condition, value in (
            ("location_id = %s", query.location_id),
            ("recorded_at <= %s", self.dialect.time_in(query.as_of)),
            ("position > %s", query.after),
        ):
            if value is not None:
                conditions.append(condition)
                params.append(value)
        statement = (
            f"SELECT {MOVEMENT.selected} FROM stock_movements{clause(conditions)} ORDER BY position LIMIT %s"
        )
        return [MOVEMENT.row(self.dialect, r) for r in self.fetch(statement, [*params, query.limit])]

    def all_rows(self) -> tuple[list[StockRow], list[MovementRow]]:
        with self.dialect.transaction(commit=False) as cursor:
            rows = self.items.all_rows(cursor)
            cursor.execute(f"SELECT {MOVEMENT.selected} FROM stock_movements ORDER BY position")
            return rows, [MOVEMENT.row(self.dialect, r) for r in cursor.fetchall()]

    def _summable(self, where: StockFilter) -> tuple[str, list[Any]]:
        """What the filter's totals add up: the totals table (or the rows) that answers it, and as
        of a past time, less the rows changed since then, plus their versions valid then."""
        conditions, params = self._conditions(where)
        columns = ", ".join(SUMMED)
        if where.part_number is not None and where.location_id is not None:
            parts = [f"SELECT 1 AS items, {columns} FROM stock_levels{clause(conditions)}"]
        else:
            table = "stock_location_totals" if where.part_number is None else "stock_part_totals"
            parts = [f"SELECT items, {columns} FROM {table}{clause(conditions)}"]
        all_params = list(params)
        if where.as_of is not None:
            negated = ", ".join(f"-{c}" for c in SUMMED)
            parts.append(f"SELECT -1, {negated} FROM stock_levels{clause(['recorded_at > %s', *conditions])}")
            valid, at = self.items.in_flight(where.as_of)
            parts.append(f"SELECT 1, {columns} FROM stock_level_versions{clause([*valid, *conditions])}")
            all_params += [self.dialect.time_in(where.as_of), *params, *at, *params]
        return " UNION ALL ".join(parts), all_params

    def _conditions(self, where: StockFilter) -> tuple[list[str], list[Any]]:
        conditions: list[str] = []
        params: list[Any] = []
        for column in ("part_number", "location_id"):
            value = getattr(where, column)
            if value is not None:
                conditions.append(f"{column} = %s")
                params.append(value)
        if where.below_safety is not None:
            # Spelled out, not a parameter, so that a plan can use the partial indexes.
            conditions.append("below_safety" if where.below_safety else "NOT below_safety")
        return conditions, params

    def _add(self, cursor: Any, table: str, sums: dict[tuple[Any, ...], list[int]]) -> None:
        if not sums:
            return
        keys = (SUMS_BY[table], "below_safety")
        columns = ", ".join([*keys, *COUNTED])
        statement = (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(keys) + len(COUNTED)))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTED)
        )
        cursor.executemany(self.dialect.sql(statement), [(*key, *values) for key, values in sums.items()])
