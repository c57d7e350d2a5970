"""Projections that take events a batch at a time, writing one tracking record per batch."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Tracking, TTrackingRecorder
from eventsourcing.projection import Projection


@dataclass(frozen=True)
class Positioned:
    """A domain event and its position in the ledger's log."""

    event: Any
    position: int


class BatchProjection(Projection[TTrackingRecorder]):
    """A library projection that also folds a whole batch into one view transaction."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.process_batch([Positioned(domain_event, tracking.notification_id)], tracking)

    @abstractmethod
    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        """Write what the events change, and `tracking` (the last position), atomically."""
