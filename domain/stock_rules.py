"""The rules every stock movement shares: whole quantities, who approves, and the errors."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from domain.actors import Actor, Role
from domain.errors import InvalidValue, RuleViolation

STOCK = uuid5(NAMESPACE_URL, "urn:service-ledger:stock")
MAX_QUANTITY = 10_000_000
APPROVERS = frozenset({Role.MANAGER, Role.SERVICE_DIRECTOR, Role.GENERAL_MANAGER})
"""Who approves a write-off or a stocktake adjustment."""


def stock_item_id(part_number: str, location_id: str) -> UUID:
    return uuid5(STOCK, f"{part_number}@{location_id}")


class InsufficientStock(RuleViolation):
    """A movement would take more than the location has free."""

    code = "insufficient-stock"


class StockRuleViolation(RuleViolation):
    code = "stock-rule-violation"


def quantity_of(value: int, field: str = "quantity", least: int = 1) -> int:
    """A whole number of units from `least` (1 for a movement, 0 for a count or safety stock)."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value < MAX_QUANTITY:
        raise InvalidValue(f"{field} is a whole number from {least} to {MAX_QUANTITY - 1}", field=field)
    return value


def approval_by(approver: Actor, actor: Actor, doing: str) -> Actor:
    """An approver is a manager other than the actor."""
    if approver.role not in APPROVERS or approver.id == actor.id:
        roles = ", ".join(sorted(r.value for r in APPROVERS))
        raise StockRuleViolation(f"{doing} is approved by a {roles} other than its author", field="approver")
    return approver
