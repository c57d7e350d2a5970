"""Configuration from the environment: the library's own variables pass through untouched."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from domain.actors import PEOPLE, Actor
from domain.checkpoints import KeyUnusable, SigningKey
from domain.personal_data import KeyUnusable as WrappingKeyUnusable
from domain.personal_data import wrapping_key
from projections.recorders import ledger_env, sqlite_env

T = TypeVar("T", int, float)
DEFAULT_SQLITE_PATH = "var/ledger.db"
DEMO_TOKENS = {f"demo-{role.value.replace('_', '-')}": Actor(f"demo-{role.value}", role) for role in PEOPLE}
"""One bearer token per role, offered only when the demo is switched on."""
PERSON_ROLES = {role.value: role for role in PEOPLE}


class SettingsError(ValueError):
    """A configuration value is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    store_env: dict[str, str]
    tokens: dict[str, Actor] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = 8000
    demo: bool = False
    run_projections: bool = True
    read_wait_seconds: float = 2.0
    log_format: str = "console"
    max_body_bytes: int = 65_536
    max_import_bytes: int = 16_777_216
    """Largest CSV file a statement or opening-balance import takes."""
    view_batch_size: int = 10_000
    sla_monitor: bool = True
    """Record SLA verdicts and escalations as events, with the projections."""
    sweep_seconds: float = 5.0
    signing_key: str = ""
    """LEDGER_SIGNING_KEY: a PEM file or a base64 raw Ed25519 key (domain/checkpoints.py); empty
    for an ephemeral key made at start."""
    checkpoint_seconds: float = 3600.0
    """How often the service signs a checkpoint of the chain head; 0 for only on demand."""
    personal_data_key: bytes | None = None
    """LEDGER_PERSONAL_DATA_KEY: base64 of 32 bytes that wraps each customer's data key at rest
    (domain/personal_data.py); without it the keys are kept unwrapped."""

    @property
    def monitor_sweep_seconds(self) -> float | None:
        """How often the SLA monitor sweeps for lapsed clocks; None when it is off."""
        return self.sweep_seconds if self.sla_monitor else None

    @property
    def store(self) -> str:
        module = self.store_env.get("PERSISTENCE_MODULE", "")
        return {"eventsourcing.sqlite": "sqlite", "eventsourcing.postgres": "postgres"}.get(module, "memory")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        demo = _flag(env, "LEDGER_DEMO", default=False)
        tokens = parse_tokens(env.get("LEDGER_TOKENS", ""))
        if demo:
            tokens = {**DEMO_TOKENS, **tokens}
        return cls(
            store_env=store_env(env),
            tokens=tokens,
            host=env.get("LEDGER_HOST", "127.0.0.1"),
            port=_number(env, "LEDGER_PORT", 8000, int),
            demo=demo,
            run_projections=_flag(env, "LEDGER_RUN_PROJECTIONS", default=True),
            read_wait_seconds=_number(env, "LEDGER_READ_WAIT_SECONDS", 2.0, float),
            log_format=env.get("LEDGER_LOG_FORMAT", "console"),
            max_body_bytes=_number(env, "LEDGER_MAX_BODY_BYTES", 65_536, int),
            max_import_bytes=_number(env, "LEDGER_MAX_IMPORT_BYTES", 16_777_216, int),
            view_batch_size=_number(env, "LEDGER_VIEW_BATCH_SIZE", 10_000, int),
            sla_monitor=_flag(env, "LEDGER_SLA_MONITOR", default=True),
            sweep_seconds=_number(env, "LEDGER_SWEEP_SECONDS", 5.0, float),
            signing_key=_signing_key(env.get("LEDGER_SIGNING_KEY", "")),
            checkpoint_seconds=_number(env, "LEDGER_CHECKPOINT_SECONDS", 3600.0, float),
            personal_data_key=_personal_data_key(env.get("LEDGER_PERSONAL_DATA_KEY", "")),
        )


def store_env(env: Mapping[str, str]) -> dict[str, str]:
    """The library's variables; SQLite in var/ when none name a store."""
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.sqlite")
    if module == "eventsourcing.sqlite":
        path = env.get("SQLITE_DBNAME", DEFAULT_SQLITE_PATH)
        if path != ":memory:" and "mode=memory" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {**env, **sqlite_env(path)}
    return ledger_env({**env, "PERSISTENCE_MODULE": module})


def parse_tokens(text: str) -> dict[str, Actor]:
    """Tokens as `token=actor_id:role`, separated by commas."""
    tokens: dict[str, Actor] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        token, _, who = entry.partition("=")
        actor_id, _, role_name = who.partition(":")
        role = PERSON_ROLES.get(role_name)
        if role is None:
            msg = f"LEDGER_TOKENS entry {entry!r} is not token=actor_id:role with a role people hold"
            raise SettingsError(msg)
        if not token or not actor_id:
            raise SettingsError(f"LEDGER_TOKENS entry {entry!r} needs a token and an actor id")
        tokens[token] = Actor(actor_id, role)
    return tokens


def _signing_key(setting: str) -> str:
    """The setting, once it is known to name a usable key."""
    try:
        if setting.strip():
            SigningKey.from_setting(setting)
    except KeyUnusable as error:
        raise SettingsError(str(error)) from None
    return setting


def _personal_data_key(setting: str) -> bytes | None:
    try:
        return wrapping_key(setting)
    except WrappingKeyUnusable as error:
        raise SettingsError(str(error)) from None


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "y", "yes", "true", "on"}


def _number(env: Mapping[str, str], name: str, default: T, kind: type[T]) -> T:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return kind(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {value!r}") from None
