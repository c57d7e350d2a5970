"""Response bodies of the parts and assets queries: stock on hand with its totals, a part's movement
ledger, backup units on loan, old parts pending and reconciled, and the asset register. Amounts are
exact decimal strings with two places, never floats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from api.reconciliation_schemas import AsOf, Money
from api.schemas import example

On = Field(description="The day (Asia/Shanghai) days are counted to and statuses read on.")
STOCK_EXAMPLE: dict[str, Any] = {
    "part_number": "VOE-11110668",
    "location_id": "wh-main",
    "on_hand": 7,
    "reserved": 2,
    "free": 5,
    "in_transit": 4,
    "in_transit_value": "50.00",
    "value": "87.50",
    "unit_cost": "12.50",
    "safety_stock": 10,
    "below_safety": True,
    "open_requests": 0,
    "flagged": True,
    "version": 9,
    "position": 88412,
    "recorded_at": "2026-11-20T03:15:02.410Z",
}
TOTALS_EXAMPLE: dict[str, Any] = {
    "items": 2,
    "on_hand": 10,
    "reserved": 2,
    "in_transit": 4,
    "in_transit_value": "50.00",
    "value": "125.00",
}
MOVEMENT_EXAMPLE: dict[str, Any] = {
    "position": 88410,
    "part_number": "VOE-11110668",
    "location_id": "wh-main",
    "kind": "issue",
    "quantity": -3,
    "value": "-37.50",
    "on_hand_after": 7,
    "unit_cost_after": "12.50",
    "occurred_at": "2026-11-20T03:15:00Z",
    "recorded_at": "2026-11-20T03:15:01.120Z",
    "actor_id": "wh-sun",
    "actor_role": "warehouse",
    "countersigner_id": "wh-ma",
    "approver_id": None,
    "approver_role": None,
    "ticket_id": "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11",
    "transfer_id": None,
    "other_location_id": None,
    "supplier": None,
    "document": None,
    "reason": None,
    "chargeable": True,
}
LOAN_EXAMPLE: dict[str, Any] = {
    "serial": "BK-0007",
    "model": "PowerEdge R750",
    "loan_id": "9a7e3f52-1c0d-4e8b-a5f2-3b6d7c8e9f01",
    "ticket_id": "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11",
    "customer_id": "huaxin-bank",
    "site_id": "huaxin-bank-pudong",
    "lent_at": "2026-11-12T06:00:00Z",
    "due_by": "2026-11-12T04:00:00Z",
    "lent_late": True,
    "return_due_on": "2026-11-19",
    "recalled": True,
    "recalled_at": "2026-11-18T01:00:00Z",
    "days_out": 11,
    "overdue": True,
}
PENDING_EXAMPLE: dict[str, Any] = {
    "claim_id": "5d0c7a52-3f0e-4b59-9d6a-0f1b2c3d4e5f",
    "vendor_id": "volvo-ce",
    "lot": "L-2026-114",
    "part_number": "VOE-11110668",
    "serial": "PMP-88121",
    "quantity": 1,
    "engineer_id": "eng-li",
    "collected_on": "2026-10-05",
    "due_from": "2026-10-26",
    "due_by": "2026-10-28",
    "days_overdue": 26,
}
RECONCILED_EXAMPLE: dict[str, Any] = {
    "claim_id": "5d0c7a52-3f0e-4b59-9d6a-0f1b2c3d4e5f",
    "vendor_id": "volvo-ce",
    "part_number": "VOE-11110668",
    "listed": 3,
    "collected": 3,
    "returned": 2,
    "destroyed": 2,
    "shipped": 0,
    "to_collect": 0,
    "pending": 1,
    "late_lots": 0,
    "overdue_lots": 1,
}
ASSET_EXAMPLE: dict[str, Any] = {
    "serial": "SN-CN7021-0042",
    "model": "PowerEdge R750",
    "owner_id": "huaxin-bank",
    "site_id": "huaxin-bank-pudong",
    "dealer_id": "dealer-sh",
    "pool": False,
    "handed_over_on": "2026-03-01",
    "accepted_on": "2026-03-01",
    "warranty_start": "2026-03-02",
    "warranty_end": "2027-03-01",
    "warranty_status": "in_warranty",
    "contract_id": "221e90d7-e46d-5a93-be0a-38c6ac62e5f7",
    "contract_version": 1,
    "repairs": 1,
    "loans": 0,
    "on_loan": False,
    "version": 5,
    "position": 70211,
    "recorded_at": "2026-09-14T02:11:40.005Z",
}


class StockLevel(BaseModel):
    model_config = example(STOCK_EXAMPLE, closed=False)
    part_number: str
    location_id: str
    on_hand: int
    reserved: int = Field(description="Reserved for tickets, still on hand.")
    free: int = Field(description="On hand and not reserved.")
    in_transit: int = Field(description="Dispatched from here to another location, not arrived yet.")
    in_transit_value: Money
    value: Money = Field(description="Of what is on hand, at moving-average cost.")
    unit_cost: Money = Field(description="The moving-average cost of a unit; with none on hand, the last.")
    safety_stock: int
    below_safety: bool = Field(description="On hand below the safety stock.")
    open_requests: int = Field(description="Transfer requests into here still open.")
    flagged: bool = Field(description="Below safety stock with no transfer request open: a fault.")
    version: int = Field(description="The stock item's version the figures were computed after.")
    position: int = Field(description="The log position of that event.")
    recorded_at: datetime


class StockTotalsView(BaseModel):
    model_config = example(TOTALS_EXAMPLE, closed=False)
    items: int = Field(description="Parts at locations the filters cover (every page).")
    on_hand: int
    reserved: int
    in_transit: int
    in_transit_value: Money
    value: Money


class StockPage(BaseModel):
    model_config = example(
        {"as_of": None, "items": [STOCK_EXAMPLE], "next_cursor": None, "totals": TOTALS_EXAMPLE}, closed=False
    )
    as_of: AsOf
    items: list[StockLevel]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")
    totals: StockTotalsView = Field(description="Every row the filters cover, added up.")


class Movement(BaseModel):
    model_config = example(MOVEMENT_EXAMPLE, closed=False)
    position: int = Field(description="The movement's place in the ledger's log.")
    part_number: str
    location_id: str
    kind: str = Field(
        description="receipt, opening_balance, reservation, release, issue, return, transfer_out, "
        "transfer_in, write_off or adjustment."
    )
    quantity: int = Field(
        description="Units into (+) or out of (-) on hand; for a reservation or a release, of reserved."
    )
    value: Money = Field(description="What it adds to (+) or takes from (-) the value on hand.")
    on_hand_after: int
    unit_cost_after: Money
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str
    actor_role: str
    countersigner_id: str | None = Field(
        description="The second warehouse keeper who countersigned an issue."
    )
    approver_id: str | None = Field(description="The manager who approved a write-off or an adjustment.")
    approver_role: str | None
    ticket_id: str | None
    transfer_id: str | None
    other_location_id: str | None = Field(description="Where a transfer went to, or came from.")
    supplier: str | None
    document: str | None = Field(description="The delivery note, opening count or return document.")
    reason: str | None = Field(description="Why it was written off or adjusted.")
    chargeable: bool | None = Field(description="For an issue: false for a free spare.")


class MovementPage(BaseModel):
    model_config = example(
        {"part_number": "VOE-11110668", "as_of": None, "items": [MOVEMENT_EXAMPLE], "next_cursor": None},
        closed=False,
    )
    part_number: str
    as_of: AsOf
    items: list[Movement]
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class Loan(BaseModel):
    model_config = example(LOAN_EXAMPLE, closed=False)
    serial: str
    model: str
    loan_id: str
    ticket_id: str
    customer_id: str
    site_id: str
    lent_at: datetime
    due_by: datetime | None = Field(description="When the contract wanted it lent by; null without one.")
    lent_late: bool = Field(description="Lent after `due_by`.")
    return_due_on: date | None = Field(description="When it is due back: as agreed, or as a recall asks.")
    recalled: bool
    recalled_at: datetime | None
    days_out: int = Field(description="Days since the day it was lent, to `on`.")
    overdue: bool = Field(description="Still out after its return_due_on.")


class LoanList(BaseModel):
    model_config = example({"as_of": None, "on": "2026-11-23", "items": [LOAN_EXAMPLE]}, closed=False)
    as_of: AsOf
    on: date = On
    items: list[Loan]


class PendingOldPart(BaseModel):
    model_config = example(PENDING_EXAMPLE, closed=False)
    claim_id: str
    vendor_id: str
    lot: str
    part_number: str
    serial: str
    quantity: int
    engineer_id: str = Field(description="Who handed the lot over.")
    collected_on: date
    due_from: date
    due_by: date = Field(description="The last day of the window it is due back to the warehouse in.")
    days_overdue: int = Field(description="Days past due_by on `on`; 0 within its window.")


class PendingOldParts(BaseModel):
    model_config = example({"as_of": None, "on": "2026-11-23", "items": [PENDING_EXAMPLE]}, closed=False)
    as_of: AsOf
    on: date = On
    items: list[PendingOldPart]


class ReconciledOldPart(BaseModel):
    model_config = example(RECONCILED_EXAMPLE, closed=False)
    claim_id: str
    vendor_id: str
    part_number: str
    listed: int = Field(description="Units the claim lists as old parts to go back.")
    collected: int
    returned: int = Field(description="Logged in at the warehouse (since destroyed or shipped included).")
    destroyed: int
    shipped: int = Field(description="Shipped back to the manufacturer.")
    to_collect: int
    pending: int = Field(description="Collected and not logged in yet.")
    late_lots: int = Field(description="Lots logged in after their window.")
    overdue_lots: int = Field(description="Lots not logged in whose window closed before `on`.")


class OldPartReconciliation(BaseModel):
    model_config = example({"as_of": None, "on": "2026-11-23", "items": [RECONCILED_EXAMPLE]}, closed=False)
    as_of: AsOf
    on: date = On
    items: list[ReconciledOldPart]


class RegisteredAsset(BaseModel):
    model_config = example(ASSET_EXAMPLE, closed=False)
    serial: str
    model: str
    owner_id: str
    site_id: str
    dealer_id: str = Field(description="The dealer that services it.")
    pool: bool = Field(description="A backup unit of the pool.")
    handed_over_on: date | None
    accepted_on: date | None
    warranty_start: date | None
    warranty_end: date | None
    warranty_status: str = Field(description="On `on`: in_warranty, expired, not_started or no_acceptance.")
    contract_id: str | None = Field(description="The contract version whose terms gave the warranty.")
    contract_version: int | None
    repairs: int
    loans: int = Field(description="Times lent as a backup unit.")
    on_loan: bool
    version: int
    position: int
    recorded_at: datetime


class AssetPage(BaseModel):
    model_config = example(
        {"as_of": None, "on": "2026-11-23", "items": [ASSET_EXAMPLE], "next_cursor": None}, closed=False
    )
    as_of: AsOf
    on: date = On
    items: list[RegisteredAsset]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")
