"""Reading the values of a policy pack's TOML table: typed getters, key checks and duration strings.

Every refusal here is an `InvalidValue` whose `field` is the dotted path of the offending value in
the pack (`targets.arrival.durations.severe.city`) and whose message is the reason; the loader in
`domain.policy_packs` turns it into a `PackInvalid` that also names the file.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time
from enum import Enum
from typing import Any, TypeVar

from domain.errors import InvalidValue
from domain.sla_terms import Duration, Unit

E = TypeVar("E", bound=Enum)

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR
DURATION_PATTERN = re.compile(r"(?:(?P<days>\d+)d)?(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?")
WORKING_DAYS_PATTERN = re.compile(r"(?P<days>\d+)wd")
DURATION_FORMS = "'30m', '4h', '1h30m', '0m' (immediately), '7d' (7 x 24 h) or '3wd' (working days)"

_TOML_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "float"),
    (str, "string"),
    (list, "array"),
    (Mapping, "table"),
    (datetime, "date-time"),
    (date, "date"),
    (time, "time"),
)


class PackInvalid(InvalidValue):
    """A policy pack the ledger refuses: which file, which field (a dotted path) and why."""

    code = "pack-invalid"

    def __init__(self, file: str, field: str | None, reason: str, line: int | None = None) -> None:
        where = f"{file}, line {line}" if line is not None else file
        message = f"{where}: {field}: {reason}" if field else f"{where}: {reason}"
        super().__init__(message, field=field, file=file, reason=reason, line=line)
        self.file = file
        self.reason = reason
        self.line = line


def refuse(path: str, reason: str, **values: Any) -> InvalidValue:
    """The error for the value at `path`, to be raised by the caller."""
    return InvalidValue(reason, field=path, **values)


def join(path: str, key: str | int) -> str:
    """The path of a key of a table (`a.b`) or an item of an array (`a[2]`)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


@contextmanager
def at(path: str) -> Iterator[None]:
    """Re-raise a domain constructor's `InvalidValue` as the value at `path` of the pack."""
    try:
        yield
    except InvalidValue as error:
        raise refuse(path, error.message, **error.values) from error


def kind(value: Any) -> str:
    """The TOML name of a value's type, for messages."""
    return next((name for cls, name in _TOML_KINDS if isinstance(value, cls)), type(value).__name__)


def wrong_type(path: str, expected: str, value: Any) -> InvalidValue:
    return refuse(path, f"expected {expected}, got {kind(value)} {value!r}")


def check_keys(
    table: Mapping[str, Any], path: str, required: Collection[str], optional: Collection[str] = ()
) -> None:
    """Refuse a key the table may not have, then the first required key it lacks."""
    allowed = sorted({*required, *optional})
    for key in table:
        if key not in allowed:
            raise refuse(join(path, key), f"unknown key {key!r} (expected one of: {', '.join(allowed)})")
    for key in required:
        if key not in table:
            raise refuse(join(path, key), "missing")


def table_at(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise wrong_type(path, "a table", value)
    return value


def array_at(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise wrong_type(path, "an array", value)
    return value


def text_at(value: Any, path: str) -> str:
    """A string that says something."""
    if not isinstance(value, str):
        raise wrong_type(path, "a string", value)
    if not value.strip():
        raise refuse(path, "must not be empty")
    return value


def texts_at(value: Any, path: str) -> list[str]:
    return [text_at(item, join(path, i)) for i, item in enumerate(array_at(value, path))]


def integer_at(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(path, "an integer", value)
    return value


def date_at(value: Any, path: str) -> date:
    """A TOML local date (`2025-10-01`) or the same written as a string."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise refuse(path, f"{value!r} is not a date written YYYY-MM-DD") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise wrong_type(path, "a date (YYYY-MM-DD)", value)
    return value


def member_at(enum: type[E], value: Any, path: str, what: str) -> E:
    """The member of `enum` whose value is the string `value`."""
    name = text_at(value, path)
    try:
        return enum(name)
    except ValueError:
        known = ", ".join(str(member.value) for member in enum)
        raise refuse(path, f"unknown {what} {name!r} (expected one of: {known})") from None


def duration_at(value: Any, path: str) -> Duration:
    """A duration string: minutes of the target's calendar, or whole working days."""
    if not isinstance(value, str):
        raise wrong_type(path, f"a duration string such as {DURATION_FORMS}", value)
    text = text_at(value, path)
    working = WORKING_DAYS_PATTERN.fullmatch(text)
    if working:
        with at(path):
            return Duration(int(working["days"]), Unit.WORKING_DAYS)
    parts = DURATION_PATTERN.fullmatch(text)
    if parts is None or not any(parts.groups()):
        raise refuse(path, f"malformed duration {text!r}: write {DURATION_FORMS}")
    days, hours, minutes = (int(part or 0) for part in parts.groups())
    return Duration(days * MINUTES_PER_DAY + hours * MINUTES_PER_HOUR + minutes)


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` laid over it: tables merge key by key, anything else is replaced,
    and `None` (which TOML cannot write) removes the key."""
    merged = dict(base)
    for key, value in overrides.items():
        old = merged.get(key)
        if value is None:
            merged.pop(key, None)
        elif isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = value
    return merged
