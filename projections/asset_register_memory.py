"""The asset register and old parts in memory, for tests and the embedded demo: answers are computed
from the rows at each query."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from eventsourcing.persistence import Tracking

from projections.asset_register import AssetQuery, AssetRow, AssetView, LoanQuery
from projections.memory import MemoryView
from projections.old_part_lots import (
    COLLECTED,
    ListedRow,
    LotKey,
    LotRow,
    OldPartsFilter,
    PartReconciliation,
    reconcile,
)
from projections.versioned import MemoryVersions


class MemoryAssetView(MemoryView, AssetView):
    """Asset rows and versions by serial; lots and listings by claim."""

    def __init__(self) -> None:
        super().__init__()
        self.units: MemoryVersions[str, AssetRow] = MemoryVersions()
        self.lots: dict[LotKey, LotRow] = {}
        self.listed: list[ListedRow] = []

    def clear_rows(self) -> None:
        self.units.clear()
        self.lots.clear()
        self.listed.clear()

    def assets_for(self, serials: Collection[str]) -> dict[str, AssetRow]:
        with self.lock:
            return {s: self.units.current[s] for s in serials if s in self.units.current}

    def lots_for(self, keys: Collection[LotKey]) -> dict[LotKey, LotRow]:
        with self.lock:
            return {k: self.lots[k] for k in keys if k in self.lots}

    def apply(
        self,
        assets: Sequence[AssetRow],
        lots: Sequence[LotRow],
        listed: Sequence[ListedRow],
        tracking: Tracking,
    ) -> None:
        with self.writing(tracking):
            for row in assets:
                self.units.put(row.serial, row)
            self.lots.update((lot.key, lot) for lot in lots)
            self.listed.extend(listed)

    def assets(self, query: AssetQuery) -> list[AssetRow]:
        with self.lock:
            return [r for r in self.units.known(query.as_of) if query.admits(r)][: query.limit]

    def loans(self, query: LoanQuery) -> list[AssetRow]:
        with self.lock:
            return [r for r in self.units.known(query.as_of) if query.admits(r)]

    def pending(self, where: OldPartsFilter) -> list[LotRow]:
        lots = [lot for lot in self._lots(where) if lot.status == COLLECTED]
        return sorted(lots, key=lambda lot: (lot.due_by, lot.claim_id, lot.lot))

    def reconciliation(self, where: OldPartsFilter) -> list[PartReconciliation]:
        with self.lock:
            listed = [p for p in self.listed if where.admits(p) and known(p.recorded_at, where.as_of)]
        return reconcile(listed, self._lots(where), where.on)

    def all_rows(self) -> tuple[list[AssetRow], list[LotRow], list[ListedRow]]:
        with self.lock:
            lots = [self.lots[k] for k in sorted(self.lots)]
            listed = sorted(self.listed, key=lambda p: (p.claim_id, p.part_number))
            return self.units.known(None), lots, listed

    def _lots(self, where: OldPartsFilter) -> list[LotRow]:
        with self.lock:
            rows = [lot.as_of(where.as_of) for lot in self.lots.values() if where.admits(lot)]
        return [lot for lot in rows if lot is not None]


def known(recorded_at: datetime, as_of: datetime | None) -> bool:
    return as_of is None or recorded_at <= as_of
