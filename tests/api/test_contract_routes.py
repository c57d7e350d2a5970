"""Contracts over HTTP, and a ticket's SLA clocks under the contract it recorded."""

from __future__ import annotations

from typing import Any

from domain.actors import Role
from tests.api.harness import (
    SECOND_MANAGER,
    Api,
    Json,
    assert_problem,
    bearer,
    error_fields,
    iso,
    nothing_recorded,
)
from tests.support import ago

CUSTOMER = "contract-test-co"


def post(api: Api, path: str, body: Json, role: Role = Role.MANAGER) -> Any:
    return api.client.post(path, json=body, headers=bearer(role))


def approve(api: Api, contract: str, body: Json) -> Any:
    """Approval by the second manager: nobody approves the version they drafted."""
    return api.client.post(
        f"/contracts/{contract}/approval", json=body, headers={"Authorization": f"Bearer {SECOND_MANAGER}"}
    )


def approved_contract(api: Api, customer: str = CUSTOMER, **overrides: Any) -> str:
    drafted = post(
        api, "/contracts", {"customer_id": customer, "name": "7x24", "pack": "fault-4-class", **overrides}
    )
    assert drafted.status_code == 201, drafted.text
    contract = drafted.json()["id"]
    assert drafted.headers["location"] == f"/contracts/{contract}"
    reviewed = post(
        api, f"/contracts/{contract}/review", {"version": 1, "note": "Annex checked"}, Role.ENGINEER
    )
    assert reviewed.status_code == 200, reviewed.text
    approval = {"version": 1, "effective_from": iso(ago(days=1))}
    assert approve(api, contract, approval).status_code == 200
    return str(contract)


def test_a_contract_goes_from_draft_to_approval_and_shows_its_versions(api: Api) -> None:
    contract = approved_contract(api)
    view = api.get(f"/contracts/{contract}").json()
    assert (view["customer_id"], view["terminated_at"]) == (CUSTOMER, None)
    (version,) = view["versions"]
    assert (version["number"], version["status"], version["author"]) == (1, "approved", "mgr-chen")
    assert version["document"]["targets"]["response"]["durations"]["severe"] == "5m"


def test_a_ticket_reported_under_a_contract_shows_its_clocks(api: Api) -> None:
    approved_contract(api, customer="sla-co")
    ticket = api.open_ticket(customer_id="sla-co", severity="severe", reported_at=iso(ago(minutes=10)))
    sla = api.get(f"/tickets/{ticket}/sla").json()
    clocks = {c["target"]: c for c in sla["clocks"]}
    assert sla["contract_version"] == 1
    assert set(clocks) == {"response", "escalate_after", "arrival", "restore"}
    assert clocks["response"]["status"] == "breached"
    assert (
        5 <= clocks["response"]["minutes_late"] <= 6
    )  # due 5 min after a report 10 min ago; whole minutes up
    assert clocks["arrival"]["status"] == "running"


def test_a_ticket_without_a_contract_has_no_clocks(api: Api) -> None:
    ticket = api.open_ticket(customer_id="no-contract-co")
    sla = api.get(f"/tickets/{ticket}/sla").json()
    assert (sla["contract_id"], sla["clocks"]) == (None, [])


def test_only_managers_draft_approve_revise_and_terminate(api: Api) -> None:
    body = {"customer_id": "guarded-co", "name": "x", "pack": "fault-4-class"}
    with nothing_recorded(api):
        assert_problem(post(api, "/contracts", body, Role.ENGINEER), 403)
        assert_problem(post(api, "/contracts", body, Role.AUDITOR), 403)


def test_an_unknown_pack_or_a_bad_override_is_a_422_naming_the_field(api: Api) -> None:
    with nothing_recorded(api):
        unknown = post(api, "/contracts", {"customer_id": "bad-co", "name": "x", "pack": "no-such-pack"})
        assert "pack" in error_fields(assert_problem(unknown, 422, "pack-invalid"))
        broken = {"targets": {"arrival": {"durations": {"severe": {"city": "forty minutes"}}}}}
        bad = post(
            api,
            "/contracts",
            {"customer_id": "bad-co", "name": "x", "pack": "fault-4-class", "overrides": broken},
        )
        assert "targets.arrival.durations.severe.city" in error_fields(
            assert_problem(bad, 422, "pack-invalid")
        )


def test_the_document_control_chain_is_enforced_over_http(api: Api) -> None:
    drafted = post(
        api, "/contracts", {"customer_id": "chain-co", "name": "x", "pack": "fault-4-class"}
    ).json()
    contract = drafted["id"]
    skipped = post(
        api, f"/contracts/{contract}/approval", {"version": 1, "effective_from": iso(ago(days=-1))}
    )
    assert_problem(skipped, 409, "contract-rule-violation")
    self_review = post(api, f"/contracts/{contract}/review", {"version": 1, "note": "mine"})
    assert_problem(self_review, 409, "contract-rule-violation")
    assert_problem(api.get("/contracts/00000000-0000-0000-0000-000000000000"), 404, "contract-not-found")


def test_the_at_risk_list_shows_clocks_due_soon_with_minutes_to_due(api: Api) -> None:
    approved_contract(api, customer="risk-co")
    ticket = api.open_ticket(customer_id="risk-co", severity="severe", reported_at=iso(ago(minutes=30)))
    after = api.log_end()
    listed = api.read("/sla/at-risk", after, {"within": 15})
    mine = {item["target"]: item for item in listed["items"] if item["ticket_id"] == ticket}
    assert listed["within_minutes"] == 15
    assert mine["arrival"]["status"] == "running"
    assert 8 <= mine["arrival"]["minutes_to_due"] <= 10
    assert mine["response"]["status"] == "breached"
    assert mine["response"]["minutes_to_due"] < 0
    assert "restore" not in mine
    assert_problem(api.get("/sla/at-risk", params={"within": -1}), 400, "validation")
