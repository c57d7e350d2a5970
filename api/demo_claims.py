"""Demo claims: warranty, commercial, compensation and subsidy claims in every state, filed for
the demo's resolved tickets, so that finance's reconciliation has something to show."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid5

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimKind, ClaimLine, LineKind, OldPart
from domain.claims import SubsidyPurchase
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from domain.tickets import Ticket
from projections.kpis import REPORTING_ZONE

CLERK = Actor("claims-qian", Role.CLAIMS)
FINANCE = Actor("fin-zhang", Role.FINANCE)
CONTROLLER = Actor("fin-lu", Role.FINANCE)
"""Approves payout reversals, and signs the finance step of a chain."""
SIGNERS = {
    Role.BU_MANAGER: Actor("bu-wang", Role.BU_MANAGER),
    Role.SALES_DIRECTOR: Actor("sales-liu", Role.SALES_DIRECTOR),
    Role.SERVICE_DIRECTOR: Actor("svc-zhao", Role.SERVICE_DIRECTOR),
    Role.GENERAL_MANAGER: Actor("gm-sun", Role.GENERAL_MANAGER),
    Role.FINANCE: CONTROLLER,
}
VENDORS = ("huawei", "h3c", "dell")
SUBSIDY_PROGRAMME = "county-appliance-subsidy"
PARTS = (("HDD-1.2T", "1.2 TB SAS disk", "1850.00"), ("PSU-750", "750 W power supply", "1320.00"))
RATE = Decimal("260.00")
"""Engineer hour rate claimed for labour."""
STATES = (
    "drafted",
    "submitted",
    "approved",
    "rejected",
    "resubmitted",
    "credited",
    "part_paid",
    "paid",
    "reversed",
    "closed",
)
Step = Callable[[ServiceLedger, UUID], object]


def load_demo_claims(ledger: ServiceLedger, rng: random.Random) -> int:
    """File claims for some resolved demo tickets, each taken to one of STATES; the claims filed."""
    filed = 0
    for number, (ticket_id, customer, resolved_at) in enumerate(_resolved_tickets(ledger)[: 3 * len(STATES)]):
        state = STATES[number % len(STATES)]
        kind = (ClaimKind.WARRANTY, ClaimKind.COMMERCIAL, ClaimKind.COMPENSATION)[number % 3]
        _file(ledger, rng, kind, ticket_id, customer, resolved_at, state)
        filed += 1
    return filed + _subsidy_claims(ledger)


def _resolved_tickets(ledger: ServiceLedger) -> list[tuple[UUID, str, datetime]]:
    """Resolved tickets with a contract, in log order: id, customer and resolution time."""
    found = []
    for notification in ledger.recorder.select_notifications(
        start=1, limit=100_000, topics=["domain.tickets:Ticket.Resolved"]
    ):
        event = ledger.mapper.to_domain_event(notification)
        assert isinstance(event, Ticket.Resolved)
        ticket = ledger.get_ticket(event.originator_id)
        if ticket.contract_id is not None and ticket.category != "complaint":
            found.append((ticket.id, ticket.customer_id, event.occurred_at))
    return found


def _file(
    ledger: ServiceLedger,
    rng: random.Random,
    kind: ClaimKind,
    ticket_id: UUID,
    customer: str,
    resolved_at: datetime,
    state: str,
) -> None:
    part, description, price = rng.choice(PARTS)
    hours = Decimal(rng.choice(("1.5", "2", "3.5")))
    lines: tuple[ClaimLine, ...] = (
        ClaimLine(LineKind.LABOUR, "SVC-REPAIR", "On-site repair", hours, RATE),
        ClaimLine(LineKind.MATERIAL, part, description, Decimal(1), Decimal(price)),
    )
    if kind is ClaimKind.COMPENSATION:
        lines = (
            ClaimLine(LineKind.OTHER, "", "Service credit for a late restore", Decimal(1), Decimal("800.00")),
        )
    old_parts = (OldPart(part, 1),) if kind is ClaimKind.WARRANTY else ()
    draft = ClaimDraft(
        kind,
        customer,
        rng.choice(VENDORS) if kind is not ClaimKind.COMPENSATION else customer,
        "CNY",
        lines,
        ticket_id=ticket_id,
        service_completed_at=resolved_at,
        old_parts=old_parts,
    )
    claim_id = ledger.draft_claim(draft, CLERK, _seeded_id(rng)).id
    ledger.attach_claim_evidence(
        claim_id, "service_report", f"SR-{str(claim_id)[:8]}", f"{rng.getrandbits(256):064x}", CLERK
    )
    for step in _steps(state):
        step(ledger, claim_id)


def _submit(ledger: ServiceLedger, claim_id: UUID) -> None:
    ledger.submit_claim(claim_id, CLERK)


def _steps(state: str) -> list[Step]:
    submit = _submit
    steps: dict[str, list[Step]] = {
        "drafted": [],
        "submitted": [submit],
        "approved": [submit, _approve_all],
        "rejected": [submit, _reject],
        "resubmitted": [submit, _reject, _resubmit],
        "credited": [submit, _approve_all, _credit(Decimal("0.96"))],
        "part_paid": [submit, _approve_all, _credit(Decimal(1)), _pay(Decimal("0.5"), "PAY-A")],
        "paid": [submit, _approve_all, _credit(Decimal(1)), _pay(Decimal(1), "PAY-A")],
        "reversed": [submit, _approve_all, _pay(Decimal(1), "PAY-A"), _reverse],
        "closed": [submit, _approve_all, _credit(Decimal(1)), _pay(Decimal(1), "PAY-A"), _close],
    }
    return steps[state]


def _approve_all(ledger: ServiceLedger, claim_id: UUID) -> None:
    for role in ledger.get_claim(claim_id).chain:
        ledger.approve_claim(claim_id, None, SIGNERS[role])


def _reject(ledger: ServiceLedger, claim_id: UUID) -> None:
    ledger.reject_claim(claim_id, "Diagnostic data missing from the claim file", CLERK)


def _resubmit(ledger: ServiceLedger, claim_id: UUID) -> None:
    second = ledger.resubmit_claim(claim_id, CLERK, second_id=uuid5(claim_id, "resubmission")).id
    ledger.attach_claim_evidence(second, "diagnostic_data", f"DIAG-{str(second)[:8]}", "ab" * 32, CLERK)
    ledger.submit_claim(second, CLERK)


def _credit(share: Decimal) -> Step:
    def credit(ledger: ServiceLedger, claim_id: UUID) -> None:
        approved = ledger.get_claim(claim_id).approved
        number = f"CN-{str(claim_id)[:8]}"
        ledger.record_credit_note(
            claim_id, number, (approved * share).quantize(Decimal("0.01")), _today(ledger), FINANCE
        )

    return credit


def _pay(share: Decimal, reference: str) -> Step:
    def pay(ledger: ServiceLedger, claim_id: UUID) -> None:
        payable = ledger.get_claim(claim_id).payable
        ledger.record_claim_payment(
            claim_id, (payable * share).quantize(Decimal("0.01")), reference, _today(ledger), FINANCE
        )

    return pay


def _reverse(ledger: ServiceLedger, claim_id: UUID) -> None:
    ledger.reverse_claim_payment(claim_id, "PAY-A", "Paid to the wrong account", FINANCE, CONTROLLER)


def _close(ledger: ServiceLedger, claim_id: UUID) -> None:
    ledger.close_claim(claim_id, "Settled in full", CLERK)


def _seeded_id(rng: random.Random) -> UUID:
    """Ids from the demo's seed, so that the same seed gives the same claims."""
    return UUID(int=rng.getrandbits(128), version=4)


def _today(ledger: ServiceLedger) -> date:
    return ledger.clock().astimezone(REPORTING_ZONE).date()


def _subsidy_claims(ledger: ServiceLedger) -> int:
    """A county subsidy programme: a paid claim, one refunded and returned, one pending."""
    document = contract_document("fault-4-class", holiday_source=library_holidays)
    programme = ledger.draft_contract(
        SUBSIDY_PROGRAMME, "Appliance subsidy programme", document, Actor("mgr-he", Role.MANAGER)
    ).id
    ledger.review_contract(programme, 1, "Programme rules checked", FINANCE)
    ledger.approve_contract(programme, 1, ledger.clock() - timedelta(days=90), Actor("mgr-wu", Role.MANAGER))
    purchases = (
        ("hh-zhang", "television", "1800.00", "paid"),
        ("hh-li", "refrigerator", "2399.00", "returned"),
        ("hh-chen", "washing_machine", "1599.00", "pending"),
    )
    for number, (household, product, price, state) in enumerate(purchases, start=1):
        purchase = SubsidyPurchase(
            household, product, f"INV-2026-{number:04d}", Decimal(price), _today(ledger)
        )
        draft = ClaimDraft(
            ClaimKind.SUBSIDY, household, SUBSIDY_PROGRAMME, "CNY", contract_id=programme, subsidy=purchase
        )
        claim_id = ledger.draft_claim(draft, CLERK, uuid5(programme, household)).id
        ledger.submit_claim(claim_id, CLERK)
        if state == "pending":
            continue
        ledger.approve_claim(claim_id, None, CONTROLLER)
        ledger.record_claim_payment(
            claim_id, ledger.get_claim(claim_id).approved, f"BANK-{number}", _today(ledger), FINANCE
        )
        if state == "returned":
            ledger.refund_subsidy(claim_id, f"REFUND-{number}", FINANCE)
            ledger.return_subsidised_product(claim_id, CLERK)
    return len(purchases)
