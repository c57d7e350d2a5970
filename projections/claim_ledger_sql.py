"""The claim ledger on SQLite or PostgreSQL (tables owned by migrations; amounts in whole hundredths,
so that sums are exact):

- `claim_rows`: each claim's current row;
- `claim_versions`: every row a claim has had, each valid from its `recorded_at` until the next
  one's (`superseded_at`, empty while current);
- `claim_totals`: the current rows' money summed by period, vendor, kind and currency;
- `claim_outstanding`: the current outstanding amounts summed by vendor, currency, kind, period and
  day of approval, which aging buckets.

Sums as of a past time T are the current sums, less what the claims changed since T add to them
now, plus what they added then (their versions valid at T): the work grows with the changes
recorded after T, not with the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking

from domain.money import cents, from_cents
from projections.claim_ledger import (
    AMOUNTS,
    FIELDS,
    UNCOUNTED,
    Aging,
    ClaimFilter,
    ClaimLedgerView,
    ClaimQuery,
    ClaimRow,
    ClaimTotals,
    cutoffs,
)
from projections.sql import Cursor, Dialect, SqlView

COLUMNS = (*FIELDS, "approved_on")
"""The row's fields, and its day of approval in Asia/Shanghai (which aging compares)."""
TIMES = frozenset({"drafted_at", "submitted_at", "approved_at", "recorded_at"})
MONEY = frozenset({*AMOUNTS, "credit_variance"})
SELECTED = ", ".join(COLUMNS)
UPSERT = (
    f"INSERT INTO claim_rows ({SELECTED}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
    "ON CONFLICT (claim_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
)
APPEND = (
    f"INSERT INTO claim_versions ({SELECTED}, superseded_at) "
    f"VALUES ({', '.join(['%s'] * (len(COLUMNS) + 1))})"
)
SUPERSEDE = "UPDATE claim_versions SET superseded_at = %s WHERE claim_id = %s AND superseded_at IS NULL"
GROUP = ("period", "vendor_id", "kind", "currency")
SUMMED = ("claims", *AMOUNTS)
AGED = ("vendor_id", "currency", "kind", "period", "approved_on")
OWED = ("claims", "outstanding")
EXCEPTION_CONDITIONS = {
    "credit_variance": "credit_variance <> 0",
    "late": "days_late > 0",
    "rejected": "status = 'rejected'",
}
Contribution = tuple[tuple[Any, ...], tuple[int, ...]]
"""The key of the cell of a sums table where a row counts, and what it adds to the cell's sums."""


def totals_cell(row: ClaimRow) -> Contribution | None:
    if not row.counted:
        return None
    key = (row.period, row.vendor_id, row.kind, row.currency)
    return key, (1, *(cents(getattr(row, a)) for a in AMOUNTS))


def owed_cell(row: ClaimRow) -> Contribution | None:
    if row.outstanding == 0:
        return None
    key = (row.vendor_id, row.currency, row.kind, row.period, row.approved_on)
    return key, (1, cents(row.outstanding))


def differences(
    pairs: Iterable[tuple[ClaimRow | None, ClaimRow]], cell: Callable[[ClaimRow], Contribution | None]
) -> dict[tuple[Any, ...], list[int]]:
    """What to add to each cell of a sums table to go from the old rows to the new."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    for old, new in pairs:
        for row, sign in ((old, -1), (new, 1)):
            found = None if row is None else cell(row)
            if found is not None:
                key, values = found
                totals = sums.setdefault(key, [0] * len(values))
                for index, value in enumerate(values):
                    totals[index] += sign * value
    return {key: values for key, values in sums.items() if any(values)}


def successors(changes: Sequence[ClaimRow]) -> list[ClaimRow | None]:
    """Each change's next change of the same claim in the batch, if any."""
    following: list[ClaimRow | None] = [None] * len(changes)
    last: dict[str, int] = {}
    for index, row in enumerate(changes):
        if row.claim_id in last:
            following[last[row.claim_id]] = row
        last[row.claim_id] = index
    return following


def clause(conditions: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


class SqlClaimLedgerView(SqlView, ClaimLedgerView):
    """Rows, versions and sums written per batch with the tracking record."""

    tables = ("claim_rows", "claim_versions", "claim_totals", "claim_outstanding")

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "claim_ledger")

    def rows_for(self, claim_ids: Collection[str]) -> dict[str, ClaimRow]:
        with self.dialect.transaction(commit=False) as cursor:
            return self._current(cursor, claim_ids)

    def apply(self, changes: Sequence[ClaimRow], tracking: Tracking) -> None:
        sql = self.dialect.sql
        with self.dialect.derived_write() as cursor:
            if changes:
                latest = {row.claim_id: row for row in changes}
                before = self._current(cursor, latest)
                first = {row.claim_id: row for row in reversed(changes)}
                superseded = [(self.dialect.time_in(first[c].recorded_at), c) for c in before]
                cursor.executemany(sql(SUPERSEDE), superseded)
                cursor.executemany(sql(UPSERT), [self._params(r) for r in latest.values()])
                appended = [
                    (*self._params(row), self._until(following))
                    for row, following in zip(changes, successors(changes), strict=True)
                ]
                cursor.executemany(sql(APPEND), appended)
                pairs = [(before.get(c), row) for c, row in latest.items()]
                self._add(cursor, "claim_totals", GROUP, SUMMED, differences(pairs, totals_cell))
                owed = differences(pairs, owed_cell)
                self._add(cursor, "claim_outstanding", AGED, OWED, owed)
                self._drop_settled(cursor, [key for key, values in owed.items() if values[0] < 0])
            self.track(cursor, tracking)

    def rows(self, query: ClaimQuery) -> list[ClaimRow]:
        conditions, params = self._conditions(query.where)
        if query.where.as_of is None:
            source = "claim_rows"
        else:
            source = "claim_versions"
            conditions.insert(0, "recorded_at <= %s AND (superseded_at IS NULL OR superseded_at > %s)")
            params[:0] = [self.dialect.time_in(query.where.as_of)] * 2
        if query.status is not None:
            conditions.append("status = %s")
            params.append(query.status)
        if query.exception is not None:
            conditions.append(EXCEPTION_CONDITIONS[query.exception])
        if query.after is not None:
            conditions.append("claim_id > %s")
            params.append(query.after)
        statement = f"SELECT {SELECTED} FROM {source}{clause(conditions)} ORDER BY claim_id LIMIT %s"
        return [self._row(r) for r in self.fetch(statement, [*params, query.limit])]

    def totals(self, where: ClaimFilter) -> list[ClaimTotals]:
        group = ", ".join(GROUP)
        sums = ", ".join(f"CAST(SUM({s}) AS BIGINT) AS {s}" for s in SUMMED)
        source, params = self._sums(where, "claim_totals", GROUP, SUMMED, f"status <> '{UNCOUNTED}'")
        statement = (
            f"SELECT {group}, {sums} FROM {source} GROUP BY {group} HAVING SUM(claims) <> 0 ORDER BY {group}"
        )
        return [
            ClaimTotals.of(
                (r["period"], r["vendor_id"], r["kind"], r["currency"]),
                int(r["claims"]),
                [from_cents(int(r[a])) for a in AMOUNTS],
            )
            for r in self.fetch(statement, params)
        ]

    def aging(self, where: ClaimFilter, on: date) -> list[Aging]:
        first, second, third = (self._day_in(day) for day in cutoffs(on))
        buckets = [
            ("approved_on >= %s", [first]),
            ("approved_on < %s AND approved_on >= %s", [first, second]),
            ("approved_on < %s AND approved_on >= %s", [second, third]),
            ("approved_on < %s", [third]),
        ]
        named = ", ".join(
            f"CAST(SUM(CASE WHEN {bucket} THEN outstanding ELSE 0 END) AS BIGINT) AS b{n}"
            for n, (bucket, _) in enumerate(buckets)
        )
        aged_by = ("vendor_id", "currency", "approved_on")
        source, params = self._sums(where, "claim_outstanding", aged_by, OWED, "outstanding <> 0")
        statement = (
            f"SELECT vendor_id, currency, CAST(SUM(claims) AS BIGINT) AS claims, {named} FROM {source} "
            "GROUP BY vendor_id, currency HAVING SUM(claims) <> 0 ORDER BY vendor_id, currency"
        )
        bounds = [day for _, days in buckets for day in days]
        return [
            Aging.of(
                r["vendor_id"],
                r["currency"],
                int(r["claims"]),
                [from_cents(int(r[f"b{n}"])) for n in range(len(buckets))],
            )
            for r in self.fetch(statement, [*bounds, *params])
        ]

    def awaiting_credit(self, vendor_id: str) -> list[str]:
        statement = (
            "SELECT claim_id FROM claim_rows WHERE vendor_id = %s AND status = 'approved' "
            "AND credit_notes = 0 ORDER BY claim_id"
        )
        return [r["claim_id"] for r in self.fetch(statement, [vendor_id])]

    def all_rows(self) -> list[ClaimRow]:
        return [self._row(r) for r in self.fetch(f"SELECT {SELECTED} FROM claim_rows ORDER BY claim_id", [])]

    def _sums(
        self, where: ClaimFilter, table: str, keys: Sequence[str], summed: Sequence[str], counted: str
    ) -> tuple[str, list[Any]]:
        """A sums table filtered, or as of T: the sums, less the current rows changed since T,
        plus the versions of those rows valid at T (`counted` says which rows a table counts),
        each added up by the `keys` the answer groups by first."""
        conditions, params = self._conditions(where)
        if where.as_of is None:
            return f"{table}{clause(conditions)}", params
        as_of = self.dialect.time_in(where.as_of)
        columns = ", ".join(keys)
        added = ", ".join(["COUNT(*) AS claims", *(f"SUM({s}) AS {s}" for s in summed[1:])])
        taken = ", ".join(["-COUNT(*) AS claims", *(f"-SUM({s}) AS {s}" for s in summed[1:])])
        later = clause([counted, "recorded_at > %s", *conditions])
        valid = clause([counted, self._in_flight(), *conditions])
        known = (
            f"(SELECT {columns}, {', '.join(summed)} FROM {table}{clause(conditions)} UNION ALL "
            f"SELECT {columns}, {taken} FROM claim_rows{later} GROUP BY {columns} UNION ALL "
            f"SELECT {columns}, {added} FROM claim_versions{valid} GROUP BY {columns}) AS known"
        )
        return known, [*params, as_of, *params, *self._in_flight_params(as_of), *params]

    def _in_flight(self) -> str:
        """Versions valid at T that are not current: those of claims changed since T. PostgreSQL
        finds them through an index of their validity ranges."""
        if self.dialect.name == "postgres":
            return "superseded_at IS NOT NULL AND tstzrange(recorded_at, superseded_at) @> %s::timestamptz"
        return "superseded_at IS NOT NULL AND recorded_at <= %s AND superseded_at > %s"

    def _in_flight_params(self, as_of: Any) -> list[Any]:
        return [as_of] if self.dialect.name == "postgres" else [as_of, as_of]

    def _conditions(self, where: ClaimFilter) -> tuple[list[str], list[Any]]:
        conditions: list[str] = []
        params: list[Any] = []
        for column in ("vendor_id", "kind", "period"):
            value = getattr(where, column)
            if value is not None:
                conditions.append(f"{column} = %s")
                params.append(value)
        return conditions, params

    def _current(self, cursor: Cursor, claim_ids: Collection[str]) -> dict[str, ClaimRow]:
        found: dict[str, ClaimRow] = {}
        ids = list(claim_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            statement = f"SELECT {SELECTED} FROM claim_rows WHERE claim_id IN ({marks})"
            cursor.execute(self.dialect.sql(statement), tuple(chunk))
            for record in cursor.fetchall():
                row = self._row(record)
                found[row.claim_id] = row
        return found

    def _add(
        self,
        cursor: Cursor,
        table: str,
        keys: Sequence[str],
        summed: Sequence[str],
        sums: dict[tuple[Any, ...], list[int]],
    ) -> None:
        if not sums:
            return
        columns = ", ".join([*keys, *summed])
        statement = (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(keys) + len(summed)))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{s} = {table}.{s} + excluded.{s}" for s in summed)
        )
        rows = [(*self._keys(key), *values) for key, values in sums.items()]
        cursor.executemany(self.dialect.sql(statement), rows)

    def _drop_settled(self, cursor: Cursor, keys: Sequence[tuple[Any, ...]]) -> None:
        """Outstanding sums left with no claim are deleted, so that aging reads only live ones."""
        if keys:
            matches = " AND ".join(f"{k} = %s" for k in AGED)
            statement = f"DELETE FROM claim_outstanding WHERE claims = 0 AND {matches}"
            cursor.executemany(self.dialect.sql(statement), [self._keys(key) for key in keys])

    def _keys(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(self._day_in(k) if isinstance(k, date) else k for k in key)

    def _until(self, following: ClaimRow | None) -> Any:
        return None if following is None else self.dialect.time_in(following.recorded_at)

    def _params(self, row: ClaimRow) -> tuple[Any, ...]:
        values: list[Any] = []
        for column in FIELDS:
            value = getattr(row, column)
            if column in TIMES:
                value = self.dialect.time_in(value)
            elif column in MONEY and value is not None:
                value = cents(value)
            values.append(value)
        approved_on = row.approved_on
        return (*values, None if approved_on is None else self._day_in(approved_on))

    def _row(self, record: Any) -> ClaimRow:
        values: dict[str, Any] = {column: record[column] for column in FIELDS}
        for column in TIMES:
            values[column] = self.dialect.time_out(values[column])
        for column in MONEY:
            if values[column] is not None:
                values[column] = from_cents(int(values[column]))
        return ClaimRow(**values)

    def _day_in(self, day: date) -> Any:
        return day.isoformat() if self.dialect.name == "sqlite" else day
