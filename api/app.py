"""The composition root: create_app(settings) builds the whole service."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import structlog
from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.pydantic import PydanticPlugin

from api.access_log import AccessLog
from api.access_log_routes import list_access_log
from api.asset_read_routes import ASSET_READ_ROUTES
from api.asset_routes import AssetController
from api.audit_checkpoint_routes import AuditTrail
from api.audit_routes import chain_head
from api.auth import bearer_tokens
from api.calendar_routes import CalendarController
from api.claim_routes import ClaimController
from api.contract_routes import ContractController
from api.customer_routes import CustomerController
from api.errors import EXCEPTION_HANDLERS
from api.health import health
from api.kpi_routes import download_kpis, query_kpis
from api.old_part_routes import OldPartController
from api.opening_balance_routes import OPENING_BALANCE_ROUTES
from api.parts_read_routes import STOCK_READ_ROUTES
from api.penalty_book_routes import PENALTY_BOOK_ROUTES
from api.penalty_read_routes import PENALTY_READ_ROUTES
from api.penalty_routes import PENALTY_COMMAND_ROUTES
from api.reconciliation_routes import RECONCILIATION_ROUTES
from api.request_log import RequestLog, configure_logging
from api.services import Services
from api.settings import Settings
from api.sla_routes import clocks_at_risk, ticket_sla
from api.statement_routes import import_statement
from api.stock_routes import StockController
from api.ticket_commands import TicketController
from api.timeline_routes import TIMELINE_ROUTES
from api.transfer_routes import TransferController
from domain.ledger import ServiceLedger
from projections.customer_keys import personal_data_for
from projections.read_side import ReadSide

log = structlog.get_logger("ledger.runner")


def open_ledger(settings: Settings) -> ServiceLedger:
    """The ledger on the configured store, sealing personal data with keys kept in its database."""
    ledger = ServiceLedger(env=settings.store_env)
    ledger.personal_data = personal_data_for(ledger, settings.personal_data_key)
    return ledger


def runner_failed(view: str, error: BaseException) -> None:
    log.error("view runner failed; retrying", view=view, error=repr(error))


def create_app(settings: Settings, ledger: ServiceLedger | None = None) -> Litestar:
    """The Litestar app over a ledger (built from the settings unless given) and its read side."""
    configure_logging(settings.log_format)
    owns_ledger = ledger is None
    ledger = ledger or open_ledger(settings)
    read_side = ReadSide(
        ledger,
        on_error=runner_failed,
        batch_size=settings.view_batch_size,
        sweep_seconds=settings.monitor_sweep_seconds,
    )
    services = Services(ledger=ledger, read_side=read_side, settings=settings)
    audit = AuditTrail(ledger, read_side, settings)

    def start() -> None:
        if settings.run_projections:
            read_side.start()
        audit.start()

    def stop() -> None:
        audit.stop()
        read_side.stop()
        if owns_ledger:
            services.ledger.close()

    # One registration for everything under /assets: Litestar 2.25 registers a handler again each
    # time another top-level item adds a handler to its path, and wraps a sync handler in a thread
    # twice (POST /assets then answers a coroutine, a 500).
    assets = Router(path="/", route_handlers=[AssetController, *ASSET_READ_ROUTES])
    # The same for /penalties and /penalty-books, which both commands and reads share.
    penalties = Router(
        path="/",
        route_handlers=[*PENALTY_COMMAND_ROUTES, *PENALTY_BOOK_ROUTES, *PENALTY_READ_ROUTES],
        tags=["penalties"],
    )
    imports = Router(
        path="/",
        route_handlers=[import_statement, *OPENING_BALANCE_ROUTES],
        request_max_body_size=settings.max_import_bytes,
    )
    app = Litestar(
        plugins=[PydanticPlugin(prefer_alias=True)],
        route_handlers=[
            TicketController,
            ContractController,
            CustomerController,
            CalendarController,
            ClaimController,
            StockController,
            TransferController,
            assets,
            OldPartController,
            imports,
            penalties,
            ticket_sla,
            clocks_at_risk,
            query_kpis,
            download_kpis,
            *RECONCILIATION_ROUTES,
            *STOCK_READ_ROUTES,
            *TIMELINE_ROUTES,
            audit.router(),
            chain_head,
            list_access_log,
            health,
        ],
        dependencies={"services": Provide(lambda: services, sync_to_thread=False, use_cache=True)},
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[bearer_tokens(settings.tokens)],
        on_startup=[start],
        on_shutdown=[stop],
        openapi_config=OpenAPIConfig(
            title="Service Ledger",
            version=_version(),
            description="Tickets as immutable events: commands record them, queries read the views.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,
    )
    # Around Litestar's whole handler, so that unrouted requests and errors are logged too.
    # Inside the request log: a watched read is recorded before its answer is sent.
    app.asgi_handler = RequestLog(AccessLog(app.asgi_handler, ledger))
    return app


def _version() -> str:
    try:
        return version("service-ledger")
    except PackageNotFoundError:
        return "0.0.0"
