"""Fixtures: the started app over an in-memory ledger, or over each store kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.harness import MEMORY_ENV, Api, serve


@pytest.fixture(scope="module")
def api() -> Iterator[Api]:
    """The app over an in-memory ledger, view runners started; shared by a module's tests.

    Stopping the view runners takes a while, so one app serves a module: each test opens its own
    tickets, and compares the log's end before and after, never its absolute position.
    """
    with serve(MEMORY_ENV) as started:
        yield started


@pytest.fixture
def store_api(store_env: dict[str, str]) -> Iterator[Api]:
    """The app over a fresh ledger on each store: memory, SQLite file, PostgreSQL."""
    with serve(store_env) as started:
        yield started
