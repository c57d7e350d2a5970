"""Opening balances from CSV: a stock count and an asset register, each read whole or refused whole.

Both files are read as `domain/csv_lines.py` describes: UTF-8 text, optionally starting with a
byte-order mark; lines end in LF or CRLF; the first line is the header, exactly as below; every
other line that is not blank is one record, its fields in the header's order, separated by
commas. A field may be double-quoted, as spreadsheets export it; no field spans two lines. Spaces
before a field, and after one not quoted, are ignored. A file lists at least one record.

The opening stock count, header `part_number,location_id,quantity,unit_cost`:

- `part_number`: as the maker writes it, 1 to 64 letters, digits and `. _ -`, starting with a
  letter or digit, such as `VOE-11110668`.
- `location_id`: the warehouse, station or van, a lowercase code such as `wh-shanghai`.
- `quantity`: the units counted, a whole number from 1 to 9999999.
- `unit_cost`: what one unit is worth, zero or more, digits with an optional point and one or two
  decimals, such as `1850` or `1850.00`: no sign, thousands separator or currency symbol.
- A part at a location is counted once: the same pair on two lines is refused.

The asset register, header `serial,model,owner_id,site_id,dealer_id,pool,handed_over_on`:

- `serial`: the unit's serial, written like a part number, such as `EC480-100234`.
- `model`: the model's name, not empty, such as `EC480DL excavator`.
- `owner_id`, `site_id`, `dealer_id`: lowercase codes: the customer (or, for a backup unit, the
  service organisation) that owns it, where it stands, and the dealer that services it.
- `pool`: `true` for a backup unit of the pool, lent to customers; `false` otherwise.
- `handed_over_on`: the day it was handed over as new, `YYYY-MM-DD`, or empty if not known.
- A serial is registered once: the same serial on two lines is refused.

A file that breaks any of these is refused whole: `OpeningBalanceMalformed` lists every bad line
(the header is line 1) with the field and the reason, and nothing is recorded. How an import is
recorded, and why the same file imported twice records nothing, is in
`domain/opening_balance_commands.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from hashlib import sha256

from domain.asset_commands import AssetRegistration
from domain.csv_lines import CsvFile, LinesRefused
from domain.errors import InvalidValue
from domain.stock_rules import MAX_QUANTITY
from domain.ticket_terms import require_code, require_reference, require_text

STOCK_HEADER = ("part_number", "location_id", "quantity", "unit_cost")
REGISTER_HEADER = ("serial", "model", "owner_id", "site_id", "dealer_id", "pool", "handed_over_on")
QUANTITY_TEXT = re.compile(r"[0-9]{1,7}")
POOL = {"true": True, "false": False}


class OpeningBalanceMalformed(LinesRefused, InvalidValue):
    """An opening stock count or asset register breaks its format: every bad line, nothing recorded."""

    code = "opening-balance-malformed"


@dataclass(frozen=True)
class OpeningLine:
    """One part's opening count at one location, with its line number in the file."""

    line: int
    part_number: str
    location_id: str
    quantity: int
    unit_cost: Decimal


@dataclass(frozen=True)
class RegisterLine:
    """One unit of an asset register, with its line number in the file."""

    line: int
    registration: AssetRegistration


def file_document(data: bytes) -> str:
    """The document an opening count is recorded under: the file's SHA-256, so that the same file
    is known again."""
    return f"sha256:{sha256(data).hexdigest()}"


def parse_opening_stock(data: bytes) -> tuple[OpeningLine, ...]:
    """The counts a file gives, or `OpeningBalanceMalformed` naming every bad line."""
    return CsvFile(data, STOCK_HEADER, OpeningBalanceMalformed).read(
        _stock_line,
        lambda line: (line.part_number, line.location_id),
        "part and location",
        "the count lists no part",
    )


def parse_asset_register(data: bytes) -> tuple[RegisterLine, ...]:
    """The units a register gives, or `OpeningBalanceMalformed` naming every bad line."""
    return CsvFile(data, REGISTER_HEADER, OpeningBalanceMalformed).read(
        _register_line, lambda line: line.registration.serial, "serial", "the register lists no asset"
    )


def _stock_line(file: CsvFile, number: int, fields: list[str]) -> OpeningLine | None:
    part_text, location_text, quantity_text, cost_text = fields
    found = len(file.problems)
    part = file.valid(number, "part_number", part_text, require_reference)
    location = file.valid(number, "location_id", location_text, require_code)
    quantity = int(quantity_text) if QUANTITY_TEXT.fullmatch(quantity_text) else 0
    if quantity < 1:
        reason = f"a whole number from 1 to {MAX_QUANTITY - 1}"
        file.refuse(number, "quantity", f"{quantity_text!r} is not {reason}")
    cost = file.amount(number, "unit_cost", cost_text)
    if len(file.problems) > found or part is None or location is None or cost is None:
        return None
    return OpeningLine(number, part, location, quantity, cost)


def _register_line(file: CsvFile, number: int, fields: list[str]) -> RegisterLine | None:
    serial_text, model_text, owner_text, site_text, dealer_text, pool_text, handed_text = fields
    found = len(file.problems)
    serial = file.valid(number, "serial", serial_text, require_reference)
    model = file.valid(number, "model", model_text, require_text)
    owner, site, dealer = (
        file.valid(number, column, text, require_code)
        for column, text in (("owner_id", owner_text), ("site_id", site_text), ("dealer_id", dealer_text))
    )
    if pool_text not in POOL:
        file.refuse(number, "pool", f"{pool_text!r} is not true (a backup unit) or false")
    handed_over_on = file.date(number, "handed_over_on", handed_text) if handed_text else None
    if len(file.problems) > found or not (serial and model and owner and site and dealer):
        return None
    registration = AssetRegistration(serial, model, owner, site, dealer, POOL[pool_text], handed_over_on)
    return RegisterLine(number, registration)
