"""Signed checkpoints of the hash chain, and the ledger's signing key.

A checkpoint states that the chain (domain/audit_chain.py) had the link `link` at log position
`position` when it was signed at `signed_at`. The signature is Ed25519 over the statement

    service-ledger checkpoint
    <position>
    <link as 64 lowercase hex digits>
    <signed_at as ISO 8601 in UTC, with microseconds>

(lines joined by a newline, no newline at the end, UTF-8), so that anyone holding the public key
can check a checkpoint with nothing but the four values.

**The key.** The setting LEDGER_SIGNING_KEY holds either the path of a PEM file with an Ed25519
private key (PKCS#8, unencrypted: `openssl genpkey -algorithm ed25519 -out ledger-signing.pem`), or
the raw 32-byte private key in base64. Without it the service makes an ephemeral key when it starts:
it says so in its log and in the answer of GET /audit/public-key, and what it signs verifies only
against that key, which is lost when the service stops. Production configures a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

HEADER = "service-ledger checkpoint"


class KeyUnusable(ValueError):
    """The configured signing key cannot be read, or is not an Ed25519 key."""


def statement(position: int, link: bytes, signed_at: datetime) -> bytes:
    """The exact bytes a checkpoint's signature covers."""
    return f"{HEADER}\n{position}\n{link.hex()}\n{instant_text(signed_at)}".encode()


def instant_text(instant: datetime) -> str:
    """An instant as the statement writes it: UTC, microseconds, `+00:00`."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Checkpoint:
    """The chain's link at a log position, signed by the key whose public half is `public_key`."""

    position: int
    link: bytes
    signed_at: datetime
    public_key: str
    """PEM (SubjectPublicKeyInfo)."""
    signature: bytes

    def statement(self) -> bytes:
        return statement(self.position, self.link, self.signed_at)

    def verifies(self, public_key_pem: str | None = None) -> bool:
        """Whether the signature holds for the statement, under the key given (else its own)."""
        return verifies(public_key_pem or self.public_key, self.statement(), self.signature)


@dataclass(frozen=True)
class SigningKey:
    """The ledger's Ed25519 private key, and whether it was made for this run only."""

    private: Ed25519PrivateKey
    ephemeral: bool

    @classmethod
    def from_setting(cls, setting: str) -> SigningKey:
        """The key LEDGER_SIGNING_KEY names (a PEM file, or base64 of the raw 32 bytes); a new
        ephemeral key when the setting is empty."""
        value = setting.strip()
        if not value:
            return cls(Ed25519PrivateKey.generate(), ephemeral=True)
        path = Path(value)
        if path.is_file():
            return cls(_from_pem(path), ephemeral=False)
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:  # noqa: PLR2004 - an Ed25519 private key is 32 bytes
            msg = "LEDGER_SIGNING_KEY is neither a PEM file nor the base64 of a raw 32-byte Ed25519 key"
            raise KeyUnusable(msg)
        return cls(Ed25519PrivateKey.from_private_bytes(raw), ephemeral=False)

    @property
    def public_pem(self) -> str:
        return public_pem(self.private.public_key())

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, in hex: a short name to compare keys by."""
        return fingerprint(self.public_pem)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def checkpoint(self, position: int, link: bytes, signed_at: datetime) -> Checkpoint:
        signature = self.sign(statement(position, link, signed_at))
        return Checkpoint(position, link, signed_at, self.public_pem, signature)


def _from_pem(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise KeyUnusable(f"LEDGER_SIGNING_KEY file {path} is not an unencrypted PEM key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnusable(f"LEDGER_SIGNING_KEY file {path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def fingerprint(public_key_pem: str) -> str:
    raw = _public_key(public_key_pem).public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def verifies(public_key_pem: str, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is the Ed25519 signature of `message` under the PEM public key."""
    try:
        _public_key(public_key_pem).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _public_key(pem: str) -> Ed25519PublicKey:
    key = load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, Ed25519PublicKey):
        raise KeyUnusable(f"the public key is a {type(key).__name__}, not an Ed25519 key")
    return key
