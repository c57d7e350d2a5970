"""The ledger command over a real SQLite store: migrate, demo, rebuild, rewrap-keys."""

from __future__ import annotations

import base64
from pathlib import Path

from click.testing import CliRunner

from api.app import open_ledger
from api.cli import main
from api.settings import Settings
from domain.ledger import ServiceLedger
from projections.read_side import ReadSide
from projections.recorders import sqlite_env

MIGRATIONS = Path(__file__).parents[2] / "migrations" / "sqlite"


def run(sqlite_path: str, *args: str) -> tuple[int, str]:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": sqlite_path}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_migrate_twice_applies_once(sqlite_path: str) -> None:
    every = ", ".join(p.stem for p in sorted(MIGRATIONS.glob("*.sql")))
    assert every.startswith("0001_ticket_board, 0002_ticket_history, 0003_sla_clocks, ")
    assert run(sqlite_path, "migrate") == (0, f"sqlite: applied {every}\n")
    assert run(sqlite_path, "migrate") == (0, "sqlite: applied nothing; already up to date\n")


def test_demo_fills_an_empty_ledger_once(sqlite_path: str) -> None:
    run(sqlite_path, "migrate")
    code, output = run(sqlite_path, "demo", "--tickets", "40")
    assert code == 0
    assert output.startswith("demo: 40 tickets, ")
    code, output = run(sqlite_path, "demo")
    assert code == 1
    assert "already holds events" in output


def test_rebuild_replays_the_log_into_the_named_view(sqlite_path: str) -> None:
    run(sqlite_path, "migrate")
    run(sqlite_path, "demo", "--tickets", "30")
    ledger = ServiceLedger(env=sqlite_env(sqlite_path))
    try:
        read_side = ReadSide(ledger)
        last = read_side.catch_up()["ticket_board"]
        live = read_side.board.all_rows()
        assert run(sqlite_path, "rebuild", "ticket_board") == (
            0,
            f"ticket_board: rebuilt up to log position {last}\n",
        )
        assert read_side.board.all_rows() == live
        assert len(live) == 30 + 1  # and the ticket whose late arrival the demo corrects
    finally:
        ledger.close()


def test_rebuild_of_an_unknown_view_names_the_known_ones(sqlite_path: str) -> None:
    run(sqlite_path, "migrate")
    code, output = run(sqlite_path, "rebuild", "board")
    assert code == 2
    assert "ticket_board, ticket_history" in output


def test_rewrap_keys_wraps_every_customer_key_under_the_new_key(sqlite_path: str) -> None:
    old, new = (base64.b64encode(bytes(range(n, n + 32))).decode() for n in (0, 32))
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": sqlite_path}
    run(sqlite_path, "migrate")
    ledger = open_ledger(Settings.from_env({**env, "LEDGER_PERSONAL_DATA_KEY": old}))
    sealed = ledger.personal_data.seal("huaxin-bank", "Lin")
    ledger.close()

    missing = CliRunner().invoke(main, ["rewrap-keys"], env={**env, "LEDGER_PERSONAL_DATA_KEY": old})
    short = CliRunner().invoke(
        main,
        ["rewrap-keys"],
        env={**env, "LEDGER_PERSONAL_DATA_KEY": old, "LEDGER_NEW_PERSONAL_DATA_KEY": "AAAA"},
    )
    done = CliRunner().invoke(
        main,
        ["rewrap-keys"],
        env={**env, "LEDGER_PERSONAL_DATA_KEY": old, "LEDGER_NEW_PERSONAL_DATA_KEY": new},
    )

    assert (missing.exit_code, short.exit_code, done.exit_code) == (1, 1, 0)
    assert "set LEDGER_NEW_PERSONAL_DATA_KEY" in missing.output
    assert "LEDGER_NEW_PERSONAL_DATA_KEY must be 32 bytes" in short.output
    assert done.output.startswith("1 customer keys wrapped under the new key")
    reopened = open_ledger(Settings.from_env({**env, "LEDGER_PERSONAL_DATA_KEY": new}))
    assert reopened.personal_data.reveal(sealed) == "Lin"
    reopened.close()
