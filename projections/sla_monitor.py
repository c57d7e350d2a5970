"""The SLA monitor: settles a ticket's verdicts after each of its events, and sweeps for clocks
whose due time passes with nothing recorded, so a lapse is recorded at its due time.

Both write to the ledger's log through `settle_sla`, which records only what changed, so a
restart, a replay or the two racing on one ticket never records a verdict twice. The monitor's
tracking says how far it has read; a crash between a verdict and its tracking is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.ledger_base import Recorded
from domain.tickets import Ticket
from projections.batching import BatchProjection, Positioned
from projections.runner import ErrorHandler
from projections.sla_clocks import SlaClockView
from projections.timer import Timer

LOOKBACK = timedelta(minutes=10)
"""How far behind its last sweep the sweeper looks again, for clock rows the view wrote late."""
PAGE = 500


class Settler(Protocol):
    def settle_sla(self, ticket_id: UUID) -> Recorded | None: ...

    def clock(self) -> datetime: ...


class SlaMonitor(BatchProjection[TrackingRecorder]):
    """Settles every ticket a batch of events touches, once per batch."""

    name = "sla_monitor"
    topics = ()

    def __init__(self, tracking: TrackingRecorder, ledger: Settler) -> None:
        super().__init__(tracking)
        self.ledger = ledger

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        touched = dict.fromkeys(e.event.originator_id for e in events if isinstance(e.event, Ticket.Event))
        for ticket_id in touched:
            self.ledger.settle_sla(ticket_id)
        self.view.insert_tracking(tracking)


class SlaSweeper:
    """Every few seconds, settles the tickets whose running clocks fell due since the last sweep."""

    def __init__(
        self,
        ledger: Settler,
        clocks: SlaClockView,
        interval: float = 5.0,
        on_error: ErrorHandler | None = None,
    ) -> None:
        self.ledger = ledger
        self.clocks = clocks
        self.on_error = on_error
        self.swept_through: datetime | None = None
        self.settled: set[tuple[str, str, datetime]] = set()
        """(ticket, target, due time) of clocks settled after they fell due, while within the lookback."""
        self.timer = Timer("sla-sweeper", interval, self.sweep, self._failed, at_start=True)

    def sweep(self) -> int:
        """Settle every ticket with a running clock due by now; the number of tickets settled."""
        now = self.ledger.clock()
        since = None if self.swept_through is None else self.swept_through - LOOKBACK
        lapsed: dict[str, list[tuple[str, str, datetime]]] = {}
        after = None if since is None else (since, "", "")
        while page := self.clocks.due_before(now, PAGE, after=after):
            for row in page:
                assert row.due_at is not None
                key = (row.ticket_id, row.target, row.due_at)
                if key not in self.settled:
                    lapsed.setdefault(row.ticket_id, []).append(key)
            last = page[-1]
            assert last.due_at is not None
            after = (last.due_at, last.ticket_id, last.target)
        for ticket_id, keys in sorted(lapsed.items()):
            self.ledger.settle_sla(UUID(ticket_id))
            self.settled.update(keys)
        self.swept_through = now
        self.settled = {key for key in self.settled if key[2] > now - LOOKBACK}
        return len(lapsed)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _failed(self, error: BaseException) -> None:
        if self.on_error is not None:
            self.on_error("sla_sweeper", error)
