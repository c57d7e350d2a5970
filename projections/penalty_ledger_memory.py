"""The penalty ledger in memory, for tests and the embedded demo: answers are computed from the
rows at each query."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from eventsourcing.persistence import Tracking

from projections.memory import MemoryView
from projections.penalty_ledger import (
    Grouping,
    PenaltyFilter,
    PenaltyLedgerView,
    PenaltyQuery,
    PenaltyRow,
    PenaltyTotals,
    totals_of,
)
from projections.versioned import MemoryVersions


class MemoryPenaltyLedgerView(MemoryView, PenaltyLedgerView):
    """Current rows and versions by key."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: MemoryVersions[str, PenaltyRow] = MemoryVersions()

    def clear_rows(self) -> None:
        self.lines.clear()

    def rows_for(self, keys: Collection[str]) -> dict[str, PenaltyRow]:
        with self.lock:
            return {k: self.lines.current[k] for k in keys if k in self.lines.current}

    def apply(self, changes: Sequence[PenaltyRow], tracking: Tracking) -> None:
        with self.writing(tracking):
            for row in changes:
                self.lines.put(row.key, row)

    def rows(self, query: PenaltyQuery) -> list[PenaltyRow]:
        with self.lock:
            return [r for r in self.lines.known(query.where.as_of) if query.admits(r)][: query.limit]

    def totals(self, where: PenaltyFilter, by: Grouping) -> list[PenaltyTotals]:
        with self.lock:
            return totals_of([r for r in self.lines.known(where.as_of) if where.admits(r)], by)

    def all_rows(self) -> list[PenaltyRow]:
        with self.lock:
            return self.lines.known(None)
