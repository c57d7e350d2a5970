"""One structured log line per request, on stderr: request id, actor, route, status, duration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from api.request_log import configure_logging
from domain.actors import Role
from tests.api.harness import ACTORS, MEMORY_ENV, Api, Json, bearer, open_body, serve


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """These tests point the log at pytest's captured stderr; point it back at the real one after."""
    yield
    configure_logging("json")


class Stderr:
    """What the app writes to stderr while the block runs.

    The app logs through structlog's global configuration, which `configure_logging` (as create_app
    calls it) binds to the sys.stderr of the moment: bind it to the captured one, inside the test.
    """

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.text = ""

    def __enter__(self) -> Stderr:
        configure_logging("json")
        self.capsys.readouterr()
        return self

    def __exit__(self, *exc: object) -> None:
        self.text = self.capsys.readouterr().err


def request_lines(err: str) -> list[Json]:
    lines: list[Json] = []
    for line in err.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("event") == "request":
            lines.append(entry)
    return lines


def actor_of(role: Role) -> str:
    return f"{ACTORS[role].id}:{role.value}"


def test_a_request_logs_one_line_with_its_id_actor_route_status_and_duration(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    with Stderr(capsys) as stderr:
        response = api.client.post(
            "/tickets",
            json=open_body(),
            headers={**bearer(Role.HOTLINE_AGENT), "X-Request-ID": "req-open-42"},
        )
    err = stderr.text

    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == "req-open-42"
    mine = [line for line in request_lines(err) if line.get("request_id") == "req-open-42"]
    assert len(mine) == 1, err
    line = mine[0]
    assert line["actor"] == actor_of(Role.HOTLINE_AGENT)
    assert line["route"] == "openTicket"
    assert line["status"] == 201
    assert line["method"] == "POST"
    assert line["path"] == "/tickets"
    assert isinstance(line["duration_ms"], int | float)
    assert line["duration_ms"] >= 0
    assert line["level"] == "info"


def test_every_request_logs_exactly_one_line_with_the_status_it_answered(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    ticket_id = api.open_ticket()
    calls: list[tuple[str, str, dict[str, str], Any, str | None]] = [
        ("GET", "/tickets", bearer(Role.AUDITOR), None, "listTickets"),
        ("GET", f"/tickets/{ticket_id}/history", bearer(Role.ENGINEER), None, "getTicketHistory"),
        ("GET", f"/tickets/{uuid4()}", bearer(Role.MANAGER), None, "getTicket"),
        ("POST", f"/tickets/{ticket_id}/response", {}, {}, "recordResponse"),
        ("POST", f"/tickets/{ticket_id}/response", bearer(Role.AUDITOR), {}, "recordResponse"),
        (
            "POST",
            f"/tickets/{ticket_id}/escalation",
            bearer(Role.MANAGER),
            {"level": "x"},
            "escalateTicket",
        ),
        ("POST", f"/tickets/{ticket_id}/closure", bearer(Role.MANAGER), {}, "closeTicket"),
        ("POST", f"/tickets/{ticket_id}/response", bearer(Role.MANAGER), {}, "recordResponse"),
        ("GET", "/health", {}, None, "health"),
    ]
    answered: list[tuple[str, int, str | None, str | None]] = []
    with Stderr(capsys) as stderr:
        for method, path, headers, body, route in calls:
            request_id = uuid4().hex
            response = api.client.request(
                method, path, json=body, headers={**headers, "X-Request-ID": request_id}
            )
            who = api.settings.tokens.get(headers.get("Authorization", "").removeprefix("Bearer "))
            logged_as = None if who is None else f"{who.id}:{who.role.value}"
            answered.append((request_id, response.status_code, logged_as, route))
    err = stderr.text

    assert [status for _, status, _, _ in answered] == [200, 200, 404, 401, 403, 400, 409, 200, 200]
    lines = request_lines(err)
    assert len(lines) == len(calls), err
    by_id = {line["request_id"]: line for line in lines}
    for request_id, status, logged_as, route in answered:
        line = by_id[request_id]
        assert (line["status"], line["actor"], line["route"]) == (status, logged_as, route)
        assert line["duration_ms"] >= 0


def test_a_request_without_an_id_gets_one_in_its_answer_and_its_log_line(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    with Stderr(capsys) as stderr:
        response = api.client.get("/tickets", headers=bearer(Role.REGULATOR))
    err = stderr.text

    request_id = response.headers["x-request-id"]
    assert len(request_id) >= 16
    (line,) = [line for line in request_lines(err) if line["request_id"] == request_id]
    assert line["actor"] == actor_of(Role.REGULATOR)
    assert line["route"] == "listTickets"
    assert line["status"] == 200


def test_the_console_format_logs_the_same_fields_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with serve(MEMORY_ENV, log_format="console") as api:
        capsys.readouterr()
        response = api.client.post(
            "/tickets", json=open_body(), headers={**bearer(Role.MANAGER), "X-Request-ID": "req-console-7"}
        )
        err = capsys.readouterr().err

    assert response.status_code == 201
    (line,) = [line for line in err.splitlines() if "request_id=req-console-7" in line]
    for part in ["route=openTicket", "status=201", f"actor={actor_of(Role.MANAGER)}", "duration_ms="]:
        assert part in line, line


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("PUT", "/tickets", 405), ("GET", "/tickets/not-a-uuid", 404)],
    ids=["no-route", "no-method", "bad-path-id"],
)
def test_a_request_that_matches_no_route_is_logged_too(
    api: Api, capsys: pytest.CaptureFixture[str], method: str, path: str, status: int
) -> None:
    with Stderr(capsys) as stderr:
        response = api.client.request(
            method, path, headers={**bearer(Role.AUDITOR), "X-Request-ID": "req-unrouted-1"}
        )
    err = stderr.text

    assert response.status_code == status
    mine = [line for line in request_lines(err) if line.get("request_id") == "req-unrouted-1"]
    assert len(mine) == 1, err
    assert mine[0]["status"] == status
    assert mine[0]["path"] == path


@pytest.mark.parametrize(
    ("method", "path", "role", "status"),
    [
        ("GET", "/tickets", Role.AUDITOR, 200),
        ("POST", "/tickets", Role.AUDITOR, 403),
        ("GET", "/tickets?limit=0", Role.AUDITOR, 400),
        ("GET", f"/tickets/{uuid4()}", Role.AUDITOR, 404),
        ("POST", f"/tickets/{uuid4()}/response", Role.MANAGER, 404),
        ("GET", "/tickets", None, 401),
        ("GET", "/nowhere", Role.AUDITOR, 404),
    ],
    ids=["ok", "forbidden", "invalid", "no-ticket", "command-no-ticket", "unauthenticated", "no-route"],
)
def test_every_answer_carries_its_request_id(
    api: Api, method: str, path: str, role: Role | None, status: int
) -> None:
    headers = {"X-Request-ID": "req-echo-9", **(bearer(role) if role else {})}

    response = api.client.request(method, path, json={} if method == "POST" else None, headers=headers)

    assert response.status_code == status, response.text
    assert response.headers.get("x-request-id") == "req-echo-9"
