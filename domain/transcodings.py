"""How the ledger's value types are written into stored events (plain JSON, stable names)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.actors import Actor, Role
from domain.asset_terms import WarrantyStart
from domain.assets import Loan
from domain.claim_terms import ClaimKind, ClaimLine, LineKind, OldPart
from domain.claims import SubsidyPurchase
from domain.clocks import ClockStatus
from domain.old_parts import Lot, LotStatus
from domain.penalties import CauseRef, Settlement
from domain.penalty_rules import Line, Measure
from domain.stock import Transit
from domain.ticket_terms import Channel, Milestone, PauseReason, Status

ROLES = {role.value: role for role in Role}


class EnumAsValue(Transcoding):
    """An enum member stored as its value under the enum's own name."""

    def __init__(self, enum_type: type[Enum]) -> None:
        self.type = enum_type
        self.name = enum_type.__name__
        self.members = {member.value: member for member in enum_type}
        """A dict lookup: calling the enum class costs several times more, on every replay."""

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        return self.members[data]


class ActorAsDict(Transcoding):
    """An actor stored as its id and role."""

    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return {"id": obj.id, "role": obj.role.value}

    def decode(self, data: dict[str, str]) -> Actor:
        return known_actor(data["id"], data["role"])


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class SetAsList(Transcoding):
    """A set (in an aggregate's snapshot) stored as a sorted list."""

    type = set
    name = "set"

    def encode(self, obj: set[Any]) -> list[Any]:
        return sorted(obj)

    def decode(self, data: list[Any]) -> set[Any]:
        return set(data)


class DataclassAsDict(Transcoding):
    """A frozen dataclass of plain values stored as a dict of its fields, under its class name."""

    def __init__(self, kind: type[Any]) -> None:
        self.type = kind
        self.name = kind.__name__
        self.fields = tuple(f.name for f in fields(kind))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


@lru_cache(maxsize=4096)
def known_actor(actor_id: str, role: str) -> Actor:
    """Actors recur on most events and are immutable, so replays share one value each."""
    return Actor(id=actor_id, role=ROLES[role])


STORED_ENUMS: tuple[type[Enum], ...] = (
    Role,
    Channel,
    Milestone,
    PauseReason,
    Status,
    ClockStatus,
    ClaimKind,
    LineKind,
    WarrantyStart,
    LotStatus,
    Measure,
    Settlement,
)
STORED_VALUES: tuple[type[Any], ...] = (
    ClaimLine,
    OldPart,
    SubsidyPurchase,
    Loan,
    Lot,
    Transit,
    Line,
    CauseRef,
)
"""Frozen dataclasses that events carry."""


def register_ledger_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach the transcoder every value type that appears in the ledger's events."""
    for enum_type in STORED_ENUMS:
        transcoder.register(EnumAsValue(enum_type))
    transcoder.register(ActorAsDict())
    transcoder.register(DateAsISO())
    transcoder.register(SetAsList())
    for kind in STORED_VALUES:
        transcoder.register(DataclassAsDict(kind))
