"""Configuration from the environment: tokens, flags and numbers are checked on start."""

from __future__ import annotations

import pytest

from api.settings import Settings, SettingsError, parse_tokens
from domain.actors import Actor, Role


def test_tokens_name_an_actor_and_a_role_people_hold() -> None:
    tokens = parse_tokens("t-1=mgr-chen:manager, t-2=agent-zhou:hotline_agent")
    assert tokens == {"t-1": Actor("mgr-chen", Role.MANAGER), "t-2": Actor("agent-zhou", Role.HOTLINE_AGENT)}


@pytest.mark.parametrize("entry", ["t=sla-monitor:system", "t=someone:wizard", "t=:manager", "=mgr:manager"])
def test_a_token_for_the_ledgers_own_role_or_a_malformed_one_is_refused(entry: str) -> None:
    with pytest.raises(SettingsError, match="LEDGER_TOKENS entry"):
        parse_tokens(entry)


def test_the_demo_offers_no_token_for_the_system_role() -> None:
    settings = Settings.from_env({"LEDGER_DEMO": "1", "PERSISTENCE_MODULE": "eventsourcing.popo"})
    assert Role.SYSTEM not in {actor.role for actor in settings.tokens.values()}
    assert len(settings.tokens) == len(Role) - 1


def test_a_malformed_number_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="LEDGER_PORT"):
        Settings.from_env({"LEDGER_PORT": "eighty", "PERSISTENCE_MODULE": "eventsourcing.popo"})
