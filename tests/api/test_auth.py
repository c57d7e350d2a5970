"""Bearer tokens and role guards: who may read, who may record what, and what needs no token."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.actors import PEOPLE, Role
from tests.api.harness import (
    ALLOWED,
    DESK,
    TOKEN_OF,
    Api,
    assert_problem,
    bearer,
    iso,
    nothing_recorded,
    open_body,
    valid_body,
)
from tests.support import ago

AGENT_TOKEN = TOKEN_OF[Role.HOTLINE_AGENT]
ROLES: list[Role] = sorted(PEOPLE, key=lambda r: r.value)
"""Every role a person holds, so a token can carry."""
BAD_CREDENTIALS = {
    "no-header": {},
    "unknown-token": {"Authorization": "Bearer not-a-token"},
    "empty-token": {"Authorization": "Bearer "},
    "scheme-only": {"Authorization": "Bearer"},
    "basic-scheme": {"Authorization": f"Basic {AGENT_TOKEN}"},
    "token-scheme": {"Authorization": f"Token {AGENT_TOKEN}"},
    "no-scheme": {"Authorization": AGENT_TOKEN},
    "token-in-other-header": {"X-Api-Key": AGENT_TOKEN},
}
ROUTES = [
    ("GET", "/tickets"),
    ("GET", "/tickets/{id}"),
    ("GET", "/tickets/{id}/history"),
    ("POST", "/tickets"),
    ("POST", "/tickets/{id}/response"),
    ("POST", "/tickets/{id}/corrections"),
]


@pytest.mark.parametrize("headers", BAD_CREDENTIALS.values(), ids=BAD_CREDENTIALS.keys())
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_a_request_without_a_valid_bearer_token_is_401_with_www_authenticate(
    api: Api, headers: dict[str, str], method: str, path: str
) -> None:
    ticket_id = api.open_ticket()
    body = open_body() if path == "/tickets" else {}

    with nothing_recorded(api, ticket_id):
        response = api.client.request(method, path.format(id=ticket_id), json=body, headers=headers)

    assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"].startswith("Bearer ")


def test_an_unauthenticated_request_for_an_unknown_ticket_is_401_not_404(api: Api) -> None:
    response = api.client.get(f"/tickets/{uuid4()}")

    assert_problem(response, 401, "unauthenticated")


def test_the_bearer_scheme_name_is_case_insensitive(api: Api) -> None:
    response = api.client.post(
        "/tickets", json=open_body(), headers={"Authorization": f"bearer {AGENT_TOKEN}"}
    )

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_role_can_read_the_board_a_ticket_and_its_history(api: Api, role: Role) -> None:
    answer = api.open().json()
    after = {"after": answer["position"]}

    for path in ["/tickets", f"/tickets/{answer['id']}", f"/tickets/{answer['id']}/history"]:
        response = api.get(path, role=role, params=after)
        assert response.status_code == 200, f"{path}: {response.text}"


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_roles_not_allowed_a_command_get_a_403_problem(api: Api, action: str) -> None:
    ticket_id = api.open_ticket()
    refused = sorted(PEOPLE - ALLOWED[action], key=lambda r: r.value)
    assert refused

    for role in refused:
        with nothing_recorded(api, ticket_id):
            response = api.command(ticket_id, action, valid_body(action), role)
        assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", [r for r in ROLES if r not in DESK], ids=lambda r: r.value)
def test_only_the_desk_can_open_a_ticket(api: Api, role: Role) -> None:
    with nothing_recorded(api):
        response = api.open(role=role)

    assert_problem(response, 403, "forbidden")


def test_an_auditor_reads_everything_but_every_command_is_403(api: Api) -> None:
    answer = api.open().json()
    ticket_id = answer["id"]
    after = {"after": answer["position"]}
    for path in ["/tickets", f"/tickets/{ticket_id}", f"/tickets/{ticket_id}/history"]:
        assert api.get(path, role=Role.AUDITOR, params=after).status_code == 200

    with nothing_recorded(api, ticket_id):
        assert_problem(api.open(role=Role.AUDITOR), 403, "forbidden")
        for action in sorted(ALLOWED):
            assert_problem(api.command(ticket_id, action, valid_body(action), Role.AUDITOR), 403, "forbidden")


def test_a_refused_role_gets_403_before_its_body_is_looked_at(api: Api) -> None:
    ticket_id = api.open_ticket()
    headers = {**bearer(Role.AUDITOR), "content-type": "application/json"}

    with nothing_recorded(api, ticket_id):
        response = api.client.post(f"/tickets/{ticket_id}/escalation", content=b"{bad", headers=headers)

    assert_problem(response, 403, "forbidden")


def test_an_engineer_records_arrival_but_cannot_open_a_ticket(api: Api) -> None:
    ticket_id = api.open_ticket()
    api.ok(ticket_id, "dispatch", valid_body("dispatch"), Role.HOTLINE_AGENT)

    arrival = api.command(ticket_id, "arrival", {}, Role.ENGINEER)
    opening = api.open(role=Role.ENGINEER)

    assert arrival.status_code == 200, arrival.text
    assert arrival.json()["version"] == 3
    assert_problem(opening, 403, "forbidden")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_only_a_manager_can_correct_a_milestone(api: Api, role: Role) -> None:
    ticket_id = api.open_ticket(reported_at=iso(ago(hours=2)))
    api.ok(ticket_id, "response", {}, Role.HOTLINE_AGENT)
    body = {"corrects_version": 2, "occurred_at": iso(ago(hours=1)), "reason": "Call log shows the time"}

    response = api.command(ticket_id, "corrections", body, role)

    if role is Role.MANAGER:
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 3
    else:
        assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("path", ["/health", "/schema", "/schema/openapi.json", "/schema/swagger"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}], ids=["none", "bad-token"])
def test_health_and_the_schema_need_no_token(api: Api, path: str, headers: dict[str, str]) -> None:
    response = api.client.get(path, headers=headers)

    assert response.status_code == 200, response.text
