"""Migrations own the project's tables and are safe to run twice, or at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from migrations.runner import migrate, migrations_for
from projections.recorders import sqlite_env
from tests.support import fresh_postgres_database

ALL = [m.version for m in migrations_for("sqlite")]


def test_sqlite_migrations_apply_once(sqlite_path: str) -> None:
    env = sqlite_env(sqlite_path)
    assert migrate(env) == ALL
    assert migrate(env) == []


def test_postgres_migrations_apply_once(postgres_env: dict[str, str]) -> None:
    assert migrate(postgres_env) == []


def test_postgres_and_sqlite_have_the_same_migrations() -> None:
    assert [m.version for m in migrations_for("postgres")] == ALL


def test_concurrent_postgres_migrators_apply_each_migration_once(postgres_server: None) -> None:
    with fresh_postgres_database() as env, ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: migrate(env), range(4)))
    assert sorted(v for applied in results for v in applied) == sorted(ALL)
