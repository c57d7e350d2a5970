"""Sealing personal data under a key per customer: tokens reveal while the key lasts, read as
redacted once it is shredded or when tampered with, and keys at rest are wrapped when configured."""

from __future__ import annotations

import base64
from dataclasses import fields
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customers import Customer
from domain.errors import StorageUnavailable
from domain.ledger import ServiceLedger
from domain.personal_data import (
    PERSONAL_FIELDS,
    REDACTED,
    KeyUnusable,
    MemoryKeyStore,
    PersonalData,
    PersonalDataNotSealed,
    is_sealed,
    wrapping_key,
)
from domain.tickets import Ticket
from tests.support import MANAGER

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
WRAPPING = bytes(range(32))


@given(st.text(max_size=300))
def test_a_sealed_value_reveals_as_itself_and_never_shows_in_its_token(value: str) -> None:
    personal = PersonalData(MemoryKeyStore())

    token = personal.seal("huaxin-bank", value)

    assert is_sealed(token)
    assert personal.reveal(token) == value
    if len(value) > 3:
        assert value not in token


def test_the_same_value_seals_to_different_tokens_under_one_key_per_customer() -> None:
    store = MemoryKeyStore()
    personal = PersonalData(store)

    first, second = personal.seal("huaxin-bank", "Lin"), personal.seal("huaxin-bank", "Lin")
    other = personal.seal("donghu-hospital", "Lin")

    assert first != second
    assert first.split(":")[1] == second.split(":")[1] != other.split(":")[1]
    assert len(store.held) == 2


def test_forgetting_a_customer_redacts_its_values_only_and_a_new_value_gets_a_new_key() -> None:
    personal = PersonalData(MemoryKeyStore())
    forgotten, kept = personal.seal("huaxin-bank", "Lin"), personal.seal("donghu-hospital", "Gao")

    assert personal.forget("huaxin-bank", NOW) == 1
    again = personal.seal("huaxin-bank", "Chen")

    assert personal.reveal(forgotten) == REDACTED
    assert personal.reveal(kept) == "Gao"
    assert personal.reveal(again) == "Chen"
    assert again.split(":")[1] != forgotten.split(":")[1]
    assert personal.forget("huaxin-bank", NOW) == 1
    assert personal.forget("huaxin-bank", NOW) == 0


def test_a_token_changed_or_unknown_reads_as_redacted_and_plain_text_passes_through() -> None:
    personal = PersonalData(MemoryKeyStore())
    token = personal.seal("huaxin-bank", "Lin Xiaoyu")
    body = token.rsplit(":", 1)[1]
    flipped = token[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]

    assert personal.reveal(flipped) == REDACTED
    assert personal.reveal("pd1:00000000000000000000000000000000:AAAA") == REDACTED
    assert personal.reveal("pd1:not-a-key:%%%") == REDACTED
    assert personal.reveal("eng-li") == "eng-li"
    assert personal.reveal_all({"signed_by": token, "n": 3, "list": [token, "x"]}) == {
        "signed_by": "Lin Xiaoyu",
        "n": 3,
        "list": ["Lin Xiaoyu", "x"],
    }


def test_wrapped_keys_are_useless_without_the_wrapping_key() -> None:
    store = MemoryKeyStore()
    token = PersonalData(store, WRAPPING).seal("huaxin-bank", "Lin")
    (held,) = store.held.values()

    assert PersonalData(store, WRAPPING).reveal(token) == "Lin"
    assert PersonalData(store, bytes(32)).reveal(token) == REDACTED
    with pytest.raises(StorageUnavailable, match="LEDGER_PERSONAL_DATA_KEY"):
        PersonalData(store, bytes(32)).seal("huaxin-bank", "Chen")
    assert held.material is not None
    assert len(held.material) > 32


def test_the_wrapping_key_setting_is_32_bytes_of_base64_or_nothing() -> None:
    assert wrapping_key("") is None
    assert wrapping_key(base64.b64encode(WRAPPING).decode()) == WRAPPING
    with pytest.raises(KeyUnusable, match="32 bytes"):
        wrapping_key(base64.b64encode(b"short").decode())
    with pytest.raises(KeyUnusable, match="base64"):
        wrapping_key("not base64!")


def test_the_declared_list_names_fields_the_events_have() -> None:
    classes = {"Customer": Customer, "Ticket": Ticket}
    for name, declared in PERSONAL_FIELDS.items():
        owner, _, event = name.partition(".")
        assert set(declared) <= {f.name for f in fields(getattr(classes[owner], event))}, name


def test_the_ledger_refuses_to_record_a_declared_field_unsealed() -> None:
    ledger = ServiceLedger()
    plain = Customer.register("huaxin-bank", "Lin", "+86 1", "Road", MANAGER, NOW)

    with pytest.raises(PersonalDataNotSealed, match=r"Customer\.Registered\.name"):
        ledger._save(plain)

    assert ledger.recorder.max_notification_id() is None
