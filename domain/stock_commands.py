"""The ledger's stock commands: receipts, reservations, issues to tickets (countersigned), returns,
transfers between locations, write-offs, stocktakes and safety stock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from domain.actors import Actor, Role
from domain.errors import NotFound, TicketIsClosed
from domain.ledger_base import LedgerBase, Recorded
from domain.money import amount
from domain.stock import StockItem
from domain.stock_rules import StockRuleViolation, stock_item_id
from domain.ticket_terms import Status, require_code, require_reference
from domain.transfers import Transfer


class StockItemNotFound(NotFound):
    code = "stock-item-not-found"
    id_field = "part_number"


class TransferNotFound(NotFound):
    code = "transfer-not-found"
    id_field = "transfer_id"


class StockCommands(LedgerBase):
    """Every movement of a part at a location, one event each, saved atomically with its other end."""

    def get_stock_item(self, part_number: str, location_id: str, version: int | None = None) -> StockItem:
        try:
            return self._load(stock_item_id(part_number, location_id), StockItem, StockItemNotFound, version)
        except StockItemNotFound:
            msg = f"no stock of {part_number} has been recorded at {location_id}"
            raise StockItemNotFound(msg, part_number=part_number, location_id=location_id) from None

    def get_transfer(self, transfer_id: UUID) -> Transfer:
        return self._load(transfer_id, Transfer, TransferNotFound)

    def receive_stock(
        self,
        part_number: str,
        location_id: str,
        supplier: str,
        document: str,
        quantity: int,
        unit_cost: Decimal,
        actor: Actor,
    ) -> Recorded:
        cost = amount(unit_cost, "unit_cost")
        return self._move(
            part_number,
            location_id,
            actor,
            lambda i, now: i.receive(supplier, document, quantity, cost, actor, now),
        )

    def reserve_stock(
        self, part_number: str, location_id: str, ticket_id: UUID, quantity: int, actor: Actor
    ) -> Recorded:
        self._working_ticket(ticket_id, actor)
        return self._move(
            part_number,
            location_id,
            actor,
            lambda i, now: i.reserve(ticket_id, quantity, actor, now),
            existing=True,
        )

    def release_stock(self, part_number: str, location_id: str, ticket_id: UUID, actor: Actor) -> Recorded:
        return self._move(
            part_number, location_id, actor, lambda i, now: i.release(ticket_id, actor, now), existing=True
        )

    def issue_stock(
        self,
        part_number: str,
        location_id: str,
        ticket_id: UUID,
        quantity: int,
        countersigner: Actor,
        actor: Actor,
        chargeable: bool = True,
    ) -> Recorded:
        """Issue parts to a ticket being worked; an engineer only to a ticket dispatched to them."""
        self._working_ticket(ticket_id, actor)
        return self._move(
            part_number,
            location_id,
            actor,
            lambda i, now: i.issue(ticket_id, quantity, countersigner, chargeable, actor, now),
            existing=True,
        )

    def return_stock(
        self,
        part_number: str,
        location_id: str,
        ticket_id: UUID | None,
        document: str,
        quantity: int,
        actor: Actor,
    ) -> Recorded:
        if ticket_id is not None:
            self._working_ticket(ticket_id, actor, open_only=False)
        return self._move(
            part_number,
            location_id,
            actor,
            lambda i, now: i.take_back(ticket_id, document, quantity, actor, now),
            existing=True,
        )

    def write_off_stock(
        self, part_number: str, location_id: str, quantity: int, reason: str, approver: Actor, actor: Actor
    ) -> Recorded:
        return self._move(
            part_number,
            location_id,
            actor,
            lambda i, now: i.write_off(quantity, reason, approver, actor, now),
            existing=True,
        )

    def count_stock(
        self, part_number: str, location_id: str, counted: int, reason: str, approver: Actor, actor: Actor
    ) -> Recorded:
        return self._move(
            part_number, location_id, actor, lambda i, now: i.count(counted, reason, approver, actor, now)
        )

    def set_safety_stock(self, part_number: str, location_id: str, level: int, actor: Actor) -> Recorded:
        return self._move(
            part_number, location_id, actor, lambda i, now: i.set_safety_stock(level, actor, now)
        )

    # --- transfers ------------------------------------------------------------------------------

    def request_transfer(
        self,
        part_number: str,
        from_location: str,
        to_location: str,
        quantity: int,
        reason: str,
        actor: Actor,
        transfer_id: UUID | None = None,
    ) -> Recorded:
        """Ask for units to be sent; the request stays open at the destination until they arrive."""
        now = self.clock()
        transfer = Transfer.request(
            transfer_id or uuid4(),
            require_reference("part_number", part_number),
            require_code("from_location", from_location),
            require_code("to_location", to_location),
            quantity,
            reason,
            actor,
            now,
        )
        destination = self._stock_item(part_number, to_location, actor, now)
        destination.open_request(transfer.id, actor, now)
        return self._save(transfer, destination)

    def dispatch_transfer(self, transfer_id: UUID, document: str, actor: Actor) -> Recorded:
        """Send the units: they leave the source's stock and are in transit."""
        transfer = self.get_transfer(transfer_id)
        now = self.clock()
        source = self.get_stock_item(transfer.part_number, transfer.from_location)
        value = source.dispatch(transfer.id, transfer.to_location, transfer.quantity, actor, now)
        transfer.dispatch(document, value, actor, now)
        return self._save(transfer, source)

    def receive_transfer(self, transfer_id: UUID, actor: Actor) -> Recorded:
        """The units arrive at the destination, at the value they left with."""
        transfer = self.get_transfer(transfer_id)
        now = self.clock()
        transfer.arrive(actor, now)
        destination = self._stock_item(transfer.part_number, transfer.to_location, actor, now)
        destination.arrive(transfer.id, transfer.from_location, transfer.quantity, transfer.value, actor, now)
        source = self.get_stock_item(transfer.part_number, transfer.from_location)
        source.clear_transit(transfer.id, actor, now)
        return self._save(transfer, destination, source)

    def cancel_transfer(self, transfer_id: UUID, reason: str, actor: Actor) -> Recorded:
        transfer = self.get_transfer(transfer_id)
        now = self.clock()
        transfer.cancel(reason, actor, now)
        destination = self.get_stock_item(transfer.part_number, transfer.to_location)
        destination.close_request(transfer.id, actor, now)
        return self._save(transfer, destination)

    # --- plumbing -------------------------------------------------------------------------------

    def _stock_item(self, part_number: str, location_id: str, actor: Actor, now: datetime) -> StockItem:
        """The item, or a new one for a part first seen at the location."""
        found = self._find(stock_item_id(part_number, location_id), StockItem)
        return found or StockItem.open(part_number, location_id, actor, now)

    def _working_ticket(self, ticket_id: UUID, actor: Actor, *, open_only: bool = True) -> None:
        """Parts go to a ticket still being worked (returns may follow its close); an engineer
        records parts only on a ticket dispatched to them."""
        ticket = self.get_ticket(ticket_id)
        if open_only and ticket.status in {Status.CLOSED, Status.CANCELLED}:
            msg = f"ticket {ticket_id} is {ticket.status.value}: no parts go to it"
            raise TicketIsClosed(msg, field="ticket_id", status=ticket.status.value)
        if actor.role is Role.ENGINEER and ticket.engineer_id != actor.id:
            msg = f"ticket {ticket_id} is not dispatched to {actor.id}: record parts on your own tickets"
            raise StockRuleViolation(msg, field="ticket_id")

    def _move(
        self,
        part_number: str,
        location_id: str,
        actor: Actor,
        command: Callable[[StockItem, datetime], object],
        *,
        existing: bool = False,
    ) -> Recorded:
        """Run a command on the item and save it; `existing` commands need stock already recorded."""
        now = self.clock()
        if existing:
            item = self.get_stock_item(part_number, location_id)
        else:
            item = self._stock_item(part_number, location_id, actor, now)
        command(item, now)
        return self._save(item)
