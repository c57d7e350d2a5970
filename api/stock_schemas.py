"""Request and response bodies of the stock and transfer routes. Quantities are whole JSON numbers;
money travels as strings such as "115.00", never as JSON numbers."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from litestar.params import PathParameter
from pydantic import BaseModel, BeforeValidator, Field

from api.claim_schemas import AMOUNT_PATTERN, Amount
from api.schemas import Code, Name, Text, example
from domain.stock_rules import MAX_QUANTITY
from domain.ticket_terms import CODE_PATTERN, REFERENCE_PATTERN

PART_PATTERN = f"^{REFERENCE_PATTERN.pattern}$"
"""A part number or serial as its maker writes it; no '/', so that it names one path segment."""
LOCATION_PATTERN = CODE_PATTERN.pattern
COST_SHAPE = re.compile(AMOUNT_PATTERN)


def whole_number(value: object) -> object:
    """A count is a JSON integer: neither true nor "5" nor 5.0 passes for one."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("a whole number, such as 5")
    return value


def cost_text(value: object) -> Decimal:
    if not isinstance(value, str) or not COST_SHAPE.fullmatch(value):
        raise ValueError('a string of digits with at most two decimals, such as "115.00"')
    return Decimal(value)


Count = Annotated[int, BeforeValidator(whole_number), Field(ge=1, le=MAX_QUANTITY - 1)]
"""How many units a movement takes: at least one."""
Level = Annotated[int, BeforeValidator(whole_number), Field(ge=0, le=MAX_QUANTITY - 1)]
"""A count or a level that may be zero."""
UnitCost = Annotated[
    Decimal,
    BeforeValidator(cost_text),
    Field(json_schema_extra={"type": "string", "pattern": AMOUNT_PATTERN}),
]
"""The cost of one unit: zero or more, at most two decimals."""
PartNumber = Annotated[str, Field(pattern=PART_PATTERN)]
PartInPath = Annotated[str, PathParameter(pattern=PART_PATTERN, description="The part number.")]
LocationInPath = Annotated[
    str, PathParameter(pattern=LOCATION_PATTERN, description="A warehouse, service station or van.")
]

TICKET_ID = "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11"
TRANSFER_ID = "3f2a9d7e-5b1c-4e8a-9f60-7c1d2e3b4a55"


class StockReceipt(BaseModel):
    model_config = example(
        {"supplier": "volvo-ce", "document": "GRN-2026-0042", "quantity": 10, "unit_cost": "100.00"}
    )
    supplier: Name
    document: Name = Field(description="The goods-received note or invoice the units came with.")
    quantity: Count
    unit_cost: UnitCost


class StockReservation(BaseModel):
    model_config = example({"ticket_id": TICKET_ID, "quantity": 2})
    ticket_id: UUID
    quantity: Count


class StockIssue(BaseModel):
    model_config = example({"ticket_id": TICKET_ID, "quantity": 1, "chargeable": True})
    ticket_id: UUID
    quantity: Count = Field(description="Taken first from what is reserved for the ticket.")
    chargeable: bool = Field(
        default=True,
        description='False for a free spare (the "not repaired in 2 h" remedy): no charge to the '
        "customer, still valued out of stock.",
    )


class StockReturn(BaseModel):
    model_config = example({"ticket_id": TICKET_ID, "document": "RTN-2026-0007", "quantity": 1})
    ticket_id: UUID | None = Field(default=None, description="The ticket the unused parts come back from.")
    document: Name
    quantity: Count


class StockWriteOff(BaseModel):
    model_config = example({"quantity": 2, "reason": "Damaged in the flood of 12 November"})
    quantity: Count
    reason: Text


class StockCount(BaseModel):
    model_config = example({"counted": 7, "reason": "Stocktake November 2026"})
    counted: Level = Field(description="Units found; the difference from on hand becomes an adjustment.")
    reason: Text


class SafetyStock(BaseModel):
    model_config = example({"level": 4})
    level: Level = Field(description="Below it with no transfer request open, the item is flagged.")


class TransferRequest(BaseModel):
    model_config = example(
        {
            "part_number": "P-4411",
            "from_location": "central",
            "to_location": "station-pudong",
            "quantity": 3,
            "reason": "Below safety stock",
        }
    )
    part_number: PartNumber
    from_location: Code
    to_location: Code
    quantity: Count
    reason: Text


class TransferDispatch(BaseModel):
    model_config = example({"document": "DN-2026-0311"})
    document: Name = Field(description="The delivery note the units travel with.")


class TransferCancellation(BaseModel):
    model_config = example({"reason": "Found the parts at the station"})
    reason: Text


STOCK_EXAMPLE: dict[str, Any] = {
    "part_number": "P-4411",
    "location_id": "central",
    "version": 6,
    "on_hand": 15,
    "reserved": [{"ticket_id": TICKET_ID, "quantity": 2}],
    "free": 13,
    "in_transit": [{"transfer_id": TRANSFER_ID, "quantity": 3, "value": "345.00"}],
    "value": "1725.00",
    "unit_cost": "115.00",
    "safety_stock": 4,
    "flagged": False,
    "open_requests": [],
}


class ReservationView(BaseModel):
    model_config = example(STOCK_EXAMPLE["reserved"][0], closed=False)
    ticket_id: UUID
    quantity: int


class TransitView(BaseModel):
    model_config = example(STOCK_EXAMPLE["in_transit"][0], closed=False)
    transfer_id: UUID
    quantity: int
    value: Amount = Field(description="What the units left with; the destination takes them in at it.")


class StockItemView(BaseModel):
    """A part at a location as its events make it."""

    model_config = example(STOCK_EXAMPLE, closed=False)
    part_number: str
    location_id: str
    version: int
    on_hand: int
    reserved: list[ReservationView] = Field(description="Units held for tickets, by ticket.")
    free: int = Field(description="On hand and not reserved.")
    in_transit: list[TransitView] = Field(description="Sent from here, not yet arrived, by transfer.")
    value: Amount = Field(description="What the units on hand are worth at moving-average cost.")
    unit_cost: Amount = Field(
        description="Moving-average cost of a unit; the last known when none is on hand."
    )
    safety_stock: int
    flagged: bool = Field(description="Below safety stock with no transfer request open.")
    open_requests: list[UUID] = Field(description="Transfer requests into here not yet arrived or cancelled.")


TRANSFER_EXAMPLE: dict[str, Any] = {
    "transfer_id": TRANSFER_ID,
    "version": 2,
    "part_number": "P-4411",
    "from_location": "central",
    "to_location": "station-pudong",
    "quantity": 3,
    "reason": "Below safety stock",
    "status": "in_transit",
    "value": "345.00",
    "requested_at": "2026-11-20T01:00:00Z",
    "dispatched_at": "2026-11-20T03:00:00Z",
    "arrived_at": None,
}


class TransferView(BaseModel):
    """A transfer as its events make it."""

    model_config = example(TRANSFER_EXAMPLE, closed=False)
    transfer_id: UUID
    version: int
    part_number: str
    from_location: str
    to_location: str
    quantity: int
    reason: str
    status: str = Field(description="requested, in_transit, arrived or cancelled.")
    value: Amount = Field(description="What the units left with; 0.00 until dispatched.")
    requested_at: datetime
    dispatched_at: datetime | None
    arrived_at: datetime | None
