"""Old parts of warranty claims as the warehouse follows them up: each lot collected from an engineer,
with when the ledger recorded its collection, its return and its destruction or shipment (so that
its state as of a past time T is read from the row), and what each claim lists of each part."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from domain.old_parts import LotStatus, OldParts

LotKey = tuple[str, str]
"""A claim and a lot."""
COLLECTED = LotStatus.COLLECTED.value
RETURNED = LotStatus.RETURNED.value
DISPOSED = frozenset({LotStatus.DESTROYED.value, LotStatus.SHIPPED.value})


@dataclass(frozen=True)
class LotRow:
    """A lot after the event at `position`, and when each step of it was recorded."""

    claim_id: str
    lot: str
    vendor_id: str
    part_number: str
    serial: str
    quantity: int
    engineer_id: str
    collected_on: date
    due_from: date
    due_by: date
    """The window it is due back to the warehouse in."""
    status: str
    returned_on: date | None
    late: bool
    """Logged in after its window closed (the ledger flags it for penalties)."""
    collected_recorded_at: datetime
    returned_recorded_at: datetime | None
    disposed_recorded_at: datetime | None
    """When its destruction or shipment to the manufacturer was recorded."""
    position: int

    @property
    def key(self) -> LotKey:
        return (self.claim_id, self.lot)

    def as_of(self, as_of: datetime | None) -> LotRow | None:
        """The lot as the ledger knew it at the time; None if not collected by then."""
        if as_of is None or (self.disposed_recorded_at is not None and self.disposed_recorded_at <= as_of):
            return self
        if self.collected_recorded_at > as_of:
            return None
        if self.returned_recorded_at is not None and self.returned_recorded_at <= as_of:
            return replace(self, status=RETURNED)
        return replace(self, status=COLLECTED, returned_on=None, late=False)

    def days_overdue(self, on: date) -> int:
        """Days past its window on the day `on`, while it is not logged in."""
        return max(0, (on - self.due_by).days) if self.status == COLLECTED else 0


@dataclass(frozen=True)
class ListedRow:
    """The units of a part a claim lists as old parts to go back, recorded at `recorded_at`."""

    claim_id: str
    part_number: str
    vendor_id: str
    listed: int
    recorded_at: datetime


@dataclass(frozen=True)
class PartReconciliation:
    """A claim's listed part against what became of its units, on the day `on` of the answer."""

    claim_id: str
    vendor_id: str
    part_number: str
    listed: int
    collected: int
    returned: int
    """Logged in at the warehouse (those since destroyed or shipped included)."""
    destroyed: int
    shipped: int
    to_collect: int
    pending: int
    """Collected and not logged in yet."""
    late_lots: int
    overdue_lots: int
    """Lots not logged in whose window closed before the day of the answer."""


@dataclass(frozen=True)
class OldPartsFilter:
    """Which claims an answer covers, as of a recorded time (None: now), on a day."""

    on: date
    claim_id: str | None = None
    vendor_id: str | None = None
    as_of: datetime | None = None

    def admits(self, row: LotRow | ListedRow) -> bool:
        return (self.claim_id is None or row.claim_id == self.claim_id) and (
            self.vendor_id is None or row.vendor_id == self.vendor_id
        )


def listed_rows(parts: OldParts, recorded_at: datetime) -> list[ListedRow]:
    """What a claim lists, by part number (a part listed twice, under two serials, adds up)."""
    listed: dict[str, int] = {}
    for part in parts.listed:
        listed[part.part_number] = listed.get(part.part_number, 0) + part.quantity
    return [
        ListedRow(str(parts.claim_id), number, parts.vendor_id, quantity, recorded_at)
        for number, quantity in sorted(listed.items())
    ]


def lot_row(parts: OldParts, lot_id: str, position: int, recorded_at: datetime) -> LotRow:
    """The lot as the event at `position` leaves it, each step it has reached stamped `recorded_at`
    (`carried` keeps the earlier stamps)."""
    lot = parts.lots[lot_id]
    return LotRow(
        claim_id=str(parts.claim_id),
        lot=lot.lot,
        vendor_id=parts.vendor_id,
        part_number=lot.part_number,
        serial=lot.serial,
        quantity=lot.quantity,
        engineer_id=lot.engineer_id,
        collected_on=lot.collected_on,
        due_from=lot.due_from,
        due_by=lot.due_by,
        status=lot.status.value,
        returned_on=lot.returned_on,
        late=lot.returned_on is not None and lot.returned_on > lot.due_by,
        collected_recorded_at=recorded_at,
        returned_recorded_at=None if lot.status is LotStatus.COLLECTED else recorded_at,
        disposed_recorded_at=recorded_at if lot.status.value in DISPOSED else None,
        position=position,
    )


def carried(fresh: Iterable[LotRow], last: Mapping[LotKey, LotRow]) -> list[LotRow]:
    """The lots that changed, in log order, each step keeping the time it was first recorded."""
    known = dict(last)
    changed: list[LotRow] = []
    for computed in fresh:
        before = known.get(computed.key)
        row = computed
        if before is not None:
            row = replace(
                computed,
                collected_recorded_at=before.collected_recorded_at,
                returned_recorded_at=before.returned_recorded_at or computed.returned_recorded_at,
                disposed_recorded_at=before.disposed_recorded_at or computed.disposed_recorded_at,
            )
            if row == replace(before, position=row.position):
                continue
        known[row.key] = row
        changed.append(row)
    return changed


def reconcile(listed: Sequence[ListedRow], lots: Sequence[LotRow], on: date) -> list[PartReconciliation]:
    """Each listed part against its lots (both as of the same time), by claim and part number."""
    answers = []
    for part in sorted(listed, key=lambda p: (p.claim_id, p.part_number)):
        mine = [t for t in lots if (t.claim_id, t.part_number) == (part.claim_id, part.part_number)]
        collected = sum(t.quantity for t in mine)
        returned = sum(t.quantity for t in mine if t.status != COLLECTED)
        answers.append(
            PartReconciliation(
                claim_id=part.claim_id,
                vendor_id=part.vendor_id,
                part_number=part.part_number,
                listed=part.listed,
                collected=collected,
                returned=returned,
                destroyed=sum(t.quantity for t in mine if t.status == LotStatus.DESTROYED.value),
                shipped=sum(t.quantity for t in mine if t.status == LotStatus.SHIPPED.value),
                to_collect=part.listed - collected,
                pending=collected - returned,
                late_lots=sum(1 for t in mine if t.late),
                overdue_lots=sum(1 for t in mine if t.days_overdue(on) > 0),
            )
        )
    return answers


def lot_of(event: Any) -> str:
    """The lot an event of old parts (but `Started`) is about: a collection carries the lot, each
    later step its id."""
    lot = event.lot
    return lot if isinstance(lot, str) else str(lot.lot)
