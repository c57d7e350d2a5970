"""The penalty ledger on SQLite or PostgreSQL (tables owned by migrations; amounts, in money or in
points, stored as whole hundredths so that sums are exact):

- `penalty_lines`: each line's current row;
- `penalty_line_versions`: every row a line has had, valid from its `recorded_at` until the next
  one's (`superseded_at`, empty while current).

Totals are added up by the database, grouped by party or rule, period and measure: now from the
current rows, as of a past time T from each line's version valid at T (its latest recorded by T).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import Tracking

from projections.penalty_ledger import (
    GROUPINGS,
    Grouping,
    PenaltyFilter,
    PenaltyLedgerView,
    PenaltyQuery,
    PenaltyRow,
    PenaltyTotals,
)
from projections.sql import Dialect, SqlView
from projections.sql_rows import Codec, VersionedTables, clause

SUMMED = ("assessed", "waived", "reversed", "settled")
PENALTY = Codec(
    PenaltyRow,
    times=frozenset({"occurred_at", "recorded_at"}),
    money=frozenset(SUMMED),
    flags=frozenset({"disputed"}),
)
FILTERED = ("party", "period", "rule", "schedule", "measure")
"""The filter's fields, each a column of the same name."""


def hundredths(value: Any) -> Decimal:
    """Whole hundredths as an amount with two decimals, as `domain.money.from_cents` gives it, at
    less than half the cost: the totals of a period bring thousands of sums."""
    return Decimal(int(value)).scaleb(-2)


class SqlPenaltyLedgerView(SqlView, PenaltyLedgerView):
    """Rows and versions written per batch with the tracking record."""

    tables = ("penalty_lines", "penalty_line_versions")

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "penalties")
        self.lines = VersionedTables(dialect, PENALTY, "penalty_lines", "penalty_line_versions", ("key",))

    def rows_for(self, keys: Collection[str]) -> dict[str, PenaltyRow]:
        with self.dialect.transaction(commit=False) as cursor:
            return {row.key: row for row in self.lines.rows_for(cursor, [(k,) for k in keys]).values()}

    def apply(self, changes: Sequence[PenaltyRow], tracking: Tracking) -> None:
        with self.dialect.derived_write() as cursor:
            self.track(cursor, tracking)  # first: a position taken in already writes nothing
            if changes:
                self.lines.write(cursor, changes)

    def rows(self, query: PenaltyQuery) -> list[PenaltyRow]:
        source, conditions, params = self._known(query.where)
        if query.status is not None:
            conditions.append("status = %s")
            params.append(query.status)
        if query.after is not None:
            conditions.append("key > %s")
            params.append(query.after)
        statement = f"SELECT {PENALTY.selected} FROM {source}{clause(conditions)} ORDER BY key LIMIT %s"
        return [PENALTY.row(self.dialect, r) for r in self.fetch(statement, [*params, query.limit])]

    def totals(self, where: PenaltyFilter, by: Grouping) -> list[PenaltyTotals]:
        if by not in GROUPINGS:
            raise ValueError(f"totals are by {' or '.join(GROUPINGS)}, not {by!r}")
        source, conditions, params = self._known(where)
        sums = ", ".join(f"CAST(SUM({c}) AS BIGINT) AS {c}" for c in SUMMED)
        grouped = f"{by}, period, measure"
        statement = (
            f"SELECT {by} AS grouped, period, measure, COUNT(*) AS lines, {sums} "
            f"FROM {source}{clause(conditions)} GROUP BY {grouped} ORDER BY {grouped}"
        )
        return [
            PenaltyTotals.of(
                (r["grouped"], r["period"], r["measure"]),
                int(r["lines"]),
                [hundredths(r[c]) for c in SUMMED],
            )
            for r in self.fetch(statement, params)
        ]

    def all_rows(self) -> list[PenaltyRow]:
        with self.dialect.transaction(commit=False) as cursor:
            return self.lines.all_rows(cursor)

    def _known(self, where: PenaltyFilter) -> tuple[str, list[str], list[Any]]:
        """The table the filter's lines are read from, as of its time, and the conditions (with
        their parameters) that pick them."""
        source, conditions, params = self.lines.source(where.as_of)
        for column in FILTERED:
            value = getattr(where, column)
            if value is not None:
                conditions.append(f"{column} = %s")
                params.append(value)
        return source, conditions, params
