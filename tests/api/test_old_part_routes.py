"""A warranty claim's old parts over HTTP: collected from the engineer, logged in at the warehouse
(late after the monthly window), then destroyed before a witness or shipped to the manufacturer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.actors import PEOPLE, Role
from domain.old_parts import old_parts_id
from tests.api.claim_harness import claim_body, contract, drafted, ok, post
from tests.api.harness import (
    SECOND_MANAGER,
    TOKEN_OF,
    Api,
    Json,
    assert_problem,
    error_fields,
    iso,
    nothing_recorded,
)
from tests.support import ago

OWNER = "old-parts-co"
"""A customer whose contract (the standard asset terms: back on the 26th-28th) is in force."""
ROLES: list[Role] = sorted(PEOPLE, key=lambda r: r.value)
KEEPERS = frozenset({Role.WAREHOUSE})
WITNESSED = {"X-Witness-Token": SECOND_MANAGER}


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture(scope="module")
def owner(api: Api) -> str:
    contract(api, OWNER, ago(days=400))
    return OWNER


def window_end(collected_on: date) -> date:
    """The last day of the standard return window (26th-28th) an old part collected on a day is due in."""
    end = collected_on.replace(day=28)
    return end if collected_on <= end else (end + timedelta(days=31)).replace(day=28)


def warranty_claim(api: Api, owner: str, quantity: int = 2, kind: str = "warranty") -> str:
    parts = [{"part_number": "P-4411", "quantity": quantity, "serial": ""}]
    body = claim_body(owner, kind, asset_id="ex-0042", service_completed_at=iso(ago(days=2)), old_parts=parts)
    return drafted(api, body)


def collection(lot: str, collected_on: date, quantity: int = 1, **overrides: Any) -> Json:
    body: Json = {
        "lot": lot,
        "part_number": "P-4411",
        "serial": "SN-88",
        "quantity": quantity,
        "engineer_id": "eng-li",
        "collected_on": collected_on.isoformat(),
    }
    body.update(overrides)
    return body


def old_parts(api: Api, claim_id: str) -> Json:
    response = api.get(f"/claims/{claim_id}/old-parts")
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def test_old_parts_returned_after_their_window_are_flagged_late(api: Api, owner: str) -> None:
    claim_id, collected = warranty_claim(api, owner), today() - timedelta(days=60)
    due_by = window_end(collected)
    base = f"/claims/{claim_id}/old-parts"

    first = post(api, base, collection("LOT-A", collected), Role.CLAIMS)
    ok(api, base, collection("LOT-B", collected), Role.WAREHOUSE)
    with nothing_recorded(api):
        too_many = post(api, base, collection("LOT-C", collected), Role.WAREHOUSE)
    out = {lot["lot"]: lot for lot in old_parts(api, claim_id)["lots"]}
    ok(
        api,
        f"{base}/LOT-A/return",
        {"location_id": "central", "returned_on": today().isoformat()},
        Role.WAREHOUSE,
    )
    ok(
        api,
        f"{base}/LOT-B/return",
        {"location_id": "central", "returned_on": due_by.isoformat()},
        Role.WAREHOUSE,
    )
    view = old_parts(api, claim_id)
    lots = {lot["lot"]: lot for lot in view["lots"]}

    assert first.status_code == 201, first.text
    assert (first.json()["id"], first.headers["location"]) == (str(old_parts_id(UUID(claim_id))), base)
    assert "quantity" in error_fields(assert_problem(too_many, 409, "old-part-rule-violation"))
    assert (out["LOT-A"]["status"], out["LOT-A"]["late"], out["LOT-A"]["due_by"]) == (
        "collected",
        True,
        due_by.isoformat(),
    )
    assert (view["outstanding"], view["listed"], view["version"]) == (
        {"P-4411": 0},
        [{"part_number": "P-4411", "quantity": 2, "serial": ""}],
        6,
    )
    assert (lots["LOT-A"]["status"], lots["LOT-A"]["late"], lots["LOT-A"]["days_late"]) == (
        "returned",
        True,
        (today() - due_by).days,
    )
    assert (lots["LOT-B"]["late"], lots["LOT-B"]["days_late"], lots["LOT-B"]["returned_on"]) == (
        False,
        0,
        due_by.isoformat(),
    )
    events = [type(e).__name__ for e in api.ledger.repository.event_store.get(old_parts_id(UUID(claim_id)))]
    assert events.count("ReturnedLate") == 1


def test_logged_in_old_parts_are_destroyed_before_a_witness_or_shipped(api: Api, owner: str) -> None:
    claim_id, collected = warranty_claim(api, owner), today() - timedelta(days=3)
    base = f"/claims/{claim_id}/old-parts"
    for lot in ("LOT-A", "LOT-B"):
        ok(api, base, collection(lot, collected), Role.WAREHOUSE)
        ok(
            api,
            f"{base}/{lot}/return",
            {"location_id": "central", "returned_on": today().isoformat()},
            Role.WAREHOUSE,
        )

    with nothing_recorded(api):
        missing = post(api, f"{base}/LOT-A/destruction", None, Role.WAREHOUSE)
        own = post(
            api,
            f"{base}/LOT-A/destruction",
            None,
            Role.WAREHOUSE,
            **{"X-Witness-Token": TOKEN_OF[Role.WAREHOUSE]},
        )
        unknown_lot = post(api, f"{base}/LOT-Z/destruction", None, Role.WAREHOUSE, **WITNESSED)
    ok(api, f"{base}/LOT-A/destruction", None, Role.WAREHOUSE, **WITNESSED)
    ok(api, f"{base}/LOT-B/shipment", {"document": "WAYBILL-1"}, Role.WAREHOUSE)
    with nothing_recorded(api):
        shipped_twice = post(api, f"{base}/LOT-B/shipment", {"document": "WAYBILL-2"}, Role.WAREHOUSE)

    assert "X-Witness-Token" in error_fields(assert_problem(missing, 400, "validation"))
    assert "witness" in error_fields(assert_problem(own, 409, "old-part-rule-violation"))
    assert "lot" in error_fields(assert_problem(unknown_lot, 409, "old-part-rule-violation"))
    assert "lot" in error_fields(assert_problem(shipped_twice, 409, "old-part-rule-violation"))
    statuses = {lot["lot"]: (lot["status"], lot["late"]) for lot in old_parts(api, claim_id)["lots"]}
    assert statuses == {"LOT-A": ("destroyed", False), "LOT-B": ("shipped", False)}


def test_only_a_warranty_claims_listed_parts_are_collected(api: Api, owner: str) -> None:
    claim_id, commercial = warranty_claim(api, owner), warranty_claim(api, owner, kind="commercial")
    collected = today()

    with nothing_recorded(api):
        unlisted = post(api, f"/claims/{claim_id}/old-parts", collection("L1", collected, part_number="P-9"))
        not_warranty = post(api, f"/claims/{commercial}/old-parts", collection("L1", collected))
        future = post(api, f"/claims/{claim_id}/old-parts", collection("L1", collected + timedelta(days=2)))
        nothing_collected = post(
            api,
            f"/claims/{claim_id}/old-parts/L1/return",
            {"location_id": "central", "returned_on": "2026-01-01"},
            Role.WAREHOUSE,
        )
        unknown_claim = post(api, f"/claims/{uuid4()}/old-parts", collection("L1", collected))

    assert "part_number" in error_fields(assert_problem(unlisted, 409, "old-part-rule-violation"))
    assert "claim_id" in error_fields(assert_problem(not_warranty, 409, "old-part-rule-violation"))
    assert "collected_on" in error_fields(assert_problem(future, 422, "invalid-value"))
    assert "claim_id" in error_fields(assert_problem(nothing_collected, 409, "old-part-rule-violation"))
    assert_problem(unknown_claim, 404)
    view = old_parts(api, claim_id)
    assert (view["version"], view["lots"], view["outstanding"]) == (0, [], {"P-4411": 2})


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("", frozenset({Role.CLAIMS, Role.WAREHOUSE})),
        ("/L1/return", KEEPERS),
        ("/L1/destruction", KEEPERS),
        ("/L1/shipment", KEEPERS),
    ],
    ids=["collect", "return", "destruction", "shipment"],
)
def test_roles_not_allowed_an_old_part_command_get_a_403_problem(
    api: Api, action: str, allowed: frozenset[Role]
) -> None:
    path = f"/claims/{uuid4()}/old-parts{action}"
    for role in ROLES:
        if role in allowed:
            continue
        with nothing_recorded(api):
            response = post(api, path, {}, role, **WITNESSED)
        assert_problem(response, 403, "forbidden")


def test_old_parts_read_back_alike_on_every_store(store_api: Api) -> None:
    api = store_api
    contract(api, OWNER, ago(days=400))
    claim_id = warranty_claim(api, OWNER)
    base = f"/claims/{claim_id}/old-parts"
    ok(api, base, collection("LOT-A", today() - timedelta(days=60)), Role.WAREHOUSE)
    ok(
        api,
        f"{base}/LOT-A/return",
        {"location_id": "central", "returned_on": today().isoformat()},
        Role.WAREHOUSE,
    )
    ok(api, f"{base}/LOT-A/destruction", None, Role.WAREHOUSE, **WITNESSED)

    lot = old_parts(api, claim_id)["lots"][0]
    assert (lot["status"], lot["late"], lot["returned_on"]) == ("destroyed", True, today().isoformat())
