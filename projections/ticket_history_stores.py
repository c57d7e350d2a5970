"""Ticket history in memory, SQLite or PostgreSQL (table `ticket_history`, owned by migrations)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking

from projections.memory import MemoryView
from projections.sql import Dialect, SqlView
from projections.ticket_history import HistoryPage, HistoryRow, TicketHistoryView

COLUMNS = (
    "ticket_id",
    "version",
    "position",
    "event_type",
    "recorded_at",
    "occurred_at",
    "actor_id",
    "actor_role",
    "data",
)
SELECT = f"SELECT {', '.join(COLUMNS)} FROM ticket_history"
INSERT = f"INSERT INTO ticket_history ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"


class SqlTicketHistoryView(SqlView, TicketHistoryView):
    """History rows inserted per batch with the tracking record; the key refuses duplicates."""

    tables = ("ticket_history",)

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "ticket_history")

    def append(self, rows: Sequence[HistoryRow], tracking: Tracking) -> None:
        with self.dialect.derived_write() as cursor:
            if rows:
                cursor.executemany(self.dialect.sql(INSERT), [self._params(r) for r in rows])
            self.track(cursor, tracking)

    def history(self, ticket_id: str, limit: int, offset: int) -> HistoryPage:
        count = self.fetch("SELECT COUNT(*) AS n FROM ticket_history WHERE ticket_id = %s", [ticket_id])
        records = self.fetch(
            f"{SELECT} WHERE ticket_id = %s ORDER BY position LIMIT %s OFFSET %s", [ticket_id, limit, offset]
        )
        return HistoryPage(rows=[self._row(r) for r in records], total=int(count[0]["n"]))

    def all_rows(self) -> list[HistoryRow]:
        return [self._row(r) for r in self.fetch(f"{SELECT} ORDER BY position", [])]

    def _params(self, row: HistoryRow) -> tuple[Any, ...]:
        time_in = self.dialect.time_in
        return (
            row.ticket_id,
            row.version,
            row.position,
            row.event_type,
            time_in(row.recorded_at),
            time_in(row.occurred_at),
            row.actor_id,
            row.actor_role,
            json.dumps(row.data, sort_keys=True, ensure_ascii=False),
        )

    def _row(self, record: Any) -> HistoryRow:
        recorded_at = self.dialect.time_out(record["recorded_at"])
        occurred_at = self.dialect.time_out(record["occurred_at"])
        assert recorded_at is not None
        assert occurred_at is not None
        return HistoryRow(
            ticket_id=record["ticket_id"],
            version=int(record["version"]),
            position=int(record["position"]),
            event_type=record["event_type"],
            recorded_at=recorded_at,
            occurred_at=occurred_at,
            actor_id=record["actor_id"],
            actor_role=record["actor_role"],
            data=json.loads(record["data"]),
        )


class MemoryTicketHistoryView(MemoryView, TicketHistoryView):
    """History rows in a list, in log order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HistoryRow] = []
        self.positions_taken: set[int] = set()

    def clear_rows(self) -> None:
        self.rows.clear()
        self.positions_taken.clear()

    def append(self, rows: Sequence[HistoryRow], tracking: Tracking) -> None:
        with self.lock:
            if any(r.position in self.positions_taken for r in rows):
                msg = "a history row for that log position already exists"
                raise IntegrityError(msg)
            with self.writing(tracking):
                self.rows.extend(rows)
                self.positions_taken.update(r.position for r in rows)

    def history(self, ticket_id: str, limit: int, offset: int) -> HistoryPage:
        with self.lock:
            mine = sorted((r for r in self.rows if r.ticket_id == ticket_id), key=lambda r: r.position)
        return HistoryPage(rows=mine[offset : offset + limit], total=len(mine))

    def all_rows(self) -> list[HistoryRow]:
        with self.lock:
            return sorted(self.rows, key=lambda r: r.position)
