"""The read side of one ledger: its views on the ledger's own database, and their runners."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory

from domain.ledger import ServiceLedger
from projections.asset_register import AssetProjection, AssetView
from projections.asset_register_memory import MemoryAssetView
from projections.asset_register_sql import SqlAssetView
from projections.batching import BatchProjection
from projections.chain_sealer import ChainSealer, SealerRunner, chain_store
from projections.claim_ledger import ClaimLedgerProjection, ClaimLedgerView
from projections.claim_ledger_memory import MemoryClaimLedgerView
from projections.claim_ledger_sql import SqlClaimLedgerView
from projections.customer_directory import CustomerDirectoryProjection, CustomerDirectoryView
from projections.customer_directory_stores import MemoryCustomerDirectory, SqlCustomerDirectory
from projections.kpi_stores import MemoryKpiView, SqlKpiView
from projections.kpis import KpiProjection, KpiView
from projections.penalty_assessor import PenaltyAssessor
from projections.penalty_ledger import PenaltyLedgerProjection, PenaltyLedgerView
from projections.penalty_ledger_memory import MemoryPenaltyLedgerView
from projections.penalty_ledger_sql import SqlPenaltyLedgerView
from projections.runner import ErrorHandler, ViewRunner, wait_for
from projections.sla_clock_stores import MemorySlaClockView, SqlSlaClockView
from projections.sla_clocks import SlaClockProjection, SlaClockView
from projections.sla_monitor import SlaMonitor, SlaSweeper
from projections.sql import Dialect, SqlView
from projections.stock_levels import StockProjection, StockView
from projections.stock_levels_memory import MemoryStockView
from projections.stock_levels_sql import SqlStockView
from projections.ticket_board import TicketBoardProjection, TicketBoardView
from projections.ticket_board_stores import MemoryTicketBoardView, SqlTicketBoardView
from projections.ticket_history import TicketHistoryProjection, TicketHistoryView
from projections.ticket_history_stores import MemoryTicketHistoryView, SqlTicketHistoryView


class UnknownView(LookupError):
    """No view has that name."""


def dialect_for(ledger: Application[Any]) -> Dialect | None:
    """The SQL dialect of the ledger's store, or None for the in-memory store."""
    factory = ledger.factory
    if isinstance(factory, SQLiteFactory):
        return Dialect("sqlite", factory.datastore)
    if isinstance(factory, PostgresFactory):
        return Dialect("postgres", factory.datastore)
    return None


class ReadSide:
    """The ledger's views, kept in the ledger's own database, and a runner for each."""

    def __init__(
        self,
        ledger: ServiceLedger,
        on_error: ErrorHandler | None = None,
        batch_size: int = 10_000,
        sweep_seconds: float | None = None,
    ) -> None:
        """`sweep_seconds` switches the SLA monitor on, sweeping for lapsed clocks that often."""
        self.ledger = ledger
        dialect = dialect_for(ledger)
        self.board: TicketBoardView = SqlTicketBoardView(dialect) if dialect else MemoryTicketBoardView()
        self.history: TicketHistoryView = (
            SqlTicketHistoryView(dialect) if dialect else MemoryTicketHistoryView()
        )
        self.clocks: SlaClockView = SqlSlaClockView(dialect) if dialect else MemorySlaClockView()
        self.kpis: KpiView = SqlKpiView(dialect) if dialect else MemoryKpiView()
        self.claims: ClaimLedgerView = SqlClaimLedgerView(dialect) if dialect else MemoryClaimLedgerView()
        self.stock: StockView = SqlStockView(dialect) if dialect else MemoryStockView()
        self.assets: AssetView = SqlAssetView(dialect) if dialect else MemoryAssetView()
        self.penalties: PenaltyLedgerView = (
            SqlPenaltyLedgerView(dialect) if dialect else MemoryPenaltyLedgerView()
        )
        self.customers: CustomerDirectoryView = (
            SqlCustomerDirectory(dialect) if dialect else MemoryCustomerDirectory()
        )
        projections: list[BatchProjection[Any]] = [
            TicketBoardProjection(self.board),
            TicketHistoryProjection(self.history),
            SlaClockProjection(self.clocks, ledger),
            KpiProjection(self.kpis, ledger),
            ClaimLedgerProjection(self.claims, ledger),
            StockProjection(self.stock, ledger),
            AssetProjection(self.assets, ledger),
            PenaltyLedgerProjection(self.penalties, ledger),
            CustomerDirectoryProjection(self.customers),
        ]
        self.runners = {
            p.name: ViewRunner(ledger, p, batch_size=batch_size, on_error=on_error) for p in projections
        }
        self.chain = chain_store(dialect)
        self.sealer = SealerRunner(ledger, ChainSealer(self.chain), batch_size=batch_size, on_error=on_error)
        """Seals the log into the hash chain; it always runs, and is no view (never rebuilt)."""
        self.monitor: ViewRunner | None = None
        self.assessor: ViewRunner | None = None
        """The SLA monitor and the penalty assessor write to the log; they run with the sweeper."""
        self.sweeper: SlaSweeper | None = None
        if sweep_seconds is not None:
            monitor = SlaMonitor(
                SqlView(dialect, "sla_monitor") if dialect else POPOTrackingRecorder(), ledger
            )
            tracking = SqlView(dialect, "penalty_assessor") if dialect else POPOTrackingRecorder()
            self.monitor = ViewRunner(ledger, monitor, batch_size=batch_size, on_error=on_error)
            self.assessor = ViewRunner(
                ledger, PenaltyAssessor(tracking, ledger), batch_size=batch_size, on_error=on_error
            )
            self.sweeper = SlaSweeper(ledger, self.clocks, sweep_seconds, on_error)

    def start(self) -> None:
        for runner in self.followers():
            runner.start()
        if self.sweeper is not None:
            self.sweeper.start()

    def stop(self) -> None:
        if self.sweeper is not None:
            self.sweeper.stop()
        for runner in self.followers():
            runner.signal_stop()
        for runner in self.followers():
            runner.join()

    def followers(self) -> list[ViewRunner]:
        """Every runner that follows the log: the views', the chain sealer's, and the processors'
        when they are on."""
        processors = [runner for runner in (self.monitor, self.assessor) if runner is not None]
        return [*self.runners.values(), self.sealer, *processors]

    def catch_up(self) -> dict[str, int]:
        """Bring every view up to the end of the log now; the position each reached."""
        return {name: runner.catch_up() for name, runner in self.runners.items()}

    def runner(self, name: str) -> ViewRunner:
        try:
            return self.runners[name]
        except KeyError:
            raise UnknownView(f"no view {name!r}; views are {', '.join(self.runners)}") from None

    def rebuild(self, name: str) -> int:
        """Empty one view and replay the whole log into it; the position it reached."""
        runner = self.runner(name)
        with runner.lock:
            runner.projection.view.truncate()
        return runner.catch_up()

    def wait(self, position: int, timeout: float) -> bool:
        """Whether every view, and the chain sealer, has taken in `position` within `timeout` seconds."""
        return wait_for([*self.runners.values(), self.sealer], position, timeout)
