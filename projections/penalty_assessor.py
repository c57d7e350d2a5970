"""The penalty assessor: reads the log and assesses the penalties its causes call for (SLA
breaches, missing sign-offs, late claims and old parts, falls below safety stock, backup units
lent late), and reverses them when a correction turns a breach into met.

It writes to the ledger's log through `assess_event`, which records a penalty only once per cause
and rule (the penalty's id is its cause, schedule and rule), so a restart, a replay or two
assessors racing never assess a cause twice. Its tracking says how far it has read; a crash
between a penalty and its tracking is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.ledger_base import Recorded
from projections.batching import BatchProjection, Positioned

CAUSES = frozenset(
    {
        "SlaVerdicts.VerdictRecorded",
        "Claim.Submitted",
        "OldParts.ReturnedLate",
        "StockItem.FellBelowSafetyStock",
        "Asset.LentLate",
    }
)
"""The events a penalty can be assessed (or reversed) from."""


class Assessor(Protocol):
    def assess_event(self, event: Any, position: int | None = None) -> list[Recorded]: ...


class PenaltyAssessor(BatchProjection[TrackingRecorder]):
    """Assesses each cause in a batch, in log order."""

    name = "penalty_assessor"
    topics = ()

    def __init__(self, tracking: TrackingRecorder, ledger: Assessor) -> None:
        super().__init__(tracking)
        self.ledger = ledger

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        for positioned in events:
            if type(positioned.event).__qualname__ in CAUSES:
                self.ledger.assess_event(positioned.event, positioned.position)
        self.view.insert_tracking(tracking)
