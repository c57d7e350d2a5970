"""Request bodies of the penalty routes: rule books (a schedule document as JSON or as TOML text),
what-if, a period's close, a penalty assessed by hand, and its lifecycle. Amounts, units and
measured figures travel as strings such as "5000" or "98.5", never as JSON numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

from api.schemas import Code, Name, Text, example
from domain.penalties import Settlement

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, description="A month, YYYY-MM.")]
MAX_SCHEDULE_TEXT = 60_000


def decimal_text(pattern: str, example_text: str, maximum: Decimal | None = None) -> BeforeValidator:
    """A decimal of zero or more given as a string that matches `pattern` (at most `maximum`)."""
    shape = re.compile(pattern)

    def check(value: object) -> Decimal:
        if not isinstance(value, str) or not shape.fullmatch(value):
            raise ValueError(f'a string of digits with at most two decimals, such as "{example_text}"')
        number = Decimal(value)
        if maximum is not None and number > maximum:
            raise ValueError(f"must be at most {maximum}")
        return number

    return BeforeValidator(check)


def _string(pattern: str) -> Any:
    """Shown in the schema as the string it travels as."""
    return Field(json_schema_extra={"type": "string", "pattern": pattern})


AMOUNT = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"
UNITS = r"^[0-9]{1,5}(\.[0-9]{1,2})?$"
PERCENT = r"^[0-9]{1,3}(\.[0-9]{1,2})?$"
Amount = Annotated[Decimal, decimal_text(AMOUNT, "5000"), _string(AMOUNT)]
"""A loss in money: zero or more, at most two decimals."""
Units = Annotated[Decimal, decimal_text(UNITS, "3"), _string(UNITS)]
"""A count of units (messages, occurrences): at most two decimals, below 100,000."""
Percent = Annotated[Decimal, decimal_text(PERCENT, "98.5", Decimal(100)), _string(PERCENT)]
"""A KPI in percent, 0 to 100, at most two decimals."""
ScheduleDocument = Annotated[
    dict[str, Any] | None,
    Field(
        description="The schedule as a JSON object in the rule-book format (docs: "
        "domain/penalty_schedules.py); or give `toml` instead."
    ),
]
ScheduleToml = Annotated[
    str | None,
    Field(max_length=MAX_SCHEDULE_TEXT, description="The schedule as TOML text; or give `document` instead."),
]
RULE_EXAMPLE: dict[str, Any] = {
    "code": "late-hotline-reply",
    "description": "Late reply to a hotline message, per message",
    "shape": "per_unit",
    "amount": "50",
}
DOCUMENT_EXAMPLE: dict[str, Any] = {
    "description": "After-sales rule book",
    "source": "[002:L224]",
    "holders": {"keeper": "wh-keeper-wang"},
    "rules": [RULE_EXAMPLE],
}
TOML_EXAMPLE = (
    'description = "After-sales rule book"\nsource = "[002:L224]"\n\n[[rules]]\n'
    'code = "late-hotline-reply"\ndescription = "Late reply, per message"\nshape = "per_unit"\n'
    'amount = "50"\n'
)


class DraftPenaltyBook(BaseModel):
    model_config = example(
        {"code": "warehouse-and-service", "name": "After-sales and warehouse", "document": DOCUMENT_EXAMPLE}
    )
    code: Code
    name: Name
    document: ScheduleDocument = None
    toml: ScheduleToml = None


class PenaltyBookReview(BaseModel):
    model_config = example({"version": 1, "note": "Matches the signed rules"})
    version: Annotated[int, Field(ge=1, le=100_000)]
    note: Text


class PenaltyBookApproval(BaseModel):
    model_config = example({"version": 1, "effective_from": "2026-12-01T00:00:00+08:00"})
    version: Annotated[int, Field(ge=1, le=100_000)]
    effective_from: AwareDatetime


class PenaltyBookRevision(BaseModel):
    model_config = example(
        {"toml": TOML_EXAMPLE, "reason": "Hotline replies fined per message", "retroactive": False}
    )
    document: ScheduleDocument = None
    toml: ScheduleToml = None
    reason: Text
    retroactive: bool = Field(default=False, description="Whether it may take effect before its approval.")


class WhatIfBody(BaseModel):
    model_config = example({"period": "2026-10", "document": DOCUMENT_EXAMPLE})
    period: Period
    document: ScheduleDocument = None
    toml: ScheduleToml = None


class PeriodClose(BaseModel):
    model_config = example({"measurements": {"outbound_success_rate": "97"}})
    measurements: Annotated[
        dict[Code, Percent],
        Field(
            max_length=50,
            description="The month's figure, in percent, of each KPI a rule measures that the ledger "
            "does not compute (a warehouse's outbound success rate).",
        ),
    ] = Field(default_factory=dict)


class ManualPenalty(BaseModel):
    """A penalty from a rule book's rule, assessed by hand on the facts given."""

    model_config = example(
        {
            "book": "warehouse-and-service",
            "rule": "late-hotline-reply",
            "occurred_at": "2026-11-03T10:00:00+08:00",
            "reason": "Three hotline messages answered after the deadline",
            "party": "agent-zhou",
            "units": "3",
        }
    )
    book: Code
    rule: Code
    occurred_at: AwareDatetime = Field(description="When the cause occurred: it chooses the book's version.")
    reason: Text
    party: Code | None = Field(default=None, description='Who holds the role "party": who bears the rest.')
    holders: Annotated[
        dict[Code, Annotated[list[Code], Field(min_length=1, max_length=20)]],
        Field(max_length=20, description="Who holds each role the rule names, over the book's own holders."),
    ] = Field(default_factory=dict)
    units: Units = Field(default=Decimal(1), description="For a per-occurrence rule: how many.")
    minutes_late: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    days_late: Annotated[int, Field(ge=0, le=100_000)] = 0
    measured: Percent | None = Field(default=None, description="For a per-point rule: the KPI measured.")
    loss: Amount = Field(default=Decimal(0), description="For a loss split: the loss.")
    cooperation: Code | None = Field(default=None, description="For a loss split: the cooperation shown.")


class PenaltyReason(BaseModel):
    model_config = example({"reason": "The customer's own log shows the reply was on time"})
    reason: Text


class PenaltySettlement(BaseModel):
    model_config = example({"against": "payroll", "reference": "payroll-2026-11"})
    against: Settlement = Field(description="claim_payout, vendor_invoice or payroll.")
    reference: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$",
            description="The payout, invoice or payroll period it is offset against.",
        ),
    ]
