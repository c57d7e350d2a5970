"""Customers' keys in the ledger's own database: writers sealing for a new customer at once agree
on one key, and shredding leaves the rows with no material on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.errors import StorageUnavailable
from domain.ledger import ServiceLedger
from domain.personal_data import REDACTED
from projections.customer_keys import SqlKeyStore, personal_data_for
from projections.read_side import dialect_for
from tests.support import store

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceLedger]:
    with store(request, tmp_path_factory) as env:
        opened = ServiceLedger(env=env)
        yield opened
        opened.close()


def test_writers_sealing_for_a_new_customer_at_once_share_one_key(ledger: ServiceLedger) -> None:
    writers = [personal_data_for(ledger, None) for _ in range(6)]

    with ThreadPoolExecutor(6) as pool:
        tokens = list(pool.map(lambda w: w[1].seal("huaxin-bank", f"contact {w[0]}"), enumerate(writers)))

    assert {token.split(":")[1] for token in tokens} == {tokens[0].split(":")[1]}
    assert [writers[0].reveal(t) for t in tokens] == [f"contact {i}" for i in range(6)]


def test_shredding_deletes_the_material_of_every_live_key_of_the_customer(ledger: ServiceLedger) -> None:
    personal = personal_data_for(ledger, bytes(range(32)))
    gone, kept = personal.seal("huaxin-bank", "Lin"), personal.seal("donghu-hospital", "Gao")

    shredded = personal.forget("huaxin-bank", NOW)

    dialect = dialect_for(ledger)
    assert dialect is not None
    key_id = UUID(hex=gone.split(":")[1])
    held = SqlKeyStore(dialect).keys({key_id, UUID(int=0)}).get(key_id)
    assert shredded == 1
    assert held is not None
    assert held.material is None
    assert held.forgotten_at == NOW
    assert personal.reveal(gone) == REDACTED
    assert personal.reveal(kept) == "Gao"
    assert personal.forget("huaxin-bank", NOW) == 0


def test_keys_wrapped_anew_reveal_under_the_new_wrapping_key_only(ledger: ServiceLedger) -> None:
    old, new = bytes(range(32)), bytes(range(32, 64))
    personal = personal_data_for(ledger, old)
    kept, gone = personal.seal("huaxin-bank", "Lin"), personal.seal("donghu-hospital", "Gao")
    personal.forget("donghu-hospital", NOW)

    assert personal.rewrap(new) == 1

    assert personal_data_for(ledger, new).reveal(kept) == "Lin"
    assert personal_data_for(ledger, old).reveal(kept) == REDACTED
    assert personal_data_for(ledger, new).reveal(gone) == REDACTED
    assert personal_data_for(ledger, new).seal("huaxin-bank", "Chen").split(":")[1] == kept.split(":")[1]


def test_wrapping_anew_changes_no_key_when_one_does_not_unwrap(ledger: ServiceLedger) -> None:
    first = personal_data_for(ledger, bytes(range(32)))
    sealed = first.seal("huaxin-bank", "Lin")
    personal_data_for(ledger, bytes(range(1, 33))).seal("donghu-hospital", "Gao")

    with pytest.raises(StorageUnavailable, match="does not unwrap"):
        first.rewrap(bytes(range(32, 64)))

    assert first.reveal(sealed) == "Lin"
