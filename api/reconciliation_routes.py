"""Claims reconciliation for finance: each claim's money, totals per period, vendor, kind and
currency, aging of what is outstanding, and the exception lists, as of now or a past recorded time,
as JSON or as CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from litestar import Response, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import FromQuery, Parameter, QueryParameter

from api.auth import RECONCILERS, allow
from api.reconciliation_schemas import (
    AgedOutstanding,
    ReconciledClaim,
    ReconciledTotal,
    ReconciliationAging,
    ReconciliationExceptionList,
    ReconciliationExceptions,
    ReconciliationPage,
    ReconciliationTotals,
)
from api.services import Injected, Services
from api.ticket_queries import After, Filter, bad_query, require_zones
from projections.claim_ledger import (
    EXCEPTIONS,
    FIELDS,
    KINDS,
    STATUSES,
    Aging,
    ClaimFilter,
    ClaimQuery,
    ClaimRow,
    ClaimTotals,
)
from projections.kpis import REPORTING_ZONE

Kind = Literal["warranty", "commercial", "compensation", "subsidy"]
StatusName = Literal["drafted", "submitted", "approved", "rejected", "resubmitted", "closed"]
ExceptionName = Literal["credit_variance", "late", "rejected"]
assert get_args(Kind) == KINDS
assert get_args(StatusName) == STATUSES
assert get_args(ExceptionName) == EXCEPTIONS
Limit = Annotated[int, Parameter(ge=1, le=500, description="Rows per page (per list).")]
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
"""The range of `as_of` the views can place (a time before the epoch predates any ledger)."""
CSV_PAGE = 1_000
READ = [allow(RECONCILERS)]
TOTALS_COLUMNS = tuple(f.name for f in fields(ClaimTotals))
AGING_COLUMNS = tuple(f.name for f in fields(Aging))


def claim_filter(
    vendor_id: Filter = None,
    kind: FromQuery[Kind | None] = None,
    period: Annotated[
        str | None,
        QueryParameter(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="Month of submission, YYYY-MM."),
    ] = None,
    as_of: Annotated[
        datetime | None, QueryParameter(description="Answer as the ledger knew it at this recorded time.")
    ] = None,
) -> ClaimFilter:
    """Which claims, as of when (a dependency of every reconciliation route)."""
    require_zones(as_of=as_of)
    if as_of is not None and not EARLIEST <= as_of < LATEST:
        reason = "must be between 1970 and 9998"
        raise bad_query("as_of", reason)
    return ClaimFilter(vendor_id=vendor_id, kind=kind, period=period, as_of=as_of)


FILTER = {"where": Provide(claim_filter, sync_to_thread=False)}


def csv_spec(description: str, sample: str) -> dict[int, ResponseSpec]:
    return {
        200: ResponseSpec(
            data_container=str,
            description=description,
            media_type="text/csv",
            examples=[Example(summary="Shortened", value=sample)],
        )
    }


def csv_download(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def cell(value: object) -> object:
    """Instants in ISO 8601, nothing as an empty cell, amounts and the rest as they print."""
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


def suffix(where: ClaimFilter) -> str:
    """A download's name says what it covers: the period and the as-of time, if given."""
    parts = [where.period or "all"]
    if where.as_of is not None:
        parts.append("as-of-" + where.as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return "-".join(parts)


def page_of(services: Services, query: ClaimQuery) -> tuple[list[ClaimRow], UUID | None]:
    """One page, and the cursor of the next (a row more is asked for, to know if there is one)."""
    rows = services.read_side.claims.rows(
        ClaimQuery(query.where, query.status, query.exception, query.after, query.limit + 1)
    )
    more = len(rows) > query.limit
    return rows[: query.limit], UUID(rows[query.limit - 1].claim_id) if more else None


def every_row(services: Services, query: ClaimQuery) -> Iterator[ClaimRow]:
    while page := services.read_side.claims.rows(query):
        yield from page
        query = ClaimQuery(query.where, query.status, query.exception, page[-1].claim_id, CSV_PAGE)


@get(
    "/claims/reconciliation",
    operation_id="listClaimReconciliation",
    summary="Claims with what was claimed, approved, credited, paid and is outstanding, in claim id order",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
)
def list_reconciliation(
    services: Injected,
    where: NamedDependency[ClaimFilter],
    status: FromQuery[StatusName | None] = None,
    exception: FromQuery[ExceptionName | None] = None,
    cursor: Annotated[
        UUID | None, QueryParameter(description="The next_cursor of the previous page.")
    ] = None,
    limit: Limit = 100,
    after: After = None,
) -> ReconciliationPage:
    services.caught_up(after)
    query = ClaimQuery(where, status, exception, None if cursor is None else str(cursor), limit)
    rows, next_cursor = page_of(services, query)
    items = [ReconciledClaim.model_validate(row) for row in rows]
    return ReconciliationPage(as_of=where.as_of, items=items, next_cursor=next_cursor)


@get(
    "/claims/reconciliation.csv",
    operation_id="downloadClaimReconciliation",
    summary="Every claim the filters match, with its money, as a CSV download",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
    media_type="text/csv",
    responses=csv_spec(
        "One row per claim, the columns of the JSON rows.",
        "claim_id,kind,vendor_id,...,outstanding,...\n5d0c7a52-...,warranty,volvo-ce,...,5500.00,...\n",
    ),
)
def download_reconciliation(
    services: Injected,
    where: NamedDependency[ClaimFilter],
    status: FromQuery[StatusName | None] = None,
    exception: FromQuery[ExceptionName | None] = None,
    after: After = None,
) -> Response[str]:
    services.caught_up(after)
    rows = every_row(services, ClaimQuery(where, status, exception, None, CSV_PAGE))
    lines = ([getattr(row, f) for f in FIELDS] for row in rows)
    return csv_download(f"claims-{suffix(where)}.csv", FIELDS, lines)


@get(
    "/claims/reconciliation/totals",
    operation_id="claimReconciliationTotals",
    summary="Counted claims and their money by period, vendor, kind and currency",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
)
def reconciliation_totals(
    services: Injected, where: NamedDependency[ClaimFilter], after: After = None
) -> ReconciliationTotals:
    services.caught_up(after)
    rows = [ReconciledTotal.model_validate(t) for t in services.read_side.claims.totals(where)]
    return ReconciliationTotals(as_of=where.as_of, rows=rows)


@get(
    "/claims/reconciliation/totals.csv",
    operation_id="downloadClaimReconciliationTotals",
    summary="The same totals as a CSV download",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
    media_type="text/csv",
    responses=csv_spec(
        "One row per period, vendor, kind and currency.",
        f"{','.join(TOTALS_COLUMNS)}\n2026-11,volvo-ce,warranty,CNY,42,512400.00,488000.00,"
        "470500.00,401000.00,69500.00\n",
    ),
)
def download_totals(
    services: Injected, where: NamedDependency[ClaimFilter], after: After = None
) -> Response[str]:
    services.caught_up(after)
    totals: list[ClaimTotals] = services.read_side.claims.totals(where)
    lines = ([getattr(t, c) for c in TOTALS_COLUMNS] for t in totals)
    return csv_download(f"claim-totals-{suffix(where)}.csv", TOTALS_COLUMNS, lines)


def aging_day(services: Services, where: ClaimFilter) -> date:
    """The day amounts are aged to: that of the as-of time, else today, in Asia/Shanghai."""
    return (where.as_of or services.ledger.clock()).astimezone(REPORTING_ZONE).date()


@get(
    "/claims/reconciliation/aging",
    operation_id="claimReconciliationAging",
    summary="Outstanding amounts by vendor and currency, by days since approval: 0-30, 31-60, 61-90, 91+",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
)
def reconciliation_aging(
    services: Injected, where: NamedDependency[ClaimFilter], after: After = None
) -> ReconciliationAging:
    services.caught_up(after)
    on = aging_day(services, where)
    rows = [AgedOutstanding.model_validate(a) for a in services.read_side.claims.aging(where, on)]
    return ReconciliationAging(as_of=where.as_of, on=on, rows=rows)


@get(
    "/claims/reconciliation/aging.csv",
    operation_id="downloadClaimReconciliationAging",
    summary="The same aging as a CSV download",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
    media_type="text/csv",
    responses=csv_spec(
        "One row per vendor and currency.",
        f"{','.join(AGING_COLUMNS)}\nvolvo-ce,CNY,9,41000.00,18500.00,0.00,10000.00,69500.00\n",
    ),
)
def download_aging(
    services: Injected, where: NamedDependency[ClaimFilter], after: After = None
) -> Response[str]:
    services.caught_up(after)
    on = aging_day(services, where)
    aged: list[Aging] = services.read_side.claims.aging(where, on)
    lines = ([getattr(a, c) for c in AGING_COLUMNS] for a in aged)
    return csv_download(f"claim-aging-{on.isoformat()}-{suffix(where)}.csv", AGING_COLUMNS, lines)


@get(
    "/claims/reconciliation/exceptions",
    operation_id="claimReconciliationExceptions",
    summary="Credit notes that differ from the approved amount, late submissions, and rejected claims",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
)
def reconciliation_exceptions(
    services: Injected, where: NamedDependency[ClaimFilter], limit: Limit = 50, after: After = None
) -> ReconciliationExceptions:
    services.caught_up(after)

    def listed(name: str) -> ReconciliationExceptionList:
        rows, next_cursor = page_of(services, ClaimQuery(where, exception=name, limit=limit))
        return ReconciliationExceptionList(
            items=[ReconciledClaim.model_validate(r) for r in rows], next_cursor=next_cursor
        )

    return ReconciliationExceptions(
        as_of=where.as_of,
        credit_variances=listed("credit_variance"),
        late_submissions=listed("late"),
        rejected=listed("rejected"),
    )


RECONCILIATION_ROUTES: list[Any] = [
    list_reconciliation,
    download_reconciliation,
    reconciliation_totals,
    download_totals,
    reconciliation_aging,
    download_aging,
    reconciliation_exceptions,
]
"""Every reconciliation handler, registered by the app."""
