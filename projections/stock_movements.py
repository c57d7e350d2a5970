"""The movement ledger of a part: one row per event that moves units in or out of a location or
reserves them, with who made it, who countersigned or approved it, and the document behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.stock import StockItem

ZERO = Decimal("0.00")
MOVES: dict[str, tuple[str, int]] = {
    "Received": ("receipt", 1),
    "OpeningBalanceRecorded": ("opening_balance", 1),
    "Reserved": ("reservation", 1),
    "ReservationReleased": ("release", -1),
    "Issued": ("issue", -1),
    "Returned": ("return", 1),
    "TransferDispatched": ("transfer_out", -1),
    "TransferArrived": ("transfer_in", 1),
    "WrittenOff": ("write_off", -1),
    "Adjusted": ("adjustment", 1),
}
"""The stock item's events that are movements: their kind, and which way they move units."""
KINDS = tuple(kind for kind, _ in MOVES.values())


@dataclass(frozen=True)
class MovementRow:
    """One movement of a part at a location, at log `position`, recorded at `recorded_at`."""

    position: int
    part_number: str
    location_id: str
    kind: str
    quantity: int
    """Units in (positive) or out (negative) of on hand; for a reservation or a release, of reserved."""
    value: Decimal
    """What the movement adds to (or takes from) the value on hand."""
    on_hand_after: int
    unit_cost_after: Decimal
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str
    actor_role: str
    countersigner_id: str | None
    approver_id: str | None
    approver_role: str | None
    ticket_id: str | None
    transfer_id: str | None
    other_location_id: str | None
    """Where a transfer went to, or came from."""
    supplier: str | None
    document: str | None
    reason: str | None
    chargeable: bool | None
    """For an issue: False for a free spare."""


@dataclass(frozen=True)
class MovementQuery:
    """A page of a part's movements in log order, after the position `after`, as of a recorded time."""

    part_number: str
    location_id: str | None = None
    as_of: datetime | None = None
    after: int | None = None
    limit: int = 100

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("a page holds at least one row")

    def admits(self, row: MovementRow) -> bool:
        return (
            row.part_number == self.part_number
            and (self.location_id is None or row.location_id == self.location_id)
            and (self.as_of is None or row.recorded_at <= self.as_of)
            and (self.after is None or row.position > self.after)
        )


def movement_of(event: Any, item: StockItem, position: int) -> MovementRow | None:
    """The movement an event of the item records, with the item as it leaves it; None if the
    event moves nothing (a request, a safety-stock level or flag, a transfer's delivery)."""
    move = MOVES.get(type(event).__name__)
    if move is None:
        return None
    kind, sign = move
    quantity = event.difference if kind == "adjustment" else sign * event.quantity
    value = getattr(event, "value", None)
    countersigner = getattr(event, "countersigner", None)
    approver = getattr(event, "approver", None)
    return MovementRow(
        position=position,
        part_number=item.part_number,
        location_id=item.location_id,
        kind=kind,
        quantity=quantity,
        value=ZERO if value is None else value if kind == "adjustment" else sign * value,
        on_hand_after=item.on_hand,
        unit_cost_after=item.unit_cost,
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        actor_id=event.actor.id,
        actor_role=event.actor.role.value,
        countersigner_id=None if countersigner is None else countersigner.id,
        approver_id=None if approver is None else approver.id,
        approver_role=None if approver is None else approver.role.value,
        ticket_id=getattr(event, "ticket_id", None),
        transfer_id=getattr(event, "transfer_id", None),
        other_location_id=getattr(event, "to_location", None) or getattr(event, "from_location", None),
        supplier=getattr(event, "supplier", None),
        document=getattr(event, "document", None),
        reason=getattr(event, "reason", None),
        chargeable=getattr(event, "chargeable", None),
    )
