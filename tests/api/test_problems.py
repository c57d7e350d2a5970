"""Bad requests answer RFC 9457 problem+json, and none of them records an event."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest

from domain.actors import Role
from tests.api.harness import (
    ALLOWED,
    MEMORY_ENV,
    PLANNED,
    Api,
    Json,
    assert_problem,
    bearer,
    error_fields,
    iso,
    nothing_recorded,
    open_body,
    serve,
    valid_body,
)
from tests.support import ago

LONG_DESCRIPTION = "d" * 5000
LONG_REASON = "r" * 2000
NAIVE = "2024-03-01T09:00:00"


@pytest.mark.parametrize(
    ("action", "raw"),
    [
        (None, b'{"channel": "hotline",'),
        ("response", b"{bad"),
        ("escalation", b"{'level': 2, 'reason': 'single quotes'}"),
        ("resolution", b'{"fixed_first_time": true, "resolution": "x"} trailing'),
        ("pause", b"\xff\xfe{}"),
    ],
    ids=["open", "response", "escalation", "resolution", "pause"],
)
def test_malformed_json_is_a_400_problem(api: Api, action: str | None, raw: bytes) -> None:
    ticket_id = api.open_ticket()
    path = "/tickets" if action is None else f"/tickets/{ticket_id}/{action}"
    headers = {**bearer(Role.MANAGER), "content-type": "application/json"}

    with nothing_recorded(api, ticket_id):
        response = api.client.post(path, content=raw, headers=headers)

    body = assert_problem(response, 400)
    assert body["instance"] == path


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_a_command_on_an_unknown_ticket_is_a_404_problem(api: Api, action: str) -> None:
    missing = uuid4()

    with nothing_recorded(api):
        response = api.command(str(missing), action, valid_body(action), Role.MANAGER)

    body = assert_problem(response, 404, "ticket-not-found")
    assert str(missing) in body["detail"]


@pytest.mark.parametrize("suffix", ["", "/history"], ids=["ticket", "history"])
def test_reading_an_unknown_ticket_is_a_404_problem(api: Api, suffix: str) -> None:
    response = api.get(f"/tickets/{uuid4()}{suffix}")

    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/tickets/not-a-uuid"), ("GET", "/tickets/42/history"), ("POST", "/tickets/42/response")],
)
def test_a_ticket_id_that_is_not_a_uuid_is_a_404_problem(api: Api, method: str, path: str) -> None:
    with nothing_recorded(api):
        response = api.client.request(method, path, json={}, headers=bearer(Role.MANAGER))

    assert_problem(response, 404)


VALIDATION_CASES: list[Any] = [
    pytest.param(None, open_body(customer_id=42), {"customer_id"}, id="open-wrong-type"),
    pytest.param(None, open_body(description=...), {"description"}, id="open-missing-field"),
    pytest.param(None, open_body(channel="pigeon"), {"channel"}, id="open-unknown-channel"),
    pytest.param(None, open_body(description=LONG_DESCRIPTION), {"description"}, id="open-description-5000"),
    pytest.param(None, open_body(customer_id="Huaxin Bank"), {"customer_id"}, id="open-code-pattern"),
    pytest.param(None, open_body(site_id="s" * 65), {"site_id"}, id="open-code-too-long"),
    pytest.param(None, open_body(colour="red"), {"colour"}, id="open-unknown-field"),
    pytest.param(None, open_body(reported_at=NAIVE), {"reported_at"}, id="open-naive-reported-at"),
    pytest.param(None, open_body(reported_at="yesterday"), {"reported_at"}, id="open-reported-at-not-a-time"),
    pytest.param(None, {}, {"channel", "customer_id", "description"}, id="open-empty-object"),
    pytest.param("escalation", {"level": "two", "reason": "x"}, {"level"}, id="escalation-wrong-type"),
    pytest.param("escalation", {"level": 10, "reason": "x"}, {"level"}, id="escalation-level-too-high"),
    pytest.param("escalation", {"level": 2}, {"reason"}, id="escalation-missing-reason"),
    pytest.param("escalation", {"level": 2, "reason": LONG_REASON}, {"reason"}, id="escalation-reason-2000"),
    pytest.param("reopening", {"reason": LONG_REASON}, {"reason"}, id="reopening-reason-2000"),
    pytest.param("cancellation", {"reason": ""}, {"reason"}, id="cancellation-empty-reason"),
    pytest.param(
        "resolution",
        {"fixed_first_time": "maybe", "resolution": "x"},
        {"fixed_first_time"},
        id="resolution-bool",
    ),
    pytest.param("resolution", {"resolution": "x"}, {"fixed_first_time"}, id="resolution-missing-flag"),
    pytest.param(
        "sign-off", {"satisfaction": 6, "signed_by": "Z"}, {"satisfaction"}, id="sign-off-satisfaction-6"
    ),
    pytest.param(
        "sign-off", {"satisfaction": "five", "signed_by": "Z"}, {"satisfaction"}, id="sign-off-wrong-type"
    ),
    pytest.param(
        "sign-off", {"satisfaction": 5, "signed_by": "s" * 201}, {"signed_by"}, id="sign-off-long-name"
    ),
    pytest.param(
        "callback", {"satisfaction": 4, "answered_by": ""}, {"answered_by"}, id="callback-empty-name"
    ),
    pytest.param("pause", {"reason": "coffee_break"}, {"reason"}, id="pause-unknown-reason"),
    pytest.param(
        "dispatch", {"engineer_id": "eng-li", "planned_at": NAIVE}, {"planned_at"}, id="dispatch-naive"
    ),
    pytest.param("dispatch", {"planned_at": PLANNED}, {"engineer_id"}, id="dispatch-missing-engineer"),
    pytest.param("departure", {"eta": NAIVE}, {"eta"}, id="departure-naive-eta"),
    pytest.param("response", {"occurred_at": NAIVE}, {"occurred_at"}, id="response-naive"),
    pytest.param("arrival", {"occurred_at": "not a time"}, {"occurred_at"}, id="arrival-not-a-time"),
    pytest.param("response", {"occurred_at": None, "note": "x"}, {"note"}, id="response-unknown-field"),
    pytest.param(
        "corrections",
        {"corrects_version": 1, "occurred_at": NAIVE, "reason": "x"},
        {"occurred_at"},
        id="corrections-naive",
    ),
    pytest.param(
        "corrections",
        {"corrects_version": 0, "occurred_at": iso(ago(hours=1)), "reason": "x"},
        {"corrects_version"},
        id="corrections-version-0",
    ),
    pytest.param(
        "corrections",
        {"corrects_version": 1, "occurred_at": iso(ago(hours=1))},
        {"reason"},
        id="corrections-no-reason",
    ),
]


@pytest.mark.parametrize(("action", "body", "fields"), VALIDATION_CASES)
def test_invalid_bodies_are_400_problems_naming_each_field(
    api: Api, action: str | None, body: Json, fields: set[str]
) -> None:
    ticket_id = api.open_ticket()
    path = "/tickets" if action is None else f"/tickets/{ticket_id}/{action}"

    with nothing_recorded(api, ticket_id):
        response = api.client.post(path, json=body, headers=bearer(Role.MANAGER))

    problem = assert_problem(response, 400, "validation")
    assert fields <= error_fields(problem), problem["errors"]


@pytest.mark.parametrize(
    "raw", [b"[]", b"null", b'"text"', b"3", b""], ids=["array", "null", "string", "number", "empty"]
)
def test_a_body_that_is_not_an_object_is_a_400_problem(api: Api, raw: bytes) -> None:
    ticket_id = api.open_ticket()
    headers = {**bearer(Role.MANAGER), "content-type": "application/json"}

    with nothing_recorded(api, ticket_id):
        response = api.client.post(f"/tickets/{ticket_id}/response", content=raw, headers=headers)

    error_fields(assert_problem(response, 400, "validation"))


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/tickets", {"limit": 0}, "limit"),
        ("/tickets", {"limit": 501}, "limit"),
        ("/tickets", {"offset": -1}, "offset"),
        ("/tickets", {"after": -1}, "after"),
        ("/tickets", {"after": "latest"}, "after"),
        ("/tickets", {"status": "lost"}, "status"),
        ("/tickets", {"sort": "colour"}, "sort"),
        ("/tickets", {"direction": "sideways"}, "direction"),
        ("/tickets", {"severity": "s" * 65}, "severity"),
        ("/tickets", {"opened_from": "last tuesday"}, "opened_from"),
        ("/tickets/{id}/history", {"limit": 0}, "limit"),
        ("/tickets/{id}/history", {"offset": -3}, "offset"),
        ("/tickets/{id}", {"after": -1}, "after"),
    ],
)
def test_invalid_query_parameters_are_400_problems_naming_the_parameter(
    api: Api, path: str, params: dict[str, Any], field: str
) -> None:
    ticket_id = api.open_ticket()

    response = api.get(path.format(id=ticket_id), params=params)

    problem = assert_problem(response, 400, "validation")
    assert field in error_fields(problem)


def test_a_naive_report_time_filter_is_a_400_problem(store_api: Api) -> None:
    answer = store_api.open().json()
    naive = {"opened_from": NAIVE, "opened_to": "2999-01-01T00:00:00", "after": answer["position"]}

    response = store_api.get("/tickets", params=naive)

    problem = assert_problem(response, 400, "validation")
    assert {"opened_from", "opened_to"} <= error_fields(problem)


def test_an_occurred_time_in_the_future_is_a_422_problem(api: Api) -> None:
    ticket_id = api.open_ticket()

    with nothing_recorded(api, ticket_id):
        response = api.command(ticket_id, "response", {"occurred_at": iso(ago(minutes=-5))})

    problem = assert_problem(response, 422, "occurred-time-invalid")
    assert error_fields(problem) == {"occurred_at"}


def test_an_occurred_time_within_the_clock_skew_allowance_is_accepted(api: Api) -> None:
    ticket_id = api.open_ticket()

    response = api.command(ticket_id, "response", {"occurred_at": iso(ago(seconds=-20))})

    assert response.status_code == 200, response.text


def test_a_report_time_in_the_future_is_a_422_problem(api: Api) -> None:
    with nothing_recorded(api):
        response = api.open(reported_at=iso(ago(days=-1)))

    problem = assert_problem(response, 422, "occurred-time-invalid")
    assert error_fields(problem) == {"reported_at"}


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("response", {"occurred_at": iso(ago(hours=5))}, "occurred_at"),
        ("escalation", {"level": 1, "reason": "   "}, "reason"),
        ("resolution", {"fixed_first_time": True, "resolution": " \t "}, "resolution"),
        (
            "corrections",
            {"corrects_version": 99, "occurred_at": iso(ago(hours=1)), "reason": "x"},
            "corrects_version",
        ),
        (
            "corrections",
            {"corrects_version": 1, "occurred_at": iso(ago(minutes=-10)), "reason": "x"},
            "occurred_at",
        ),
    ],
    ids=["before-the-report", "blank-reason", "blank-resolution", "not-a-milestone", "corrected-into-future"],
)
def test_values_the_domain_refuses_are_422_problems(api: Api, action: str, body: Json, field: str) -> None:
    ticket_id = api.open_ticket(reported_at=iso(ago(hours=2)))

    with nothing_recorded(api, ticket_id):
        response = api.command(ticket_id, action, body)

    problem = assert_problem(response, 422)
    assert problem["type"].startswith("urn:service-ledger:problem:")
    assert error_fields(problem) == {field}


def test_an_escalation_that_does_not_rise_is_a_422_problem(api: Api) -> None:
    ticket_id = api.open_ticket()
    api.ok(ticket_id, "escalation", {"level": 3, "reason": "Needs a specialist"})

    with nothing_recorded(api, ticket_id):
        response = api.command(ticket_id, "escalation", {"level": 3, "reason": "Again"})

    problem = assert_problem(response, 422, "invalid-value")
    assert error_fields(problem) == {"level"}


def dispatched(api: Api, minutes_ago: int = 30) -> str:
    ticket_id = api.open_ticket(reported_at=iso(ago(hours=2)))
    api.ok(
        ticket_id,
        "dispatch",
        {"engineer_id": "eng-li", "planned_at": PLANNED, "occurred_at": iso(ago(minutes=minutes_ago))},
    )
    return ticket_id


def resolved(api: Api) -> str:
    ticket_id = api.open_ticket(reported_at=iso(ago(hours=2)))
    api.ok(ticket_id, "resolution", {"fixed_first_time": True, "resolution": "Fixed"}, Role.ENGINEER)
    return ticket_id


def signed_off_after_resolution(api: Api) -> str:
    ticket_id = api.open_ticket(reported_at=iso(ago(hours=2)))
    api.ok(
        ticket_id,
        "resolution",
        {"fixed_first_time": True, "resolution": "Fixed", "occurred_at": iso(ago(minutes=60))},
    )
    api.ok(ticket_id, "sign-off", {"satisfaction": 4, "signed_by": "Z", "occurred_at": iso(ago(minutes=20))})
    return ticket_id


def cancelled(api: Api) -> str:
    ticket_id = api.open_ticket()
    api.ok(ticket_id, "cancellation", {"reason": "Duplicate"})
    return ticket_id


def responded_by_manager(api: Api) -> str:
    ticket_id = api.open_ticket(reported_at=iso(ago(hours=2)))
    api.ok(ticket_id, "response", {}, Role.MANAGER)
    return ticket_id


RULE_CASES: list[Any] = [
    pytest.param(
        lambda api: api.open_ticket(), "arrival", {}, "milestone-out-of-order", id="arrival-before-dispatch"
    ),
    pytest.param(
        dispatched,
        "arrival",
        {"occurred_at": iso(ago(minutes=45))},
        "milestone-out-of-order",
        id="arrival-earlier-than-dispatch",
    ),
    pytest.param(
        lambda api: api.open_ticket(), "closure", {}, "milestone-out-of-order", id="close-before-resolution"
    ),
    pytest.param(resolved, "closure", {}, "milestone-out-of-order", id="close-without-sign-off"),
    pytest.param(
        signed_off_after_resolution,
        "closure",
        {"occurred_at": iso(ago(minutes=40))},
        "milestone-out-of-order",
        id="close-earlier-than-the-sign-off",
    ),
    pytest.param(
        lambda api: api.open_ticket(),
        "sign-off",
        {"satisfaction": 5, "signed_by": "Z"},
        "milestone-out-of-order",
        id="sign-off-before-resolution",
    ),
    pytest.param(
        lambda api: api.open_ticket(), "resumption", {}, "milestone-out-of-order", id="resume-unpaused"
    ),
    pytest.param(
        lambda api: api.open_ticket(),
        "reopening",
        {"reason": "x"},
        "milestone-out-of-order",
        id="reopen-open",
    ),
    pytest.param(responded_by_manager, "response", {}, "milestone-out-of-order", id="second-response"),
    pytest.param(cancelled, "response", {}, "ticket-closed", id="response-on-cancelled"),
    pytest.param(cancelled, "cancellation", {"reason": "again"}, "ticket-closed", id="cancel-cancelled"),
    pytest.param(
        responded_by_manager,
        "corrections",
        {"corrects_version": 2, "occurred_at": iso(ago(hours=1)), "reason": "x"},
        "correction-not-approved",
        id="correction-approved-by-its-own-actor",
    ),
]


@pytest.mark.parametrize(("given", "action", "body", "code"), RULE_CASES)
def test_rule_violations_are_409_problems(api: Api, given: Any, action: str, body: Json, code: str) -> None:
    ticket_id: str = given(api)

    with nothing_recorded(api, ticket_id):
        response = api.command(ticket_id, action, body, Role.MANAGER)

    assert_problem(response, 409, code)


def test_a_body_over_the_size_limit_is_a_413_problem(api: Api) -> None:
    limit = api.settings.max_body_bytes
    raw = json.dumps(open_body(description="x" * limit)).encode()
    assert len(raw) > limit

    with nothing_recorded(api):
        response = api.client.post(
            "/tickets",
            content=raw,
            headers={**bearer(Role.HOTLINE_AGENT), "content-type": "application/json"},
        )

    assert_problem(response, 413)


def test_the_body_size_limit_is_the_one_configured() -> None:
    raw = json.dumps(open_body(description="x" * 1500)).encode()
    headers = {**bearer(Role.HOTLINE_AGENT), "content-type": "application/json"}
    with serve(MEMORY_ENV, max_body_bytes=1024) as api:
        refused = api.client.post("/tickets", content=raw, headers=headers)
        streamed = api.client.post("/tickets", content=iter([raw[:800], raw[800:]]), headers=headers)

        assert_problem(refused, 413)
        assert_problem(streamed, 413)
        assert api.log_end() == 0
    with serve(MEMORY_ENV, max_body_bytes=2048) as api:
        accepted = api.client.post("/tickets", content=raw, headers=headers)
        assert accepted.status_code == 201, accepted.text


def test_a_refused_command_leaves_the_ticket_ready_for_the_next(api: Api) -> None:
    ticket_id = api.open_ticket()
    api.ok(ticket_id, "escalation", {"level": 2, "reason": "Needs a specialist"})
    for body in [{"level": 2, "reason": "Same level"}, {"level": 4, "reason": "   "}]:
        assert_problem(api.command(ticket_id, "escalation", body), 422, "invalid-value")

    answer = api.ok(ticket_id, "escalation", {"level": 3, "reason": "Vendor engineer needed"})

    assert answer["version"] == 3
    board = api.read(f"/tickets/{ticket_id}", after=answer["position"])
    assert (board["version"], board["escalation_level"]) == (3, 3)
