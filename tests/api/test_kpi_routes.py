"""KPI queries over HTTP on every store: grouped rates, as of a past time, CSV, and refusals."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from domain.actors import Role
from projections.kpis import REPORTING_ZONE
from tests.api.harness import Api, Json, assert_problem, bearer, error_fields, iso, serve
from tests.api.test_contract_routes import approved_contract
from tests.support import ago

CUSTOMER = "kpi-test-co"


@pytest.fixture
def monitored(store_env: dict[str, str]) -> Iterator[Api]:
    with serve(store_env, sla_monitor=True, sweep_seconds=60) as started:
        yield started


def kpis(api: Api, **params: object) -> Json:
    response = api.get("/kpis", role=Role.MANAGER, params={"after": api.log_end(), **params})
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def test_kpis_group_a_days_tickets_and_answer_as_of_a_past_time_and_as_csv(monitored: Api) -> None:
    approved_contract(monitored, CUSTOMER)
    reported = ago(hours=2).replace(microsecond=0)
    day = reported.astimezone(REPORTING_ZONE).date().isoformat()
    before = ago(seconds=0)
    body = {
        "channel": "hotline",
        "customer_id": CUSTOMER,
        "site_id": "hq",
        "region_tier": "city",
        "severity": "general",
        "category": "hardware",
        "description": "Printer server down",
        "reported_at": iso(reported),
    }
    opened = monitored.client.post("/tickets", json=body, headers=bearer(Role.HOTLINE_AGENT))
    assert opened.status_code == 201, opened.text
    ticket = opened.json()["id"]
    monitored.ok(ticket, "response", {"occurred_at": iso(reported + timedelta(minutes=4))})
    resolution = {
        "fixed_first_time": True,
        "resolution": "Reset",
        "occurred_at": iso(reported + timedelta(hours=1)),
    }
    monitored.ok(ticket, "resolution", resolution)
    monitored.ok(
        ticket,
        "sign-off",
        {"satisfaction": 4, "signed_by": "Ms Gao", "occurred_at": iso(reported + timedelta(minutes=70))},
    )
    query = {"from": day, "to": day, "period": "day", "group_by": "severity"}
    deadline = time.monotonic() + 10
    # The monitor may see the ticket before its resolution (the arrival clock lapsed then) and
    # withdraw that lapse once the remote fix ends the clock: wait for its last word.
    while (rows := kpis(monitored, **query)["rows"]) and (
        not rows[0]["sums"]["response_due"] or rows[0]["sums"]["arrival_due"]
    ):
        assert time.monotonic() < deadline, rows
        time.sleep(0.05)

    (row,) = rows
    report = kpis(monitored, **query)
    assert {k: report[k] for k in ("period", "from", "to", "group_by", "as_of")} == {
        "period": "day",
        "from": day,
        "to": day,
        "group_by": ["severity"],
        "as_of": None,
    }
    assert (row["period"], row["dimensions"]) == (day, {"severity": "general"})
    assert row["sums"]["tickets"] == 1
    assert row["rates"]["response_on_time_rate"] == 1.0
    assert row["rates"]["first_time_fix_rate"] == 1.0
    assert row["rates"]["mean_satisfaction"] == 4.0
    assert row["rates"]["mttr_minutes"] == 60.0
    assert row["rates"]["arrival_on_time_rate"] is None
    assert kpis(monitored, **query, as_of=iso(before))["rows"] == []
    assert kpis(monitored, **query, severity="severe")["rows"] == []

    download = monitored.get("/kpis.csv", role=Role.REGULATOR, params=query)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == f'attachment; filename="kpis-day-{day}-{day}.csv"'
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["period"], r["severity"], r["tickets"], r["response_on_time_rate"]) for r in table] == [
        (day, "general", "1", "1.0")
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "to"),
        ({"from": "2026-11-01", "to": "2026-11-02", "group_by": "colour"}, "group_by"),
        ({"from": "2026-11-01", "to": "2026-11-02", "period": "week"}, "period"),
        ({"from": "2026-11-01", "to": "2026-11-02", "as_of": "2026-11-01T10:00:00"}, "as_of"),
        ({"to": "2026-11-02"}, "from"),
    ],
)
def test_a_bad_kpi_query_is_refused_naming_the_parameter(monitored: Api, params: Json, field: str) -> None:
    for path in ("/kpis", "/kpis.csv"):
        body = assert_problem(monitored.get(path, params=params), 400)
        assert field in error_fields(body), body
