"""The small tree of errors the ledger raises, each carrying the offending values."""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Something the ledger refused, with a stable code and the values behind it."""

    code = "ledger-error"

    def __init__(self, message: str, *, field: str | None = None, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.values = values


class NotFound(LedgerError):
    """The thing named does not exist in the ledger."""

    code = "not-found"
    id_field = "id"


class RuleViolation(LedgerError):
    """The command breaks a rule of the domain in the entity's current state."""

    code = "rule-violation"


class InvalidValue(LedgerError):
    """A value is well-formed but not acceptable to the domain."""

    code = "invalid-value"


class ConcurrentUpdate(LedgerError):
    """Another writer changed the entity first; reload and try again."""

    code = "concurrent-update"


class TicketNotFound(NotFound):
    """No ticket has the given id."""

    code = "ticket-not-found"
    id_field = "ticket_id"


class MilestoneOutOfOrder(RuleViolation):
    """The milestone cannot happen in the ticket's current state."""

    code = "milestone-out-of-order"


class TicketIsClosed(RuleViolation):
    """The ticket is closed or cancelled and takes no more milestones."""

    code = "ticket-closed"


class CorrectionNotApproved(RuleViolation):
    """A correction lacks a valid approval."""

    code = "correction-not-approved"


class OccurredTimeInvalid(InvalidValue):
    """An occurred time is in the future or before the ticket was reported."""

    code = "occurred-time-invalid"


class StorageUnavailable(LedgerError):
    """The event store did not answer; nothing was recorded."""

    code = "storage-unavailable"
