"""Reads by auditors and regulators are recorded in the log before they are answered; a read that
cannot be recorded is not answered."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from domain.actors import Actor, Role
from domain.errors import StorageUnavailable
from domain.ledger import ServiceLedger

MISSING = "0b7e3c4a-9d1f-4c2e-8a5b-6f7e8d9c0a1b"
TOKENS = {
    "auditor": Actor("aud-wu", Role.AUDITOR),
    "regulator": Actor("reg-lin", Role.REGULATOR),
    "manager": Actor("mgr-chen", Role.MANAGER),
}


def client() -> TestClient[Any]:
    settings = Settings(store_env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, tokens=TOKENS)
    return TestClient(app=create_app(settings))


def auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {who}"}


def test_each_read_by_an_auditor_or_regulator_is_recorded_with_its_filters() -> None:
    with client() as api:
        api.get("/tickets?status=open&limit=5", headers=auth("auditor"))
        api.get("/penalty-ledger?by=rule", headers=auth("regulator"))
        api.get("/tickets", headers=auth("manager"))
        api.get(f"/tickets/{MISSING}", headers=auth("auditor"))

        reads = api.get("/audit/access-log", headers=auth("manager")).json()["reads"]

    assert [(r["actor_id"], r["role"], r["path"], r["query"], r["status"]) for r in reads] == [
        ("aud-wu", "auditor", "/tickets", "status=open&limit=5", 200),
        ("reg-lin", "regulator", "/penalty-ledger", "by=rule", 200),
        ("aud-wu", "auditor", f"/tickets/{MISSING}", "", 404),
    ]


def test_reading_the_access_log_is_itself_recorded_and_pages_by_reader() -> None:
    with client() as api:
        for _ in range(3):
            api.get("/tickets", headers=auth("auditor"))
        api.get("/tickets", headers=auth("regulator"))
        first = api.get("/audit/access-log?actor_id=aud-wu&limit=2", headers=auth("auditor")).json()
        rest = api.get(
            f"/audit/access-log?actor_id=aud-wu&after={first['next_after']}", headers=auth("auditor")
        )

    assert [r["path"] for r in first["reads"]] == ["/tickets", "/tickets"]
    assert [r["path"] for r in rest.json()["reads"]] == ["/tickets", "/audit/access-log"]


def test_a_read_that_cannot_be_recorded_is_not_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = ServiceLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    settings = Settings(store_env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, tokens=TOKENS)

    def store_down(*_: object) -> None:
        raise StorageUnavailable("the store is not answering")

    with TestClient(app=create_app(settings, ledger=ledger)) as api:
        monkeypatch.setattr(ledger, "record_access", store_down)
        refused = api.get("/tickets", headers=auth("auditor"))
        answered = api.get("/tickets", headers=auth("manager"))

    assert (refused.status_code, refused.headers["retry-after"]) == (503, "1")
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("access-not-recorded")
    assert answered.status_code == 200
