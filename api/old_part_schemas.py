"""Request and response bodies of a warranty claim's old-part routes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.claim_schemas import OldPartView
from api.schemas import Code, Name, example
from api.stock_schemas import PART_PATTERN, Count, PartNumber

Lot = Annotated[str, Field(pattern=PART_PATTERN, description="The lot's label, unique within the claim.")]


class OldPartCollection(BaseModel):
    model_config = example(
        {
            "lot": "LOT-1",
            "part_number": "P-4411",
            "serial": "SN-88",
            "quantity": 1,
            "engineer_id": "eng-li",
            "collected_on": "2026-11-19",
        }
    )
    lot: Lot
    part_number: PartNumber
    serial: Annotated[str, Field(max_length=64, pattern=r"^([A-Za-z0-9][A-Za-z0-9._/-]{0,63})?$")] = ""
    quantity: Count
    engineer_id: Code = Field(description="The engineer the parts are taken from.")
    collected_on: date = Field(description="Not in the future; it decides the window they are due back in.")


class OldPartLogIn(BaseModel):
    model_config = example({"location_id": "central", "returned_on": "2026-11-27"})
    location_id: Code
    returned_on: date = Field(description="Between the collection and today; after the window it is late.")


class OldPartShipment(BaseModel):
    model_config = example({"document": "WAYBILL-2026-1127"})
    document: Name = Field(description="The waybill the parts go back to the manufacturer under.")


LOT_EXAMPLE: dict[str, Any] = {
    "lot": "LOT-1",
    "part_number": "P-4411",
    "serial": "SN-88",
    "quantity": 1,
    "engineer_id": "eng-li",
    "collected_on": "2026-11-19",
    "due_from": "2026-11-26",
    "due_by": "2026-11-28",
    "status": "returned",
    "returned_on": "2026-11-30",
    "late": True,
    "days_late": 2,
}


class LotView(BaseModel):
    model_config = example(LOT_EXAMPLE, closed=False)
    lot: str
    part_number: str
    serial: str
    quantity: int
    engineer_id: str
    collected_on: date
    due_from: date
    due_by: date = Field(description="The last day of the window the lot is due back to the warehouse in.")
    status: str = Field(description="collected, returned, destroyed or shipped.")
    returned_on: date | None
    late: bool = Field(description="Returned after `due_by`, or still out after it today.")
    days_late: int


class OldPartsView(BaseModel):
    """A warranty claim's old parts: what it lists, what is left to collect, and each lot."""

    model_config = example(
        {
            "claim_id": "5b0e8a52-3f8e-4d2b-9a57-1c9f3e0d7a61",
            "vendor_id": "volvo-ce",
            "version": 3,
            "listed": [{"part_number": "P-4411", "quantity": 1, "serial": "SN-88"}],
            "outstanding": {"P-4411": 0},
            "lots": [LOT_EXAMPLE],
        },
        closed=False,
    )
    claim_id: UUID
    vendor_id: str
    version: int = Field(description="0 until the first lot is collected.")
    listed: list[OldPartView]
    outstanding: dict[str, int] = Field(description="Units of each listed part not collected yet.")
    lots: list[LotView]
