"""A contract version's terms as a stored document: a pack with its overrides and its holidays
written out as dates, so that replaying it years later needs nothing but the document."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from domain.pack_calendars import HolidaySource, holiday_sets
from domain.pack_reading import deep_merge
from domain.policy_packs import PACK_DIRECTORY, Pack, PackInvalid, pack_from_table, shipped_packs
from domain.sla_terms import SlaTerms

STANDARD_TERMS = {
    "claims": PACK_DIRECTORY / "claims" / "standard.toml",
    "assets": PACK_DIRECTORY / "assets" / "standard.toml",
}
"""The tables every contract document has, and the file that supplies each where a pack has none."""


def contract_document(
    pack: str, overrides: Mapping[str, Any] | None = None, holiday_source: HolidaySource | None = None
) -> dict[str, Any]:
    """A shipped pack with overrides, checked, its holidays resolved into explicit dates."""
    path = shipped_packs().get(pack)
    if path is None:
        raise PackInvalid(pack, "pack", f"no shipped pack {pack!r}; packs are {', '.join(shipped_packs())}")
    table = deep_merge(with_standard_terms(tomllib.loads(Path(path).read_text("utf-8"))), overrides or {})
    pack_from_table(pack, table, holiday_source, file=str(path))
    calendars = {
        name: written_out(calendar, f"calendars.{name}", holiday_source)
        for name, calendar in table["calendars"].items()
    }
    document: dict[str, Any] = plain({**table, "calendars": calendars})
    return document


def with_standard_terms(table: Mapping[str, Any]) -> dict[str, Any]:
    """A pack lacking claim or asset terms receives the standard ones, and the calendars they count on."""
    merged = dict(table)
    for key, path in STANDARD_TERMS.items():
        if key not in merged:
            standard = tomllib.loads(path.read_text("utf-8"))
            calendars = {**standard["calendars"], **merged.get("calendars", {})}
            merged = {**merged, "calendars": calendars, key: standard[key]}
    return merged


def pack_of(document: Mapping[str, Any]) -> Pack:
    """The terms a stored document gives (it names no holiday source: its dates are written out)."""
    return pack_from_table("contract", document)


def terms_of(document: Mapping[str, Any]) -> SlaTerms:
    return pack_of(document).terms


def written_out(calendar: Mapping[str, Any], path: str, source: HolidaySource | None) -> dict[str, Any]:
    holidays, makeup_days = holiday_sets(calendar, path, source)
    rest = {
        k: v for k, v in calendar.items() if k not in {"holidays", "years", "holiday_dates", "makeup_dates"}
    }
    return {**rest, "holiday_dates": sorted(holidays), "makeup_dates": sorted(makeup_days)}


def plain(value: Any) -> Any:
    """Dates as ISO 8601 text, so the document is plain JSON in the event it is stored in."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
