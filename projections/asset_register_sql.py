"""The asset register and old parts on SQLite or PostgreSQL (tables owned by migrations):

- `asset_rows`: each asset's current row; `asset_versions`: every row it has had;
- `old_part_lots`: each lot's current row, with when each step was recorded, which answers as of
  a past time read;
- `old_part_listed`: what each claim lists of each part.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Tracking

from projections.asset_register import AssetQuery, AssetRow, AssetView, LoanQuery
from projections.old_part_lots import ListedRow, LotKey, LotRow, OldPartsFilter, PartReconciliation
from projections.sql import Dialect, SqlView
from projections.sql_rows import Codec, VersionedTables, clause, day_in, rows_for, upsert

ASSET = Codec(
    AssetRow,
    times=frozenset({"lent_at", "due_by", "recalled_at", "recorded_at"}),
    days=frozenset({"handed_over_on", "accepted_on", "warranty_start", "warranty_end", "return_due_on"}),
    flags=frozenset({"pool", "lent_late"}),
)
LOT = Codec(
    LotRow,
    times=frozenset({"collected_recorded_at", "returned_recorded_at", "disposed_recorded_at"}),
    days=frozenset({"collected_on", "due_from", "due_by", "returned_on"}),
    flags=frozenset({"late"}),
)
LISTED = Codec(ListedRow, times=frozenset({"recorded_at"}))
LOT_KEYS = ("claim_id", "lot")
WARRANTY = {
    "no_acceptance": ("warranty_start IS NULL", 0),
    "not_started": ("warranty_start > %s", 1),
    "in_warranty": ("warranty_start <= %s AND warranty_end >= %s", 2),
    "expired": ("warranty_end < %s", 1),
}
"""Each warranty status on a day as a condition, and how many times it names the day."""
OVERDUE = {
    True: "return_due_on IS NOT NULL AND return_due_on < %s",
    False: "(return_due_on IS NULL OR return_due_on >= %s)",
}
RECONCILED = """
SELECT l.claim_id, l.vendor_id, l.part_number, l.listed,
    COALESCE(SUM(t.quantity), 0) AS collected,
    COALESCE(SUM(CASE WHEN t.returned_recorded_at <= %s THEN t.quantity END), 0) AS returned,
    COALESCE(SUM(CASE WHEN t.disposed_recorded_at <= %s AND t.status = 'destroyed'
        THEN t.quantity END), 0) AS destroyed,
    COALESCE(SUM(CASE WHEN t.disposed_recorded_at <= %s AND t.status = 'shipped'
        THEN t.quantity END), 0) AS shipped,
    COUNT(CASE WHEN t.returned_recorded_at <= %s AND t.late THEN 1 END) AS late_lots,
    COUNT(CASE WHEN (t.returned_recorded_at IS NULL OR t.returned_recorded_at > %s)
        AND t.due_by < %s THEN 1 END) AS overdue_lots
FROM old_part_listed AS l LEFT JOIN old_part_lots AS t
    ON t.claim_id = l.claim_id AND t.part_number = l.part_number AND t.collected_recorded_at <= %s
"""
"""Each listed part against its lots as of a time T (named five times, then the day of the answer,
then T twice more)."""
FAR = datetime(9999, 12, 31, tzinfo=UTC)
"""A recorded time after any: answers as of now read every step recorded."""


class SqlAssetView(SqlView, AssetView):
    """Asset rows and versions, lots and listings written per batch with the tracking record."""

    tables = ("asset_rows", "asset_versions", "old_part_lots", "old_part_listed")

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, "assets")
        self.units = VersionedTables(dialect, ASSET, "asset_rows", "asset_versions", ("serial",))

    def assets_for(self, serials: Collection[str]) -> dict[str, AssetRow]:
        with self.dialect.transaction(commit=False) as cursor:
            return {row.serial: row for row in self.units.rows_for(cursor, [(s,) for s in serials]).values()}

    def lots_for(self, keys: Collection[LotKey]) -> dict[LotKey, LotRow]:
        with self.dialect.transaction(commit=False) as cursor:
            found = rows_for(self.dialect, cursor, LOT, "old_part_lots", LOT_KEYS, keys)
        return {lot.key: lot for lot in found.values()}

    def apply(
        self,
        assets: Sequence[AssetRow],
        lots: Sequence[LotRow],
        listed: Sequence[ListedRow],
        tracking: Tracking,
    ) -> None:
        sql = self.dialect.sql
        with self.dialect.derived_write() as cursor:
            self.track(cursor, tracking)  # first: a position taken in already writes nothing
            if assets:
                self.units.write(cursor, assets)
            latest = {lot.key: lot for lot in lots}
            statement = sql(upsert(LOT, "old_part_lots", LOT_KEYS))
            cursor.executemany(statement, [LOT.params(self.dialect, lot) for lot in latest.values()])
            marks = ", ".join(["%s"] * len(LISTED.columns))
            statement = sql(f"INSERT INTO old_part_listed ({LISTED.selected}) VALUES ({marks})")
            cursor.executemany(statement, [LISTED.params(self.dialect, row) for row in listed])

    def assets(self, query: AssetQuery) -> list[AssetRow]:
        source, conditions, params = self.units.source(query.as_of)
        for column in ("owner_id", "dealer_id"):
            value = getattr(query, column)
            if value is not None:
                conditions.append(f"{column} = %s")
                params.append(value)
        if query.pool is not None:
            conditions.append("pool" if query.pool else "NOT pool")
        if query.status is not None:
            condition, days = WARRANTY[query.status]
            conditions.append(condition)
            params += [day_in(self.dialect, query.on)] * days
        if query.after is not None:
            conditions.append("serial > %s")
            params.append(query.after)
        statement = f"SELECT {ASSET.selected} FROM {source}{clause(conditions)} ORDER BY serial LIMIT %s"
        return [ASSET.row(self.dialect, r) for r in self.fetch(statement, [*params, query.limit])]

    def loans(self, query: LoanQuery) -> list[AssetRow]:
        source, conditions, params = self.units.source(query.as_of)
        conditions.append("loan_id IS NOT NULL")
        if query.overdue is not None:
            conditions.append(OVERDUE[query.overdue])
            params.append(day_in(self.dialect, query.on))
        statement = f"SELECT {ASSET.selected} FROM {source}{clause(conditions)} ORDER BY serial"
        return [ASSET.row(self.dialect, r) for r in self.fetch(statement, params)]

    def pending(self, where: OldPartsFilter) -> list[LotRow]:
        conditions, params = self._claims(where, "")
        if where.as_of is None:
            conditions.append("returned_recorded_at IS NULL")
        else:
            as_of = self.dialect.time_in(where.as_of)
            conditions.append(
                "collected_recorded_at <= %s AND (returned_recorded_at IS NULL OR returned_recorded_at > %s)"
            )
            params += [as_of, as_of]
        statement = (
            f"SELECT {LOT.selected} FROM old_part_lots{clause(conditions)} ORDER BY due_by, claim_id, lot"
        )
        lots = [LOT.row(self.dialect, r).as_of(where.as_of) for r in self.fetch(statement, params)]
        return [lot for lot in lots if lot is not None]

    def reconciliation(self, where: OldPartsFilter) -> list[PartReconciliation]:
        as_of = self.dialect.time_in(where.as_of or FAR)
        conditions, params = self._claims(where, "l.")
        statement = (
            f"{RECONCILED}{clause(['l.recorded_at <= %s', *conditions])} "
            "GROUP BY l.claim_id, l.vendor_id, l.part_number, l.listed ORDER BY l.claim_id, l.part_number"
        )
        bound = [*[as_of] * 5, day_in(self.dialect, where.on), as_of, as_of, *params]
        return [self._reconciled(r) for r in self.fetch(statement, bound)]

    def all_rows(self) -> tuple[list[AssetRow], list[LotRow], list[ListedRow]]:
        with self.dialect.transaction(commit=False) as cursor:
            units = self.units.all_rows(cursor)
            cursor.execute(f"SELECT {LOT.selected} FROM old_part_lots ORDER BY claim_id, lot")
            lots = [LOT.row(self.dialect, r) for r in cursor.fetchall()]
            cursor.execute(f"SELECT {LISTED.selected} FROM old_part_listed ORDER BY claim_id, part_number")
            return units, lots, [LISTED.row(self.dialect, r) for r in cursor.fetchall()]

    def _claims(self, where: OldPartsFilter, prefix: str) -> tuple[list[str], list[Any]]:
        conditions: list[str] = []
        params: list[Any] = []
        for column in ("claim_id", "vendor_id"):
            value = getattr(where, column)
            if value is not None:
                conditions.append(f"{prefix}{column} = %s")
                params.append(value)
        return conditions, params

    def _reconciled(self, record: Any) -> PartReconciliation:
        counts = {c: int(record[c]) for c in ("listed", "collected", "returned", "destroyed", "shipped")}
        return PartReconciliation(
            claim_id=record["claim_id"],
            vendor_id=record["vendor_id"],
            part_number=record["part_number"],
            **counts,
            to_collect=counts["listed"] - counts["collected"],
            pending=counts["collected"] - counts["returned"],
            late_lots=int(record["late_lots"]),
            overdue_lots=int(record["overdue_lots"]),
        )
