"""The ledger's penalty rule books, and the schedule versions in force for a cause: its
contract's own schedule, if the contract version in force has one, and every rule book's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import PersistenceError

from domain.actors import Actor
from domain.contracts import ServiceContract
from domain.errors import StorageUnavailable
from domain.ledger_base import Clock, Recorded, utc_now
from domain.penalties import ScheduleRef
from domain.penalty_books import (
    BOOK_INDEX_ID,
    PenaltyBook,
    PenaltyBookIndex,
    PenaltyBookNotFound,
    book_id_for,
)
from domain.penalty_schedules import Schedule, schedule_from_table
from domain.verdict_commands import VerdictCommands

P = TypeVar("P", bound=Aggregate)


@dataclass(frozen=True)
class InForce:
    """A schedule version in force: which it is, and its rules."""

    ref: ScheduleRef
    schedule: Schedule


class PenaltyBookCommands(VerdictCommands):
    """Rule books under document control, and which schedules govern a cause."""

    def __init__(self, env: dict[str, str] | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env, clock)
        self._parsed_books: dict[tuple[UUID, int], Schedule] = {}
        self._policies: dict[UUID, Aggregate] = {}
        self._policy_lock = Lock()
        """Moving a kept aggregate on changes it in place: one thread at a time."""

    def draft_penalty_book(self, code: str, name: str, document: Mapping[str, Any], actor: Actor) -> Recorded:
        """Draft a rule book's first version from a schedule document, checked whole."""
        schedule_from_table(document, f"rule book {code}")
        index = self._find(BOOK_INDEX_ID, PenaltyBookIndex) or PenaltyBookIndex.start()
        book = PenaltyBook.draft(code, name, dict(document), actor, self.clock())
        index.list_book(book.code)
        return self._save(book, index)

    def review_penalty_book(self, code: str, version: int, note: str, actor: Actor) -> Recorded:
        book = self.get_penalty_book(code)
        book.review(version, note, actor, self.clock())
        return self._save(book)

    def approve_penalty_book(
        self, code: str, version: int, effective_from: datetime, actor: Actor
    ) -> Recorded:
        book = self.get_penalty_book(code)
        book.approve(version, effective_from, actor, self.clock())
        return self._save(book)

    def revise_penalty_book(
        self, code: str, document: Mapping[str, Any], reason: str, retroactive: bool, actor: Actor
    ) -> Recorded:
        schedule_from_table(document, f"rule book {code}")
        book = self.get_penalty_book(code)
        book.revise(dict(document), reason, retroactive, actor, self.clock())
        return self._save(book)

    def get_penalty_book(self, code: str) -> PenaltyBook:
        return self._load(book_id_for(code), PenaltyBook, PenaltyBookNotFound)

    def penalty_books(self) -> list[PenaltyBook]:
        index = self._policy(BOOK_INDEX_ID, PenaltyBookIndex)
        books = (
            [] if index is None else [self._policy(book_id_for(code), PenaltyBook) for code in index.codes]
        )
        return [book for book in books if book is not None]

    def _policy(self, aggregate_id: UUID, kind: type[P]) -> P | None:
        """A policy aggregate (a contract, a rule book, the book index) as its events now make it.

        Policy is read for every cause and seldom changes, so each is kept here, privately (never
        handed to a command), and moved on by whatever events were recorded since it was read."""
        with self._policy_lock:
            return self._moved_on(aggregate_id, kind)

    def _moved_on(self, aggregate_id: UUID, kind: type[P]) -> P | None:
        held = self._policies.get(aggregate_id)
        try:
            recorded: Iterable[Any] = self.repository.event_store.get(
                aggregate_id, gt=None if held is None else held.version
            )
            aggregate = held
            for event in recorded:
                aggregate = event.mutate(aggregate)
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error
        if not isinstance(aggregate, kind):
            return None
        self._policies[aggregate_id] = aggregate
        return aggregate

    def book_schedule(self, book: PenaltyBook, version: int) -> Schedule:
        """A book version's schedule, parsed once: an approved version never changes."""
        key = (book.id, version)
        if key not in self._parsed_books:
            document = book.versions[version - 1].document
            self._parsed_books[key] = schedule_from_table(document, f"rule book {book.code}")
        return self._parsed_books[key]

    def schedules_in_force(self, at: datetime, contract_id: UUID | None = None) -> list[InForce]:
        """The schedule versions governing a cause that occurred at `at`: the contract's own (where
        the cause belongs to a contract and its version then has one), then each rule book's."""
        found: list[InForce] = []
        contract = None if contract_id is None else self._policy(contract_id, ServiceContract)
        in_force = None if contract is None else contract.version_in_force(at)
        if contract is not None and in_force is not None:
            schedule = self._pack(contract.id, in_force.number).penalties
            if schedule is not None:
                found.append(
                    InForce(ScheduleRef("contract", contract.id, in_force.number, contract.name), schedule)
                )
        for book in self.penalty_books():
            version = book.version_in_force(at)
            if version is not None:
                ref = ScheduleRef("book", book.id, version.number, book.code)
                found.append(InForce(ref, self.book_schedule(book, version.number)))
        return found
