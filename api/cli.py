"""The `ledger` command: a thin shell over the functions the API uses."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import click
import uvicorn

from api.app import create_app, open_ledger
from api.demo import load_demo
from api.settings import Settings
from domain import bundle_verify
from domain.checkpoints import SigningKey
from domain.errors import InvalidValue, LedgerError
from domain.ledger import ServiceLedger
from domain.personal_data import KeyUnusable, wrapping_key
from migrations.runner import migrate as apply_migrations
from projections.bundle_export import Bundle
from projections.bundle_filters import KINDS, BundleRequest
from projections.chain_verify import verify_store
from projections.checkpoint_store import Chain
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
    ledger = open_ledger(config)
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
@click.option("--from", "start", type=click.IntRange(min=1), default=1, help="First log position to verify.")
@click.option("--to", "stop", type=click.IntRange(min=1), default=None, help="Last (default: the log's end).")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    help="At most this many at once: statements on PostgreSQL (default: one per CPU), processes "
    "elsewhere (default: half the CPUs).",
)
def verify(start: int, stop: int | None, processes: int | None) -> None:
    """Hash the stored events again and compare them with the sealed hash chain (exit 1 on a problem)."""
    if stop is not None and stop < start:
        raise click.BadParameter("must not be below --from", param_hint="--to")
    result = verify_store(settings().store_env, start, stop, processes)
    if result.problem is not None:
        click.echo(str(result.problem))
        click.echo(f"verified {result.verified} events before it, up to position {result.last.position}")
        raise click.exceptions.Exit(1)
    unsealed = f"; {result.unsealed} later events not yet sealed" if result.unsealed else ""
    click.echo(
        f"verified {result.verified} events up to position {result.last.position}, "
        f"head {result.last.link.hex()}{unsealed}"
    )


@main.command()
@click.option("--from", "start", required=True, help="Period start: recorded time, ISO 8601, zoned.")
@click.option("--to", "end", required=True, help="End of the period, not included.")
@click.option("--customer-id", default=None, help="Keep only this customer's aggregates.")
@click.option("--contract-id", type=click.UUID, default=None, help="Keep only this contract's aggregates.")
@click.option("--kind", type=click.Choice(list(KINDS)), default=None, help="Keep only one kind of aggregate.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Bundle file.")
def export(
    start: str, end: str, customer_id: str | None, contract_id: UUID | None, kind: str | None, out: Path
) -> None:
    """Write a signed regulator bundle of a period (a tar file) to OUT; check it with verify-bundle."""
    try:
        period = (_instant(start, "--from"), _instant(end, "--to"))
        request = BundleRequest(*period, customer_id, contract_id, kind)
    except InvalidValue as error:
        raise click.BadParameter(error.message, param_hint=f"--{error.field}") from None
    config = settings()
    key = SigningKey.from_setting(config.signing_key)
    if key.ephemeral:
        click.echo("No LEDGER_SIGNING_KEY: signing with an ephemeral key, lost when this ends.", err=True)
    ledger = open_ledger(config)
    partial = out.with_name(out.name + ".part")
    try:
        read_side = ReadSide(ledger)
        bundle = Bundle(ledger, read_side, Chain.of(ledger, read_side.chain), key, request, datetime.now(UTC))
        with click.progressbar(length=bundle.positions_to_read, label="Reading", file=sys.stderr) as bar:
            bundle.prepare(bar.update)
        with partial.open("wb") as file:
            for chunk in bundle.stream():
                file.write(chunk)
        partial.replace(out)
    except LedgerError as error:
        raise click.ClickException(error.message) from None
    finally:
        partial.unlink(missing_ok=True)
        ledger.close()
    manifest = json.loads(bundle.manifest)
    run = manifest["run"]
    span = f"positions {run['first_position']} to {run['last_position']}"
    click.echo(f"{out}: {manifest['events']} events of {span}")


@main.command("verify-bundle")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
def verify_bundle(bundle: Path, public_key: Path) -> None:
    """Check a bundle offline against the ledger's public key (PEM); exit 1 if it does not verify."""
    code = bundle_verify.main([str(bundle), "--public-key", str(public_key)])
    if code:
        raise click.exceptions.Exit(code)


def _instant(text: str, hint: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=hint) from None
    if instant.utcoffset() is None:
        raise click.BadParameter("must carry a time zone, such as Z or +08:00", param_hint=hint)
    return instant


@main.command("rewrap-keys")
def rewrap_keys() -> None:
    """Wrap every customer's key under LEDGER_NEW_PERSONAL_DATA_KEY, unwrapping it with
    LEDGER_PERSONAL_DATA_KEY (or none); all or nothing. Stop the service first, and start it again
    with the new key as LEDGER_PERSONAL_DATA_KEY."""
    config = settings()
    name = "LEDGER_NEW_PERSONAL_DATA_KEY"
    try:
        new = wrapping_key(os.environ.get(name, ""), name)
    except KeyUnusable as error:
        raise click.ClickException(str(error)) from None
    if new is None:
        raise click.ClickException(f"set {name} to the new wrapping key")
    ledger = open_ledger(config)
    try:
        count = ledger.personal_data.rewrap(new)
    except LedgerError as error:
        raise click.ClickException(error.message) from None
    finally:
        ledger.close()
    click.echo(f"{count} customer keys wrapped under the new key; set it as LEDGER_PERSONAL_DATA_KEY now")


@main.command()
@click.option("--tickets", type=click.IntRange(1, 100_000), default=300, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
def demo(tickets: int, seed: int) -> None:
    """Record a demo service history into an empty ledger."""
    ledger = open_ledger(settings())
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
