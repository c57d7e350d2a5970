"""How the ledger's value types are written into stored events (plain JSON, stable names)."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.actors import Actor, Role
from domain.clocks import ClockStatus
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


@lru_cache(maxsize=4096)
def known_actor(actor_id: str, role: str) -> Actor:
    """Actors recur on most events and are immutable, so replays share one value each."""
    return Actor(id=actor_id, role=ROLES[role])


STORED_ENUMS: tuple[type[Enum], ...] = (Role, Channel, Milestone, PauseReason, Status, ClockStatus)


def register_ledger_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach the transcoder every value type that appears in the ledger's events."""
    for enum_type in STORED_ENUMS:
        transcoder.register(EnumAsValue(enum_type))
    transcoder.register(ActorAsDict())
