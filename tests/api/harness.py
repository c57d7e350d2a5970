"""The API under test: a real app over a real ledger, a bearer token per role, and request helpers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from eventsourcing.utils import get_topic
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.errors import PROBLEM_JSON
from api.settings import Settings
from domain.access_records import AccessRecord
from domain.actors import PEOPLE, Actor, Role
from domain.ledger import ServiceLedger
from tests.support import AGENT, AUDITOR, ENGINEER, MANAGER, ago

MEMORY_ENV = {
    "PERSISTENCE_MODULE": "eventsourcing.popo",
    "SERVICELEDGER_PERSISTENCE_MODULE": "eventsourcing.popo",
}
"""The in-memory store; the application-prefixed name wins over any PERSISTENCE_MODULE around us."""

ACTORS: dict[Role, Actor] = {
    Role.HOTLINE_AGENT: AGENT,
    Role.ENGINEER: ENGINEER,
    Role.MANAGER: MANAGER,
    Role.AUDITOR: AUDITOR,
    Role.WAREHOUSE: Actor("wh-sun", Role.WAREHOUSE),
    Role.CLAIMS: Actor("claims-qian", Role.CLAIMS),
    Role.FINANCE: Actor("fin-zhao", Role.FINANCE),
    Role.REGULATOR: Actor("reg-feng", Role.REGULATOR),
    Role.BU_MANAGER: Actor("bu-wang", Role.BU_MANAGER),
    Role.SALES_DIRECTOR: Actor("sales-liu", Role.SALES_DIRECTOR),
    Role.SERVICE_DIRECTOR: Actor("svc-zhao", Role.SERVICE_DIRECTOR),
    Role.GENERAL_MANAGER: Actor("gm-sun", Role.GENERAL_MANAGER),
}
TOKEN_OF: dict[Role, str] = {role: f"token-{role.value}-7f3a" for role in PEOPLE}
SECOND_MANAGER = "token-manager-2-9c1d"
CLERK_AS_BU_MANAGER = "token-claims-as-bu-4e2b"
TOKENS: dict[str, Actor] = {TOKEN_OF[role]: actor for role, actor in ACTORS.items()}
TOKENS[SECOND_MANAGER] = Actor("mgr-zhao", Role.MANAGER)
TOKENS[CLERK_AS_BU_MANAGER] = Actor(ACTORS[Role.CLAIMS].id, Role.BU_MANAGER)
"""One bearer token per role, a second manager (to approve what the first drafted), and the claims
clerk in a second role they also hold (to try to sign a claim they filed)."""
SECOND_KEEPER = "token-warehouse-2-5b7e"
TOKENS[SECOND_KEEPER] = Actor("wh-zhou", Role.WAREHOUSE)
"""A deputy warehouse keeper, to countersign what the first issues."""

DESK = frozenset({Role.HOTLINE_AGENT, Role.MANAGER})
FIELD = frozenset({Role.ENGINEER, Role.MANAGER})
FIELD_OR_DESK = DESK | FIELD
MANAGERS = frozenset({Role.MANAGER})
ALLOWED: dict[str, frozenset[Role]] = {
    "response": DESK,
    "escalation": FIELD_OR_DESK,
    "dispatch": DESK,
    "departure": FIELD,
    "arrival": FIELD,
    "restoration": FIELD_OR_DESK,
    "resolution": FIELD_OR_DESK,
    "sign-off": FIELD,
    "callback": DESK,
    "closure": DESK,
    "reopening": DESK,
    "pause": FIELD_OR_DESK,
    "resumption": FIELD_OR_DESK,
    "cancellation": DESK,
    "corrections": MANAGERS,
}
"""Which roles may record each command on a ticket (POST /tickets/{id}/<action>), as the API promises."""

Json = dict[str, Any]
Params = Mapping[str, Any] | list[tuple[str, Any]]


def bearer(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN_OF[role]}"}


def iso(instant: datetime) -> str:
    return instant.isoformat()


PLANNED = iso(ago(minutes=-30))
"""A planned visit or arrival half an hour ahead (plans and ETAs may lie in the future)."""


def open_body(**overrides: Any) -> Json:
    body: Json = {
        "channel": "hotline",
        "customer_id": "huaxin-bank",
        "site_id": "huaxin-pudong",
        "region_tier": "city",
        "asset_id": "srv-0042",
        "severity": "severe",
        "category": "hardware",
        "description": "Core switch in server room 2 down",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


@dataclass
class Api:
    """A TestClient on a started app, the ledger behind it, and the settings it was built with."""

    client: TestClient[Litestar]
    ledger: ServiceLedger
    settings: Settings

    def log_end(self) -> int:
        """The last position in the ledger's log of anything but the access records of reads
        (0 when empty): what commands have recorded."""
        access, last, start = get_topic(AccessRecord.Read), 0, 0
        while page := self.ledger.recorder.select_notifications(start, 1_000, inclusive_of_start=False):
            last = max([last, *(n.id for n in page if n.topic != access)])
            start = page[-1].id
        return last

    def open(self, role: Role = Role.HOTLINE_AGENT, **overrides: Any) -> httpx.Response:
        return self.client.post("/tickets", json=open_body(**overrides), headers=bearer(role))

    def open_ticket(self, **overrides: Any) -> str:
        response = self.open(**overrides)
        assert response.status_code == 201, response.text
        ticket_id: str = response.json()["id"]
        return ticket_id

    def command(
        self, ticket_id: str, action: str, body: Any = None, role: Role = Role.MANAGER
    ) -> httpx.Response:
        return self.client.post(
            f"/tickets/{ticket_id}/{action}", json={} if body is None else body, headers=bearer(role)
        )

    def ok(self, ticket_id: str, action: str, body: Any = None, role: Role = Role.MANAGER) -> Json:
        """Record a command that must succeed; its {id, version, position}."""
        response = self.command(ticket_id, action, body, role)
        assert response.status_code == 200, f"{action}: {response.status_code} {response.text}"
        answer: Json = response.json()
        return answer

    def get(self, path: str, role: Role = Role.AUDITOR, params: Params | None = None) -> httpx.Response:
        return self.client.get(path, params=params or None, headers=bearer(role))

    def read(self, path: str, after: int, params: Params | None = None) -> Json:
        """A read that must answer 200 once the views have taken in `after`."""
        pairs = list(params.items()) if isinstance(params, Mapping) else list(params or [])
        response = self.get(path, params=[*pairs, ("after", after)])
        assert response.status_code == 200, response.text
        body: Json = response.json()
        return body


@contextmanager
def serve(
    store_env: Mapping[str, str], ledger: ServiceLedger | None = None, **overrides: Any
) -> Iterator[Api]:
    """Build and start the app (its view runners too) over a ledger on `store_env`; stop and close after."""
    env = dict(store_env)
    ledger = ledger or ServiceLedger(env=env)
    values: dict[str, Any] = {
        "tokens": TOKENS,
        "read_wait_seconds": 2.0,
        "log_format": "json",
        "sla_monitor": False,
    }
    """The SLA monitor writes to the log on its own, so only the tests that want it switch it on."""
    values.update(overrides)
    settings = Settings(store_env=env, **values)
    try:
        with TestClient(create_app(settings, ledger=ledger)) as client:
            yield Api(client=client, ledger=ledger, settings=settings)
    finally:
        ledger.close()


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> Json:
    """The response is RFC 9457 problem+json with the given status (and problem code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM_JSON
    body: Json = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    assert isinstance(body["type"], str)
    assert body["type"]
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if code is not None:
        assert body["type"] == f"urn:service-ledger:problem:{code}", body
    return body


def error_fields(body: Json) -> set[str]:
    """The fields a problem's `errors` list names; each entry must be exactly {field, reason}."""
    errors = body.get("errors")
    assert isinstance(errors, list), body
    assert errors, body
    for entry in errors:
        assert set(entry) == {"field", "reason"}, entry
        assert isinstance(entry["field"], str)
        assert entry["field"]
        assert isinstance(entry["reason"], str)
        assert entry["reason"]
    return {entry["field"] for entry in errors}


@contextmanager
def nothing_recorded(api: Api, ticket_id: str | None = None) -> Iterator[None]:
    """The log ends where it did, and the ticket (if any) keeps its version."""
    before = api.log_end()
    version = None if ticket_id is None else api.ledger.get_ticket(UUID(ticket_id)).version
    yield
    assert api.log_end() == before
    if ticket_id is not None:
        assert api.ledger.get_ticket(UUID(ticket_id)).version == version


def valid_body(action: str) -> Json:
    """A body each command route would accept on a ticket in the right state."""
    bodies: dict[str, Json] = {
        "escalation": {"level": 1, "reason": "Needs a specialist"},
        "dispatch": {"engineer_id": "eng-li", "planned_at": PLANNED},
        "departure": {"eta": PLANNED},
        "resolution": {"fixed_first_time": True, "resolution": "Replaced card"},
        "sign-off": {"satisfaction": 5, "signed_by": "Zhang Wei"},
        "callback": {"satisfaction": 5, "answered_by": "Zhang Wei"},
        "reopening": {"reason": "Came back"},
        "pause": {"reason": "waiting_for_parts"},
        "cancellation": {"reason": "Duplicate"},
        "corrections": {"corrects_version": 1, "occurred_at": iso(ago(hours=1)), "reason": "Call log"},
    }
    return bodies.get(action, {})
