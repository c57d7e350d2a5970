"""What a regulator bundle covers: its period of recorded time, and which aggregates' events its
filters keep.

- `kind` keeps the aggregates of one kind (KINDS: a ticket, a claim, a stock item, ...).
- `customer_id` keeps the aggregates whose events name the customer (`customer_id`, or an asset's
  `owner_id`): its contracts, tickets, claims and assets.
- `contract_id` keeps the contract itself and the aggregates whose events name it (`contract_id`, or
  a penalty's `schedule_id`): the tickets assigned to it, their claims, assets, SLA verdicts and
  penalties.
- Either also keeps what belongs with a ticket or claim kept: the SLA verdicts, old parts, household
  subsidies and penalties whose events name it (`ticket_id`, `claim_id`, a cause's `originator_id`).
  Shared things, such as a stock item a ticket drew a part from, are not kept for that reason.

An aggregate counts once one of its events names the customer or contract, up to the end of the
bundle's run; then all its events in the run are kept. Filters combine: an event is kept when its
aggregate passes every filter given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.audit_chain import StoredEvent
from domain.errors import InvalidValue

KINDS: dict[str, frozenset[str]] = {
    "ticket": frozenset({"Ticket"}),
    "sla": frozenset({"SlaVerdicts"}),
    "contract": frozenset({"ServiceContract"}),
    "customer": frozenset({"Customer"}),
    "claim": frozenset({"Claim"}),
    "old-parts": frozenset({"OldParts"}),
    "subsidy": frozenset({"HouseholdSubsidies"}),
    "stock": frozenset({"StockItem"}),
    "transfer": frozenset({"Transfer"}),
    "asset": frozenset({"Asset"}),
    "penalty": frozenset({"Penalty"}),
    "penalty-book": frozenset({"PenaltyBook", "PenaltyBookIndex", "PenaltyTally"}),
}
"""Each kind a bundle may be filtered by, and the aggregate classes (as topics name them) it holds."""
BELONGING = frozenset({"SlaVerdicts", "OldParts", "HouseholdSubsidies", "Penalty"})
"""Aggregates that belong with the ticket or claim they name."""
REFERENCE = re.compile(
    rb'"(?:ticket_id|claim_id|originator_id)":'
    rb'(?:\{"_type_":"uuid_hex","_data_":"([0-9a-f]{32})"\}|"([0-9a-f-]{36})")'
)


def aggregate_class(topic: str) -> str:
    """`domain.tickets:Ticket.Opened` -> `Ticket`."""
    return topic.partition(":")[2].partition(".")[0]


def recorded(text: str) -> datetime | None:
    """A recorded time as StoredEvent.recorded_at states it, or None when it states none."""
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class BundleRequest:
    """A bundle's period [start, end) of recorded time, and its filters."""

    start: datetime
    end: datetime
    customer_id: str | None = None
    contract_id: UUID | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        for name, instant in (("from", self.start), ("to", self.end)):
            if instant.utcoffset() is None:
                raise InvalidValue(f"{name} must carry a time zone, such as Z or +08:00", field=name)
        if self.end <= self.start:
            raise InvalidValue("to must be after from", field="to")
        if self.kind is not None and self.kind not in KINDS:
            raise InvalidValue(f"no kind {self.kind!r}; kinds are {', '.join(KINDS)}", field="kind")

    def started_by(self, at: datetime | None) -> bool:
        """Whether an event recorded at `at` (None: a time not stated) is at or after the start."""
        return at is not None and at >= self.start

    def ended_by(self, at: datetime | None) -> bool:
        """Whether an event recorded at `at` (None: a time not stated) is at or after the end."""
        return at is not None and at >= self.end

    def filters(self) -> dict[str, str | None]:
        contract = None if self.contract_id is None else str(self.contract_id)
        return {"customer_id": self.customer_id, "contract_id": contract, "kind": self.kind}


class Named:
    """The aggregates whose events name one customer or contract, or belong with those that do."""

    def __init__(self, patterns: tuple[bytes, ...], itself: str | None = None) -> None:
        self.patterns = patterns
        self.itself = itself
        self.members: set[str] = set()

    def take(self, event: StoredEvent) -> None:
        if event.originator_id in self.members:
            return
        payload = event.payload
        if (
            event.originator_id == self.itself
            or any(pattern in payload for pattern in self.patterns)
            or (aggregate_class(event.topic) in BELONGING and self.refers(payload))
        ):
            self.members.add(event.originator_id)

    def refers(self, payload: bytes) -> bool:
        for hex_id, text_id in REFERENCE.findall(payload):
            if (str(UUID(hex_id.decode())) if hex_id else text_id.decode()) in self.members:
                return True
        return False


class Selection:
    """Which events of the run a bundle keeps."""

    def __init__(self, kinds: frozenset[str] | None, named: list[Named]) -> None:
        self.kinds = kinds
        self.named = named

    @classmethod
    def of(cls, request: BundleRequest) -> Selection:
        named: list[Named] = []
        if request.customer_id is not None:
            quoted = json.dumps(request.customer_id, ensure_ascii=False).encode("utf-8")
            named.append(Named((b'"customer_id":' + quoted, b'"owner_id":' + quoted)))
        if request.contract_id is not None:
            hex_form = b'{"_type_":"uuid_hex","_data_":"' + request.contract_id.hex.encode() + b'"}'
            text_form = b'"' + str(request.contract_id).encode() + b'"'
            patterns = (
                b'"contract_id":' + hex_form,
                b'"contract_id":' + text_form,
                b'"schedule_id":' + hex_form,
            )
            named.append(Named(patterns, itself=str(request.contract_id)))
        return cls(None if request.kind is None else KINDS[request.kind], named)

    @property
    def filters(self) -> bool:
        return self.kinds is not None or bool(self.named)

    @property
    def names_aggregates(self) -> bool:
        """Whether the log must be read from its start to find the aggregates the filters name."""
        return bool(self.named)

    def take(self, event: StoredEvent) -> None:
        for named in self.named:
            named.take(event)

    def admits(self, event: StoredEvent) -> bool:
        return (self.kinds is None or aggregate_class(event.topic) in self.kinds) and all(
            event.originator_id in named.members for named in self.named
        )
