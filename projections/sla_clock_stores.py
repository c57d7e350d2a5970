"""SLA clock rows in memory, SQLite or PostgreSQL (table `sla_clocks`, owned by migrations)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Tracking

from projections.memory import MemoryView
from projections.sla_clocks import ClockRow, SlaClockView
from projections.sql import Dialect, SqlView

COLUMNS = tuple(f.name for f in fields(ClockRow))
TIMES = ("started_at", "due_at", "stopped_at")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM sla_clocks"
INSERT = f"INSERT INTO sla_clocks ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"


class SqlSlaClockView(SqlView, SlaClockView):
    """Clock rows keyed by ticket and target; a ticket's rows are deleted and written again."""

    tables = ("sla_clocks",)

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "sla_clocks")

    def replace(self, rows: Mapping[str, Sequence[ClockRow]], tracking: Tracking) -> None:
        with self.dialect.derived_write() as cursor:
            if rows:
                delete = self.dialect.sql("DELETE FROM sla_clocks WHERE ticket_id = %s")
                cursor.executemany(delete, [(ticket_id,) for ticket_id in rows])
                fresh = [self._params(row) for ticket_rows in rows.values() for row in ticket_rows]
                if fresh:
                    cursor.executemany(self.dialect.sql(INSERT), fresh)
            self.track(cursor, tracking)

    def clocks_of(self, ticket_id: str) -> list[ClockRow]:
        return [
            self._row(r) for r in self.fetch(f"{SELECT} WHERE ticket_id = %s ORDER BY target", [ticket_id])
        ]

    def due_before(
        self, instant: datetime, limit: int, after: tuple[datetime, str, str] | None = None
    ) -> list[ClockRow]:
        page_on = "" if after is None else "AND (due_at, ticket_id, target) > (%s, %s, %s) "
        statement = (
            f"{SELECT} WHERE stopped_at IS NULL AND due_at IS NOT NULL AND due_at <= %s {page_on}"
            "ORDER BY due_at, ticket_id, target LIMIT %s"
        )
        keyset = [] if after is None else [self.dialect.time_in(after[0]), after[1], after[2]]
        return [self._row(r) for r in self.fetch(statement, [self.dialect.time_in(instant), *keyset, limit])]

    def all_rows(self) -> list[ClockRow]:
        return [self._row(r) for r in self.fetch(f"{SELECT} ORDER BY ticket_id, target", [])]

    def _params(self, row: ClockRow) -> tuple[Any, ...]:
        return tuple(
            self.dialect.time_in(getattr(row, c)) if c in TIMES else getattr(row, c) for c in COLUMNS
        )

    def _row(self, record: Any) -> ClockRow:
        values = {c: record[c] for c in COLUMNS}
        for column in TIMES:
            values[column] = self.dialect.time_out(values[column])
        values["escalates"] = bool(values["escalates"])
        return ClockRow(**values)


class MemorySlaClockView(MemoryView, SlaClockView):
    """Clock rows in a dict keyed by ticket."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[ClockRow]] = {}

    def clear_rows(self) -> None:
        self.rows.clear()

    def replace(self, rows: Mapping[str, Sequence[ClockRow]], tracking: Tracking) -> None:
        with self.writing(tracking):
            self.rows.update({ticket_id: list(ticket_rows) for ticket_id, ticket_rows in rows.items()})

    def clocks_of(self, ticket_id: str) -> list[ClockRow]:
        with self.lock:
            return sorted(self.rows.get(ticket_id, []), key=lambda r: r.target)

    def due_before(
        self, instant: datetime, limit: int, after: tuple[datetime, str, str] | None = None
    ) -> list[ClockRow]:
        with self.lock:
            running = [
                (r.due_at, r.ticket_id, r.target, r)
                for rows in self.rows.values()
                for r in rows
                if r.stopped_at is None and r.due_at is not None and r.due_at <= instant
            ]
        ordered = sorted((k for k in running if after is None or k[:3] > after), key=lambda k: k[:3])
        return [k[3] for k in ordered[:limit]]

    def all_rows(self) -> list[ClockRow]:
        with self.lock:
            return sorted(
                (r for rows in self.rows.values() for r in rows), key=lambda r: (r.ticket_id, r.target)
            )
