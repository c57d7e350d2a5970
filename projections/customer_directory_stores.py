"""The customer directory in memory, SQLite or PostgreSQL (`customer_directory`, migration 0014)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields
from typing import Any

from eventsourcing.persistence import Tracking

from projections.customer_directory import CustomerDirectoryView, CustomerRow
from projections.memory import MemoryView
from projections.sql import Dialect, SqlView

COLUMNS = tuple(f.name for f in fields(CustomerRow))
TIMES = ("registered_at", "updated_at", "forgotten_at")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM customer_directory"
UPSERT = (
    f"INSERT INTO customer_directory ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
    "ON CONFLICT (customer_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "customer_id")
)


class MemoryCustomerDirectory(MemoryView, CustomerDirectoryView):
    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, CustomerRow] = {}

    def rows_for(self, entry_ids: Collection[str]) -> dict[str, CustomerRow]:
        with self.lock:
            return {row.entry_id: row for row in self.rows.values() if row.entry_id in entry_ids}

    def save(self, rows: Sequence[CustomerRow], tracking: Tracking) -> None:
        with self.writing(tracking):
            self.rows.update((row.customer_id, row) for row in rows)

    def customers(self, after: str | None, limit: int) -> list[CustomerRow]:
        with self.lock:
            found = sorted(c for c in self.rows if after is None or c > after)[:limit]
            return [self.rows[c] for c in found]

    def clear_rows(self) -> None:
        self.rows.clear()


class SqlCustomerDirectory(SqlView, CustomerDirectoryView):
    tables = ("customer_directory",)

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "customer_directory")

    def rows_for(self, entry_ids: Collection[str]) -> dict[str, CustomerRow]:
        rows = (self._row(record) for record in self.fetch_in(SELECT, "entry_id", entry_ids))
        return {row.entry_id: row for row in rows}

    def save(self, rows: Sequence[CustomerRow], tracking: Tracking) -> None:
        with self.dialect.derived_write() as cursor:
            if rows:
                cursor.executemany(self.dialect.sql(UPSERT), [self._params(row) for row in rows])
            self.track(cursor, tracking)

    def customers(self, after: str | None, limit: int) -> list[CustomerRow]:
        where = "" if after is None else " WHERE customer_id > %s"
        params = [limit] if after is None else [after, limit]
        return [self._row(r) for r in self.fetch(f"{SELECT}{where} ORDER BY customer_id LIMIT %s", params)]

    def _params(self, row: CustomerRow) -> tuple[Any, ...]:
        values = {name: getattr(row, name) for name in COLUMNS}
        return tuple(self.dialect.time_in(v) if k in TIMES else v for k, v in values.items())

    def _row(self, record: Any) -> CustomerRow:
        values = {name: record[name] for name in COLUMNS}
        for name in TIMES:
            values[name] = self.dialect.time_out(values[name])
        return CustomerRow(**values)
