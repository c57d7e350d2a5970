"""The customer directory over HTTP: registering, changing and reading contact details, now and as
of a past time, paging, and every refusal answered as problem+json with nothing recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.actors import Role
from tests.api.harness import TOKEN_OF, Api, assert_problem, bearer, error_fields, nothing_recorded


def body(code: str, **overrides: Any) -> dict[str, Any]:
    return {"customer_id": code, "name": f"{code} contact", "phone": "+86 21 5888 0100",
            "address": "88 Century Avenue", **overrides}  # fmt: skip


def register(api: Api, code: str, **overrides: Any) -> Any:
    return api.client.post("/customers", json=body(code, **overrides), headers=bearer(Role.HOTLINE_AGENT))


def test_a_registered_customer_reads_back_now_and_not_before_it_was_registered(api: Api) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)

    created = register(api, "cust-a1")

    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/customers/cust-a1"
    shown = api.get("/customers/cust-a1").json()
    assert shown == {
        "customer_id": "cust-a1",
        "name": "cust-a1 contact",
        "phone": "+86 21 5888 0100",
        "address": "88 Century Avenue",
        "redacted": False,
        "registered_at": shown["registered_at"],
        "forgotten_at": None,
        "version": 1,
    }
    assert_problem(
        api.get("/customers/cust-a1", params={"as_of": before.isoformat()}), 404, "customer-not-found"
    )


def test_changed_details_show_now_and_the_old_ones_as_of_before_the_change(api: Api) -> None:
    register(api, "cust-a2")
    between = datetime.now(UTC)
    changed = api.client.post(
        "/customers/cust-a2/details",
        json={"name": "New contact", "reason": "contact left"},
        headers=bearer(Role.CLAIMS),
    )

    assert changed.status_code == 200, changed.text
    assert api.get("/customers/cust-a2").json()["name"] == "New contact"
    assert api.get("/customers/cust-a2").json()["phone"] == ""
    assert (
        api.get("/customers/cust-a2", params={"as_of": between.isoformat()}).json()["name"]
        == "cust-a2 contact"
    )


def test_the_directory_pages_by_customer_id(api: Api) -> None:
    last = 0
    for code in ("page-c", "page-a", "page-b"):
        last = register(api, code).json()["position"]

    first = api.read("/customers", last, {"after_customer": "page-", "limit": 2})
    rest = api.read("/customers", last, {"after_customer": first["next_after"], "limit": 2})

    assert [c["customer_id"] for c in first["customers"]] == ["page-a", "page-b"]
    assert rest["customers"][0]["customer_id"] == "page-c"


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"phone": "call me"}, 422, "phone"),
        ({"name": "   "}, 422, "name"),
        ({"name": ""}, 400, "name"),
        ({"customer_id": "Not A Code"}, 400, "customer_id"),
        ({"address": "x" * 301}, 400, "address"),
    ],
)
def test_bad_details_are_refused_with_the_field_and_record_nothing(
    api: Api, overrides: dict[str, Any], status: int, field: str
) -> None:
    with nothing_recorded(api):
        refused = register(api, "cust-bad", **overrides)

    problem = assert_problem(refused, status)
    assert field in (error_fields(problem) if "errors" in problem else {problem.get("field")})
    assert_problem(api.get("/customers/cust-bad"), 404, "customer-not-found")


def test_a_customer_registers_once_and_only_the_desk_registers(api: Api) -> None:
    register(api, "cust-a3")

    with nothing_recorded(api):
        assert_problem(register(api, "cust-a3"), 409, "customer-already-registered")
        refused = api.client.post("/customers", json=body("cust-a4"), headers=bearer(Role.ENGINEER))
        assert_problem(refused, 403)


def test_forgetting_names_an_approver_by_token_and_a_known_customer(api: Api) -> None:
    register(api, "cust-a5")
    asked = bearer(Role.SERVICE_DIRECTOR)

    with nothing_recorded(api):
        no_header = api.client.post("/customers/cust-a5/forget", json={"reason": "erasure"}, headers=asked)
        unknown_token = api.client.post(
            "/customers/cust-a5/forget",
            json={"reason": "erasure"},
            headers={**asked, "X-Approver-Token": "nobody"},
        )
        unknown = api.client.post(
            "/customers/nobody-here/forget",
            json={"reason": "erasure"},
            headers={**asked, "X-Approver-Token": TOKEN_OF[Role.GENERAL_MANAGER]},
        )

    assert_problem(no_header, 400)
    assert_problem(unknown_token, 422)
    assert_problem(unknown, 404, "customer-not-found")
    assert api.get("/customers/cust-a5").json()["redacted"] is False
