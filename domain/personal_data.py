"""Personal data: which fields hold it, and how they are sealed with a key per customer so that
forgetting the customer (deleting the key: crypto-shredding) leaves them unreadable everywhere.

**The declared list.** `PERSONAL_FIELDS` names every event field that holds personal data. The
ledger seals each such value before the event is made, so the log, the hash chain, the views and
every bundle carry only its token. Free text written by staff (a description, a reason) is not on
the list: what a person types there is recorded as typed.

**A token** is `pd1:<key id>:<base64url(nonce || AES-256-GCM ciphertext)>`, the key id bound in as
associated data. Only the key store knows whose key it is and holds the key. Revealing a token
whose key is gone (the customer forgotten) gives `REDACTED`; a value that is no token is shown as
it is. The chain links the token, never the plain text, so forgetting changes no link.

**Keys at rest.** A key store keeps each customer's keys; with a wrapping key configured, each is
kept sealed by it (AES-256-GCM, the key id and customer as associated data), so a copy of the
database alone reveals nothing.
"""

from __future__ import annotations

import base64
import binascii
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from threading import Lock
from typing import Any
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import StorageUnavailable

PERSONAL_FIELDS: Mapping[str, tuple[str, ...]] = {
    "Customer.Registered": ("name", "phone", "address"),
    "Customer.DetailsChanged": ("name", "phone", "address"),
    "Ticket.SignedOff": ("signed_by",),
    "Ticket.CallbackRecorded": ("answered_by",),
}
"""Event (aggregate.event) to the fields of it that hold personal data: sealed, per customer."""
PREFIX = "pd1:"
REDACTED = "[redacted]"
"""What a sealed value reads as once its customer is forgotten."""
KEY_BYTES = 32
NONCE_BYTES = 12


class PersonalDataNotSealed(AssertionError):
    """A declared personal field about to be recorded in plain text: a defect, never bad input."""


class KeyUnusable(ValueError):
    """A wrapping key that is not 32 bytes of base64."""


@dataclass(frozen=True)
class CustomerKey:
    """One data key of a customer: `material` is None once the customer is forgotten."""

    key_id: UUID
    customer_id: str
    material: bytes | None
    created_at: datetime
    forgotten_at: datetime | None = None


class KeyStore(ABC):
    """Where customers' data keys live: the one place personal data can be forgotten from."""

    @abstractmethod
    def live_key(self, customer_id: str) -> CustomerKey | None:
        """The customer's key in use for new values, if one was made since it was last forgotten."""

    @abstractmethod
    def add(self, key: CustomerKey) -> CustomerKey:
        """Store a new live key, or, when another writer stored one first, return that one."""

    @abstractmethod
    def keys(self, key_ids: Collection[UUID]) -> dict[UUID, CustomerKey]:
        """The keys of these ids that the store holds (with or without material)."""

    @abstractmethod
    def shred(self, customer_id: str, at: datetime) -> int:
        """Delete the material of every key of the customer; how many keys lost theirs."""

    @abstractmethod
    def rewrap(self, change: Callable[[CustomerKey], bytes]) -> int:
        """Replace the material of every key that has some with `change(key)`, all keys or none
        (an error from `change` leaves every key as it was); how many were replaced."""


class MemoryKeyStore(KeyStore):
    def __init__(self) -> None:
        self.lock = Lock()
        self.held: dict[UUID, CustomerKey] = {}

    def live_key(self, customer_id: str) -> CustomerKey | None:
        with self.lock:
            return next(
                (k for k in self.held.values() if k.customer_id == customer_id and k.material is not None),
                None,
            )

    def add(self, key: CustomerKey) -> CustomerKey:
        with self.lock:
            for held in self.held.values():
                if held.customer_id == key.customer_id and held.material is not None:
                    return held
            self.held[key.key_id] = key
            return key

    def keys(self, key_ids: Collection[UUID]) -> dict[UUID, CustomerKey]:
        with self.lock:
            return {k: self.held[k] for k in key_ids if k in self.held}

    def shred(self, customer_id: str, at: datetime) -> int:
        with self.lock:
            live = [k for k in self.held.values() if k.customer_id == customer_id and k.material is not None]
            for k in live:
                self.held[k.key_id] = CustomerKey(k.key_id, customer_id, None, k.created_at, at)
        return len(live)

    def rewrap(self, change: Callable[[CustomerKey], bytes]) -> int:
        with self.lock:
            changed = {
                k.key_id: replace(k, material=change(k)) for k in self.held.values() if k.material is not None
            }
            self.held.update(changed)
        return len(changed)


def wrapping_key(setting: str, name: str = "LEDGER_PERSONAL_DATA_KEY") -> bytes | None:
    """A wrapping key setting (`name`): base64 of 32 random bytes, or empty for keys kept unwrapped."""
    if not setting.strip():
        return None
    try:
        key = base64.b64decode(setting.strip(), validate=True)
    except binascii.Error:
        raise KeyUnusable(f"{name} is not base64") from None
    if len(key) != KEY_BYTES:
        raise KeyUnusable(f"{name} must be {KEY_BYTES} bytes, not {len(key)}")
    return key


class PersonalData:
    """Seals values under their customer's key and reveals them while the key lasts."""

    def __init__(self, store: KeyStore, wrapping: bytes | None = None) -> None:
        self.store = store
        self.wrapping = None if wrapping is None else AESGCM(wrapping)

    def seal(self, customer_id: str, value: str) -> str:
        """The token of `value`, sealed under the customer's live key (made now if it has none)."""
        key = self.store.live_key(customer_id) or self._new_key(customer_id)
        material = self._unwrap(key)
        if material is None:
            msg = "a customer's key does not unwrap with LEDGER_PERSONAL_DATA_KEY; nothing was recorded"
            raise StorageUnavailable(msg, customer_id=customer_id)
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(material).encrypt(nonce, value.encode(), key.key_id.bytes)
        return f"{PREFIX}{key.key_id.hex}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def reveal(self, value: str) -> str:
        """The plain text of a token, `REDACTED` when its key is gone, or a non-token as it is."""
        return self.reveal_many([value])[0]

    def reveal_many(self, values: Sequence[str]) -> list[str]:
        """Each value revealed as `reveal` does, their keys read in one go."""
        tokens = {value: _parsed(value) for value in values if value.startswith(PREFIX)}
        keys = self.store.keys({token[0] for token in tokens.values() if token is not None})
        materials = {key_id: self._unwrap(key) for key_id, key in keys.items()}
        return [value if value not in tokens else _opened(tokens[value], materials) for value in values]

    def reveal_all(self, value: Any) -> Any:
        """`value` with every token inside it (in strings, lists and mappings) revealed."""
        if isinstance(value, str):
            return self.reveal(value)
        if isinstance(value, Mapping):
            return {k: self.reveal_all(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.reveal_all(v) for v in value]
        return value

    def forget(self, customer_id: str, at: datetime) -> int:
        """Shred every key of the customer: what was sealed under them reads `REDACTED` from now."""
        return self.store.shred(customer_id, at)

    def rewrap(self, new: bytes) -> int:
        """Wrap every key that still has material under the wrapping key `new`, unwrapping it with
        this one (or none); all keys or none. How many were wrapped anew."""
        target = AESGCM(new)

        def change(key: CustomerKey) -> bytes:
            material = self._unwrap(key)
            if material is None:
                msg = f"key {key.key_id} does not unwrap with the current wrapping key; nothing changed"
                raise StorageUnavailable(msg, key_id=str(key.key_id))
            return _wrapped(target, key.key_id, key.customer_id, material)

        return self.store.rewrap(change)

    def _new_key(self, customer_id: str) -> CustomerKey:
        key_id = uuid4()
        material = _wrapped(self.wrapping, key_id, customer_id, AESGCM.generate_key(bit_length=KEY_BYTES * 8))
        return self.store.add(CustomerKey(key_id, customer_id, material, datetime.now(UTC)))

    def _unwrap(self, key: CustomerKey) -> bytes | None:
        if key.material is None or self.wrapping is None:
            return key.material
        nonce, sealed = key.material[:NONCE_BYTES], key.material[NONCE_BYTES:]
        try:
            return self.wrapping.decrypt(nonce, sealed, _wrap_context(key.key_id, key.customer_id))
        except InvalidTag:
            return None


def _opened(token: tuple[UUID, bytes] | None, materials: Mapping[UUID, bytes | None]) -> str:
    """A parsed token's plain text, or REDACTED when its key's material is gone (or it is not well
    formed, or not sealed under that key)."""
    material = None if token is None else materials.get(token[0])
    if token is None or material is None:
        return REDACTED
    key_id, data = token
    try:
        return AESGCM(material).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], key_id.bytes).decode()
    except InvalidTag:
        return REDACTED


def _parsed(token: str) -> tuple[UUID, bytes] | None:
    """A token's key id and sealed bytes; None when it is not well formed."""
    key_hex, _, body = token[len(PREFIX) :].partition(":")
    try:
        return UUID(hex=key_hex), base64.urlsafe_b64decode(body)
    except (ValueError, binascii.Error):
        return None


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def require_sealed(event: object) -> None:
    """Refuse an event that carries a declared personal field in plain text: it must never reach
    the log, where no key could be shredded to forget it."""
    for name in PERSONAL_FIELDS.get(type(event).__qualname__, ()):
        if not is_sealed(getattr(event, name)):
            raise PersonalDataNotSealed(f"{type(event).__qualname__}.{name} is personal data and not sealed")


def _wrapped(wrapping: AESGCM | None, key_id: UUID, customer_id: str, material: bytes) -> bytes:
    if wrapping is None:
        return material
    nonce = os.urandom(NONCE_BYTES)
    return nonce + wrapping.encrypt(nonce, material, _wrap_context(key_id, customer_id))


def _wrap_context(key_id: UUID, customer_id: str) -> bytes:
    return key_id.bytes + customer_id.encode()
