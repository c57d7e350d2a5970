"""KPI queries: sums and rates by period and dimension, as of now or a past recorded time, as JSON
or as a CSV download."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, get_args

from litestar import Response, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import FromQuery, QueryParameter
from pydantic import BaseModel, Field

from api.auth import READERS, allow
from api.schemas import example
from api.services import Injected
from api.ticket_queries import After, Filter, bad_query, require_zones
from projections.kpis import DIMENSIONS, MEASURES, PERIODS, RATES, KpiQuery, rates

Dimension = Literal["contract_id", "severity", "region_tier", "engineer_id"]
Period = Literal["day", "month", "total"]
MAX_SPAN = timedelta(days=3 * 366)
assert get_args(Dimension) == DIMENSIONS
assert get_args(Period) == PERIODS
ROW_EXAMPLE: dict[str, Any] = {
    "period": "2026-11",
    "dimensions": {"severity": "severe"},
    "rates": {"response_on_time_rate": 0.97, "arrival_on_time_rate": 0.91, "mttr_minutes": 142.5},
    "sums": {"tickets": 120, "response_due": 118, "response_met": 115},
}


CSV_EXAMPLE = "period,severity,tickets,response_on_time_rate\n2026-11,severe,120,0.97\n"
"""Shortened: the download has every rate and every sum."""


class KpiRowView(BaseModel):
    model_config = example(ROW_EXAMPLE, closed=False)
    period: str = Field(description="The report day (YYYY-MM-DD) or month (YYYY-MM); empty for a total.")
    dimensions: dict[str, str] = Field(description="The group's values ('' is an unassigned engineer).")
    rates: dict[str, float | None] = Field(description="Each KPI; null where nothing was due.")
    sums: dict[str, int] = Field(description="The sums the rates are made of.")


class KpiReport(BaseModel):
    model_config = example(
        {
            "period": "month",
            "from": "2026-11-01",
            "to": "2026-11-30",
            "group_by": ["severity"],
            "filters": {},
            "as_of": None,
            "rows": [ROW_EXAMPLE],
        },
        closed=False,
    )
    period: str
    from_: date = Field(alias="from", description="The first report day asked for.")
    to: date = Field(description="The last report day asked for.")
    group_by: list[str]
    filters: dict[str, str]
    as_of: datetime | None = Field(description="The recorded time the figures are as of; null for now.")
    rows: list[KpiRowView]


def kpi_query(
    start: Annotated[date, QueryParameter(name="from", description="First report day.")],
    end: Annotated[date, QueryParameter(name="to", description="Last report day (inclusive).")],
    period: Annotated[Period, QueryParameter(description="Rows per day, per month, or a total.")] = "month",
    group_by: FromQuery[list[Dimension] | None] = None,
    contract_id: Filter = None,
    severity: Filter = None,
    region_tier: Filter = None,
    engineer_id: Filter = None,
    as_of: Annotated[
        datetime | None, QueryParameter(description="Answer as the ledger knew it then.")
    ] = None,
) -> KpiQuery:
    """The KPI query the request's parameters ask for (a dependency of both KPI routes)."""
    require_zones(as_of=as_of)
    if end < start or end - start > MAX_SPAN:
        reason = "must be on or after from, and at most three years after it"
        raise bad_query("to", reason)
    filters = {
        "contract_id": contract_id,
        "severity": severity,
        "region_tier": region_tier,
        "engineer_id": engineer_id,
    }
    chosen = {k: v for k, v in filters.items() if v is not None}
    return KpiQuery(period, start, end, tuple(group_by or ()), chosen, as_of)


KPI_QUERY = {"kpi": Provide(kpi_query, sync_to_thread=False)}


@get(
    "/kpis",
    operation_id="queryKpis",
    summary="KPIs by report day or month, grouped and filtered by contract, severity, tier, engineer",
    guards=[allow(READERS)],
    dependencies=KPI_QUERY,
    sync_to_thread=True,
)
def query_kpis(services: Injected, kpi: NamedDependency[KpiQuery], after: After = None) -> KpiReport:
    services.caught_up(after)
    rows = services.read_side.kpis.query(kpi)
    return KpiReport.model_validate(
        {
            "period": kpi.period,
            "from": kpi.start,
            "to": kpi.end,
            "group_by": list(kpi.group_by),
            "filters": dict(kpi.filters or {}),
            "as_of": kpi.as_of,
            "rows": [
                KpiRowView(period=r.period, dimensions=r.dimensions, rates=rates(r.sums), sums=r.sums)
                for r in rows
            ],
        }
    )


@get(
    "/kpis.csv",
    operation_id="downloadKpis",
    summary="The same KPI table as a CSV download",
    guards=[allow(READERS)],
    dependencies=KPI_QUERY,
    sync_to_thread=True,
    media_type="text/csv",
    responses={
        200: ResponseSpec(
            data_container=str,
            description="One row per group: period, dimensions, the KPI rates, then the sums.",
            media_type="text/csv",
            examples=[Example(summary="A month by severity", value=CSV_EXAMPLE)],
        )
    },
)
def download_kpis(services: Injected, kpi: NamedDependency[KpiQuery], after: After = None) -> Response[str]:
    services.caught_up(after)
    rows = services.read_side.kpis.query(kpi)
    groups = [d for d in DIMENSIONS if d in kpi.group_by]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", *groups, *(name for name, _, _ in RATES), *MEASURES])
    for row in rows:
        figures = rates(row.sums)
        writer.writerow(
            [
                row.period,
                *(row.dimensions[g] for g in groups),
                *("" if figures[name] is None else figures[name] for name, _, _ in RATES),
                *(row.sums[m] for m in MEASURES),
            ]
        )
    name = f"kpis-{kpi.period}-{kpi.start.isoformat()}-{kpi.end.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
