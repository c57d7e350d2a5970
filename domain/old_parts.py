"""The OldParts aggregate: the replaced parts a warranty claim lists, from collection from the
engineer, through their return to the warehouse in the monthly window, to destruction before a
witness or shipment back to the manufacturer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor
from domain.claim_terms import OldPart
from domain.errors import InvalidValue, RuleViolation
from domain.stock_rules import quantity_of
from domain.ticket_terms import require_code, require_past_day, require_reference, require_text

OLD_PARTS = uuid5(NAMESPACE_URL, "urn:service-ledger:old-parts")


def old_parts_id(claim_id: UUID) -> UUID:
    """The old parts of a claim are one aggregate, so that its listed quantities hold."""
    return uuid5(OLD_PARTS, str(claim_id))


def left_to_collect(listed: Iterable[OldPart], lots: Iterable[Lot], part_number: str) -> int:
    """Units of a part a claim lists that its lots have not collected."""
    wanted = sum(p.quantity for p in listed if p.part_number == part_number)
    return wanted - sum(lot.quantity for lot in lots if lot.part_number == part_number)


class OldPartRuleViolation(RuleViolation):
    code = "old-part-rule-violation"


class LotStatus(Enum):
    COLLECTED = "collected"
    RETURNED = "returned"
    """Logged in at the warehouse."""
    DESTROYED = "destroyed"
    SHIPPED = "shipped"
    """Shipped back to the manufacturer."""


@dataclass(frozen=True)
class Lot:
    """Units of one listed part handed over together."""

    lot: str
    part_number: str
    serial: str
    quantity: int
    engineer_id: str
    collected_on: date
    due_from: date
    due_by: date
    """The window it is due back to the warehouse in."""
    status: LotStatus = LotStatus.COLLECTED
    returned_on: date | None = None
    location_id: str | None = None
    """Where it was logged in."""


class OldParts(Aggregate):
    """A warranty claim's old parts: what it lists, and where each collected lot is now."""

    class Started(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        claim_id: UUID
        vendor_id: str
        listed: list[OldPart]

    @event(Started)
    def __init__(
        self, occurred_at: datetime, actor: Actor, claim_id: UUID, vendor_id: str, listed: list[OldPart]
    ) -> None:
        self.claim_id = claim_id
        self.vendor_id = vendor_id
        self.listed = tuple(listed)
        self.lots: dict[str, Lot] = {}

    @classmethod
    def start(
        cls, claim_id: UUID, vendor_id: str, listed: list[OldPart], actor: Actor, now: datetime
    ) -> OldParts:
        """The claim's old parts, started by the first collection."""
        if not listed:
            raise OldPartRuleViolation(f"claim {claim_id} lists no old parts", field="claim_id")
        return cls._create(
            cls.Started,
            id=old_parts_id(claim_id),
            occurred_at=now,
            actor=actor,
            claim_id=claim_id,
            vendor_id=vendor_id,
            listed=listed,
        )

    def outstanding(self, part_number: str) -> int:
        """Units of the part the claim lists that are not collected yet."""
        return left_to_collect(self.listed, self.lots.values(), part_number)

    def collect(self, lot: Lot, actor: Actor, now: datetime) -> None:
        require_reference("lot", lot.lot)
        require_code("engineer_id", lot.engineer_id)
        if lot.lot in self.lots:
            raise OldPartRuleViolation(f"lot {lot.lot!r} is collected already", field="lot")
        quantity_of(lot.quantity)
        left = self.outstanding(lot.part_number)
        if lot.quantity > left:
            msg = f"claim {self.claim_id} leaves {left} of {lot.part_number} to collect, not {lot.quantity}"
            raise OldPartRuleViolation(msg, field="quantity", outstanding=left)
        self._collected(now, actor, lot)

    @event("Collected")
    def _collected(self, occurred_at: datetime, actor: Actor, lot: Lot) -> None:
        self.lots[lot.lot] = lot

    def log_in(self, lot_id: str, location_id: str, returned_on: date, actor: Actor, now: datetime) -> None:
        """The lot is back at the warehouse and logged in; after its window, it is flagged late."""
        lot = self._lot(lot_id, LotStatus.COLLECTED, "log in")
        require_past_day("returned_on", returned_on, now)
        if returned_on < lot.collected_on:
            msg = f"returned_on is before the lot was collected on {lot.collected_on}"
            raise InvalidValue(msg, field="returned_on")
        self._returned(now, actor, lot_id, require_code("location_id", location_id), returned_on)
        if returned_on > lot.due_by:
            self._late(now, actor, lot_id, lot.due_by, (returned_on - lot.due_by).days)

    @event("Returned")
    def _returned(
        self, occurred_at: datetime, actor: Actor, lot: str, location_id: str, returned_on: date
    ) -> None:
        self.lots[lot] = replace(
            self.lots[lot], status=LotStatus.RETURNED, returned_on=returned_on, location_id=location_id
        )

    @event("ReturnedLate")
    def _late(self, occurred_at: datetime, actor: Actor, lot: str, due_by: date, days_late: int) -> None:
        """A flag for penalties: the lot came back `days_late` after its window closed."""

    def destroy(self, lot_id: str, witness: Actor, actor: Actor, now: datetime) -> None:
        self._lot(lot_id, LotStatus.RETURNED, "destroy")
        if witness.id == actor.id:
            raise OldPartRuleViolation("a destruction is witnessed by someone else", field="witness")
        self._destroyed(now, actor, lot_id, witness)

    @event("Destroyed")
    def _destroyed(self, occurred_at: datetime, actor: Actor, lot: str, witness: Actor) -> None:
        self.lots[lot] = replace(self.lots[lot], status=LotStatus.DESTROYED)

    def ship(self, lot_id: str, document: str, actor: Actor, now: datetime) -> None:
        self._lot(lot_id, LotStatus.RETURNED, "ship")
        self._shipped(now, actor, lot_id, require_text("document", document))

    @event("ShippedToManufacturer")
    def _shipped(self, occurred_at: datetime, actor: Actor, lot: str, document: str) -> None:
        self.lots[lot] = replace(self.lots[lot], status=LotStatus.SHIPPED)

    def _lot(self, lot_id: str, status: LotStatus, doing: str) -> Lot:
        lot = self.lots.get(lot_id)
        if lot is None:
            raise OldPartRuleViolation(f"claim {self.claim_id} has no lot {lot_id!r}", field="lot")
        if lot.status is not status:
            msg = f"cannot {doing} lot {lot_id!r}: it is {lot.status.value} (only a {status.value} one)"
            raise OldPartRuleViolation(msg, field="lot", status=lot.status.value)
        return lot
