"""The composition root: create_app(settings) builds the whole service."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import structlog
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.pydantic import PydanticPlugin

from api.auth import bearer_tokens
from api.calendar_routes import CalendarController
from api.claim_routes import ClaimController
from api.contract_routes import ContractController
from api.errors import EXCEPTION_HANDLERS
from api.health import health
from api.kpi_routes import download_kpis, query_kpis
from api.reconciliation_routes import RECONCILIATION_ROUTES
from api.request_log import RequestLog, configure_logging
from api.services import Services
from api.settings import Settings
from api.sla_routes import clocks_at_risk, ticket_sla
from api.statement_routes import import_statement
from api.ticket_commands import TicketController
from domain.ledger import ServiceLedger
from projections.read_side import ReadSide

log = structlog.get_logger("ledger.runner")


def runner_failed(view: str, error: BaseException) -> None:
    log.error("view runner failed; retrying", view=view, error=repr(error))


def create_app(settings: Settings, ledger: ServiceLedger | None = None) -> Litestar:
    """The Litestar app over a ledger (built from the settings unless given) and its read side."""
    configure_logging(settings.log_format)
    owns_ledger = ledger is None
    ledger = ledger or ServiceLedger(env=settings.store_env)
    read_side = ReadSide(
        ledger,
        on_error=runner_failed,
        batch_size=settings.view_batch_size,
        sweep_seconds=settings.monitor_sweep_seconds,
    )
    services = Services(ledger=ledger, read_side=read_side, settings=settings)

    def start() -> None:
        if settings.run_projections:
            read_side.start()

    def stop() -> None:
        read_side.stop()
        if owns_ledger:
            services.ledger.close()

    app = Litestar(
        plugins=[PydanticPlugin(prefer_alias=True)],
        route_handlers=[
            TicketController,
            ContractController,
            CalendarController,
            ClaimController,
            import_statement,
            ticket_sla,
            clocks_at_risk,
            query_kpis,
            download_kpis,
            *RECONCILIATION_ROUTES,
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
    app.asgi_handler = RequestLog(app.asgi_handler)
    return app


def _version() -> str:
    try:
        return version("service-ledger")
    except PackageNotFoundError:
        return "0.0.0"
