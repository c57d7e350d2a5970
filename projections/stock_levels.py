"""Stock on hand: each part at each location with what is reserved, free, in transit, its value at
moving-average cost and its safety stock; every movement in log order; and every earlier row kept
by recorded time, so that any answer can be given as the ledger knew it at a past time T.

An item's row is recomputed from the item as each of its events leaves it. A row that changed is
written over the current one and appended to the item's versions; the state as of T is each item's
latest version recorded at or before T.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.stock import StockItem
from projections.batching import BatchProjection, Positioned
from projections.stock_movements import ZERO, MovementQuery, MovementRow, movement_of
from projections.versioned import AggregateSource, changes, replayed

Item = tuple[str, str]
"""A part number and a location."""
SUMMED = ("on_hand", "reserved", "in_transit", "in_transit_value", "value")


@dataclass(frozen=True)
class StockRow:
    """A part at a location after the event at `position` (item `version`), recorded at `recorded_at`."""

    part_number: str
    location_id: str
    on_hand: int
    reserved: int
    """Reserved for tickets, still on hand."""
    in_transit: int
    """Dispatched from here to another location, not arrived yet."""
    in_transit_value: Decimal
    value: Decimal
    """Of what is on hand."""
    unit_cost: Decimal
    """Moving average; with nothing on hand, the last known."""
    safety_stock: int
    below_safety: bool
    open_requests: int
    """Transfer requests into here still open."""
    flagged: bool
    """Below safety stock with no transfer request open: a fault."""
    version: int
    position: int
    recorded_at: datetime

    @property
    def key(self) -> Item:
        return (self.part_number, self.location_id)

    @property
    def free(self) -> int:
        """On hand and not reserved."""
        return self.on_hand - self.reserved


FIELDS = tuple(f.name for f in fields(StockRow))


@dataclass(frozen=True)
class StockFilter:
    """Which items an answer covers, and the recorded time it is as of (None: now)."""

    part_number: str | None = None
    location_id: str | None = None
    below_safety: bool | None = None
    as_of: datetime | None = None

    def admits(self, row: StockRow) -> bool:
        return (
            (self.part_number is None or row.part_number == self.part_number)
            and (self.location_id is None or row.location_id == self.location_id)
            and (self.below_safety is None or row.below_safety == self.below_safety)
        )


@dataclass(frozen=True)
class StockQuery:
    """A page of rows by part number then location, after the item `after` (keyset paging)."""

    where: StockFilter = StockFilter()
    after: Item | None = None
    limit: int = 100

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("a page holds at least one row")


@dataclass(frozen=True)
class StockTotals:
    """The items a filter covers and their quantities and value added up."""

    items: int
    on_hand: int
    reserved: int
    in_transit: int
    in_transit_value: Decimal
    value: Decimal

    @classmethod
    def of(cls, rows: Sequence[StockRow]) -> StockTotals:
        return cls(
            items=len(rows),
            on_hand=sum(r.on_hand for r in rows),
            reserved=sum(r.reserved for r in rows),
            in_transit=sum(r.in_transit for r in rows),
            in_transit_value=sum((r.in_transit_value for r in rows), ZERO),
            value=sum((r.value for r in rows), ZERO),
        )


class StockView(TrackingRecorder, ABC):
    """Where stock rows, their versions and the movements live."""

    @abstractmethod
    def rows_for(self, items: Collection[Item]) -> dict[Item, StockRow]:
        """The current row of each item named that has one."""

    @abstractmethod
    def apply(
        self, changes: Sequence[StockRow], movements: Sequence[MovementRow], tracking: Tracking
    ) -> None:
        """Append the changed rows (in log order) to the versions, keep each item's last as its
        current row, add the movements, and track, atomically."""

    @abstractmethod
    def rows(self, query: StockQuery) -> list[StockRow]: ...

    @abstractmethod
    def totals(self, where: StockFilter) -> StockTotals:
        """Every row the filter covers, added up."""

    @abstractmethod
    def movements(self, query: MovementQuery) -> list[MovementRow]: ...

    @abstractmethod
    def all_rows(self) -> tuple[list[StockRow], list[MovementRow]]:
        """Every current row by item, and every movement by position: what a rebuild must reproduce."""

    @abstractmethod
    def truncate(self) -> None: ...


class StockProjection(BatchProjection[StockView]):
    """Recomputes the row of every item a batch touches, event by event, and records its movements."""

    name = "stock"
    topics = ()

    def __init__(self, view: StockView, ledger: AggregateSource) -> None:
        super().__init__(view)
        self.ledger = ledger

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        items: dict[UUID, StockItem] = {}
        fresh: list[tuple[Item, StockRow]] = []
        movements: list[MovementRow] = []
        for positioned in events:
            event = positioned.event
            if isinstance(event, StockItem.Event):
                item = replayed(self.ledger, event, items.get(event.originator_id), StockItem)
                items[event.originator_id] = item
                row = stock_row(item, positioned.position, event.timestamp)
                fresh.append((row.key, row))
                if (movement := movement_of(event, item, positioned.position)) is not None:
                    movements.append(movement)
        last = self.view.rows_for({key for key, _ in fresh}) if fresh else {}
        self.view.apply(changes(fresh, last), movements, tracking)


def stock_row(item: StockItem, position: int, recorded_at: datetime) -> StockRow:
    """The item's row after the event at `position`."""
    return StockRow(
        part_number=item.part_number,
        location_id=item.location_id,
        on_hand=item.on_hand,
        reserved=sum(item.reserved.values()),
        in_transit=sum(transit.quantity for transit in item.in_transit.values()),
        in_transit_value=sum((transit.value for transit in item.in_transit.values()), ZERO),
        value=item.value,
        unit_cost=item.unit_cost,
        safety_stock=item.safety_stock,
        below_safety=item.on_hand < item.safety_stock,
        open_requests=len(item.requests),
        flagged=item.flagged,
        version=item.version,
        position=position,
        recorded_at=recorded_at,
    )
