"""Stock on hand in memory, for tests and the embedded demo: answers are computed from the rows at
each query."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from eventsourcing.persistence import Tracking

from projections.memory import MemoryView
from projections.stock_levels import Item, StockFilter, StockQuery, StockRow, StockTotals, StockView
from projections.stock_movements import MovementQuery, MovementRow
from projections.versioned import MemoryVersions


class MemoryStockView(MemoryView, StockView):
    """Current rows and versions by item, and movements in log order."""

    def __init__(self) -> None:
        super().__init__()
        self.items: MemoryVersions[Item, StockRow] = MemoryVersions()
        self.moves: list[MovementRow] = []

    def clear_rows(self) -> None:
        self.items.clear()
        self.moves.clear()

    def rows_for(self, items: Collection[Item]) -> dict[Item, StockRow]:
        with self.lock:
            return {i: self.items.current[i] for i in items if i in self.items.current}

    def apply(
        self, changes: Sequence[StockRow], movements: Sequence[MovementRow], tracking: Tracking
    ) -> None:
        with self.writing(tracking):
            for row in changes:
                self.items.put(row.key, row)
            self.moves.extend(movements)

    def rows(self, query: StockQuery) -> list[StockRow]:
        after = query.after
        return [r for r in self._known(query.where) if after is None or r.key > after][: query.limit]

    def totals(self, where: StockFilter) -> StockTotals:
        return StockTotals.of(self._known(where))

    def movements(self, query: MovementQuery) -> list[MovementRow]:
        with self.lock:
            return [m for m in self.moves if query.admits(m)][: query.limit]

    def all_rows(self) -> tuple[list[StockRow], list[MovementRow]]:
        with self.lock:
            return self.items.known(None), list(self.moves)

    def _known(self, where: StockFilter) -> list[StockRow]:
        with self.lock:
            return [r for r in self.items.known(where.as_of) if where.admits(r)]
