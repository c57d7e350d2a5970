"""The asset terms of a contract version: when warranty starts and how long it runs, the 三包
rules, the backup-unit loan deadline, the service-transfer fee thresholds and the old-part return
window; and the pure functions that apply them.

In a pack they are the `[assets]` table (see `domain/packs/assets/standard.toml`, which every
contract drafted from a pack without one receives).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from domain.calendars import BusinessCalendar
from domain.pack_reading import (
    check_keys,
    duration_at,
    integer_at,
    join,
    member_at,
    refuse,
    table_at,
    text_at,
)
from domain.sla_terms import Duration

ASSET_KEYS = (
    "warranty_start",
    "warranty_months",
    "three_guarantees",
    "backup",
    "service_transfer",
    "old_parts",
)
GUARANTEE_KEYS = ("refund_days", "exchange_days", "replacement_days", "repairs", "repairs_inclusive")
BACKUP_KEYS = ("trigger", "within", "calendar")
TRANSFER_KEYS = ("hours", "days")
OLD_PART_KEYS = ("return_from_day", "return_to_day")
LAST_WINDOW_DAY = 28
"""Every month has a 28th: a return window ends on it at the latest."""


class WarrantyStart(Enum):
    """Which day a warranty starts on, as contracts word it [004:L1149, L1197, L1287]."""

    ACCEPTANCE_DAY = "acceptance_day"
    """The day the acceptance report is signed."""
    DAY_AFTER_ACCEPTANCE = "day_after_acceptance"
    ACCEPTANCE_PASSED = "acceptance_passed"
    """The day acceptance (a trial run, an inspection) passed."""


class Remedy(Enum):
    """What 三包 allows for a failure."""

    REFUND = "refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    REPLACEMENT = "replacement"


@dataclass(frozen=True)
class GuaranteeTerms:
    """三包 [004:L69]: refund within `refund_days` of the warranty start, exchange or repair up to
    `exchange_days`, and replacement within `replacement_days` on a repair that would be more than
    the `repairs`-th (or at least the `repairs`-th, when `repairs_inclusive`): "repaired more than
    twice and still failing"."""

    refund_days: int
    exchange_days: int
    replacement_days: int
    repairs: int
    repairs_inclusive: bool


@dataclass(frozen=True)
class BackupTerms:
    """A backup unit is due `within` of the ticket's `trigger` target lapsing, counted on `calendar`."""

    trigger: str
    within: Duration
    calendar: BusinessCalendar


@dataclass(frozen=True)
class AssetTerms:
    warranty_start: WarrantyStart
    warranty_months: int
    guarantees: GuaranteeTerms
    backup: BackupTerms
    transfer_hours: int
    """Below this many hours of use, a transfer to another dealer owes the encroachment fee."""
    transfer_days: int
    """Within this many days of handover as new, likewise."""
    return_from_day: int
    return_to_day: int
    """Old parts go back to the manufacturer between these days of the month, inclusive."""


@dataclass(frozen=True)
class GuaranteeFinding:
    """What 三包 allows for a failure: the day it fell on, counted from the warranty start as day 1,
    which repair within the replacement period it would be, and the remedies (none outside the
    terms)."""

    day: int
    repair: int
    remedies: tuple[Remedy, ...]
    reason: str


def warranty_period(terms: AssetTerms, signed_on: date, passed_on: date | None) -> tuple[date, date]:
    """The first and last day of warranty for an acceptance signed (and passed) on these days: it
    ends on the day before the start's date `warranty_months` later (a month's last day at most)."""
    if terms.warranty_start is WarrantyStart.ACCEPTANCE_DAY:
        start = signed_on
    elif terms.warranty_start is WarrantyStart.DAY_AFTER_ACCEPTANCE:
        start = signed_on + timedelta(days=1)
    else:
        start = passed_on or signed_on
    return start, add_months(start - timedelta(days=1), terms.warranty_months)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where it is shorter (31 Jan + 1 → 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def three_guarantees(
    terms: GuaranteeTerms, warranty_start: date, repairs_before: int, failed_on: date
) -> GuaranteeFinding:
    """The 三包 remedies for a failure, from the warranty start and the repairs already recorded
    within the replacement period: this failure's repair is the next one."""
    day = (failed_on - warranty_start).days + 1
    nth = repairs_before + 1
    if day < 1:
        return GuaranteeFinding(day, nth, (), "the failure is before the warranty starts")
    if day <= terms.refund_days:
        return GuaranteeFinding(day, nth, (Remedy.REFUND,), f"day {day}: within {terms.refund_days} days")
    if day <= terms.exchange_days:
        reason = f"day {day}: within days {terms.refund_days + 1}-{terms.exchange_days}"
        return GuaranteeFinding(day, nth, (Remedy.EXCHANGE, Remedy.REPAIR), reason)
    if day > terms.replacement_days:
        return GuaranteeFinding(day, nth, (), f"day {day}: after {terms.replacement_days} days")
    enough = nth >= terms.repairs if terms.repairs_inclusive else nth > terms.repairs
    bound = f"{'at least' if terms.repairs_inclusive else 'more than'} {terms.repairs}"
    if enough:
        reason = f"day {day}: repair {nth} within {terms.replacement_days} days, {bound}"
        return GuaranteeFinding(day, nth, (Remedy.REPLACEMENT,), reason)
    reason = f"day {day}: repair {nth} within {terms.replacement_days} days, not {bound}"
    return GuaranteeFinding(day, nth, (Remedy.REPAIR,), reason)


def encroachment_owed(
    terms: AssetTerms, hours_of_use: int, handed_over_on: date | None, transferred_on: date, lease: bool
) -> str | None:
    """Why the dealer transferring an asset out owes the encroachment fee [002:L385-388], or None:
    under the hours, or within the days of handover as new; never for a lease."""
    if lease:
        return None
    if hours_of_use < terms.transfer_hours:
        return f"{hours_of_use} hours of use, under {terms.transfer_hours}"
    if handed_over_on is not None and (transferred_on - handed_over_on).days < terms.transfer_days:
        return f"handed over on {handed_over_on}, within {terms.transfer_days} days"
    return None


def return_window(terms: AssetTerms, collected_on: date) -> tuple[date, date]:
    """The window an old part collected on this day goes back in: this month's, unless it has
    closed, then next month's [002:L426]."""
    first = collected_on.replace(day=terms.return_from_day)
    last = collected_on.replace(day=terms.return_to_day)
    if collected_on > last:
        first, last = add_months(first, 1), add_months(last, 1)
    return first, last


def asset_terms_from(value: Any, path: str, calendars: Mapping[str, BusinessCalendar]) -> AssetTerms:
    """The `[assets]` table of a pack or a stored contract document."""
    table = table_at(value, path)
    check_keys(table, path, ASSET_KEYS)
    start = member_at(WarrantyStart, table["warranty_start"], join(path, "warranty_start"), "warranty start")
    months = _at_least(table["warranty_months"], join(path, "warranty_months"), 1)
    transfer = table_at(table["service_transfer"], join(path, "service_transfer"))
    check_keys(transfer, join(path, "service_transfer"), TRANSFER_KEYS)
    old_parts = table_at(table["old_parts"], join(path, "old_parts"))
    check_keys(old_parts, join(path, "old_parts"), OLD_PART_KEYS)
    first = _at_least(old_parts["return_from_day"], join(path, "old_parts.return_from_day"), 1)
    last = _at_least(old_parts["return_to_day"], join(path, "old_parts.return_to_day"), first)
    if last > LAST_WINDOW_DAY:
        raise refuse(
            join(path, "old_parts.return_to_day"), "a window ends by the 28th, which every month has"
        )
    return AssetTerms(
        warranty_start=start,
        warranty_months=months,
        guarantees=_guarantees(table["three_guarantees"], join(path, "three_guarantees")),
        backup=_backup(table["backup"], join(path, "backup"), calendars),
        transfer_hours=_at_least(transfer["hours"], join(path, "service_transfer.hours"), 0),
        transfer_days=_at_least(transfer["days"], join(path, "service_transfer.days"), 0),
        return_from_day=first,
        return_to_day=last,
    )


def _guarantees(value: Any, path: str) -> GuaranteeTerms:
    table = table_at(value, path)
    check_keys(table, path, GUARANTEE_KEYS)
    refund = _at_least(table["refund_days"], join(path, "refund_days"), 0)
    exchange = _at_least(table["exchange_days"], join(path, "exchange_days"), refund)
    replacement = _at_least(table["replacement_days"], join(path, "replacement_days"), exchange)
    repairs = _at_least(table["repairs"], join(path, "repairs"), 0)
    inclusive = table["repairs_inclusive"]
    if not isinstance(inclusive, bool):
        raise refuse(join(path, "repairs_inclusive"), "true (at least `repairs`) or false (more than)")
    return GuaranteeTerms(refund, exchange, replacement, repairs, inclusive)


def _backup(value: Any, path: str, calendars: Mapping[str, BusinessCalendar]) -> BackupTerms:
    table = table_at(value, path)
    check_keys(table, path, BACKUP_KEYS)
    name = text_at(table["calendar"], join(path, "calendar"))
    if name not in calendars:
        known = ", ".join(calendars)
        raise refuse(join(path, "calendar"), f"unknown calendar {name!r} (the pack defines: {known})")
    trigger = text_at(table["trigger"], join(path, "trigger"))
    return BackupTerms(trigger, duration_at(table["within"], join(path, "within")), calendars[name])


def _at_least(value: Any, path: str, least: int) -> int:
    number = integer_at(value, path)
    if number < least:
        raise refuse(path, f"at least {least}")
    return number
