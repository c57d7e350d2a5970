"""Public holidays and make-up working days from the `holidays` library, for drafting contracts.

The library is consulted only when a contract version is drafted; the dates it gives are written
into the version's document, so replaying the log never depends on the library's release.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import holidays


def library_holidays(country: str, years: Sequence[int]) -> tuple[frozenset[date], frozenset[date]]:
    """A country's public holidays and its weekend days worked in exchange (调休) for `years`."""
    calendar = holidays.country_holidays(country, years=list(years))
    makeup: set[date] = getattr(calendar, "weekend_workdays", set())
    return frozenset(calendar.keys()), frozenset(d for d in makeup if d.year in years)
