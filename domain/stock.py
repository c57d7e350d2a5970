"""The StockItem aggregate: one part at one location (a warehouse, a service station or a van),
every movement an event naming its actor and the document behind it, valued at moving-average
cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor, Role
from domain.money import rounded
from domain.stock_rules import InsufficientStock, StockRuleViolation, approval_by, quantity_of, stock_item_id
from domain.ticket_terms import require_code, require_reference, require_text

ZERO = Decimal("0.00")
SNAPSHOT_INTERVAL = 100
"""A busy part's item is snapshotted every so many events, so that loading it replays at most that many."""


@dataclass(frozen=True)
class Transit:
    """Units dispatched from a location under a transfer, not yet arrived, and their value."""

    quantity: int
    value: Decimal


class StockItem(Aggregate):
    """A part at a location: on hand, reserved for tickets, sent on its way, and what it is worth."""

    class Opened(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        part_number: str
        location_id: str

    @event(Opened)
    def __init__(self, occurred_at: datetime, actor: Actor, part_number: str, location_id: str) -> None:
        self.part_number = part_number
        self.location_id = location_id
        self.on_hand = 0
        self.value = ZERO
        self.reserved: dict[str, int] = {}
        self.in_transit: dict[str, Transit] = {}
        """Transfers dispatched from here, not yet arrived: quantity and value by transfer id."""
        self.requests: set[str] = set()
        """Transfer requests into here still open."""
        self.safety_stock = 0
        self.flagged = False
        """Below safety stock with no request open, flagged once until it recovers."""
        self.opening_document: str | None = None
        self.moved = False
        self.last_cost = ZERO

    @classmethod
    def open(cls, part_number: str, location_id: str, actor: Actor, now: datetime) -> StockItem:
        """A part first seen at a location, by the actor whose movement brings it there."""
        part = require_reference("part_number", part_number)
        location = require_code("location_id", location_id)
        return cls._create(
            cls.Opened,
            id=stock_item_id(part, location),
            occurred_at=now,
            actor=actor,
            part_number=part,
            location_id=location,
        )

    # --- what the item holds ----------------------------------------------------------------------

    @property
    def unit_cost(self) -> Decimal:
        """The moving-average cost of one unit on hand; with none on hand, the last one known."""
        return rounded(self.value / self.on_hand) if self.on_hand else self.last_cost

    @property
    def free(self) -> int:
        """On hand and not reserved for a ticket."""
        return self.on_hand - sum(self.reserved.values())

    def value_of(self, quantity: int) -> Decimal:
        """What `quantity` units leave the item worth less by: the last units take all the value left."""
        return self.value if quantity == self.on_hand else rounded(self.value * quantity / self.on_hand)

    # --- commands ---------------------------------------------------------------------------------

    def receive(
        self, supplier: str, document: str, quantity: int, unit_cost: Decimal, actor: Actor, now: datetime
    ) -> None:
        require_text("supplier", supplier)
        require_text("document", document)
        value = rounded(quantity_of(quantity) * unit_cost)
        self._received(now, actor, supplier, document, quantity, unit_cost, value)
        self._settle_flag(actor, now)

    @event("Received")
    def _received(
        self,
        occurred_at: datetime,
        actor: Actor,
        supplier: str,
        document: str,
        quantity: int,
        unit_cost: Decimal,
        value: Decimal,
    ) -> None:
        self._add(quantity, value)

    def record_opening(
        self, document: str, quantity: int, unit_cost: Decimal, actor: Actor, now: datetime
    ) -> bool:
        """The opening count from an import; False (nothing recorded) if this import recorded it."""
        if self.opening_document == document:
            return False
        if self.moved:
            msg = f"{self.part_number} at {self.location_id} already has movements; count it instead"
            raise StockRuleViolation(msg, field="part_number")
        value = rounded(quantity_of(quantity) * unit_cost)
        self._opening(now, actor, document, quantity, unit_cost, value)
        return True

    @event("OpeningBalanceRecorded")
    def _opening(
        self,
        occurred_at: datetime,
        actor: Actor,
        document: str,
        quantity: int,
        unit_cost: Decimal,
        value: Decimal,
    ) -> None:
        self._add(quantity, value)
        self.opening_document = document

    def reserve(self, ticket_id: UUID, quantity: int, actor: Actor, now: datetime) -> None:
        self._require_free(quantity_of(quantity), "reserve")
        self._reserved(now, actor, str(ticket_id), quantity)

    @event("Reserved")
    def _reserved(self, occurred_at: datetime, actor: Actor, ticket_id: str, quantity: int) -> None:
        self.reserved[ticket_id] = self.reserved.get(ticket_id, 0) + quantity
        self.moved = True

    def release(self, ticket_id: UUID, actor: Actor, now: datetime) -> None:
        held = self.reserved.get(str(ticket_id), 0)
        if not held:
            raise StockRuleViolation(f"nothing is reserved here for ticket {ticket_id}", field="ticket_id")
        self._released(now, actor, str(ticket_id), held)

    @event("ReservationReleased")
    def _released(self, occurred_at: datetime, actor: Actor, ticket_id: str, quantity: int) -> None:
        del self.reserved[ticket_id]

    def issue(
        self,
        ticket_id: UUID,
        quantity: int,
        countersigner: Actor,
        chargeable: bool,
        actor: Actor,
        now: datetime,
    ) -> None:
        """Issue to a ticket, countersigned by a second person in the warehouse role. The ticket's
        own reservation is used first; stock reserved for other tickets is not touched. A free
        spare (`chargeable` False) costs the customer nothing and is still valued."""
        if countersigner.role is not Role.WAREHOUSE or countersigner.id == actor.id:
            raise StockRuleViolation(
                "an issue is countersigned by a second person in the warehouse role, never the issuer",
                field="countersigner",
            )
        held = min(self.reserved.get(str(ticket_id), 0), quantity_of(quantity))
        self._require_free(quantity - held, "issue", held)
        self._issued(now, actor, str(ticket_id), quantity, self.value_of(quantity), countersigner, chargeable)
        self._settle_flag(actor, now)

    @event("Issued")
    def _issued(
        self,
        occurred_at: datetime,
        actor: Actor,
        ticket_id: str,
        quantity: int,
        value: Decimal,
        countersigner: Actor,
        chargeable: bool,
    ) -> None:
        held = self.reserved.pop(ticket_id, 0)
        if held > quantity:
            self.reserved[ticket_id] = held - quantity
        self._add(-quantity, -value)

    def take_back(
        self, ticket_id: UUID | None, document: str, quantity: int, actor: Actor, now: datetime
    ) -> None:
        """Unused parts back into stock, at the current unit cost (the last known, if none is on hand)."""
        require_text("document", document)
        value = rounded(quantity_of(quantity) * self.unit_cost)
        self._returned(now, actor, None if ticket_id is None else str(ticket_id), document, quantity, value)
        self._settle_flag(actor, now)

    @event("Returned")
    def _returned(
        self,
        occurred_at: datetime,
        actor: Actor,
        ticket_id: str | None,
        document: str,
        quantity: int,
        value: Decimal,
    ) -> None:
        self._add(quantity, value)

    def dispatch(
        self, transfer_id: UUID, to_location: str, quantity: int, actor: Actor, now: datetime
    ) -> Decimal:
        """Send units to another location; they are in transit until they arrive. Their value."""
        self._require_free(quantity_of(quantity), "transfer")
        value = self.value_of(quantity)
        self._dispatched(now, actor, str(transfer_id), to_location, quantity, value)
        self._settle_flag(actor, now)
        return value

    @event("TransferDispatched")
    def _dispatched(
        self,
        occurred_at: datetime,
        actor: Actor,
        transfer_id: str,
        to_location: str,
        quantity: int,
        value: Decimal,
    ) -> None:
        self._add(-quantity, -value)
        self.in_transit[transfer_id] = Transit(quantity, value)

    def clear_transit(self, transfer_id: UUID, actor: Actor, now: datetime) -> None:
        """The units dispatched under the transfer have arrived at the other end."""
        self._transit_cleared(now, actor, str(transfer_id))

    @event("TransferDelivered")
    def _transit_cleared(self, occurred_at: datetime, actor: Actor, transfer_id: str) -> None:
        self.in_transit.pop(transfer_id, None)

    def arrive(
        self,
        transfer_id: UUID,
        from_location: str,
        quantity: int,
        value: Decimal,
        actor: Actor,
        now: datetime,
    ) -> None:
        """Units of a transfer arrive, at the value they left with; any request it answers closes."""
        self._arrived(now, actor, str(transfer_id), from_location, quantity, value)
        self._settle_flag(actor, now)

    @event("TransferArrived")
    def _arrived(
        self,
        occurred_at: datetime,
        actor: Actor,
        transfer_id: str,
        from_location: str,
        quantity: int,
        value: Decimal,
    ) -> None:
        self._add(quantity, value)
        self.requests.discard(transfer_id)

    def open_request(self, transfer_id: UUID, actor: Actor, now: datetime) -> None:
        self._requested(now, actor, str(transfer_id))

    @event("TransferRequested")
    def _requested(self, occurred_at: datetime, actor: Actor, transfer_id: str) -> None:
        self.requests.add(transfer_id)
        self.flagged = False

    def close_request(self, transfer_id: UUID, actor: Actor, now: datetime) -> None:
        self._request_closed(now, actor, str(transfer_id))
        self._settle_flag(actor, now)

    @event("TransferRequestClosed")
    def _request_closed(self, occurred_at: datetime, actor: Actor, transfer_id: str) -> None:
        self.requests.discard(transfer_id)

    def write_off(self, quantity: int, reason: str, approver: Actor, actor: Actor, now: datetime) -> None:
        require_text("reason", reason)
        approval_by(approver, actor, "a write-off")
        self._require_free(quantity_of(quantity), "write off")
        self._written_off(now, actor, quantity, self.value_of(quantity), reason, approver)
        self._settle_flag(actor, now)

    @event("WrittenOff")
    def _written_off(
        self, occurred_at: datetime, actor: Actor, quantity: int, value: Decimal, reason: str, approver: Actor
    ) -> None:
        self._add(-quantity, -value)

    def count(self, counted: int, reason: str, approver: Actor, actor: Actor, now: datetime) -> None:
        """A stocktake: the difference from on hand becomes an adjustment at the current unit cost."""
        quantity_of(counted, "counted", least=0)
        require_text("reason", reason)
        approval_by(approver, actor, "a stocktake adjustment")
        difference = counted - self.on_hand
        if difference == 0:
            raise StockRuleViolation(f"the count agrees with the {self.on_hand} on hand", field="counted")
        if counted < sum(self.reserved.values()):
            msg = "the count is below what is reserved for tickets; release reservations first"
            raise InsufficientStock(msg, field="counted", reserved=sum(self.reserved.values()))
        value = -self.value_of(-difference) if difference < 0 else rounded(difference * self.unit_cost)
        self._adjusted(now, actor, counted, difference, value, reason, approver)
        self._settle_flag(actor, now)

    @event("Adjusted")
    def _adjusted(
        self,
        occurred_at: datetime,
        actor: Actor,
        counted: int,
        difference: int,
        value: Decimal,
        reason: str,
        approver: Actor,
    ) -> None:
        self._add(difference, value)

    def set_safety_stock(self, level: int, actor: Actor, now: datetime) -> None:
        quantity_of(level, "level", least=0)
        self._safety_stock_set(now, actor, level)
        self._settle_flag(actor, now)

    @event("SafetyStockSet")
    def _safety_stock_set(self, occurred_at: datetime, actor: Actor, level: int) -> None:
        self.safety_stock = level

    # --- the safety-stock flag ----------------------------------------------------------------------

    def _settle_flag(self, actor: Actor, now: datetime) -> None:
        """Flag a fall below safety stock with no transfer request open [000:L671], once; a recovery
        or a request clears it."""
        below = self.on_hand < self.safety_stock
        if below and not self.requests and not self.flagged:
            self._fell_below(now, actor, self.on_hand, self.safety_stock)
        elif self.flagged and not below:
            self._recovered(now, actor, self.on_hand, self.safety_stock)

    @event("FellBelowSafetyStock")
    def _fell_below(self, occurred_at: datetime, actor: Actor, on_hand: int, safety_stock: int) -> None:
        self.flagged = True

    @event("SafetyStockRestored")
    def _recovered(self, occurred_at: datetime, actor: Actor, on_hand: int, safety_stock: int) -> None:
        self.flagged = False

    def _add(self, quantity: int, value: Decimal) -> None:
        self.on_hand += quantity
        self.value += value
        self.moved = True
        if self.on_hand:
            self.last_cost = rounded(self.value / self.on_hand)

    def _require_free(self, quantity: int, doing: str, held: int = 0) -> None:
        """Refuse to take `quantity` more than the `held` reserved for the purpose from what is free."""
        if quantity > self.free:
            have = f"{self.on_hand} on hand, {self.free} of them free"
            have += f", {held} reserved for this ticket" if held else ""
            msg = f"cannot {doing} {quantity + held} of {self.part_number} at {self.location_id}: {have}"
            raise InsufficientStock(msg, field="quantity", on_hand=self.on_hand, free=self.free)
