"""Money: `Decimal` amounts in hundredths of a currency unit, never floats.

The rounding rule: every computed amount (hours times rate, quantity times unit price, a percentage) is
rounded to the hundredth, half up (0.005 → 0.01), as it is computed. A total is the sum of its
rounded parts, so lines always add up to the total.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidValue

CENT = Decimal("0.01")
CURRENCY = re.compile(r"[A-Z]{3}")
MAX_AMOUNT = Decimal("1e13")
"""Ten trillion: far beyond any claim, and small enough to keep in a bigint of hundredths."""


def rounded(value: Decimal) -> Decimal:
    """The value rounded to the hundredth, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def amount(value: Decimal | str | int, field: str, *, positive: bool = False) -> Decimal:
    """A money amount as given: finite, at most two decimals, not negative (or above zero)."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidValue(f"{value!r} is not an amount", field=field, value=str(value)) from None
    if not number.is_finite() or number != number.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidValue("an amount has at most two decimals", field=field, value=str(value))
    if number < 0 or (positive and number == 0) or number >= MAX_AMOUNT:
        bound = "above zero" if positive else "zero or more"
        raise InvalidValue(f"an amount is {bound} and below {MAX_AMOUNT:,.0f}", field=field, value=str(value))
    return rounded(number)


def currency(code: str, field: str = "currency") -> str:
    """An ISO 4217 code such as CNY."""
    if not CURRENCY.fullmatch(code):
        raise InvalidValue(f"{code!r} is not an ISO 4217 currency code such as CNY", field=field, value=code)
    return code


def cents(value: Decimal) -> int:
    """An amount in hundredths, for tables that add amounts up exactly."""
    return int(value * 100)


def from_cents(value: int) -> Decimal:
    return rounded(Decimal(value) / 100)
