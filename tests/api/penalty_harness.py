"""Penalties over HTTP: the app on a durable store with a settable clock, the SLA monitor and the
penalty assessor running, rule books put in force through the routes, and reads that wait for
what the assessor records in the background."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from domain.actors import Role
from domain.ledger import ServiceLedger
from domain.penalty_schedules import SCHEDULE_DIRECTORY
from tests.api.harness import SECOND_MANAGER, Api, Json, Params, bearer, iso, serve
from tests.penalty_story import T0, T10, contract_in_force
from tests.support import SetClock

BACKENDS = pytest.mark.parametrize(
    "store_env", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
"""Each test so marked runs on SQLite and on PostgreSQL."""
CONTRACT = "Huaxin 7x24 maintenance"
"""The schedule name of the story contract's own penalties."""
RULE_BOOK_TOML = (SCHEDULE_DIRECTORY / "rule-book.toml").read_text("utf-8")
T9 = T10 - timedelta(hours=1)
"""09:00 in Shanghai on 3 November 2026."""
WAIT_SECONDS = 15.0


@contextmanager
def served(store_env: Mapping[str, str], now: datetime) -> Iterator[tuple[Api, SetClock]]:
    """The app over a ledger whose clock the test sets, with the SLA monitor, its sweeper and the
    penalty assessor running."""
    clock = SetClock(now)
    ledger = ServiceLedger(env=dict(store_env), clock=clock)
    with serve(store_env, ledger=ledger, sla_monitor=True, sweep_seconds=0.1) as api:
        yield api, clock


@contextmanager
def story(
    store_env: Mapping[str, str], contract: bool = False, now: datetime = T10 + timedelta(hours=2)
) -> Iterator[tuple[Api, SetClock]]:
    """The sources' rule book in force from T0 (drafted through the routes as TOML), the story
    contract too if asked, and the clock at `now` (12:00 on 3 November 2026 unless given)."""
    with served(store_env, T0 - timedelta(days=2)) as (api, clock):
        book_in_force(api, "warehouse-and-service", toml=RULE_BOOK_TOML)
        if contract:
            contract_in_force(api.ledger)
        clock.now = now
        yield api, clock


def post(api: Api, path: str, body: Json | None = None, role: Role = Role.MANAGER) -> httpx.Response:
    return api.client.post(path, json={} if body is None else body, headers=bearer(role))


def second_manager(api: Api, path: str, body: Json) -> httpx.Response:
    """A command from mgr-zhao, a manager other than mgr-chen (the MANAGER token)."""
    return api.client.post(path, json=body, headers={"Authorization": f"Bearer {SECOND_MANAGER}"})


def ok(api: Api, path: str, body: Json | None = None, role: Role = Role.MANAGER) -> Json:
    """A command that must succeed: its {id, version, position} (or the whole answer)."""
    response = post(api, path, body, role)
    assert response.status_code in {200, 201}, f"{path}: {response.status_code} {response.text}"
    answer: Json = response.json()
    return answer


def book_in_force(
    api: Api,
    code: str,
    document: Json | None = None,
    toml: str | None = None,
    effective_from: datetime = T0,
) -> None:
    """Drafted by mgr-chen, reviewed by the service director, approved by mgr-zhao."""
    source: Json = {"toml": toml} if toml is not None else {"document": document}
    drafted = post(api, "/penalty-books", {"code": code, "name": f"Rule book {code}", **source})
    assert drafted.status_code == 201, drafted.text
    assert drafted.headers["location"] == f"/penalty-books/{code}"
    ok(api, f"/penalty-books/{code}/review", {"version": 1, "note": "Checked"}, Role.SERVICE_DIRECTOR)
    approval = {"version": 1, "effective_from": iso(effective_from)}
    approved = second_manager(api, f"/penalty-books/{code}/approve", approval)
    assert approved.status_code == 200, approved.text


def manual(
    api: Api, rule: str, occurred_at: datetime, book: str = "warehouse-and-service", **facts: Any
) -> str:
    """A penalty assessed by hand by mgr-chen; its id."""
    body = {
        "book": book,
        "rule": rule,
        "occurred_at": iso(occurred_at),
        "reason": f"By hand: {rule}",
        **facts,
    }
    response = post(api, "/penalties", body)
    assert response.status_code == 201, response.text
    penalty_id: str = response.json()["id"]
    assert response.headers["location"] == f"/penalties/{penalty_id}"
    return penalty_id


def penalty(api: Api, penalty_id: str, role: Role = Role.AUDITOR) -> Json:
    response = api.get(f"/penalties/{penalty_id}", role)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def read(api: Api, path: str, params: Params | None = None, role: Role = Role.AUDITOR) -> Json:
    """A ledger read once the views have taken in the whole log."""
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params or [])
    response = api.get(path, role, [*pairs, ("after", api.log_end())])
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def lines_when(api: Api, params: Params, ready: Callable[[list[Json]], bool]) -> list[Json]:
    """The ledger's lines once `ready(lines)` holds: the assessor records in the background."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        items: list[Json] = read(api, "/penalty-ledger/lines", params)["items"]
        if ready(items) or time.monotonic() > deadline:
            return items
        time.sleep(0.05)


def by_party(rows: list[Json], figure: str = "net") -> dict[str, str]:
    return {row["group"]: row[figure] for row in rows}


def open_ticket(api: Api, reported_at: datetime) -> str:
    """A general hardware fault at the story's customer, reported at `reported_at`."""
    body = {
        "channel": "hotline",
        "customer_id": "huaxin-bank",
        "site_id": "hx-head-office",
        "region_tier": "city",
        "severity": "general",
        "category": "hardware",
        "description": "Printer server down",
        "reported_at": iso(reported_at),
    }
    response = post(api, "/tickets", body, Role.HOTLINE_AGENT)
    assert response.status_code == 201, response.text
    ticket_id: str = response.json()["id"]
    return ticket_id


def dispatched(api: Api, clock: SetClock, reported_at: datetime) -> str:
    """A ticket answered, escalated and dispatched to eng-li in time (the arrival target is 1 h
    from the report). Each step is recorded as it happens: the clock stands at its time."""

    def at(minutes: int) -> Json:
        clock.now = reported_at + timedelta(minutes=minutes)
        return {"occurred_at": iso(clock.now)}

    clock.now = reported_at
    ticket = open_ticket(api, reported_at)
    ok(api, f"/tickets/{ticket}/response", at(3), Role.HOTLINE_AGENT)
    escalation = {"level": 2, "reason": "Needs the vendor", **at(4)}
    ok(api, f"/tickets/{ticket}/escalation", escalation, Role.HOTLINE_AGENT)
    dispatch = {"engineer_id": "eng-li", "planned_at": iso(reported_at + timedelta(minutes=30)), **at(5)}
    ok(api, f"/tickets/{ticket}/dispatch", dispatch, Role.HOTLINE_AGENT)
    return ticket


def arrive(api: Api, clock: SetClock, ticket: str, at: datetime) -> Json:
    """eng-li on site at `at`, recorded then; the arrival's {id, version, position}."""
    clock.now = at
    return ok(api, f"/tickets/{ticket}/arrival", {"occurred_at": iso(at)}, Role.ENGINEER)
