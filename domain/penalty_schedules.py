"""Penalty schedules as readable TOML files: a rule book's rules, each of one shape, checked whole.

A schedule has a `description`, a `source`, optionally `[holders]` (who holds each role the
shares name: `keeper = "wang"`, `tally_clerk = ["li", "zhao"]`) and `[[rules]]`.

Every rule has a `code` (a lowercase code, once per schedule), a `description`, a `shape`
(`fixed`, `per_unit`, `banded`, `per_point`, `escalating`, `loss_split` or `remedy`) and
optionally:

- `on`, the recorded cause that assesses it automatically: `sla_breach` (with optional
  `targets`), `sign_off_missing`, `claim_late`, `old_parts_late`, `below_safety_stock`,
  `backup_unit_late`, or `kpi` (with the `kpi` measured, in percent, and optionally the dimension
  `per` party). Without `on`, a rule is applied by hand;
- a `source`, a `measure` (`money`, the default, or `points`), a `cap`, a `rounding` (`cent`, the
  default, or `unit`), `[[rules.shares]]` (`role`, `fraction`, `each`) and `remainder_to` (the
  role that bears what the shares leave over; `party`, the cause's party, by default).

Amounts and fractions are written as strings (`"100"`, `"0.45"`), so that no float carries them.
By shape:

- `fixed`: `amount` per occurrence;
- `per_unit`: `amount` per `unit` (`occurrence`, the default, `minute`, `hour` or `day` late);
- `banded`: `bands`, an array of `{up_to = minutes, amount = "5"}`, the last without `up_to`;
- `per_point`: `amount` per point, `threshold`, and `partial_points` (`prorate`, `whole_up` or
  `whole_down`: how a part of a point counts);
- `escalating`: `amount` and `tiers`, the fractions of it for the 1st, 2nd, ... occurrence in the
  period (the last tier applies beyond);
- `loss_split`: `[rules.splits]`, the staff's fraction of the loss by cooperation level, and
  optionally `[rules.extras.<level>]`, fixed sums by role;
- `remedy`: `remedy`, what is owed instead of money.

An invalid schedule is refused with `PackInvalid`: the file, the dotted field and the reason. A
contract carries its own schedule as the `[penalties]` table of its document, in the same form.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from domain.errors import InvalidValue
from domain.money import MAX_AMOUNT
from domain.pack_reading import (
    PackInvalid,
    array_at,
    check_keys,
    integer_at,
    join,
    member_at,
    refuse,
    table_at,
    text_at,
    texts_at,
)
from domain.penalty_rules import Band, Measure, PartialPoints, Rounding, Rule, Shape, Share, Trigger, Unit
from domain.ticket_terms import require_code

SCHEDULE_DIRECTORY = Path(__file__).parent / "packs" / "penalties"
COMMON = ("code", "description", "shape")
OPTIONAL = ("source", "measure", "cap", "rounding", "shares", "remainder_to", "on", "targets", "kpi", "per")
KPI_DIMENSIONS = ("engineer_id", "contract_id", "severity", "region_tier")
"""What a KPI rule may measure each party by (the KPI tables' dimensions)."""
BY_SHAPE: dict[Shape, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Shape.FIXED: (("amount",), ()),
    Shape.PER_UNIT: (("amount",), ("unit",)),
    Shape.BANDED: (("bands",), ()),
    Shape.PER_POINT: (("amount", "threshold", "partial_points"), ()),
    Shape.ESCALATING: (("amount", "tiers"), ()),
    Shape.LOSS_SPLIT: (("splits",), ("extras",)),
    Shape.REMEDY: (("remedy",), ()),
}
"""The keys each shape requires, and those it may have besides the common ones."""


@dataclass(frozen=True)
class Schedule:
    description: str
    source: str
    rules: tuple[Rule, ...]
    holders: Mapping[str, tuple[str, ...]]
    """Who holds each role the rules' shares name, where a cause does not say."""

    def rule(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)

    def triggered_by(self, trigger: Trigger) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.on is trigger)


def load_schedule(path: Path) -> Schedule:
    try:
        table = tomllib.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PackInvalid(str(path), None, f"not a TOML file: {error}") from None
    return schedule_from_table(table, str(path))


def schedule_from_table(table: Mapping[str, Any], file: str) -> Schedule:
    """The schedule a parsed table describes, or `PackInvalid` naming the file and field."""
    try:
        return schedule_at(table, "")
    except InvalidValue as error:
        raise PackInvalid(file, error.field, error.message) from error


def schedule_at(value: Any, path: str) -> Schedule:
    """The schedule at `path` of a table (a file's top, or a contract's `penalties`), refused
    with an `InvalidValue` naming the dotted field."""
    table = table_at(value, path or "schedule")
    check_keys(table, path, ("description", "source", "rules"), ("holders",))
    rules_path = join(path, "rules")
    rules = [_rule(item, join(rules_path, n)) for n, item in enumerate(array_at(table["rules"], rules_path))]
    seen: set[str] = set()
    for n, rule in enumerate(rules):
        if rule.code in seen:
            raise refuse(join(join(rules_path, n), "code"), f"rule {rule.code!r} is defined twice")
        seen.add(rule.code)
    return Schedule(
        text_at(table["description"], join(path, "description")),
        text_at(table["source"], join(path, "source")),
        tuple(rules),
        _holders(table.get("holders", {}), join(path, "holders")),
    )


def _rule(value: Any, path: str) -> Rule:
    table = table_at(value, path)
    shape = member_at(Shape, table.get("shape", ""), join(path, "shape"), "rule shape")
    required, optional = BY_SHAPE[shape]
    check_keys(table, path, (*COMMON, *required), (*OPTIONAL, *optional))
    code = require_code(join(path, "code"), text_at(table["code"], join(path, "code")))
    return Rule(
        code=code,
        description=text_at(table["description"], join(path, "description")),
        shape=shape,
        measure=member_at(Measure, table.get("measure", "money"), join(path, "measure"), "measure"),
        **_trigger(table, path, shape),
        unit=member_at(Unit, table.get("unit", "occurrence"), join(path, "unit"), "unit"),
        amount=_number(table.get("amount", "0"), join(path, "amount")),
        threshold=_number(table["threshold"], join(path, "threshold")) if "threshold" in table else None,
        partial=member_at(
            PartialPoints,
            table.get("partial_points", "prorate"),
            join(path, "partial_points"),
            "partial points",
        ),
        bands=_bands(table["bands"], join(path, "bands")) if shape is Shape.BANDED else (),
        tiers=_tiers(table.get("tiers", []), join(path, "tiers"), shape),
        splits=_splits(table.get("splits", {}), join(path, "splits"), shape),
        extras=_extras(table.get("extras", {}), join(path, "extras")),
        remedy=text_at(table["remedy"], join(path, "remedy")) if "remedy" in table else None,
        shares=_shares(table.get("shares", []), join(path, "shares")),
        remainder_to=require_code(
            join(path, "remainder_to"),
            text_at(table.get("remainder_to", "party"), join(path, "remainder_to")),
        ),
        cap=_number(table["cap"], join(path, "cap")) if "cap" in table else None,
        rounding=member_at(Rounding, table.get("rounding", "cent"), join(path, "rounding"), "rounding"),
    )


def _trigger(table: Mapping[str, Any], path: str, shape: Shape) -> dict[str, Any]:
    """What assesses the rule automatically: `on`, and the targets or KPI it is about."""
    on = member_at(Trigger, table["on"], join(path, "on"), "cause") if "on" in table else None
    targets = tuple(texts_at(table.get("targets", []), join(path, "targets")))
    if targets and on is not Trigger.SLA_BREACH:
        raise refuse(join(path, "targets"), "only an sla_breach rule names targets")
    kpi = text_at(table["kpi"], join(path, "kpi")) if "kpi" in table else None
    per = text_at(table["per"], join(path, "per")) if "per" in table else None
    if (on is Trigger.KPI) != (kpi is not None):
        raise refuse(join(path, "kpi"), 'a rule with on = "kpi" names its kpi, and only such a rule')
    if on is Trigger.KPI and shape is not Shape.PER_POINT:
        raise refuse(join(path, "on"), "a KPI is assessed by a per_point rule")
    if per is not None and (on is not Trigger.KPI or per not in KPI_DIMENSIONS):
        raise refuse(join(path, "per"), f"a KPI rule measures per one of {', '.join(KPI_DIMENSIONS)}")
    return {"on": on, "targets": targets, "kpi": kpi, "per": per}


def _holders(value: Any, path: str) -> dict[str, tuple[str, ...]]:
    holders = {}
    for role, named in table_at(value, path).items():
        require_code(join(path, role), role)
        ids = [named] if isinstance(named, str) else named
        holders[role] = tuple(texts_at(ids, join(path, role)))
    return holders


def _bands(value: Any, path: str) -> tuple[Band, ...]:
    bands = []
    for n, item in enumerate(array_at(value, path)):
        band = table_at(item, join(path, n))
        check_keys(band, join(path, n), ("amount",), ("up_to",))
        up_to = integer_at(band["up_to"], join(join(path, n), "up_to")) if "up_to" in band else None
        bands.append(Band(up_to, _number(band["amount"], join(join(path, n), "amount"))))
    if not bands or bands[-1].up_to is not None:
        raise refuse(path, "the last band has no up_to: it takes any later lateness")
    bounds = [b.up_to for b in bands[:-1] if b.up_to is not None]
    if len(bounds) != len(bands) - 1 or bounds != sorted(set(bounds)):
        raise refuse(path, "every band but the last has an up_to, rising from band to band")
    return tuple(bands)


def _tiers(value: Any, path: str, shape: Shape) -> tuple[Decimal, ...]:
    tiers = tuple(_fraction(t, join(path, n)) for n, t in enumerate(array_at(value, path)))
    if shape is Shape.ESCALATING and not tiers:
        raise refuse(path, "an escalating rule has at least one tier")
    return tiers


def _splits(value: Any, path: str, shape: Shape) -> dict[str, Decimal]:
    splits = {level: _fraction(v, join(path, level)) for level, v in table_at(value, path).items()}
    if shape is Shape.LOSS_SPLIT and not splits:
        raise refuse(path, "a loss split names at least one cooperation level")
    return splits


def _shares(value: Any, path: str) -> tuple[Share, ...]:
    shares = []
    for n, item in enumerate(array_at(value, path)):
        share = table_at(item, join(path, n))
        check_keys(share, join(path, n), ("role", "fraction"), ("each",))
        each = share.get("each", False)
        if not isinstance(each, bool):
            raise refuse(join(join(path, n), "each"), "true (a fraction for each holder) or false")
        role = require_code(join(join(path, n), "role"), text_at(share["role"], join(join(path, n), "role")))
        shares.append(Share(role, _fraction(share["fraction"], join(join(path, n), "fraction")), each))
    return tuple(shares)


def _extras(value: Any, path: str) -> dict[str, dict[str, Decimal]]:
    return {
        level: {
            role: _number(v, join(join(path, level), role))
            for role, v in table_at(sums, join(path, level)).items()
        }
        for level, sums in table_at(value, path).items()
    }


def _number(value: Any, path: str) -> Decimal:
    """A non-negative decimal written as a string, such as "100" or "99.5"."""
    text = text_at(value, path)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise refuse(path, f'{text!r} is not a decimal number such as "100"') from None
    if not number.is_finite() or number < 0:
        raise refuse(path, f'{text!r} is not a decimal number of zero or more, such as "100"')
    if number >= MAX_AMOUNT:
        raise refuse(path, f"{text!r} is not below {MAX_AMOUNT:,.0f}")
    return number


def _fraction(value: Any, path: str) -> Decimal:
    number = _number(value, path)
    if number > 1:
        raise refuse(path, f'a fraction is between 0 and 1, such as "0.45", not {number}')
    return number
