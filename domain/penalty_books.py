"""Penalty rule books that stand alone (a warehouse's or a service department's internal rules),
as versioned documents under the same control as contracts: drafted, reviewed, approved with an
effective time, revised. A book's code names it; an index lists every book, so the processor can
find the versions in force for any cause."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor
from domain.document_control import (
    DocumentVersion,
    VersionStatus,
    check_approval,
    check_review,
    check_revision,
    open_version,
    version_in_force,
)
from domain.errors import NotFound, RuleViolation
from domain.ticket_terms import require_code, require_text

BOOKS = uuid5(NAMESPACE_URL, "urn:service-ledger:penalty-book")
BOOK_INDEX_ID = uuid5(BOOKS, "index")


def book_id_for(code: str) -> UUID:
    return uuid5(BOOKS, code)


class PenaltyBookNotFound(NotFound):
    code = "penalty-book-not-found"
    id_field = "code"


class PenaltyBookRuleViolation(RuleViolation):
    """The rule book's document-control chain refuses the step."""

    code = "penalty-book-rule-violation"


class PenaltyBook(Aggregate):
    """A rule book's versions: each a checked schedule document (see `penalty_schedules`)."""

    class Drafted(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        code: str
        name: str
        document: dict[str, Any]

    class Reviewed(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        version: int
        note: str

    class Approved(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        version: int
        effective_from: datetime

    class Revised(Aggregate.Event):
        occurred_at: datetime
        actor: Actor
        document: dict[str, Any]
        reason: str
        retroactive: bool

    @event(Drafted)
    def __init__(
        self, occurred_at: datetime, actor: Actor, code: str, name: str, document: dict[str, Any]
    ) -> None:
        self.code = code
        self.name = name
        self.versions = [DocumentVersion(1, document, actor.id)]

    @classmethod
    def draft(
        cls, code: str, name: str, document: dict[str, Any], actor: Actor, now: datetime
    ) -> PenaltyBook:
        """Draft a book's first version from a checked schedule document."""
        code = require_code("code", code)
        return cls._create(
            cls.Drafted,
            id=book_id_for(code),
            occurred_at=now,
            actor=actor,
            code=code,
            name=require_text("name", name),
            document=document,
        )

    @property
    def latest(self) -> DocumentVersion:
        return self.versions[-1]

    def review(self, version: int, note: str, actor: Actor, now: datetime) -> None:
        check_review(self._open(version, VersionStatus.DRAFTED), actor, PenaltyBookRuleViolation)
        self._reviewed(occurred_at=now, actor=actor, version=version, note=require_text("note", note))

    @event(Reviewed)
    def _reviewed(self, occurred_at: datetime, actor: Actor, version: int, note: str) -> None:
        self.versions[-1] = replace(self.latest, status=VersionStatus.REVIEWED)

    def approve(self, version: int, effective_from: datetime, actor: Actor, now: datetime) -> None:
        check_approval(
            self._open(version, VersionStatus.REVIEWED), effective_from, actor, now, PenaltyBookRuleViolation
        )
        self._approved(occurred_at=now, actor=actor, version=version, effective_from=effective_from)

    @event(Approved)
    def _approved(self, occurred_at: datetime, actor: Actor, version: int, effective_from: datetime) -> None:
        self.versions[-1] = replace(self.latest, status=VersionStatus.APPROVED, effective_from=effective_from)

    def revise(
        self, document: dict[str, Any], reason: str, retroactive: bool, actor: Actor, now: datetime
    ) -> None:
        check_revision(self.latest, PenaltyBookRuleViolation)
        self._revised(
            occurred_at=now,
            actor=actor,
            document=document,
            reason=require_text("reason", reason),
            retroactive=retroactive,
        )

    @event(Revised)
    def _revised(
        self, occurred_at: datetime, actor: Actor, document: dict[str, Any], reason: str, retroactive: bool
    ) -> None:
        self.versions.append(
            DocumentVersion(len(self.versions) + 1, document, actor.id, retroactive=retroactive)
        )

    def version_in_force(self, at: datetime) -> DocumentVersion | None:
        return version_in_force(self.versions, at)

    def _open(self, number: int, status: VersionStatus) -> DocumentVersion:
        return open_version(self.versions, number, status, PenaltyBookRuleViolation)


class PenaltyBookIndex(Aggregate):
    """Every rule book's code, in the order they were drafted."""

    class Started(Aggregate.Created):
        pass

    class Listed(Aggregate.Event):
        code: str

    @event(Started)
    def __init__(self) -> None:
        self.codes: list[str] = []

    @classmethod
    def start(cls) -> PenaltyBookIndex:
        return cls._create(cls.Started, id=BOOK_INDEX_ID)

    def list_book(self, code: str) -> None:
        if code in self.codes:
            raise PenaltyBookRuleViolation(f"rule book {code!r} exists; revise it instead", field="code")
        self._listed(code=code)

    @event(Listed)
    def _listed(self, code: str) -> None:
        self.codes.append(code)


class PenaltyTally(Aggregate):
    """How many penalties one rule has assessed against one party in one period: what an
    escalating rule's tier is counted from. Saved with each penalty it counts, so two assessments
    racing for the same tier cannot both have it."""

    class Started(Aggregate.Created):
        key: str

    class Counted(Aggregate.Event):
        penalty_id: UUID

    @event(Started)
    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0

    @classmethod
    def start(cls, key: str) -> PenaltyTally:
        return cls._create(cls.Started, id=uuid5(BOOKS, f"tally|{key}"), key=key)

    @event(Counted)
    def count_penalty(self, penalty_id: UUID) -> None:
        self.count += 1
