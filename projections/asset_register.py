"""The asset register and the old parts of warranty claims: each serialised unit with its owner,
dealer, acceptance, warranty, repairs and current loan (every earlier row kept by recorded time),
and each claim's old-part lots; answers as the ledger knew them at any past time T.

An asset's row is recomputed from the asset as each of its events leaves it, as the stock rows
are; a lot's row from the claim's old parts, stamped with when each of its steps was recorded.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.assets import Asset, warranty_status
from domain.old_parts import OldParts
from projections.batching import BatchProjection, Positioned
from projections.kpis import REPORTING_ZONE
from projections.old_part_lots import (
    ListedRow,
    LotKey,
    LotRow,
    OldPartsFilter,
    PartReconciliation,
    carried,
    listed_rows,
    lot_of,
    lot_row,
)
from projections.versioned import AggregateSource, changes, replayed

STATUSES = ("in_warranty", "expired", "not_started", "no_acceptance")


@dataclass(frozen=True)
class AssetRow:
    """A unit after the event at `position` (asset `version`), recorded at `recorded_at`."""

    serial: str
    model: str
    owner_id: str
    site_id: str
    dealer_id: str
    pool: bool
    """A backup unit of the pool, lent against tickets."""
    handed_over_on: date | None
    accepted_on: date | None
    warranty_start: date | None
    warranty_end: date | None
    contract_id: str | None
    contract_version: int | None
    repairs: int
    loans: int
    loan_id: str | None
    """The loan it is out on, if any; the `loan_` and loan times below are that loan's."""
    loan_ticket_id: str | None
    loan_customer_id: str | None
    loan_site_id: str | None
    lent_at: datetime | None
    due_by: datetime | None
    """The latest it should have been lent: its trigger plus the contract's deadline."""
    lent_late: bool
    return_due_on: date | None
    recalled_at: datetime | None
    version: int
    position: int
    recorded_at: datetime

    def warranty_status(self, on: date) -> str:
        """in_warranty, expired, not_started or no_acceptance."""
        return warranty_status(self.warranty_start, self.warranty_end, on)

    def days_out(self, on: date) -> int:
        """Days on loan by the day `on`, counted from the day it was lent (Asia/Shanghai)."""
        return 0 if self.lent_at is None else (on - self.lent_at.astimezone(REPORTING_ZONE).date()).days

    def overdue(self, on: date) -> bool:
        """On loan past the day it was due back."""
        return self.loan_id is not None and self.return_due_on is not None and on > self.return_due_on


@dataclass(frozen=True)
class AssetQuery:
    """A page of assets by serial, after the serial `after` (keyset paging), with their warranty
    status on the day `on`, as of a recorded time (None: now)."""

    on: date
    owner_id: str | None = None
    dealer_id: str | None = None
    pool: bool | None = None
    status: str | None = None
    as_of: datetime | None = None
    after: str | None = None
    limit: int = 100

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"no warranty status {self.status!r}; statuses are {', '.join(STATUSES)}")
        if self.limit < 1:
            raise ValueError("a page holds at least one row")

    def admits(self, row: AssetRow) -> bool:
        return (
            (self.owner_id is None or row.owner_id == self.owner_id)
            and (self.dealer_id is None or row.dealer_id == self.dealer_id)
            and (self.pool is None or row.pool == self.pool)
            and (self.status is None or row.warranty_status(self.on) == self.status)
            and (self.after is None or row.serial > self.after)
        )


@dataclass(frozen=True)
class LoanQuery:
    """Backup units on loan as of a recorded time, overdue or not on the day `on`."""

    on: date
    overdue: bool | None = None
    as_of: datetime | None = None

    def admits(self, row: AssetRow) -> bool:
        return row.loan_id is not None and (self.overdue is None or row.overdue(self.on) == self.overdue)


class AssetView(TrackingRecorder, ABC):
    """Where asset rows and their versions, and old-part lots and listings, live."""

    @abstractmethod
    def assets_for(self, serials: Collection[str]) -> dict[str, AssetRow]: ...

    @abstractmethod
    def lots_for(self, keys: Collection[LotKey]) -> dict[LotKey, LotRow]: ...

    @abstractmethod
    def apply(
        self,
        assets: Sequence[AssetRow],
        lots: Sequence[LotRow],
        listed: Sequence[ListedRow],
        tracking: Tracking,
    ) -> None:
        """Append the changed asset rows (in log order) to the versions and keep each asset's last
        as its current row, keep each lot's last row, add the listings, and track, atomically."""

    @abstractmethod
    def assets(self, query: AssetQuery) -> list[AssetRow]: ...

    @abstractmethod
    def loans(self, query: LoanQuery) -> list[AssetRow]:
        """The units on loan, by serial."""

    @abstractmethod
    def pending(self, where: OldPartsFilter) -> list[LotRow]:
        """Lots collected and not logged in, by the end of their window, claim and lot."""

    @abstractmethod
    def reconciliation(self, where: OldPartsFilter) -> list[PartReconciliation]:
        """Each listed part of the claims, by claim and part number."""

    @abstractmethod
    def all_rows(self) -> tuple[list[AssetRow], list[LotRow], list[ListedRow]]:
        """Every current row, by key: what a rebuild must reproduce."""

    @abstractmethod
    def truncate(self) -> None: ...


@dataclass
class Taken:
    """What a batch changes, in log order, and the aggregates as its events have left them."""

    loaded: dict[UUID, Any] = field(default_factory=dict)
    assets: list[tuple[str, AssetRow]] = field(default_factory=list)
    lots: list[LotRow] = field(default_factory=list)
    listed: list[ListedRow] = field(default_factory=list)


class AssetProjection(BatchProjection[AssetView]):
    """Recomputes the row of every asset and every old-part lot a batch touches, event by event."""

    name = "assets"
    topics = ()

    def __init__(self, view: AssetView, ledger: AggregateSource) -> None:
        super().__init__(view)
        self.ledger = ledger

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        taken = Taken()
        for positioned in events:
            self._take(positioned.event, positioned.position, taken)
        last_assets = self.view.assets_for({serial for serial, _ in taken.assets}) if taken.assets else {}
        last_lots = self.view.lots_for({lot.key for lot in taken.lots}) if taken.lots else {}
        self.view.apply(
            changes(taken.assets, last_assets), carried(taken.lots, last_lots), taken.listed, tracking
        )

    def _take(self, event: Any, position: int, taken: Taken) -> None:
        """Move the event's asset or old parts on, and note the row the event leaves."""
        if isinstance(event, Asset.Event):
            asset = replayed(self.ledger, event, taken.loaded.get(event.originator_id), Asset)
            taken.loaded[event.originator_id] = asset
            taken.assets.append((asset.serial, asset_row(asset, position, event.timestamp)))
        elif isinstance(event, OldParts.Event):
            parts = replayed(self.ledger, event, taken.loaded.get(event.originator_id), OldParts)
            taken.loaded[event.originator_id] = parts
            if isinstance(event, OldParts.Started):
                taken.listed += listed_rows(parts, event.timestamp)
            else:
                taken.lots.append(lot_row(parts, lot_of(event), position, event.timestamp))


def asset_row(asset: Asset, position: int, recorded_at: datetime) -> AssetRow:
    """The asset's row after the event at `position`."""
    loan, contract = asset.loan, asset.contract
    return AssetRow(
        serial=asset.serial,
        model=asset.model,
        owner_id=asset.owner_id,
        site_id=asset.site_id,
        dealer_id=asset.dealer_id,
        pool=asset.pool,
        handed_over_on=asset.handed_over_on,
        accepted_on=asset.accepted_on,
        warranty_start=asset.warranty_start,
        warranty_end=asset.warranty_end,
        contract_id=None if contract is None else str(contract[0]),
        contract_version=None if contract is None else contract[1],
        repairs=len(asset.repairs),
        loans=asset.loans,
        loan_id=None if loan is None else loan.loan_id,
        loan_ticket_id=None if loan is None else loan.ticket_id,
        loan_customer_id=None if loan is None else loan.customer_id,
        loan_site_id=None if loan is None else loan.site_id,
        lent_at=None if loan is None else loan.lent_at,
        due_by=None if loan is None else loan.due_by,
        # As the ledger flags a loan late (Asset.LentLate): lent after its deadline.
        lent_late=loan is not None and loan.late,
        return_due_on=None if loan is None else loan.return_due_on,
        recalled_at=None if loan is None else loan.recalled_at,
        version=asset.version,
        position=position,
        recorded_at=recorded_at,
    )
