"""The claim terms of a contract version: the submission deadline, approval chains by kind and
amount, and the subsidy rules; and the kinds and lines of a claim.

In a pack they are the `[claims]` table (see `domain/packs/claims/standard.toml`, which every
contract drafted from a pack without one receives).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from domain.actors import Role
from domain.calendars import BusinessCalendar
from domain.errors import InvalidValue, RuleViolation
from domain.money import MAX_AMOUNT, amount, rounded
from domain.pack_reading import array_at, check_keys, integer_at, join, member_at, refuse, table_at, text_at

CLAIM_KEYS = ("submission_days", "calendar", "approvals", "subsidy")
APPROVAL_KEYS = ("kind", "steps")
SUBSIDY_KEYS = ("rate", "caps", "per_household", "payout_working_days")
MAX_QUANTITY = Decimal(100_000)
APPROVER_ROLES = frozenset(
    {
        Role.BU_MANAGER,
        Role.SALES_DIRECTOR,
        Role.SERVICE_DIRECTOR,
        Role.GENERAL_MANAGER,
        Role.FINANCE,
        Role.MANAGER,
    }
)
"""The roles an approval step may name."""


class ClaimKind(Enum):
    WARRANTY = "warranty"
    """To the manufacturer, for work its warranty covers."""
    COMMERCIAL = "commercial"
    """Goodwill: what the warranty does not cover."""
    COMPENSATION = "compensation"
    """To a customer."""
    SUBSIDY = "subsidy"
    """A share of a product's invoice price, from a subsidy programme."""


class LineKind(Enum):
    LABOUR = "labour"
    MATERIAL = "material"
    OTHER = "other"


@dataclass(frozen=True)
class ClaimLine:
    """Labour (code, hours, rate), material (part number, quantity, unit price) or another cost
    (quantity 1 at its amount). `amount` is quantity times price, rounded half up to the hundredth."""

    kind: LineKind
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise InvalidValue("a claim line needs a description", field="lines.description")
        if not (self.quantity.is_finite() and Decimal(0) < self.quantity < MAX_QUANTITY):
            raise InvalidValue(
                f"hours or quantity are above zero and below {MAX_QUANTITY}", field="lines.quantity"
            )
        if not (self.unit_price.is_finite() and Decimal(0) <= self.unit_price < MAX_AMOUNT):
            raise InvalidValue(
                f"a rate or price is zero or more and below {MAX_AMOUNT:,.0f}", field="lines.unit_price"
            )
        if self.amount >= MAX_AMOUNT:
            raise InvalidValue(f"a line's amount is below {MAX_AMOUNT:,.0f}", field="lines.unit_price")
        if self.kind is not LineKind.OTHER and not self.code.strip():
            raise InvalidValue(
                f"a {self.kind.value} line needs its service code or part number", field="lines.code"
            )

    @property
    def amount(self) -> Decimal:
        return rounded(self.quantity * self.unit_price)


@dataclass(frozen=True)
class OldPart:
    """A replaced part a warranty claim says must go back to the manufacturer."""

    part_number: str
    quantity: int
    serial: str = ""


@dataclass(frozen=True)
class ApprovalRule:
    """The chain of a kind of claim, for amounts below `below` (or any amount when None)."""

    kind: ClaimKind
    below: Decimal | None
    steps: tuple[Role, ...]


class NoApprovalChain(RuleViolation):
    code = "no-approval-chain"


@dataclass(frozen=True)
class SubsidyTerms:
    rate: Decimal
    caps: Mapping[str, Decimal]
    """The highest invoice price per product class that is eligible."""
    per_household: int
    """Products per class a household may claim for."""
    payout_working_days: int


@dataclass(frozen=True)
class ClaimTerms:
    submission_days: int
    """Calendar days after service completion within which a claim is submitted."""
    calendar: BusinessCalendar
    """Counts working-day deadlines (the subsidy payout)."""
    approvals: tuple[ApprovalRule, ...]
    subsidy: SubsidyTerms

    def chain(self, kind: ClaimKind, total: Decimal) -> tuple[Role, ...]:
        """The approval steps of a claim of this kind and total: the first rule that matches."""
        for rule in self.approvals:
            if rule.kind is kind and (rule.below is None or total < rule.below):
                return rule.steps
        msg = f"the contract's terms give no approval chain for a {kind.value} claim of {total}"
        raise NoApprovalChain(msg, field="kind", kind=kind.value, total=str(total))


def claim_terms_from(value: Any, path: str, calendars: Mapping[str, BusinessCalendar]) -> ClaimTerms:
    """The `[claims]` table of a pack or a stored contract document."""
    table = table_at(value, path)
    check_keys(table, path, CLAIM_KEYS)
    days = integer_at(table["submission_days"], join(path, "submission_days"))
    if days < 1:
        raise refuse(join(path, "submission_days"), "a submission deadline is at least one day")
    calendar_name = text_at(table["calendar"], join(path, "calendar"))
    if calendar_name not in calendars:
        known = ", ".join(calendars)
        raise refuse(
            join(path, "calendar"), f"unknown calendar {calendar_name!r} (the pack defines: {known})"
        )
    approvals = array_at(table["approvals"], join(path, "approvals"))
    rules = tuple(_rule(item, join(join(path, "approvals"), n)) for n, item in enumerate(approvals))
    for kind in ClaimKind:
        if not any(r.kind is kind and r.below is None for r in rules):
            raise refuse(join(path, "approvals"), f"no chain covers every amount of a {kind.value} claim")
    subsidy = _subsidy(table["subsidy"], join(path, "subsidy"))
    return ClaimTerms(days, calendars[calendar_name], rules, subsidy)


def _rule(value: Any, path: str) -> ApprovalRule:
    table = table_at(value, path)
    check_keys(table, path, APPROVAL_KEYS, ("below",))
    kind = member_at(ClaimKind, table["kind"], join(path, "kind"), "claim kind")
    below = None if "below" not in table else _amount(table["below"], join(path, "below"))
    steps = tuple(
        member_at(Role, step, join(join(path, "steps"), n), "role")
        for n, step in enumerate(array_at(table["steps"], join(path, "steps")))
    )
    if not steps:
        raise refuse(join(path, "steps"), "a chain has at least one step")
    for n, step in enumerate(steps):
        if step not in APPROVER_ROLES:
            allowed = ", ".join(sorted(r.value for r in APPROVER_ROLES))
            raise refuse(join(join(path, "steps"), n), f"{step.value} does not approve claims ({allowed} do)")
    if len(set(steps)) != len(steps):
        raise refuse(join(path, "steps"), "a role signs a chain once")
    return ApprovalRule(kind, below, steps)


def _subsidy(value: Any, path: str) -> SubsidyTerms:
    table = table_at(value, path)
    check_keys(table, path, SUBSIDY_KEYS)
    rate = _decimal(table["rate"], join(path, "rate"))
    if not Decimal(0) < rate < 1:
        raise refuse(join(path, "rate"), 'a rate is a fraction between 0 and 1, such as "0.13"')
    caps_path = join(path, "caps")
    caps = {
        name: _amount(cap, join(caps_path, name)) for name, cap in table_at(table["caps"], caps_path).items()
    }
    per_household = integer_at(table["per_household"], join(path, "per_household"))
    payout = integer_at(table["payout_working_days"], join(path, "payout_working_days"))
    if per_household < 1 or payout < 1:
        raise refuse(path, "per_household and payout_working_days are at least 1")
    return SubsidyTerms(rate, caps, per_household, payout)


def _decimal(value: Any, path: str) -> Decimal:
    """A number written as a string ("0.13", "20000"), so that no float ever carries money."""
    text = text_at(value, path)
    try:
        number = Decimal(text)
    except ArithmeticError:
        raise refuse(path, f'{text!r} is not a decimal number such as "2000"') from None
    if not number.is_finite():
        raise refuse(path, f'{text!r} is not a decimal number such as "2000"')
    return number


def _amount(value: Any, path: str) -> Decimal:
    number = _decimal(value, path)
    try:
        return amount(number, path, positive=True)
    except InvalidValue as error:
        raise refuse(path, error.message) from None
