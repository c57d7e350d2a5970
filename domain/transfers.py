"""The Transfer aggregate: a part moving between two locations, from the request through its
dispatch (in transit) to its arrival."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor
from domain.stock_rules import StockRuleViolation, quantity_of
from domain.ticket_terms import require_text


class TransferStatus(Enum):
    REQUESTED = "requested"
    IN_TRANSIT = "in_transit"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"


class Transfer(Aggregate):
    """A request for units of a part at one location from another, and their journey."""

    class Requested(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        part_number: str
        from_location: str
        to_location: str
        quantity: int
        reason: str

    @event(Requested)
    def __init__(
        self,
        occurred_at: datetime,
        actor: Actor,
        part_number: str,
        from_location: str,
        to_location: str,
        quantity: int,
        reason: str,
    ) -> None:
        self.part_number = part_number
        self.from_location = from_location
        self.to_location = to_location
        self.quantity = quantity
        self.reason = reason
        self.status = TransferStatus.REQUESTED
        self.value = Decimal("0.00")
        self.requested_at = occurred_at
        self.dispatched_at: datetime | None = None
        self.document: str | None = None
        self.arrived_at: datetime | None = None
        self.cancellation: str | None = None

    @classmethod
    def request(
        cls,
        transfer_id: UUID,
        part_number: str,
        from_location: str,
        to_location: str,
        quantity: int,
        reason: str,
        actor: Actor,
        now: datetime,
    ) -> Transfer:
        if from_location == to_location:
            raise StockRuleViolation("a transfer goes between two locations", field="to_location")
        return cls._create(
            cls.Requested,
            id=transfer_id,
            occurred_at=now,
            actor=actor,
            part_number=part_number,
            from_location=from_location,
            to_location=to_location,
            quantity=quantity_of(quantity),
            reason=require_text("reason", reason),
        )

    def dispatch(self, document: str, value: Decimal, actor: Actor, now: datetime) -> None:
        self._require(TransferStatus.REQUESTED, doing="dispatch")
        self._dispatched(now, actor, require_text("document", document), value)

    @event("Dispatched")
    def _dispatched(self, occurred_at: datetime, actor: Actor, document: str, value: Decimal) -> None:
        self.status = TransferStatus.IN_TRANSIT
        self.value = value
        self.dispatched_at = occurred_at
        self.document = document

    def arrive(self, actor: Actor, now: datetime) -> None:
        self._require(TransferStatus.IN_TRANSIT, doing="receive")
        self._arrived(now, actor)

    @event("Arrived")
    def _arrived(self, occurred_at: datetime, actor: Actor) -> None:
        self.status = TransferStatus.ARRIVED
        self.arrived_at = occurred_at

    def cancel(self, reason: str, actor: Actor, now: datetime) -> None:
        self._require(TransferStatus.REQUESTED, doing="cancel")
        self._cancelled(now, actor, require_text("reason", reason))

    @event("Cancelled")
    def _cancelled(self, occurred_at: datetime, actor: Actor, reason: str) -> None:
        self.status = TransferStatus.CANCELLED
        self.cancellation = reason

    def _require(self, status: TransferStatus, doing: str) -> None:
        if self.status is not status:
            msg = f"cannot {doing} a transfer that is {self.status.value} (only one {status.value})"
            raise StockRuleViolation(msg, field="status", status=self.status.value)
