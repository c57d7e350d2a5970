"""Request and response bodies of the asset routes: registration, acceptance, repairs, 三包, service
transfers between dealers and backup-unit loans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar.params import PathParameter
from pydantic import BaseModel, Field

from api.claim_schemas import Money
from api.schemas import Code, Name, Text, example
from api.stock_schemas import PART_PATTERN, Level

Serial = Annotated[
    str, Field(pattern=PART_PATTERN, description="As the maker writes it, such as VOE-11110668.")
]
SerialInPath = Annotated[str, PathParameter(pattern=PART_PATTERN, description="The asset's serial.")]
TICKET_ID = "0b6f3c1e-8a37-4a43-9a0f-5c2f6f0b8c11"
CONTRACT_ID = "6d1f7c55-0c43-5a3c-9d0e-1f1b8f6b6b2a"


class AssetRegistrationBody(BaseModel):
    model_config = example(
        {
            "serial": "VOE-11110668",
            "model": "EC210D excavator",
            "owner_id": "xcmg",
            "site_id": "xcmg-quarry-3",
            "dealer_id": "dealer-east",
            "pool": False,
            "handed_over_on": "2026-03-02",
        }
    )
    serial: Serial
    model: Name
    owner_id: Code
    site_id: Code
    dealer_id: Code = Field(description="The dealer that services the asset.")
    pool: bool = Field(default=False, description="True for a backup unit of the loan pool.")
    handed_over_on: date | None = Field(
        default=None, description="Handed over as new; the acceptance day if omitted."
    )


class AcceptanceBody(BaseModel):
    model_config = example({"signed_on": "2026-03-05", "passed_on": "2026-03-08", "contract_id": CONTRACT_ID})
    signed_on: date = Field(description="The day the acceptance report was signed.")
    passed_on: date | None = Field(
        default=None, description="The day acceptance passed (a trial run); needed when warranty starts then."
    )
    contract_id: UUID | None = Field(
        default=None,
        description="The contract whose asset terms govern; the owner's in force now if omitted.",
    )


class RepairBody(BaseModel):
    model_config = example(
        {"ticket_id": TICKET_ID, "failed_on": "2026-05-10", "description": "Pump replaced"}
    )
    ticket_id: UUID
    failed_on: date = Field(description="The day of the failure repaired; not in the future.")
    description: Text


class ServiceTransferBody(BaseModel):
    model_config = example(
        {
            "to_dealer": "dealer-west",
            "transferred_on": "2026-03-10",
            "hours_of_use": 40,
            "lease": False,
            "fee": "5000.00",
        }
    )
    to_dealer: Code
    transferred_on: date
    hours_of_use: Level
    lease: bool = Field(default=False, description="A lease never owes the encroachment fee.")
    fee: Money | None = Field(
        default=None,
        description="The encroachment fee agreed: given exactly when the asset terms say it is owed.",
    )


class LoanBody(BaseModel):
    model_config = example({"ticket_id": TICKET_ID, "return_due_on": "2026-11-30"})
    ticket_id: UUID = Field(description="The ticket the unit is lent against, to its customer and site.")
    return_due_on: date | None = Field(default=None, description="When the unit is due back, if agreed.")


class RecallBody(BaseModel):
    model_config = example({"return_by": "2026-11-27"})
    return_by: date


class LoanReturnBody(BaseModel):
    model_config = example({"condition": "Working, scratch on the side panel"})
    condition: Text


class LoanRecorded(BaseModel):
    """A loan recorded: the asset, its version and log position, and the loan's deadline."""

    model_config = example(
        {
            "id": "9c4b1f0e-2d7a-5e3b-8f61-0a9d8c7b6e5f",
            "version": 4,
            "position": 1240,
            "loan_id": "5e0f5a86-49c4-4c52-b8a1-3f3f0d0d2d11",
            "due_by": "2026-11-20T14:00:00Z",
            "late": True,
        },
        closed=False,
    )
    id: UUID
    version: int
    position: int = Field(description="Log position; pass it as ?after= to read this write back.")
    loan_id: str
    due_by: datetime | None = Field(
        description="The latest the unit should have gone out: the contract's deadline after the ticket's "
        "trigger target lapsed; None when it did not lapse or there is no contract."
    )
    late: bool = Field(description="Lent after `due_by`: a flag for penalties.")


REPAIR_EXAMPLE = {"ticket_id": TICKET_ID, "failed_on": "2026-05-10", "description": "Pump replaced"}
LOAN_EXAMPLE: dict[str, Any] = {
    "loan_id": "5e0f5a86-49c4-4c52-b8a1-3f3f0d0d2d11",
    "ticket_id": TICKET_ID,
    "customer_id": "huaxin-bank",
    "site_id": "huaxin-pudong",
    "lent_at": "2026-11-20T15:00:00Z",
    "due_by": "2026-11-20T14:00:00Z",
    "late": True,
    "return_due_on": "2026-11-30",
    "recalled_at": None,
}
ASSET_EXAMPLE: dict[str, Any] = {
    "serial": "VOE-11110668",
    "version": 3,
    "model": "EC210D excavator",
    "owner_id": "xcmg",
    "site_id": "xcmg-quarry-3",
    "dealer_id": "dealer-east",
    "pool": False,
    "handed_over_on": "2026-03-02",
    "registered_at": "2026-03-01T02:00:00Z",
    "accepted_on": "2026-03-05",
    "warranty_rule": "day_after_acceptance",
    "warranty_start": "2026-03-06",
    "warranty_end": "2027-03-05",
    "contract_id": CONTRACT_ID,
    "contract_version": 1,
    "warranty_on": "2026-11-20",
    "warranty_status": "in_warranty",
    "repairs": [REPAIR_EXAMPLE],
    "loan": None,
    "loans": 0,
}


class RepairView(BaseModel):
    model_config = example(REPAIR_EXAMPLE, closed=False)
    ticket_id: UUID
    failed_on: date
    description: str


class LoanView(BaseModel):
    model_config = example(LOAN_EXAMPLE, closed=False)
    loan_id: str
    ticket_id: UUID
    customer_id: str
    site_id: str
    lent_at: datetime
    due_by: datetime | None
    late: bool = Field(description="Lent after `due_by`.")
    return_due_on: date | None = Field(description="When it is due back: as agreed, or as a recall asks.")
    recalled_at: datetime | None


class AssetView(BaseModel):
    """An asset as its events make it, with its warranty status on a day."""

    model_config = example(ASSET_EXAMPLE, closed=False)
    serial: str
    version: int
    model: str
    owner_id: str
    site_id: str
    dealer_id: str
    pool: bool
    handed_over_on: date | None
    registered_at: datetime
    accepted_on: date | None
    warranty_rule: str | None = Field(
        description="acceptance_day, day_after_acceptance or acceptance_passed."
    )
    warranty_start: date | None
    warranty_end: date | None
    contract_id: UUID | None = Field(description="The contract whose asset terms govern, once accepted.")
    contract_version: int | None
    warranty_on: date = Field(description="The day the warranty status is for.")
    warranty_status: str = Field(description="in_warranty, expired, not_started or no_acceptance.")
    repairs: list[RepairView]
    loan: LoanView | None = Field(description="The current loan of a backup unit.")
    loans: int = Field(description="How many times the unit has been lent.")


class GuaranteeView(BaseModel):
    """What 三包 allows for a failure on a day."""

    model_config = example(
        {
            "serial": "VOE-11110668",
            "failed_on": "2026-06-01",
            "warranty_start": "2026-03-06",
            "day": 88,
            "repair": 3,
            "remedies": ["replacement"],
            "reason": "day 88: repair 3 within 365 days, more than 2",
        },
        closed=False,
    )
    serial: str
    failed_on: date
    warranty_start: date
    day: int = Field(description="The day of the failure, counting the warranty start as day 1.")
    repair: int = Field(description="Which repair within the replacement period this failure's would be.")
    remedies: list[str] = Field(
        description="refund, exchange, repair or replacement; none outside the terms."
    )
    reason: str
