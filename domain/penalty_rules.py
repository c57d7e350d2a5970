"""Penalty rules and what they assess: every rule shape of the sources' rule books (DOMAIN.md §3
"Penalty"), in money or score points, allocated among parties with a stated remainder, capped and
rounded as the rule says. Pure functions: the same cause under the same rule always gives the same
amounts, to the cent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import Enum

from domain.errors import InvalidValue
from domain.money import MAX_AMOUNT

ZERO = Decimal("0.00")
LARGEST = MAX_AMOUNT - Decimal("0.01")
"""No assessment is larger: a rule without a cap is capped here, as every amount in the ledger is."""


class Shape(Enum):
    FIXED = "fixed"
    """An amount per occurrence: a complaint not answered within 24 h, 200 [002:L222]."""
    PER_UNIT = "per_unit"
    """An amount per unit late: 50 per late reply to a hotline message [002:L224]."""
    BANDED = "banded"
    """An amount by how late: picking after 08:00, 5 / 10 / 20 % of the score [000:L671-675]."""
    PER_POINT = "per_point"
    """An amount per point a KPI falls below its threshold over a period [000:L667]."""
    ESCALATING = "escalating"
    """A share of the amount growing with the count in a period: 20 / 50 / 100 % [000:L727]."""
    LOSS_SPLIT = "loss_split"
    """A loss split between staff and company by cooperation, plus fixed sums [002:L225, L295]."""
    REMEDY = "remedy"
    """Something owed instead of money: a free spare when not repaired in 2 h [000:L31]."""


class Trigger(Enum):
    """The recorded cause a rule is assessed from automatically; a rule without one is applied
    only by hand (a manual penalty)."""

    SLA_BREACH = "sla_breach"
    """A target breached (its verdict), optionally only some targets."""
    SIGN_OFF_MISSING = "sign_off_missing"
    """A breached target that only a customer sign-off or callback stops: past its deadline."""
    CLAIM_LATE = "claim_late"
    """A warranty claim submitted after its deadline."""
    OLD_PARTS_LATE = "old_parts_late"
    """Old parts logged in after their return window."""
    BELOW_SAFETY_STOCK = "below_safety_stock"
    """A stock item below its safety stock with no transfer request open."""
    BACKUP_UNIT_LATE = "backup_unit_late"
    """A backup unit lent after its deadline."""
    KPI = "kpi"
    """A KPI below its threshold over a month, assessed when the period is closed."""


class Unit(Enum):
    """What a per-unit rule counts."""

    OCCURRENCE = "occurrence"
    """The units the cause states (one, or as many messages as a manual penalty names)."""
    MINUTE = "minute"
    HOUR = "hour"
    """Started hours late."""
    DAY = "day"
    """Days late."""

    def count(self, cause: Cause) -> Decimal:
        if self is Unit.MINUTE:
            return Decimal(cause.minutes_late)
        if self is Unit.HOUR:
            return Decimal(-(-cause.minutes_late // 60))
        if self is Unit.DAY:
            return Decimal(cause.days_late or -(-cause.minutes_late // (24 * 60)))
        return cause.units


class Measure(Enum):
    MONEY = "money"
    POINTS = "points"


class Rounding(Enum):
    """How each computed amount is rounded: to the hundredth or to the unit, half up."""

    CENT = "cent"
    UNIT = "unit"

    def apply(self, value: Decimal) -> Decimal:
        step = Decimal("0.01") if self is Rounding.CENT else Decimal(1)
        return value.quantize(step, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


class PartialPoints(Enum):
    """How a part of a point below a threshold counts."""

    PRORATE = "prorate"
    """As the fraction it is: 0.5 points is half the amount."""
    WHOLE_UP = "whole_up"
    """A started point counts whole."""
    WHOLE_DOWN = "whole_down"
    """Only whole points count."""

    def points(self, below: Decimal) -> Decimal:
        if self is PartialPoints.PRORATE:
            return below
        return below.quantize(
            Decimal(1), rounding=ROUND_CEILING if self is PartialPoints.WHOLE_UP else ROUND_DOWN
        )


@dataclass(frozen=True)
class Band:
    """Lateness up to `up_to` minutes (None: any later) costs `amount`."""

    up_to: int | None
    amount: Decimal


@dataclass(frozen=True)
class Share:
    """A role's share of a penalty: `fraction` of it, or `fraction` for each holder when `each`."""

    role: str
    fraction: Decimal
    each: bool = False


@dataclass(frozen=True)
class Rule:
    """One rule of a penalty schedule. Which fields matter depends on the shape (see the
    schedule format in `domain/penalty_schedules.py`)."""

    code: str
    description: str
    shape: Shape
    measure: Measure = Measure.MONEY
    on: Trigger | None = None
    targets: tuple[str, ...] = ()
    """For `sla_breach`: the targets it covers (all, when empty)."""
    kpi: str | None = None
    """For `kpi`: the KPI measured, in percent."""
    per: str | None = None
    """For `kpi`: the dimension each party is measured by (an engineer), or None for one figure."""
    unit: Unit = Unit.OCCURRENCE
    amount: Decimal = ZERO
    threshold: Decimal | None = None
    partial: PartialPoints = PartialPoints.PRORATE
    bands: tuple[Band, ...] = ()
    tiers: tuple[Decimal, ...] = ()
    splits: Mapping[str, Decimal] = field(default_factory=dict)
    """The staff's fraction of a loss, by cooperation level."""
    extras: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    """Fixed sums by cooperation level, then by role."""
    remedy: str | None = None
    shares: tuple[Share, ...] = ()
    remainder_to: str = "party"
    """Who bears what the shares leave over (all of it, without shares)."""
    cap: Decimal | None = None
    rounding: Rounding = Rounding.CENT

    @property
    def roles(self) -> frozenset[str]:
        """The roles whose holders the rule allocates to."""
        split = {"staff", "company"} if self.shape is Shape.LOSS_SPLIT else set()
        extra = {role for sums in self.extras.values() for role in sums}
        return frozenset({*(s.role for s in self.shares), self.remainder_to, *split, *extra})


@dataclass(frozen=True)
class Cause:
    """The facts a rule is assessed on: how many units, how late, the KPI measured, which
    occurrence in its period, the loss and the cooperation shown, and who holds each role."""

    units: Decimal = Decimal(1)
    minutes_late: int = 0
    days_late: int = 0
    measured: Decimal | None = None
    occurrence: int = 1
    loss: Decimal = ZERO
    cooperation: str | None = None
    holders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """What one party bears: a role, and the holder (empty for a role without named holders)."""

    role: str
    holder: str
    amount: Decimal


@dataclass(frozen=True)
class Assessment:
    """What a rule assesses for a cause, how it got there, and who bears it."""

    rule: str
    measure: Measure
    total: Decimal
    lines: tuple[Line, ...]
    basis: str
    tier: int | None = None
    remedy: str | None = None
    capped: bool = False


def assess(rule: Rule, cause: Cause) -> Assessment:
    """The penalty the rule gives for the cause, allocated, capped and rounded."""
    if rule.shape is Shape.REMEDY:
        owed = allocate(ZERO, (), rule.remainder_to, cause.holders, rule.rounding)
        return Assessment(rule.code, rule.measure, ZERO, owed, f"remedy: {rule.remedy}", remedy=rule.remedy)
    if rule.shape is Shape.LOSS_SPLIT:
        return _loss_split(rule, cause)
    raw, basis, tier = _amount(rule, cause)
    cap = min(rule.cap, LARGEST) if rule.cap is not None else LARGEST
    capped = raw > cap or rule.rounding.apply(raw) > cap
    total = cap if capped else rule.rounding.apply(raw)
    if capped:
        basis = f"{basis}, capped at {cap}"
    lines = allocate(total, rule.shares, rule.remainder_to, cause.holders, rule.rounding)
    return Assessment(rule.code, rule.measure, total, lines, basis, tier, capped=capped)


def _amount(rule: Rule, cause: Cause) -> tuple[Decimal, str, int | None]:
    if rule.shape is Shape.FIXED:
        return rule.amount, f"{rule.amount} per occurrence", None
    if rule.shape is Shape.PER_UNIT:
        units = rule.unit.count(cause)
        return rule.amount * units, f"{units} {rule.unit.value}(s) x {rule.amount}", None
    if rule.shape is Shape.BANDED:
        band = next(b for b in rule.bands if b.up_to is None or cause.minutes_late <= b.up_to)
        reach = "beyond" if band.up_to is None else f"up to {band.up_to} min"
        return band.amount, f"{cause.minutes_late} min late, band {reach}: {band.amount}", None
    if rule.shape is Shape.PER_POINT:
        return _per_point(rule, cause)
    tier = min(cause.occurrence, len(rule.tiers))
    fraction = rule.tiers[tier - 1]
    return (
        rule.amount * fraction,
        f"occurrence {cause.occurrence}, tier {tier}: {fraction} x {rule.amount}",
        tier,
    )


def _per_point(rule: Rule, cause: Cause) -> tuple[Decimal, str, int | None]:
    if cause.measured is None or rule.threshold is None:
        raise InvalidValue(f"rule {rule.code} needs the measured value", field="measured")
    below = max(rule.threshold - cause.measured, Decimal(0))
    points = rule.partial.points(below)
    basis = (
        f"{cause.measured} against {rule.threshold}: {below} points below, "
        f"counted {points} ({rule.partial.value}) x {rule.amount}"
    )
    return points * rule.amount, basis, None


def _loss_split(rule: Rule, cause: Cause) -> Assessment:
    level = cause.cooperation or ""
    if level not in rule.splits:
        known = ", ".join(sorted(rule.splits))
        raise InvalidValue(f"rule {rule.code} knows cooperation levels {known}", field="cooperation")
    if cause.loss > LARGEST:
        raise InvalidValue(f"a loss is at most {LARGEST:,}", field="loss")
    staff = rule.rounding.apply(cause.loss * rule.splits[level])
    lines = [Line("staff", holder, staff) for holder in cause.holders.get("staff", ("",))[:1]]
    lines.append(Line("company", "", cause.loss - staff))
    for role, extra in sorted(rule.extras.get(level, {}).items()):
        lines += [Line(role, holder, rule.rounding.apply(extra)) for holder in cause.holders.get(role, ("",))]
    total = sum((line.amount for line in lines), ZERO)
    basis = f"loss {cause.loss}, {level}: staff {rule.splits[level]}, plus fixed sums"
    return Assessment(rule.code, rule.measure, total, tuple(lines), basis)


def allocate(
    total: Decimal,
    shares: tuple[Share, ...],
    remainder_to: str,
    holders: Mapping[str, tuple[str, ...]],
    rounding: Rounding,
) -> tuple[Line, ...]:
    """Each share's part of the total, rounded; what is left over (a share per holder with fewer
    holders than the shares assume, or rounding) goes to `remainder_to`, so the lines add up to
    the total."""
    lines: list[Line] = []
    for share in shares:
        named = holders.get(share.role, ())
        bearers = named if share.each else (", ".join(named),)
        lines += [Line(share.role, holder, rounding.apply(total * share.fraction)) for holder in bearers]
    left = total - sum((line.amount for line in lines), ZERO)
    if left or not lines:
        lines.append(Line(remainder_to, ", ".join(holders.get(remainder_to, ())), left))
    return tuple(lines)
