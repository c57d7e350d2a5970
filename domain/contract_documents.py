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

STANDARD_CLAIM_TERMS = PACK_DIRECTORY / "claims" / "standard.toml"


def contract_document(
    pack: str, overrides: Mapping[str, Any] | None = None, holiday_source: HolidaySource | None = None
) -> dict[str, Any]:
    """A shipped pack with overrides, checked, its holidays resolved into explicit dates."""
    path = shipped_packs().get(pack)
    if path is None:
        raise PackInvalid(pack, "pack", f"no shipped pack {pack!r}; packs are {', '.join(shipped_packs())}")
    table = deep_merge(with_claim_terms(tomllib.loads(Path(path).read_text("utf-8"))), overrides or {})
    pack_from_table(pack, table, holiday_source, file=str(path))
    calendars = {
        name: written_out(calendar, f"calendars.{name}", holiday_source)
        for name, calendar in table["calendars"].items()
    }
    document: dict[str, Any] = plain({**table, "calendars": calendars})
    return document


def with_claim_terms(table: Mapping[str, Any]) -> dict[str, Any]:
    """A pack without claim terms receives the standard ones, and the calendar they count on."""
    if "claims" in table:
        return dict(table)
    standard = tomllib.loads(STANDARD_CLAIM_TERMS.read_text("utf-8"))
    calendars = {**standard["calendars"], **table.get("calendars", {})}
    return {**table, "calendars": calendars, "claims": standard["claims"]}


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
