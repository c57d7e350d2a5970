"""Bodies and answers of the customer directory: contact details go in as plain text, are recorded
sealed, and come out revealed, or as `[redacted]` once the customer is forgotten."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas import Code, Name, Text, example

Phone = Annotated[str, Field(max_length=32, description="Digits, with '+', spaces, '-' or brackets.")]
Address = Annotated[str, Field(max_length=300)]
CUSTOMER_EXAMPLE: dict[str, Any] = {
    "customer_id": "huaxin-bank",
    "name": "Huaxin Bank, facilities desk (Zhang Wei)",
    "phone": "+86 21 5888 0100",
    "address": "88 Century Avenue, Pudong, Shanghai",
    "redacted": False,
    "registered_at": "2026-11-02T01:30:00Z",
    "forgotten_at": None,
    "version": 1,
}


class CustomerBody(BaseModel):
    model_config = example({k: CUSTOMER_EXAMPLE[k] for k in ("customer_id", "name", "phone", "address")})
    customer_id: Code
    name: Name
    phone: Phone = ""
    address: Address = ""


class DetailsBody(BaseModel):
    model_config = example(
        {
            "name": "Huaxin Bank, facilities desk (Li Na)",
            "phone": "+86 21 5888 0101",
            "address": "88 Century Avenue, Pudong, Shanghai",
            "reason": "new facilities contact from December",
        }
    )
    name: Name
    phone: Phone = ""
    address: Address = ""
    reason: Text


class ForgetBody(BaseModel):
    model_config = example({"reason": "erasure request of 2026-11-20, ref. DPO-2026-117"})
    reason: Text


class Forgotten(BaseModel):
    model_config = example(
        {"id": "c4444205-b27f-5869-b341-10a63e1e422e", "version": 3, "position": 9120, "keys_shredded": 1}
    )
    id: UUID
    version: int
    position: int = Field(description="Log position of the event that records the forgetting.")
    keys_shredded: int = Field(description="Keys of the customer deleted now.")


class CustomerView(BaseModel):
    model_config = example(CUSTOMER_EXAMPLE)
    customer_id: str
    name: str
    phone: str
    address: str
    redacted: bool = Field(description="The details were sealed under keys since shredded: forgotten.")
    registered_at: datetime
    forgotten_at: datetime | None
    version: int


class CustomerPage(BaseModel):
    model_config = example({"customers": [CUSTOMER_EXAMPLE], "next_after": "huaxin-bank"})
    customers: list[CustomerView]
    next_after: str | None = Field(description="Pass as ?after_customer= for the next page; null on the last")
