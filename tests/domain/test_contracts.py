"""ServiceContract: draft, review, approval effective from a stated time, revision, termination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.application import project_aggregate

from domain.actors import Actor, Role
from domain.contracts import ContractRuleViolation, ServiceContract
from domain.document_control import VersionStatus
from domain.errors import InvalidValue

AUTHOR = Actor("mgr-chen", Role.MANAGER)
REVIEWER = Actor("eng-li", Role.ENGINEER)
APPROVER = Actor("mgr-zhao", Role.MANAGER)
T10 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TERMS_V1: dict[str, Any] = {"targets": {"response": {"durations": {"general": "10m"}}}}
TERMS_V2: dict[str, Any] = {"targets": {"response": {"durations": {"general": "5m"}}}}


def approved_contract(effective_from: datetime = T10) -> ServiceContract:
    contract = ServiceContract.draft(
        uuid4(), "huaxin-bank", "Huaxin 7x24", TERMS_V1, AUTHOR, T10 - timedelta(days=2)
    )
    contract.review(1, "Matches the signed annex", REVIEWER, T10 - timedelta(days=1))
    contract.approve(1, effective_from, APPROVER, T10 - timedelta(hours=1))
    return contract


def revised(contract: ServiceContract, *, retroactive: bool = False, at: datetime = T10) -> ServiceContract:
    contract.revise(TERMS_V2, "Faster answer for general faults", retroactive, AUTHOR, at)
    contract.review(2, "Checked", REVIEWER, at)
    return contract


def test_an_approved_version_governs_from_its_effective_time() -> None:
    contract = approved_contract()
    assert contract.version_in_force(T10 - timedelta(minutes=1)) is None
    version = contract.version_in_force(T10)
    assert version is not None
    assert (version.number, version.status, version.document) == (1, VersionStatus.APPROVED, TERMS_V1)


def test_a_revision_governs_only_tickets_opened_after_it_takes_effect() -> None:
    contract = revised(approved_contract())
    contract.approve(2, T10 + timedelta(hours=2), APPROVER, T10)
    eleven, twelve_oh_one = T10 + timedelta(hours=1), T10 + timedelta(hours=2, minutes=1)
    assert [contract.version_in_force(t).number for t in (eleven, twelve_oh_one)] == [1, 2]  # type: ignore[union-attr]


def test_a_version_does_not_govern_before_it_is_approved() -> None:
    contract = revised(approved_contract())
    assert contract.version_in_force(T10 + timedelta(days=30)).number == 1  # type: ignore[union-attr]


def test_only_a_retroactive_revision_may_take_effect_before_its_approval() -> None:
    contract = revised(approved_contract())
    with pytest.raises(ContractRuleViolation, match="retroactive"):
        contract.approve(2, T10 - timedelta(hours=1), APPROVER, T10)
    retro = revised(approved_contract(), retroactive=True)
    retro.approve(2, T10 - timedelta(minutes=30), APPROVER, T10)
    assert retro.latest.retroactive
    assert retro.version_in_force(T10 - timedelta(minutes=10)).number == 2  # type: ignore[union-attr]


def test_the_author_cannot_review_their_own_version() -> None:
    contract = ServiceContract.draft(uuid4(), "acme", "Acme", TERMS_V1, AUTHOR, T10)
    with pytest.raises(ContractRuleViolation, match="cannot review"):
        contract.review(1, "ok", AUTHOR, T10)


@pytest.mark.parametrize(("approver", "reason"), [(REVIEWER, "only a manager"), (AUTHOR, "cannot approve")])
def test_approval_needs_a_manager_other_than_the_author(approver: Actor, reason: str) -> None:
    contract = ServiceContract.draft(uuid4(), "acme", "Acme", TERMS_V1, AUTHOR, T10)
    contract.review(1, "ok", REVIEWER, T10)
    with pytest.raises(ContractRuleViolation, match=reason):
        contract.approve(1, T10, approver, T10)


def test_no_step_is_skipped() -> None:
    contract = ServiceContract.draft(uuid4(), "acme", "Acme", TERMS_V1, AUTHOR, T10)
    with pytest.raises(ContractRuleViolation, match="not the reviewed version"):
        contract.approve(1, T10, APPROVER, T10)
    with pytest.raises(ContractRuleViolation, match="finish it first"):
        contract.revise(TERMS_V2, "too soon", False, AUTHOR, T10)
    with pytest.raises(ContractRuleViolation, match="not the drafted version"):
        contract.review(2, "no such version", REVIEWER, T10)


def test_termination_ends_the_terms_and_further_revision() -> None:
    contract = approved_contract()
    with pytest.raises(ContractRuleViolation, match="manager"):
        contract.terminate(T10 + timedelta(days=30), "Contract ended", REVIEWER, T10)
    contract.terminate(T10 + timedelta(days=30), "Contract ended", APPROVER, T10)
    assert contract.version_in_force(T10 + timedelta(days=29)) is not None
    assert contract.version_in_force(T10 + timedelta(days=30)) is None
    with pytest.raises(ContractRuleViolation, match="terminated"):
        contract.revise(TERMS_V2, "late", False, AUTHOR, T10)


def test_naive_effective_times_and_bad_codes_are_refused() -> None:
    contract = ServiceContract.draft(uuid4(), "acme", "Acme", TERMS_V1, AUTHOR, T10)
    contract.review(1, "ok", REVIEWER, T10)
    with pytest.raises(InvalidValue):
        contract.approve(1, datetime(2026, 11, 2, 12, 0), APPROVER, T10)
    with pytest.raises(InvalidValue):
        ServiceContract.draft(uuid4(), "Not A Code", "x", TERMS_V1, AUTHOR, T10)


def test_replaying_the_events_rebuilds_the_same_versions() -> None:
    contract = revised(approved_contract())
    contract.approve(2, T10 + timedelta(hours=2), APPROVER, T10)
    events = contract.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Drafted",
        "Reviewed",
        "Approved",
        "Revised",
        "Reviewed",
        "Approved",
    ]
    copy = project_aggregate(None, events)
    assert copy is not None
    assert copy.versions == contract.versions


def test_a_first_version_may_take_effect_from_a_past_date() -> None:
    contract = approved_contract(effective_from=T10 - timedelta(days=90))
    assert contract.version_in_force(T10 - timedelta(days=60)).number == 1  # type: ignore[union-attr]
