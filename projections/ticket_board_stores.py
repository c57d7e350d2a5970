"""The ticket board in memory, SQLite or PostgreSQL (table `ticket_board`, owned by migrations)."""

from __future__ import annotations

import copy
import json
from collections.abc import Collection, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Tracking

from projections.memory import MemoryView
from projections.sql import Dialect, SqlView
from projections.ticket_board import SORT_KEYS, BoardPage, BoardQuery, BoardRow, TicketBoardView

COLUMNS = tuple(f.name for f in fields(BoardRow))
TIMES = frozenset(f.name for f in fields(BoardRow) if "datetime" in str(f.type))
UPSERT = (
    f"INSERT INTO ticket_board ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
    "ON CONFLICT (ticket_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "ticket_id")
)
SELECT = f"SELECT {', '.join(COLUMNS)} FROM ticket_board"


class SqlTicketBoardView(SqlView, TicketBoardView):
    """Board rows in one table, upserted per batch with the tracking record."""

    tables = ("ticket_board",)

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "ticket_board")

    def rows_for(self, ticket_ids: Collection[str]) -> dict[str, BoardRow]:
        rows = (self._row(record) for record in self.fetch_in(SELECT, "ticket_id", ticket_ids))
        return {row.ticket_id: row for row in rows}

    def save(self, rows: Sequence[BoardRow], tracking: Tracking) -> None:
        with self.dialect.derived_write() as cursor:
            if rows:
                cursor.executemany(self.dialect.sql(UPSERT), [self._params(row) for row in rows])
            self.track(cursor, tracking)

    def get(self, ticket_id: str) -> BoardRow | None:
        records = self.fetch(f"{SELECT} WHERE ticket_id = %s", [ticket_id])
        return self._row(records[0]) if records else None

    def search(self, query: BoardQuery) -> BoardPage:
        where, params = self._where(query)
        total = int(self.fetch(f"SELECT COUNT(*) AS n FROM ticket_board{where}", params)[0]["n"])
        sort = query.sort if query.sort in SORT_KEYS else "reported_at"
        direction = "ASC" if query.direction == "asc" else "DESC"
        statement = f"{SELECT}{where} ORDER BY {sort} {direction}, ticket_id {direction} LIMIT %s OFFSET %s"
        records = self.fetch(statement, [*params, query.limit, query.offset])
        return BoardPage(rows=[self._row(r) for r in records], total=total)

    def all_rows(self) -> list[BoardRow]:
        return [self._row(r) for r in self.fetch(f"{SELECT} ORDER BY ticket_id", [])]

    def _where(self, query: BoardQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.statuses:
            clauses.append(f"status IN ({', '.join(['%s'] * len(query.statuses))})")
            params.extend(query.statuses)
        for column in ("severity", "customer_id", "site_id", "engineer_id"):
            value = getattr(query, column)
            if value is not None:
                clauses.append(f"{column} = %s")
                params.append(value)
        if query.opened_from is not None:
            clauses.append("reported_at >= %s")
            params.append(self.dialect.time_in(query.opened_from))
        if query.opened_to is not None:
            clauses.append("reported_at < %s")
            params.append(self.dialect.time_in(query.opened_to))
        return ((" WHERE " + " AND ".join(clauses)) if clauses else ""), params

    def _params(self, row: BoardRow) -> tuple[Any, ...]:
        values: list[Any] = []
        for column in COLUMNS:
            value = getattr(row, column)
            if column in TIMES:
                value = self.dialect.time_in(value)
            elif column == "milestone_versions":
                value = json.dumps(value, sort_keys=True)
            values.append(value)
        return tuple(values)

    def _row(self, record: Any) -> BoardRow:
        values: dict[str, Any] = {column: record[column] for column in COLUMNS}
        for column in TIMES:
            values[column] = self.dialect.time_out(values[column])
        values["milestone_versions"] = json.loads(values["milestone_versions"])
        if values["fixed_first_time"] is not None:
            values["fixed_first_time"] = bool(values["fixed_first_time"])
        return BoardRow(**values)


class MemoryTicketBoardView(MemoryView, TicketBoardView):
    """Board rows in a dict keyed by ticket id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, BoardRow] = {}

    def clear_rows(self) -> None:
        self.rows.clear()

    def rows_for(self, ticket_ids: Collection[str]) -> dict[str, BoardRow]:
        with self.lock:
            return {i: copy.deepcopy(self.rows[i]) for i in ticket_ids if i in self.rows}

    def save(self, rows: Sequence[BoardRow], tracking: Tracking) -> None:
        with self.writing(tracking):
            for row in rows:
                self.rows[row.ticket_id] = copy.deepcopy(row)

    def get(self, ticket_id: str) -> BoardRow | None:
        with self.lock:
            row = self.rows.get(ticket_id)
            return None if row is None else copy.deepcopy(row)

    def search(self, query: BoardQuery) -> BoardPage:
        with self.lock:
            matches = [copy.deepcopy(r) for r in self.rows.values() if matches_query(r, query)]
        sort = query.sort if query.sort in SORT_KEYS else "reported_at"
        reverse = query.direction == "desc"
        matches.sort(key=lambda r: (getattr(r, sort), r.ticket_id), reverse=reverse)
        return BoardPage(rows=matches[query.offset : query.offset + query.limit], total=len(matches))

    def all_rows(self) -> list[BoardRow]:
        with self.lock:
            return [copy.deepcopy(self.rows[i]) for i in sorted(self.rows)]


def matches_query(row: BoardRow, query: BoardQuery) -> bool:
    if query.statuses and row.status not in query.statuses:
        return False
    for column in ("severity", "customer_id", "site_id", "engineer_id"):
        wanted = getattr(query, column)
        if wanted is not None and getattr(row, column) != wanted:
            return False
    return within(row.reported_at, query.opened_from, query.opened_to)


def within(instant: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or instant >= start) and (end is None or instant < end)
