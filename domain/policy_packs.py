"""Policy packs: SLA terms written as readable TOML files, loaded into `SlaTerms`.

A pack has a `description`, a `source` citation, `[[severities]]` (code, definition),
`[calendars.<name>]` (see `domain.pack_calendars`) and `[targets.<name>]` tables: `start` and
`stop` milestones, a `calendar`, the `pauses` that stop the clock, and `[targets.<name>.durations]`
mapping a severity to a duration string, or to a table of duration strings by region tier (`*` for
any tier). A contract may be created from a pack with overrides: a table laid over the pack's own
before it is checked. The packs the ledger ships are in the `packs/` folder beside this module.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.asset_terms import AssetTerms, asset_terms_from
from domain.calendars import BusinessCalendar
from domain.claim_terms import ClaimTerms, claim_terms_from
from domain.errors import InvalidValue
from domain.pack_calendars import HolidaySource, read_calendars
from domain.pack_reading import (
    PackInvalid,
    array_at,
    check_keys,
    deep_merge,
    duration_at,
    join,
    member_at,
    refuse,
    table_at,
    text_at,
    texts_at,
    wrong_type,
)
from domain.penalty_schedules import Schedule, schedule_at
from domain.sla_terms import ANY_TIER, Duration, SeverityClass, SlaTerms, Target
from domain.ticket_terms import CODE_PATTERN, Milestone, PauseReason, require_code

__all__ = [
    "PACK_DIRECTORY",
    "HolidaySource",
    "Pack",
    "PackInvalid",
    "load_pack",
    "parse_pack",
    "shipped_packs",
]

PACK_DIRECTORY = Path(__file__).with_name("packs")
"""The packs shipped with the ledger, one `<name>.toml` each."""

PACK_KEYS = ("description", "source", "severities", "calendars", "targets")
TARGET_KEYS = ("start", "stop", "calendar", "durations")
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class Pack:
    """A named set of SLA terms, with what it is for and the sources its numbers come from."""

    name: str
    description: str
    source: str
    terms: SlaTerms
    claims: ClaimTerms | None = None
    """The claim terms, where the pack has a `[claims]` table (every contract document does)."""
    assets: AssetTerms | None = None
    """The asset terms, where the pack has an `[assets]` table (every contract document does)."""
    penalties: Schedule | None = None
    """The contract's own penalty schedule (service credits), where it has a `[penalties]` table."""


def shipped_packs() -> dict[str, Path]:
    """The files of the shipped packs, by pack name."""
    return {path.stem: path for path in sorted(PACK_DIRECTORY.glob("*.toml"))}


def load_pack(
    path: Path,
    holiday_source: HolidaySource | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Pack:
    """The pack in a file; its name is the file's name without `.toml`."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise PackInvalid(str(path), None, f"not UTF-8 text: {error}") from None
    return parse_pack(text, path.stem, holiday_source, overrides, file=str(path))


def parse_pack(
    text: str,
    name: str,
    holiday_source: HolidaySource | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    file: str | None = None,
) -> Pack:
    """The pack written in `text`; errors name `file` (the pack's name if none is given)."""
    origin = file or name
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = _TOML_LINE.search(str(error))
        reason = f"TOML syntax error: {error}"
        raise PackInvalid(origin, None, reason, int(line[1]) if line else None) from None
    return pack_from_table(name, deep_merge(table, overrides or {}), holiday_source, file=origin)


def pack_from_table(
    name: str,
    table: Mapping[str, Any],
    holiday_source: HolidaySource | None = None,
    *,
    file: str | None = None,
) -> Pack:
    """The pack a parsed table describes (a file's, or a contract version's stored document)."""
    try:
        return _pack(name, table, holiday_source)
    except InvalidValue as error:
        raise PackInvalid(file or name, error.field, error.message) from error


def _pack(name: str, table: Mapping[str, Any], source: HolidaySource | None) -> Pack:
    check_keys(table, "", PACK_KEYS, ("parties", "claims", "assets", "penalties"))
    severities = _severities(table["severities"], "severities")
    calendars = read_calendars(table["calendars"], "calendars", source)
    targets = _targets(table["targets"], {s.code for s in severities}, calendars)
    parties = tuple(texts_at(table.get("parties", []), "parties"))
    terms = SlaTerms(calendars, severities, targets, parties)
    claims = claim_terms_from(table["claims"], "claims", calendars) if "claims" in table else None
    assets = asset_terms_from(table["assets"], "assets", calendars) if "assets" in table else None
    description, source_text = (
        text_at(table["description"], "description"),
        text_at(table["source"], "source"),
    )
    penalties = schedule_at(table["penalties"], "penalties") if "penalties" in table else None
    return Pack(name, description, source_text, terms, claims, assets, penalties)


def _severities(value: Any, path: str) -> tuple[SeverityClass, ...]:
    entries = array_at(value, path)
    if not entries:
        raise refuse(path, "a pack defines at least one severity class")
    severities: list[SeverityClass] = []
    for index, entry in enumerate(entries):
        severity = _severity(entry, join(path, index))
        if severity.code in {s.code for s in severities}:
            raise refuse(join(join(path, index), "code"), f"severity {severity.code!r} is defined twice")
        severities.append(severity)
    return tuple(severities)


def _severity(value: Any, path: str) -> SeverityClass:
    table = table_at(value, path)
    check_keys(table, path, ("code", "definition"))
    code = require_code(join(path, "code"), text_at(table["code"], join(path, "code")))
    return SeverityClass(code, text_at(table["definition"], join(path, "definition")))


def _targets(
    value: Any, severities: set[str], calendars: Mapping[str, BusinessCalendar]
) -> tuple[Target, ...]:
    targets = table_at(value, "targets")
    if not targets:
        raise refuse("targets", "a pack defines at least one target")
    return tuple(
        _target(name, entry, join("targets", name), severities, calendars) for name, entry in targets.items()
    )


def _target(
    name: str, value: Any, path: str, severities: set[str], calendars: Mapping[str, BusinessCalendar]
) -> Target:
    table = table_at(value, path)
    require_code(path, name)
    check_keys(table, path, TARGET_KEYS, ("pauses",))
    start = member_at(Milestone, table["start"], join(path, "start"), "milestone")
    stops = _stops(table["stop"], join(path, "stop"))
    if start in stops:
        raise refuse(join(path, "stop"), f"a clock cannot start and stop at {start.value!r}")
    calendar = _calendar_name(table["calendar"], join(path, "calendar"), calendars)
    pauses = _pauses(table.get("pauses", []), join(path, "pauses"))
    durations = _durations(table["durations"], join(path, "durations"), severities)
    return Target(name, start, stops, calendar, durations, pauses)


def _stops(value: Any, path: str) -> tuple[Milestone, ...]:
    """One stop milestone, or a list of them: the clock stops at whichever comes first."""
    items = [value] if isinstance(value, str) else array_at(value, path)
    if not items:
        raise refuse(path, "name at least one milestone")
    return tuple(member_at(Milestone, item, path, "milestone") for item in items)


def _calendar_name(value: Any, path: str, calendars: Mapping[str, BusinessCalendar]) -> str:
    name = text_at(value, path)
    if name not in calendars:
        raise refuse(path, f"unknown calendar {name!r} (the pack defines: {', '.join(calendars)})")
    return name


def _pauses(value: Any, path: str) -> frozenset[PauseReason]:
    entries = array_at(value, path)
    return frozenset(
        member_at(PauseReason, entry, join(path, i), "pause reason") for i, entry in enumerate(entries)
    )


def _durations(value: Any, path: str, severities: set[str]) -> dict[str, dict[str, Duration]]:
    """Durations by severity, then by region tier; a bare duration string applies to any tier."""
    table = table_at(value, path)
    if not table:
        raise refuse(path, "a target needs a duration for at least one severity")
    durations = {}
    for severity, entry in table.items():
        entry_path = join(path, severity)
        if severity not in severities:
            known = ", ".join(sorted(severities))
            raise refuse(entry_path, f"the pack defines no severity {severity!r} (it defines: {known})")
        durations[severity] = _by_tier(entry, entry_path)
    return durations


def _by_tier(value: Any, path: str) -> dict[str, Duration]:
    if isinstance(value, str):
        return {ANY_TIER: duration_at(value, path)}
    if not isinstance(value, Mapping):
        raise wrong_type(path, "a duration string, or a table of them by region tier ('*' for any)", value)
    if not value:
        raise refuse(path, "no durations: name a region tier, or '*' for any")
    for tier in value:
        if tier != ANY_TIER and not CODE_PATTERN.match(tier):
            raise refuse(join(path, tier), f"a region tier is '*' or a lowercase code, not {tier!r}")
    return {tier: duration_at(entry, join(path, tier)) for tier, entry in value.items()}
