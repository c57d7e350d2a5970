"""The `ledger` command: a thin shell over the functions the API uses."""

from __future__ import annotations

import signal
import threading

import click
import uvicorn

from api.app import create_app
from api.demo import load_demo
from api.settings import Settings
from domain.ledger import ServiceLedger
from migrations.runner import migrate as apply_migrations
from projections.read_side import ReadSide, UnknownView


def settings() -> Settings:
    return Settings.from_env()


@click.group()
def main() -> None:
    """Service ledger: tickets as immutable events, with views and an API over them."""


@main.command()
def migrate() -> None:
    """Create or update every table of the configured store (safe to run twice)."""
    config = settings()
    applied = apply_migrations(config.store_env)
    click.echo(f"{config.store}: applied {', '.join(applied) if applied else 'nothing; already up to date'}")


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default LEDGER_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default LEDGER_PORT or 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the API, with the view runners in the same process."""
    config = settings()
    ledger = ServiceLedger(env=config.store_env)
    if config.demo:
        _offer_demo(ledger, config)
    app = create_app(config, ledger=ledger)
    try:
        uvicorn.run(
            app, host=host or config.host, port=port or config.port, log_config=None, access_log=False
        )
    finally:
        ledger.close()


@main.command()
def project() -> None:
    """Run the view runners until interrupted (for a service started with LEDGER_RUN_PROJECTIONS=0)."""
    config = settings()
    ledger = ServiceLedger(env=config.store_env)
    read_side = ReadSide(
        ledger,
        on_error=lambda view, error: click.echo(f"{view}: {error!r}", err=True),
        batch_size=config.view_batch_size,
        sweep_seconds=config.monitor_sweep_seconds,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    read_side.start()
    click.echo(f"following the log into {', '.join(r.name for r in read_side.followers())}; Ctrl-C stops")
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        read_side.stop()
        ledger.close()


@main.command()
@click.argument("name")
def rebuild(name: str) -> None:
    """Empty the view NAME and replay the whole log into it (stop other runners first)."""
    ledger = ServiceLedger(env=settings().store_env)
    try:
        position = ReadSide(ledger).rebuild(name)
    except UnknownView as error:
        raise click.BadParameter(str(error), param_hint="NAME") from None
    finally:
        ledger.close()
    click.echo(f"{name}: rebuilt up to log position {position}")


@main.command()
@click.option("--tickets", type=click.IntRange(1, 100_000), default=300, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
def demo(tickets: int, seed: int) -> None:
    """Record a demo service history into an empty ledger."""
    ledger = ServiceLedger(env=settings().store_env)
    try:
        if ledger.recorder.max_notification_id():
            raise click.ClickException("the ledger already holds events; the demo goes into an empty one")
        summary = load_demo(ledger, tickets=tickets, seed=seed)
    finally:
        ledger.close()
    click.echo(
        f"demo: {summary.tickets} tickets, {summary.claims} claims, {summary.stock_items} stock items, "
        f"{summary.assets} assets, {summary.events} events, "
        f"up to position {summary.last_position}"
    )


def _offer_demo(ledger: ServiceLedger, config: Settings) -> None:
    if not ledger.recorder.max_notification_id():
        summary = load_demo(ledger)
        click.echo(
            f"Loaded the demo ledger: {summary.tickets} tickets, {summary.claims} claims, "
            f"{summary.stock_items} stock items, {summary.assets} assets, {summary.events} events."
        )
    click.echo(f"Store: {config.store}. Demo bearer tokens (Authorization: Bearer <token>):")
    for token, actor in sorted(config.tokens.items(), key=lambda item: item[1].role.value):
        click.echo(f"  {actor.role.value:<14} {token}")
    click.echo(
        f"Try: curl -H 'Authorization: Bearer demo-manager' http://{config.host}:{config.port}/tickets"
    )
