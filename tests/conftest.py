"""Fixtures: a store of each kind (memory, SQLite, PostgreSQL), migrated, and a ledger on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.ledger import ServiceLedger
from migrations.runner import migrate
from projections.recorders import sqlite_env
from tests.support import REQUIRE_POSTGRES, migrated_postgres_database, postgres_answers

STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres_env" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server() -> None:
    reason = postgres_answers()
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"LEDGER_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture
def postgres_env(postgres_server: None) -> Iterator[dict[str, str]]:
    with migrated_postgres_database() as env:
        yield env


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    return str(tmp_path / "ledger.db")


@pytest.fixture
def sqlite_store_env(sqlite_path: str) -> dict[str, str]:
    env = sqlite_env(sqlite_path)
    migrate(env)
    return env


@pytest.fixture(params=STORES)
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if request.param == "sqlite":
        sqlite: dict[str, str] = request.getfixturevalue("sqlite_store_env")
        return sqlite
    postgres: dict[str, str] = request.getfixturevalue("postgres_env")
    return postgres


@pytest.fixture
def ledger(store_env: dict[str, str]) -> Iterator[ServiceLedger]:
    app = ServiceLedger(env=store_env)
    yield app
    app.close()
