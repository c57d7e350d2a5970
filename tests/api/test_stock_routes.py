"""Stock over HTTP: receipts valued at moving-average cost, reservations and countersigned issues to
tickets, returns, write-offs and counts approved by a manager, safety stock and transfers; every
refusal a problem naming its field, and nothing recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
import pytest

from domain.actors import PEOPLE, Role
from domain.stock_rules import stock_item_id
from tests.api.claim_harness import ok, post
from tests.api.harness import (
    PLANNED,
    SECOND_KEEPER,
    TOKEN_OF,
    Api,
    Json,
    assert_problem,
    error_fields,
    nothing_recorded,
)

COUNTERSIGNED = {"X-Countersigner-Token": SECOND_KEEPER}
APPROVED = {"X-Approver-Token": TOKEN_OF[Role.MANAGER]}
KEEPERS = frozenset({Role.WAREHOUSE})
PARTS_USERS = frozenset({Role.WAREHOUSE, Role.ENGINEER})
MANAGEMENT = frozenset({Role.MANAGER, Role.SERVICE_DIRECTOR, Role.GENERAL_MANAGER})
ALLOWED: dict[str, frozenset[Role]] = {
    "receipts": KEEPERS,
    "reservations": PARTS_USERS,
    "issues": PARTS_USERS,
    "returns": PARTS_USERS,
    "write-offs": KEEPERS,
    "counts": KEEPERS,
    "safety-stock": KEEPERS | MANAGEMENT,
}
"""Which roles may record each movement (POST /stock/{part}/{location}/<action>), as the API promises."""
ROLES: list[Role] = sorted(PEOPLE, key=lambda r: r.value)


def new_part() -> str:
    """A part number of the test's own, so that tests sharing the app never share stock."""
    return f"P-{uuid4().hex[:10].upper()}"


def receipt(quantity: int = 10, unit_cost: str = "100.00") -> Json:
    return {"supplier": "volvo-ce", "document": "GRN-1", "quantity": quantity, "unit_cost": unit_cost}


def move(
    api: Api,
    part: str,
    action: str,
    body: Json | None = None,
    role: Role = Role.WAREHOUSE,
    location: str = "central",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return post(api, f"/stock/{part}/{location}/{action}", body, role, **(headers or {}))


def moved(api: Api, part: str, action: str, body: Json | None = None, **kwargs: Any) -> Json:
    """A movement that must succeed; its {id, version, position}."""
    response = move(api, part, action, body, **kwargs)
    assert response.status_code == 200, f"{action}: {response.status_code} {response.text}"
    answer: Json = response.json()
    return answer


def item(api: Api, part: str, location: str = "central") -> Json:
    response = api.get(f"/stock/{part}/{location}")
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def stocked(api: Api, quantity: int = 10, unit_cost: str = "100.00") -> str:
    part = new_part()
    moved(api, part, "receipts", receipt(quantity, unit_cost))
    return part


def dispatched_to(api: Api, engineer_id: str) -> str:
    ticket_id = api.open_ticket()
    api.ok(ticket_id, "dispatch", {"engineer_id": engineer_id, "planned_at": PLANNED}, Role.HOTLINE_AGENT)
    return ticket_id


def test_receipts_at_two_costs_and_an_issue_value_stock_at_moving_average_cost(api: Api) -> None:
    part, ticket_id = new_part(), api.open_ticket()
    first = moved(api, part, "receipts", receipt(10, "100.00"))
    moved(api, part, "receipts", receipt(10, "130.00"))
    issued = moved(api, part, "issues", {"ticket_id": ticket_id, "quantity": 5}, headers=COUNTERSIGNED)

    assert issued["id"] == first["id"]
    assert issued["version"] == first["version"] + 2
    assert issued["position"] > first["position"]
    view = item(api, part)
    assert (view["on_hand"], view["free"], view["value"], view["unit_cost"]) == (15, 15, "1725.00", "115.00")
    assert (view["part_number"], view["location_id"], view["version"]) == (part, "central", issued["version"])


def test_a_free_spare_is_issued_at_no_charge_and_still_valued_out_of_stock(api: Api) -> None:
    part, ticket_id = stocked(api, 4, "50.00"), api.open_ticket()

    body = {"ticket_id": ticket_id, "quantity": 1, "chargeable": False}
    moved(api, part, "issues", body, headers=COUNTERSIGNED)

    issued: Any = list(api.ledger.repository.event_store.get(stock_item_id(part, "central")))[-1]
    assert (type(issued).__name__, issued.chargeable, issued.value) == ("Issued", False, Decimal("50.00"))
    assert (item(api, part)["on_hand"], item(api, part)["value"]) == (3, "150.00")


@pytest.mark.parametrize(
    ("token", "status", "code", "field"),
    [
        (None, 400, "validation", "X-Countersigner-Token"),
        ("not-a-token", 422, "invalid-value", "X-Countersigner-Token"),
        (TOKEN_OF[Role.WAREHOUSE], 409, "stock-rule-violation", "countersigner"),
        (TOKEN_OF[Role.MANAGER], 409, "stock-rule-violation", "countersigner"),
    ],
    ids=["missing", "unknown", "the-issuer", "not-warehouse"],
)
def test_an_issue_needs_a_second_warehouse_keeper_to_countersign(
    api: Api, token: str | None, status: int, code: str, field: str
) -> None:
    part, ticket_id = stocked(api, 3), api.open_ticket()
    headers = {} if token is None else {"X-Countersigner-Token": token}

    with nothing_recorded(api):
        response = move(api, part, "issues", {"ticket_id": ticket_id, "quantity": 1}, headers=headers)

    assert field in error_fields(assert_problem(response, status, code))
    assert item(api, part)["on_hand"] == 3


def test_issuing_more_than_is_on_hand_is_refused_and_stock_stays(api: Api) -> None:
    part, ticket_id = stocked(api, 3), api.open_ticket()

    with nothing_recorded(api):
        response = move(api, part, "issues", {"ticket_id": ticket_id, "quantity": 5}, headers=COUNTERSIGNED)

    body = assert_problem(response, 409, "insufficient-stock")
    assert "quantity" in error_fields(body)
    assert "3 on hand" in body["detail"]
    assert item(api, part)["on_hand"] == 3


def test_an_engineer_issues_on_their_own_ticket_but_not_on_another_engineers(api: Api) -> None:
    part = stocked(api, 5)
    own, other = dispatched_to(api, "eng-li"), dispatched_to(api, "eng-wang")
    countersigned = {"X-Countersigner-Token": TOKEN_OF[Role.WAREHOUSE]}

    moved(api, part, "issues", {"ticket_id": own, "quantity": 1}, role=Role.ENGINEER, headers=countersigned)
    with nothing_recorded(api):
        refused = move(
            api, part, "issues", {"ticket_id": other, "quantity": 1}, Role.ENGINEER, headers=countersigned
        )

    assert "ticket_id" in error_fields(assert_problem(refused, 409, "stock-rule-violation"))
    assert item(api, part)["on_hand"] == 4


def test_reservations_hold_units_for_their_ticket_until_issued_or_released(api: Api) -> None:
    part, first, second = stocked(api, 4), api.open_ticket(), api.open_ticket()

    moved(api, part, "reservations", {"ticket_id": first, "quantity": 3})
    with nothing_recorded(api):
        short = move(api, part, "reservations", {"ticket_id": second, "quantity": 2})
        nothing_held = move(api, part, f"reservations/{second}/release")
    view = item(api, part)
    moved(api, part, "issues", {"ticket_id": first, "quantity": 2}, headers=COUNTERSIGNED)
    after_issue = item(api, part)
    moved(api, part, f"reservations/{first}/release")

    assert "quantity" in error_fields(assert_problem(short, 409, "insufficient-stock"))
    assert "ticket_id" in error_fields(assert_problem(nothing_held, 409, "stock-rule-violation"))
    assert (view["reserved"], view["free"]) == ([{"ticket_id": first, "quantity": 3}], 1)
    assert (after_issue["on_hand"], after_issue["reserved"], after_issue["free"]) == (
        2,
        [{"ticket_id": first, "quantity": 1}],
        1,
    )
    assert (item(api, part)["reserved"], item(api, part)["free"]) == ([], 2)


def test_returned_units_come_back_at_the_current_unit_cost(api: Api) -> None:
    part, ticket_id = stocked(api, 4, "25.00"), api.open_ticket()

    moved(api, part, "returns", {"ticket_id": ticket_id, "document": "RTN-1", "quantity": 2})
    moved(api, part, "returns", {"document": "RTN-2", "quantity": 1}, role=Role.ENGINEER)

    assert (item(api, part)["on_hand"], item(api, part)["value"]) == (7, "175.00")


@pytest.mark.parametrize("action", ["write-offs", "counts"])
def test_a_write_off_or_count_needs_a_managers_approver_token(api: Api, action: str) -> None:
    part = stocked(api, 5, "10.00")
    body = (
        {"quantity": 2, "reason": "Damaged"} if action == "write-offs" else {"counted": 3, "reason": "Count"}
    )

    with nothing_recorded(api):
        missing = move(api, part, action, body)
        unknown = move(api, part, action, body, headers={"X-Approver-Token": "not-a-token"})
        own = move(api, part, action, body, headers={"X-Approver-Token": TOKEN_OF[Role.WAREHOUSE]})
        deputy = move(api, part, action, body, headers={"X-Approver-Token": SECOND_KEEPER})
        finance = move(api, part, action, body, headers={"X-Approver-Token": TOKEN_OF[Role.FINANCE]})
    moved(api, part, action, body, headers={"X-Approver-Token": TOKEN_OF[Role.SERVICE_DIRECTOR]})

    assert "X-Approver-Token" in error_fields(assert_problem(missing, 400, "validation"))
    assert "X-Approver-Token" in error_fields(assert_problem(unknown, 422, "invalid-value"))
    for refused in (own, deputy, finance):
        assert "approver" in error_fields(assert_problem(refused, 409, "stock-rule-violation"))
    assert (item(api, part)["on_hand"], item(api, part)["value"]) == (3, "30.00")


def test_a_count_that_agrees_with_stock_is_refused(api: Api) -> None:
    part = stocked(api, 5)

    with nothing_recorded(api):
        response = move(api, part, "counts", {"counted": 5, "reason": "Count"}, headers=APPROVED)

    assert "counted" in error_fields(assert_problem(response, 409, "stock-rule-violation"))


def test_a_fall_below_safety_stock_is_flagged_until_a_transfer_is_requested(api: Api) -> None:
    part = stocked(api, 3)

    moved(api, part, "safety-stock", {"level": 5}, role=Role.MANAGER)
    flagged = item(api, part)
    request = {"part_number": part, "from_location": "north", "to_location": "central", "quantity": 2}
    requested = ok(api, "/transfers", {**request, "reason": "Below safety stock"}, Role.WAREHOUSE)

    assert (flagged["safety_stock"], flagged["flagged"], flagged["open_requests"]) == (5, True, [])
    assert (item(api, part)["flagged"], item(api, part)["open_requests"]) == (False, [requested["id"]])


def test_a_transfer_is_in_transit_from_dispatch_to_arrival_at_the_value_it_left_with(api: Api) -> None:
    part = stocked(api, 10, "100.00")
    request = {"part_number": part, "from_location": "central", "to_location": "van-7", "quantity": 3}

    response = post(api, "/transfers", {**request, "reason": "Stock the van"}, Role.WAREHOUSE)
    assert response.status_code == 201, response.text
    transfer_id = response.json()["id"]
    assert response.headers["location"] == f"/transfers/{transfer_id}"
    ok(api, f"/transfers/{transfer_id}/dispatch", {"document": "DN-1"}, Role.WAREHOUSE)
    travelling, source = api.get(f"/transfers/{transfer_id}").json(), item(api, part)
    with nothing_recorded(api):
        late_cancel = post(api, f"/transfers/{transfer_id}/cancellation", {"reason": "No"}, Role.WAREHOUSE)
    arrived = ok(api, f"/transfers/{transfer_id}/arrival", None, Role.WAREHOUSE)

    assert (travelling["status"], travelling["value"], travelling["quantity"]) == ("in_transit", "300.00", 3)
    assert (source["on_hand"], source["in_transit"]) == (
        7,
        [{"transfer_id": transfer_id, "quantity": 3, "value": "300.00"}],
    )
    assert "status" in error_fields(assert_problem(late_cancel, 409, "stock-rule-violation"))
    assert (arrived["id"], api.get(f"/transfers/{transfer_id}").json()["status"]) == (transfer_id, "arrived")
    assert (item(api, part, "van-7")["on_hand"], item(api, part, "van-7")["value"]) == (3, "300.00")
    assert (item(api, part)["in_transit"], item(api, part)["value"]) == ([], "700.00")


def test_a_requested_transfer_is_cancelled_with_a_reason(api: Api) -> None:
    request: Json = {
        "part_number": new_part(),
        "from_location": "central",
        "to_location": "van-7",
        "quantity": 1,
    }
    transfer_id = ok(api, "/transfers", {**request, "reason": "Needed"}, Role.WAREHOUSE)["id"]

    ok(api, f"/transfers/{transfer_id}/cancellation", {"reason": "Found one"}, Role.WAREHOUSE)

    assert api.get(f"/transfers/{transfer_id}").json()["status"] == "cancelled"
    assert item(api, request["part_number"], "van-7")["open_requests"] == []


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_roles_not_allowed_a_movement_get_a_403_problem(api: Api, action: str) -> None:
    part = new_part()
    for role in ROLES:
        if role in ALLOWED[action]:
            continue
        with nothing_recorded(api):
            response = move(api, part, action, {}, role)
        assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ENGINEER, Role.MANAGER, Role.AUDITOR])
def test_only_the_warehouse_moves_transfers(api: Api, role: Role) -> None:
    request = {"part_number": new_part(), "from_location": "central", "to_location": "van-7", "quantity": 1}

    with nothing_recorded(api):
        response = post(api, "/transfers", {**request, "reason": "Needed"}, role)

    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_a_stock_item_and_a_transfer(api: Api, role: Role) -> None:
    part = stocked(api, 1)
    request = {"part_number": part, "from_location": "central", "to_location": "van-7", "quantity": 1}
    transfer_id = ok(api, "/transfers", {**request, "reason": "Needed"}, Role.WAREHOUSE)["id"]

    assert api.get(f"/stock/{part}/central", role).status_code == 200
    assert api.get(f"/transfers/{transfer_id}", role).status_code == 200


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("receipts", {**receipt(), "quantity": 0}, "quantity"),
        ("receipts", {**receipt(), "quantity": "5"}, "quantity"),
        ("receipts", {**receipt(), "quantity": True}, "quantity"),
        ("receipts", {**receipt(), "unit_cost": 100.5}, "unit_cost"),
        ("receipts", {**receipt(), "unit_cost": "-1.00"}, "unit_cost"),
        ("receipts", {**receipt(), "unit_cost": "1.005"}, "unit_cost"),
        ("receipts", {**receipt(), "supplier": ""}, "supplier"),
        ("receipts", {**receipt(), "colour": "red"}, "colour"),
        ("reservations", {"ticket_id": "not-a-uuid", "quantity": 1}, "ticket_id"),
        ("safety-stock", {"level": -1}, "level"),
        ("counts", {"counted": 3}, "reason"),
    ],
)
def test_invalid_bodies_are_400_problems_naming_the_field(
    api: Api, action: str, body: Json, field: str
) -> None:
    with nothing_recorded(api):
        response = move(api, new_part(), action, body, headers=APPROVED)

    assert field in error_fields(assert_problem(response, 400, "validation"))


@pytest.mark.parametrize(
    ("part", "location", "field"),
    [("P 1", "central", "part_number"), ("-P1", "central", "part_number"), ("P-1", "Central", "location_id")],
)
def test_a_malformed_part_or_location_in_the_path_is_a_400_problem(
    api: Api, part: str, location: str, field: str
) -> None:
    with nothing_recorded(api):
        response = move(api, part, "receipts", receipt(), location=location)
        read = api.get(f"/stock/{part}/{location}")

    assert field in error_fields(assert_problem(response, 400, "validation"))
    assert field in error_fields(assert_problem(read, 400, "validation"))


def test_unknown_stock_tickets_and_transfers_are_404_problems(api: Api) -> None:
    part, ticket_id = stocked(api, 2), api.open_ticket()

    with nothing_recorded(api):
        unknown_item = api.get(f"/stock/{new_part()}/central")
        unknown_ticket = move(api, part, "reservations", {"ticket_id": str(uuid4()), "quantity": 1})
        issue = {"ticket_id": ticket_id, "quantity": 1}
        nothing_to_issue = move(api, new_part(), "issues", issue, headers=COUNTERSIGNED)
        unknown_transfer = post(api, f"/transfers/{uuid4()}/dispatch", {"document": "DN"}, Role.WAREHOUSE)

    assert_problem(unknown_item, 404, "stock-item-not-found")
    assert_problem(unknown_ticket, 404, "ticket-not-found")
    assert_problem(nothing_to_issue, 404, "stock-item-not-found")
    assert_problem(unknown_transfer, 404, "transfer-not-found")


def test_stock_moves_and_reads_back_alike_on_every_store(store_api: Api) -> None:
    api, part = store_api, new_part()
    ticket_id = api.open_ticket()
    moved(api, part, "receipts", receipt(10, "100.00"))
    moved(api, part, "receipts", receipt(10, "130.00"))
    moved(api, part, "reservations", {"ticket_id": ticket_id, "quantity": 2})
    moved(api, part, "issues", {"ticket_id": ticket_id, "quantity": 5}, headers=COUNTERSIGNED)
    moved(api, part, "write-offs", {"quantity": 1, "reason": "Damaged"}, headers=APPROVED)
    request = {"part_number": part, "from_location": "central", "to_location": "van-7", "quantity": 4}
    transfer_id = ok(api, "/transfers", {**request, "reason": "Van"}, Role.WAREHOUSE)["id"]
    ok(api, f"/transfers/{transfer_id}/dispatch", {"document": "DN-1"}, Role.WAREHOUSE)

    view = item(api, part)
    assert (view["on_hand"], view["value"], view["unit_cost"], view["reserved"]) == (
        10,
        "1150.00",
        "115.00",
        [],
    )
    assert view["in_transit"] == [{"transfer_id": transfer_id, "quantity": 4, "value": "460.00"}]
    with nothing_recorded(api):
        refused = move(api, part, "issues", {"ticket_id": ticket_id, "quantity": 11}, headers=COUNTERSIGNED)
    assert_problem(refused, 409, "insufficient-stock")
