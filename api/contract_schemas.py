"""Request and response bodies of the contract routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from api.schemas import Code, Text, example

OVERRIDES_EXAMPLE = {"targets": {"response": {"durations": {"general": "5m"}}}}


class DraftContract(BaseModel):
    model_config = example(
        {
            "customer_id": "huaxin-bank",
            "name": "Huaxin 7x24 maintenance",
            "pack": "fault-4-class",
            "overrides": {},
        }
    )
    customer_id: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    pack: Code
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Merged over the pack before checking."
    )


class ContractReview(BaseModel):
    model_config = example({"version": 1, "note": "Matches the signed annex"})
    version: Annotated[int, Field(ge=1)]
    note: Text


class ContractApproval(BaseModel):
    model_config = example({"version": 1, "effective_from": "2026-12-01T00:00:00+08:00"})
    version: Annotated[int, Field(ge=1)]
    effective_from: AwareDatetime


class ContractRevision(BaseModel):
    model_config = example(
        {
            "pack": "fault-4-class",
            "overrides": OVERRIDES_EXAMPLE,
            "reason": "Amendment 2",
            "retroactive": False,
        }
    )
    pack: Code
    overrides: dict[str, Any] = Field(default_factory=dict)
    reason: Text
    retroactive: bool = False


class ContractTermination(BaseModel):
    model_config = example({"effective_at": "2027-06-30T23:59:59+08:00", "reason": "Not renewed"})
    effective_at: AwareDatetime
    reason: Text


VERSION_EXAMPLE: dict[str, Any] = {
    "number": 1,
    "status": "approved",
    "author": "mgr-chen",
    "effective_from": "2026-12-01T00:00:00+08:00",
    "retroactive": False,
    "document": {
        "description": "Four fault classes",
        "targets": {"response": {"durations": {"severe": "5m"}}},
    },
}


class ContractVersionView(BaseModel):
    model_config = example(VERSION_EXAMPLE, closed=False)
    number: int
    status: str
    author: str
    effective_from: datetime | None
    retroactive: bool
    document: dict[str, Any]


class ContractView(BaseModel):
    model_config = example(
        {
            "contract_id": "6d1f7c55-0c43-5a3c-9d0e-1f1b8f6b6b2a",
            "customer_id": "huaxin-bank",
            "name": "Huaxin 7x24 maintenance",
            "terminated_at": None,
            "versions": [VERSION_EXAMPLE],
        },
        closed=False,
    )
    contract_id: UUID
    customer_id: str
    name: str
    terminated_at: datetime | None
    versions: list[ContractVersionView]
