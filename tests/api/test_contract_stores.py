"""Contracts and a ticket's SLA clocks over HTTP on every store kind: memory, SQLite file, PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.actors import Role
from domain.contract_commands import contract_id_for
from tests.api.harness import (
    Api,
    Json,
    assert_problem,
    bearer,
    iso,
    nothing_recorded,
)
from tests.api.test_contract_routes import approve, approved_contract, post
from tests.support import ago

CUSTOMER = "store-contract-co"
SEVERE_DUE = {
    "escalate_after": timedelta(0),
    "response": timedelta(minutes=5),
    "arrival": timedelta(minutes=40),
    "restore": timedelta(hours=4),
}
"""The fault-4-class pack's targets for a severe fault at a city site, from the report (7x24)."""


def reported(minutes_ago: int) -> datetime:
    """A report time some whole minutes ago, to the second (every store keeps it exactly)."""
    return ago(minutes=minutes_ago).replace(microsecond=0)


def when(value: Any) -> datetime:
    assert isinstance(value, str), value
    return datetime.fromisoformat(value)


def open_severe(api: Api, at: datetime, customer: str = CUSTOMER) -> Json:
    """Open a severe ticket at a city site for `customer`, reported at `at`; its {id, version, position}."""
    response = api.open(customer_id=customer, severity="severe", region_tier="city", reported_at=iso(at))
    assert response.status_code == 201, response.text
    opened: Json = response.json()
    return opened


def sla(api: Api, ticket: str) -> Json:
    response = api.get(f"/tickets/{ticket}/sla")
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def due_times(view: Json) -> dict[str, datetime]:
    return {clock["target"]: when(clock["due_at"]) for clock in view["clocks"]}


def contract_view(api: Api, contract: str) -> Json:
    response = api.get(f"/contracts/{contract}")
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def test_a_contract_is_drafted_reviewed_approved_and_read_back(store_api: Api) -> None:
    drafted = post(
        store_api, "/contracts", {"customer_id": CUSTOMER, "name": "7x24", "pack": "fault-4-class"}
    )
    assert drafted.status_code == 201, drafted.text
    contract = drafted.json()["id"]
    assert UUID(contract) == contract_id_for(CUSTOMER)
    assert drafted.headers["location"] == f"/contracts/{contract}"
    assert drafted.json()["version"] == 1
    assert [v["status"] for v in contract_view(store_api, contract)["versions"]] == ["drafted"]

    reviewed = post(
        store_api, f"/contracts/{contract}/review", {"version": 1, "note": "Annex"}, Role.ENGINEER
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["version"] == 2
    assert reviewed.json()["position"] > drafted.json()["position"]
    assert [v["status"] for v in contract_view(store_api, contract)["versions"]] == ["reviewed"]

    effective = ago(days=1).replace(microsecond=0)
    approved = approve(store_api, contract, {"version": 1, "effective_from": iso(effective)})
    assert approved.status_code == 200, approved.text
    assert (approved.json()["id"], approved.json()["version"]) == (contract, 3)
    assert approved.json()["position"] > reviewed.json()["position"]
    assert store_api.log_end() == approved.json()["position"]

    view = contract_view(store_api, contract)
    assert (view["contract_id"], view["customer_id"], view["name"]) == (contract, CUSTOMER, "7x24")
    assert view["terminated_at"] is None
    (version,) = view["versions"]
    assert (version["number"], version["status"], version["author"]) == (1, "approved", "mgr-chen")
    assert (when(version["effective_from"]), version["retroactive"]) == (effective, False)
    targets = version["document"]["targets"]
    assert targets["response"]["durations"]["severe"] == "5m"
    assert targets["arrival"]["durations"]["severe"]["city"] == "40m"
    assert targets["restore"]["durations"]["severe"] == "4h"


def test_a_severe_city_ticket_records_the_contract_version_and_its_due_times(store_api: Api) -> None:
    contract = approved_contract(store_api, customer=CUSTOMER)
    at = reported(3)
    ticket = open_severe(store_api, at)["id"]

    view = sla(store_api, ticket)
    assert (view["ticket_id"], view["contract_id"], view["contract_version"]) == (ticket, contract, 1)
    assert store_api.ledger.get_ticket(UUID(ticket)).contract_version == 1
    assert due_times(view) == {target: at + delay for target, delay in SEVERE_DUE.items()}
    clocks = {clock["target"]: clock for clock in view["clocks"]}
    assert {target: when(clock["started_at"]) for target, clock in clocks.items()} == dict.fromkeys(
        SEVERE_DUE, at
    )
    assert all(clock["stopped_at"] is None for clock in clocks.values())
    assert {target: clock["status"] for target, clock in clocks.items()} == {
        "escalate_after": "breached",  # severe faults are escalated at once
        "response": "running",
        "arrival": "running",
        "restore": "running",
    }


def test_a_revision_effective_in_the_future_leaves_an_open_ticket_on_its_version(store_api: Api) -> None:
    contract = approved_contract(store_api, customer=CUSTOMER)
    at = reported(3)
    ticket = open_severe(store_api, at)["id"]
    before = sla(store_api, ticket)
    ticket_version = store_api.ledger.get_ticket(UUID(ticket)).version

    faster = {
        "targets": {
            "response": {"durations": {"severe": "3m"}},
            "arrival": {"durations": {"severe": {"city": "20m"}}},
        }
    }
    revised = post(
        store_api,
        f"/contracts/{contract}/revision",
        {"pack": "fault-4-class", "overrides": faster, "reason": "Amendment 2"},
    )
    assert revised.status_code == 200, revised.text
    review = {"version": 2, "note": "Amendment checked"}
    assert post(store_api, f"/contracts/{contract}/review", review, Role.ENGINEER).status_code == 200
    effective = ago(days=-7).replace(microsecond=0)
    approved = approve(store_api, contract, {"version": 2, "effective_from": iso(effective)})
    assert approved.status_code == 200, approved.text

    versions = contract_view(store_api, contract)["versions"]
    assert [(v["number"], v["status"]) for v in versions] == [(1, "approved"), (2, "approved")]
    assert when(versions[1]["effective_from"]) == effective
    assert versions[1]["document"]["targets"]["response"]["durations"]["severe"] == "3m"
    assert versions[1]["document"]["targets"]["arrival"]["durations"]["severe"]["city"] == "20m"

    after = sla(store_api, ticket)
    assert after["contract_version"] == 1
    assert due_times(after) == due_times(before) == {t: at + d for t, d in SEVERE_DUE.items()}
    assert store_api.ledger.get_ticket(UUID(ticket)).version == ticket_version

    # Until the revision takes effect, a ticket reported now still falls under version 1.
    later = reported(1)
    newer = open_severe(store_api, later)["id"]
    newer_view = sla(store_api, newer)
    assert newer_view["contract_version"] == 1
    assert due_times(newer_view) == {t: later + d for t, d in SEVERE_DUE.items()}


def test_the_at_risk_list_shows_the_new_tickets_running_clocks(store_api: Api) -> None:
    approved_contract(store_api, customer=CUSTOMER)
    at = reported(3)
    opened = open_severe(store_api, at)
    ticket, position = opened["id"], opened["position"]
    assert position == store_api.log_end()

    soon = store_api.read("/sla/at-risk", position, {"within": 60})
    assert soon["within_minutes"] == 60
    items = soon["items"]
    assert {item["ticket_id"] for item in items} == {ticket}
    assert [item["target"] for item in items] == ["escalate_after", "response", "arrival"]  # soonest first
    for item in items:
        assert (item["customer_id"], item["severity"], item["contract_version"]) == (CUSTOMER, "severe", 1)
        assert when(item["due_at"]) == at + SEVERE_DUE[item["target"]]
    mine = {item["target"]: item for item in items}
    assert mine["escalate_after"]["status"] == "breached"
    assert -4 <= mine["escalate_after"]["minutes_to_due"] < 0
    assert mine["response"]["status"] == "running"
    assert 0 <= mine["response"]["minutes_to_due"] <= 2
    assert mine["arrival"]["status"] == "running"
    assert 35 <= mine["arrival"]["minutes_to_due"] <= 37

    wider = store_api.read("/sla/at-risk", position, {"within": 5 * 60})
    restore = [item for item in wider["items"] if item["target"] == "restore"]
    assert [(item["ticket_id"], item["status"]) for item in restore] == [(ticket, "running")]
    assert 235 <= restore[0]["minutes_to_due"] <= 237


def test_the_drafting_manager_cannot_approve_their_own_version(store_api: Api) -> None:
    drafted = post(
        store_api, "/contracts", {"customer_id": CUSTOMER, "name": "7x24", "pack": "fault-4-class"}
    )
    assert drafted.status_code == 201, drafted.text
    contract = drafted.json()["id"]
    review = {"version": 1, "note": "Annex checked"}
    assert post(store_api, f"/contracts/{contract}/review", review, Role.ENGINEER).status_code == 200
    approval = {"version": 1, "effective_from": iso(ago(days=1))}

    with nothing_recorded(store_api):
        refused = store_api.client.post(
            f"/contracts/{contract}/approval", json=approval, headers=bearer(Role.MANAGER)
        )
        problem = assert_problem(refused, 409, "contract-rule-violation")
    assert "author" in problem["detail"]
    assert [v["status"] for v in contract_view(store_api, contract)["versions"]] == ["reviewed"]
    ticket = open_severe(store_api, reported(1))["id"]
    assert sla(store_api, ticket)["contract_version"] is None  # an unapproved contract governs nothing

    # The same approval by the other manager goes through.
    assert approve(store_api, contract, approval).status_code == 200
    assert [v["status"] for v in contract_view(store_api, contract)["versions"]] == ["approved"]
