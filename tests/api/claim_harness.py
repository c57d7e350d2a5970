"""Claims over HTTP: a customer's contract with the standard claim terms, and claims filed,
submitted and approved through the routes, each by the role whose turn it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx

from domain.actors import Role
from tests.api.harness import SECOND_MANAGER, Api, Json, bearer, iso

VENDOR = "volvo-ce"
LINES: list[Json] = [
    {
        "kind": "material",
        "code": "P-4411",
        "description": "Hydraulic pump",
        "quantity": "1",
        "unit_price": "28000.00",
    },
    {
        "kind": "labour",
        "code": "L-100",
        "description": "Replace the pump",
        "quantity": "2.5",
        "unit_price": "800.00",
    },
]
"""30,000.00 in all: above every `below` bound of the standard chains."""
COMMERCIAL_CHAIN = (Role.BU_MANAGER, Role.SALES_DIRECTOR, Role.SERVICE_DIRECTOR, Role.GENERAL_MANAGER)


def contract(api: Api, customer: str, effective_from: datetime) -> str:
    """The customer's contract from the fault-4-class pack (with the standard claim terms), in force
    from `effective_from`."""
    manager = bearer(Role.MANAGER)
    drafted = api.client.post(
        "/contracts",
        json={"customer_id": customer, "name": "Claims", "pack": "fault-4-class"},
        headers=manager,
    )
    assert drafted.status_code == 201, drafted.text
    contract_id: str = drafted.json()["id"]
    review = {"version": 1, "note": "Annex checked"}
    reviewed = api.client.post(f"/contracts/{contract_id}/review", json=review, headers=bearer(Role.ENGINEER))
    assert reviewed.status_code == 200, reviewed.text
    approval = {"version": 1, "effective_from": iso(effective_from)}
    approved = api.client.post(
        f"/contracts/{contract_id}/approval",
        json=approval,
        headers={"Authorization": f"Bearer {SECOND_MANAGER}"},
    )
    assert approved.status_code == 200, approved.text
    return contract_id


def claim_body(customer: str, kind: str = "commercial", **overrides: Any) -> Json:
    body: Json = {
        "kind": kind,
        "customer_id": customer,
        "vendor_id": VENDOR,
        "currency": "CNY",
        "lines": LINES,
    }
    body.update(overrides)
    return body


def post(
    api: Api, path: str, body: Json | None = None, role: Role = Role.CLAIMS, **headers: str
) -> httpx.Response:
    return api.client.post(path, json=body, headers={**bearer(role), **headers})


def ok(api: Api, path: str, body: Json | None = None, role: Role = Role.CLAIMS, **headers: str) -> Json:
    """A claim command that must succeed; its {id, version, position}."""
    response = post(api, path, body, role, **headers)
    assert response.status_code in {200, 201}, f"{path}: {response.status_code} {response.text}"
    answer: Json = response.json()
    return answer


def drafted(api: Api, body: Json) -> str:
    response = post(api, "/claims", body)
    assert response.status_code == 201, response.text
    claim_id: str = response.json()["id"]
    assert response.headers["location"] == f"/claims/{claim_id}"
    return claim_id


def submitted(api: Api, body: Json) -> str:
    claim_id = drafted(api, body)
    ok(api, f"/claims/{claim_id}/submission")
    return claim_id


def approved(api: Api, customer: str, amount: str | None = None, **overrides: Any) -> str:
    """A commercial claim signed by its four roles in order, the last for `amount` if given."""
    claim_id = submitted(api, claim_body(customer, **overrides))
    for role in COMMERCIAL_CHAIN:
        last = role is Role.GENERAL_MANAGER and amount is not None
        ok(api, f"/claims/{claim_id}/approval", {"amount": amount} if last else {}, role)
    return claim_id


def claim(api: Api, claim_id: str) -> Json:
    response = api.get(f"/claims/{claim_id}")
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


@contextmanager
def claim_unchanged(api: Api, claim_id: str) -> Iterator[None]:
    """The log ends where it did, and the claim reads exactly as before."""
    before, view = api.log_end(), claim(api, claim_id)
    yield
    assert api.log_end() == before
    assert claim(api, claim_id) == view
    assert api.ledger.get_claim(UUID(claim_id)).version == view["version"]
