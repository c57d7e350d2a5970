"""SLA verdicts over HTTP with the monitor running: a ticket's verdicts and escalation due, the
at-risk list, and the verdicts in the ticket's history, on every store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from domain.actors import Role
from tests.api.harness import Api, Json, bearer, iso, serve
from tests.api.test_contract_routes import approved_contract
from tests.support import ago

CUSTOMER = "verdict-test-co"


@pytest.fixture
def monitored(store_env: dict[str, str]) -> Iterator[Api]:
    with serve(store_env, sla_monitor=True, sweep_seconds=0.1) as started:
        yield started


def sla_when(api: Api, ticket: str, ready: Any) -> Json:
    """The ticket's SLA view once `ready(view)` holds (the monitor works in the background)."""
    deadline = time.monotonic() + 10
    while True:
        response = api.get(f"/tickets/{ticket}/sla")
        assert response.status_code == 200, response.text
        view: Json = response.json()
        if ready(view) or time.monotonic() > deadline:
            return view
        time.sleep(0.05)


def test_a_lapsed_response_and_a_due_escalation_are_recorded_and_shown(monitored: Api) -> None:
    approved_contract(monitored, CUSTOMER)
    reported = ago(minutes=20).replace(microsecond=0)
    opened = monitored.client.post(
        "/tickets",
        json={
            "channel": "hotline",
            "customer_id": CUSTOMER,
            "site_id": "hq",
            "region_tier": "city",
            "severity": "severe",
            "category": "hardware",
            "description": "Core switch down",
            "reported_at": iso(reported),
        },
        headers=bearer(Role.HOTLINE_AGENT),
    )
    assert opened.status_code == 201, opened.text
    ticket = opened.json()["id"]

    view = sla_when(monitored, ticket, lambda v: len(v["verdicts"]) >= 2)

    kinds = {(v["kind"], v["target"], v["outcome"]) for v in view["verdicts"]}
    assert kinds == {("verdict", "response", "breached"), ("escalation_due", "escalate_after", None)}
    response = next(v for v in view["verdicts"] if v["target"] == "response")
    assert response["occurred_at"] == iso(reported + timedelta(minutes=5)).replace("+00:00", "Z")
    assert (response["contract_version"], response["ticket_version"]) == (1, 2)
    clocks = {c["target"]: c for c in view["clocks"]}
    assert clocks["escalate_after"]["escalation_due"] is True
    assert clocks["response"]["escalation_due"] is False

    at_risk = monitored.read("/sla/at-risk", after=monitored.log_end(), params={"within": 0})
    mine = {i["target"]: i for i in at_risk["items"] if i["ticket_id"] == ticket}
    assert mine["escalate_after"]["escalation_due"] is True
    assert mine["response"]["status"] == "breached"

    history = monitored.read(f"/tickets/{ticket}/history", after=monitored.log_end())
    verdict_rows = [r for r in history["items"] if r["event_type"] == "VerdictRecorded"]
    assert [(r["actor_role"], r["data"]["target"]) for r in verdict_rows] == [("system", "response")]
