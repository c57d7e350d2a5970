"""A demo ledger: a believable, seeded service history that a newcomer sees on first start."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from api.demo_cast import DEMO_ACTORS
from api.demo_claims import load_demo_claims
from api.demo_customers import forget_demo_customer, register_demo_customers
from api.demo_parts import load_demo_parts
from api.demo_penalties import CONTRACT_CREDITS, load_demo_penalties
from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.contract_documents import contract_document
from domain.ledger import Recorded, ServiceLedger, TicketDraft
from domain.ticket_terms import Channel, PauseReason

T = TypeVar("T")
Run = Callable[[datetime], Recorded]
"""One ledger command, given the instant at which its milestone occurred."""
Command = Callable[..., Recorded]
"""A ServiceLedger method that takes the ticket id first and the `occurred_at` keyword."""

HISTORY, MINUTE = timedelta(days=60), timedelta(minutes=1)
PLACEHOLDER = datetime(2000, 1, 1, tzinfo=UTC)
"""The report time of a draft until its story is placed in the history."""

AGENTS = tuple(Actor(f"agent-{name}", Role.HOTLINE_AGENT) for name in ("zhao", "chen", "sun"))
ENGINEERS = (
    *(
        Actor(f"eng-{name}", Role.ENGINEER)
        for name in ("li", "wang", "zhang", "liu", "yang", "huang", "zhou")
    ),
    DEMO_ACTORS[Role.ENGINEER],
)
"""The field engineers; the last is whom the demo's engineer token logs in as: it finds its own tickets."""
MANAGER = Actor("mgr-wu", Role.MANAGER)
CONTRACT_AUTHOR = Actor("mgr-he", Role.MANAGER)

CUSTOMERS = """
zhongshan-power | Mr. Huang, duty officer | zs-control-centre:city zs-sub-east:county zs-sub-north:county
huaxin-bank | Ms. Lin, IT lead | hx-head-office:city hx-nanshan:city hx-longgang:county hx-dr-site:province
donghu-hospital | Dr. Gao, information office | dh-main-campus:city dh-east-clinic:county
jinhai-logistics | Mr. Xu, operations | jh-port-office:city jh-warehouse-a:county jh-wuzhou-hub:province
mingda-manufacturing | Ms. Qian, plant IT | md-headquarters:city md-plant-1:county md-plant-2:county
tianfu-water | Mr. Deng, control room | tf-control-room:city tf-pump-station-3:county
"""
"""Customer | contact who signs and answers callbacks | site:region tier ..."""

RESPONSE_MINUTES = {"severe": 5, "major": 10, "general": 10, "non_fault": 10}
ON_SITE_MINUTES = {"severe": (40, 300), "major": (60, 360), "general": (60, 480), "non_fault": (120, 600)}
"""DOMAIN.md §4 on-site targets (city, province); county sites are held to the province column."""

CATEGORY_WEIGHTS = {"hardware": 30, "software": 25, "network": 20, "service_request": 17, "complaint": 8}
SEVERITY_WEIGHTS = {
    "hardware": {"severe": 8, "major": 30, "general": 62},
    "software": {"severe": 4, "major": 26, "general": 70},
    "network": {"severe": 12, "major": 35, "general": 53},
    "service_request": {"non_fault": 1},
    "complaint": {"major": 30, "general": 70},
}
ASSET_KINDS = {"hardware": "srv", "software": "app", "network": "sw", "service_request": "srv"}
RESOLUTIONS = {
    "hardware": "Replaced the failed part and ran full diagnostics",
    "software": "Applied the vendor fix and verified it with the customer",
    "network": "Replaced the faulty module and watched the link for 30 minutes",
    "service_request": "Work completed and checked with the customer",
    "complaint": "Apologised, explained the cause and agreed a follow-up visit",
}
DESCRIPTIONS = """
hardware | Database server reboots in a loop after a power cut | Storage array reports two failed disks
hardware | Server fan alarm, rack B3 overheating | UPS running on battery, mains input fault
software | Core banking client crashes on login | Nightly backup job failing since the upgrade
software | Database out of tablespace, batch jobs stalled | OS patch broke the print service
network | Core switch in server room 2 down, branch offline | Packet loss on the WAN link to head office
network | Wi-Fi controller lost all access points | Firewall drops VPN sessions every few minutes
service_request | Install two new rack servers in the data room | Set up VPN access for five new staff
service_request | Move the printer and network point to floor 3 | Quarterly inspection of the UPS and chillers
complaint | Engineer left without a service report | Same fault came back within a week
complaint | Kept on hold for 20 minutes on the hotline | Promised spare part has not arrived
"""
CHANNELS = {Channel.HOTLINE: 40, Channel.PHONE: 20, Channel.EMAIL: 12, Channel.WEB: 12}
CHANNELS |= {Channel.MONITORING: 14, Channel.FAX: 2}
OUTCOMES = {"closed": 67, "late": 8, "reopened": 4, "cancelled": 4, "resolved": 2}
OUTCOMES |= {"opened": 3, "dispatched": 3, "en_route": 3, "on_site": 3, "paused": 3}
"""Weights of how a ticket's story ends; the last five are still under way."""
DESK_OUTCOMES = ("closed", "cancelled", "opened", "resolved")
"""Outcomes a complaint can have: it is handled from the desk, without a visit."""
RECENT = {"opened": (2, 40), "dispatched": (2, 30), "en_route": (2, 25), "on_site": (5, 90)}
RECENT |= {"paused": (30, 4000), "resolved": (30, 4000)}
"""Minutes before now of the last event of a ticket still under way."""

SEVERE_ESCALATION = "Severe fault, system down: escalated to second-line support at once"
LATE_ESCALATION = "Engineer not on site within the target; escalated to the station head"
CUSTOMER_ESCALATION = "Customer's IT director asked for the vendor's specialist"
REOPEN_REASON = "Same fault came back after the repair"
CANCEL_REASONS = (
    "Customer fixed it by restarting the device",
    "Duplicate of an earlier report from the same site",
    "Reported by mistake; the equipment belongs to another vendor",
)
CORRECTION_REASONS = (
    "Engineer logged the arrival after the repair; the site visitor log shows the earlier time",
    "Mobile app was offline in the basement; the arrival synced late",
)


def _rows(sheet: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in sheet.strip().splitlines()]


SITES = [
    (customer, contact, site, tier)
    for customer, contact, specs in _rows(CUSTOMERS)
    for site, _, tier in (spec.partition(":") for spec in specs.split())
]
DESCRIBED = {n: [t for kind, *texts in _rows(DESCRIPTIONS) if kind == n for t in texts] for n in RESOLUTIONS}


def _pick(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _whole(span: timedelta) -> timedelta:
    return timedelta(seconds=round(span.total_seconds()))


def _timed(at: datetime, args: dict[str, object]) -> dict[str, object]:
    """A command's arguments, with offsets (planned time, ETA) turned into instants after `at`."""
    return {key: at + _whole(v) if isinstance(v, timedelta) else v for key, v in args.items()}


class _Story:
    """One ticket's history as commands at growing offsets from its report, before it is placed."""

    def __init__(self, ledger: ServiceLedger, rng: random.Random, draft: TicketDraft, contact: str) -> None:
        self.ledger, self.rng, self.draft, self.contact = ledger, rng, draft, contact
        self.id = uuid.UUID(int=rng.getrandbits(128), version=4)
        self.agent, self.engineer = rng.choice(AGENTS), rng.choice(ENGINEERS)
        self.at, self.level, self.arrival = timedelta(0), 0, 0
        self.marks = {"opened": rng.choice((1, 2))}
        self.later: list[tuple[timedelta, Run]] = []
        report = ledger.open_ticket
        self.steps: list[tuple[timedelta, Run]] = [
            (self.at, lambda at: report(replace(draft, reported_at=at), self.agent, self.id))
        ]

    def minutes(self, low: float, high: float) -> timedelta:
        return _whole(timedelta(minutes=self.rng.uniform(low, high)))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def add(self, gap: timedelta, command: Command, **args: object) -> None:
        """Add a command `gap` after the previous one, and always at least a minute after it."""
        self.at += max(_whole(gap), MINUTE)
        self.steps.append((self.at, lambda at: command(self.id, occurred_at=at, **_timed(at, args))))

    def mark(self, stage: str) -> None:
        self.marks.setdefault(stage, len(self.steps))

    def respond(self) -> None:
        target = RESPONSE_MINUTES[self.draft.severity]
        low, high = (target * 1.2, target * 4) if self.chance(0.06) else (target * 0.2, target * 0.8)
        self.add(self.minutes(low, high), self.ledger.record_response, actor=self.agent)

    def escalate(self, reason: str, offset: timedelta | None = None) -> None:
        self.level += 1
        gap = self.minutes(1, 5) if offset is None else offset - self.at
        self.add(gap, self.ledger.escalate, level=self.level, reason=reason, actor=self.agent)

    def dispatch(self, promise: timedelta) -> None:
        """Assign the engineer, planning the visit for `promise` after the report."""
        gap, engineer = self.minutes(2, 10), self.engineer.id
        planned = max(promise - self.at - gap, 5 * MINUTE)
        self.add(gap, self.ledger.dispatch, engineer_id=engineer, planned_at=planned, actor=self.agent)
        self.mark("dispatched")

    def visit(self, goal: timedelta, target: timedelta | None = None) -> None:
        """Dispatch the engineer, who arrives `goal` after the report; escalate if that is past `target`."""
        late = target is not None and goal > target
        promise = target * 0.9 if target is not None and late else goal
        self.dispatch(promise)
        depart = (goal - self.at) / 4
        eta = max(promise - self.at - depart, 5 * MINUTE)
        self.add(depart, self.ledger.record_departure, eta=eta, actor=self.engineer)
        self.mark("en_route")
        if target is not None and late:
            self.escalate(LATE_ESCALATION, target + self.minutes(2, 10))
        self.add(goal - self.at, self.ledger.record_arrival, actor=self.engineer)
        self.arrival = len(self.steps)
        self.mark("on_site")

    def feedback_and_close(self, *, on_site: bool, unhappy: bool) -> None:
        """The customer signs the service report on site, or rates the work on a callback; then close."""
        weights = (15, 30, 35, 15, 5) if unhappy else (55, 30, 10, 4, 1)
        score, who = self.rng.choices((5, 4, 3, 2, 1), weights=weights)[0], self.contact
        if on_site and self.chance(0.65):
            sign = self.ledger.record_sign_off
            self.add(self.minutes(3, 20), sign, satisfaction=score, signed_by=who, actor=self.engineer)
        else:
            call = self.ledger.record_callback
            self.add(self.minutes(600, 4000), call, satisfaction=score, answered_by=who, actor=self.agent)
        self.add(self.minutes(10, 600), self.ledger.close_ticket, actor=self.agent)

    def correct_arrival(self) -> None:
        """The arrival was logged late: a dispatcher corrects it, approved by the manager."""
        version, reason, agent = self.arrival, self.rng.choice(CORRECTION_REASONS), self.agent
        before, logged = self.steps[version - 2][0], self.steps[version - 1][0]
        actual = _whole(before + (logged - before) * self.rng.uniform(0.3, 0.7))
        correct = self.ledger.correct_milestone
        self.later.append((actual, lambda at: correct(self.id, version, at, reason, agent, MANAGER)))


def _draft(rng: random.Random, outcome: str) -> tuple[TicketDraft, str]:
    """The facts of a report: customer, site, category, severity, channel and asset."""
    row = rng.choice(SITES)
    customer, contact, site, tier = row
    weights = {n: w for n, w in CATEGORY_WEIGHTS.items() if n != "complaint" or outcome in DESK_OUTCOMES}
    category, channel = _pick(rng, weights), _pick(rng, CHANNELS)
    if channel is Channel.MONITORING and category in ("complaint", "service_request"):
        channel = Channel.HOTLINE
    kind, number = ASSET_KINDS.get(category), SITES.index(row) * 20 + rng.randrange(1, 9)
    asset = None if kind is None else f"{kind}-{number:04d}"
    severity, description = _pick(rng, SEVERITY_WEIGHTS[category]), rng.choice(DESCRIBED[category])
    draft = TicketDraft(channel, customer, site, tier, severity, category, description, PLACEHOLDER, asset)
    return draft, contact


def _visited(story: _Story, outcome: str) -> None:
    """A fault or request handled on site: respond, visit, repair, feedback and close; maybe reopen."""
    story.respond()
    if story.draft.severity == "severe":
        story.escalate(SEVERE_ESCALATION)
    elif story.chance(0.03):
        story.escalate(CUSTOMER_ESCALATION)
    city, province = ON_SITE_MINUTES[story.draft.severity]
    target, late = MINUTE * (city if story.draft.region_tier == "city" else province), outcome == "late"
    story.visit(target * (story.rng.uniform(1.4, 3.0) if late else story.rng.uniform(0.5, 0.95)), target)
    _repair(story, fixed=outcome != "reopened", wait=outcome == "paused" or story.chance(0.08))
    story.feedback_and_close(on_site=True, unhappy=late or outcome == "reopened")
    if outcome == "reopened":
        story.add(story.minutes(1440, 8000), story.ledger.reopen, reason=REOPEN_REASON, actor=story.agent)
        story.visit(story.at + story.minutes(60, 300))
        _repair(story, fixed=False, wait=False)
        story.feedback_and_close(on_site=True, unhappy=True)


def _repair(story: _Story, *, fixed: bool, wait: bool) -> None:
    """Restore service (faults only), maybe wait for parts or the customer, then resolve."""
    ledger, engineer, fault = story.ledger, story.engineer, story.draft.severity != "non_fault"
    if fault:
        story.add(story.minutes(15, 150), ledger.record_restoration, actor=engineer)
    if wait:
        reason = PauseReason.WAITING_FOR_PARTS if fault else PauseReason.WAITING_FOR_CUSTOMER
        story.add(story.minutes(5, 30), ledger.pause, reason=reason, actor=engineer)
        story.mark("paused")
        story.add(story.minutes(600, 4000), ledger.resume, actor=engineer)
    text = RESOLUTIONS[story.draft.category]
    text = text if fixed else f"Temporary fix: {text[0].lower()}{text[1:]}"
    story.add(story.minutes(10, 120), ledger.resolve, fixed_first_time=fixed, resolution=text, actor=engineer)
    story.mark("resolved")


def _complaint(story: _Story) -> None:
    """A complaint handled from the desk: answered, maybe escalated, settled and called back."""
    story.respond()
    if story.draft.severity == "major" and story.chance(0.3):
        story.escalate(CUSTOMER_ESCALATION)
    text, resolve = RESOLUTIONS["complaint"], story.ledger.resolve
    story.add(story.minutes(120, 1200), resolve, fixed_first_time=True, resolution=text, actor=story.agent)
    story.mark("resolved")
    story.feedback_and_close(on_site=False, unhappy=True)


def _cancelled(story: _Story) -> None:
    story.respond()
    if story.chance(0.4):
        story.dispatch(story.at + story.minutes(30, 120))
    reason = story.rng.choice(CANCEL_REASONS)
    story.add(story.minutes(5, 90), story.ledger.cancel, reason=reason, actor=story.agent)


def _tell(ledger: ServiceLedger, rng: random.Random) -> tuple[_Story, str]:
    """Make up one ticket's story for an outcome drawn by weight, cut short if still under way."""
    outcome = _pick(rng, OUTCOMES)
    story = _Story(ledger, rng, *_draft(rng, outcome))
    if outcome == "cancelled":
        _cancelled(story)
    elif story.draft.category == "complaint":
        _complaint(story)
    else:
        _visited(story, outcome)
    if outcome in story.marks:
        del story.steps[story.marks[outcome] :]
    elif outcome in ("closed", "late") and story.arrival and story.chance(0.07):
        story.correct_arrival()
    return story, outcome


def _report_time(story: _Story, outcome: str, end: datetime, rng: random.Random) -> datetime:
    """Place a story in the 60 days before `end`, ending before it; one still under way ends lately."""
    span = story.steps[-1][0]
    low, high = RECENT.get(outcome, (60, (HISTORY - span) / MINUTE))
    return (end - span - timedelta(minutes=rng.uniform(low, high))).replace(microsecond=0)


@dataclass(frozen=True)
class DemoSummary:
    """What load_demo recorded."""

    tickets: int
    claims: int
    stock_items: int
    assets: int
    penalties: int
    events: int
    last_position: int


def load_demo(
    ledger: ServiceLedger, *, tickets: int = 300, seed: int = 7, now: datetime | None = None
) -> DemoSummary:
    """Record a believable service history into an empty ledger.

    The same seed and `now` give the same tickets, ids and times. Tickets spread over the 60 days
    before `now` (default: the ledger's clock, which `now` must not run ahead of); most are closed,
    and a few percent each finished late, were escalated, reopened, cancelled, had their arrival
    corrected or are still under way. Events are recorded in the order they occurred, corrections last.
    Claims follow (`api/demo_claims.py`), then the stock's and the assets' history (`api/demo_parts.py`),
    then penalties (`api/demo_penalties.py`). Customers are registered first and one is forgotten last
    (`api/demo_customers.py`).
    """
    if ledger.recorder.max_notification_id() is not None:
        raise ValueError("the demo history loads only into an empty ledger")
    rng, end = random.Random(seed), ledger.clock() if now is None else now  # noqa: S311 - demo data
    _contract_every_customer(ledger, since=end - HISTORY - timedelta(days=1))
    register_demo_customers(ledger, {customer: contact for customer, contact, _ in _rows(CUSTOMERS)})
    timeline: list[tuple[bool, datetime, int, int, Run]] = []
    for number in range(tickets):
        story, outcome = _tell(ledger, rng)
        base = _report_time(story, outcome, end, rng)
        for deferred, steps in enumerate((story.steps, story.later)):
            timeline += [(bool(deferred), base + at, number, i, run) for i, (at, run) in enumerate(steps)]
    timeline.sort(key=lambda entry: entry[:4])
    for _, at, _, _, run in timeline:
        run(at)
    claims = load_demo_claims(ledger, rng)
    parts = load_demo_parts(ledger, rng, end)
    penalties = load_demo_penalties(ledger, since=end - HISTORY - timedelta(days=1), end=end)
    forget_demo_customer(ledger)
    last = ledger.recorder.max_notification_id() or 0
    return DemoSummary(
        tickets, claims, parts.stock_items, parts.assets, penalties, events=last, last_position=last
    )


def _contract_every_customer(ledger: ServiceLedger, since: datetime) -> None:
    """Each customer's tickets run under the default fault terms, in force since before the first."""
    document = contract_document("fault-4-class", {"penalties": CONTRACT_CREDITS}, library_holidays)
    for customer, _, _ in _rows(CUSTOMERS):
        contract = ledger.draft_contract(
            customer, f"{customer} 7x24 maintenance", document, CONTRACT_AUTHOR
        ).id
        ledger.review_contract(contract, 1, "Checked against the signed service annex", ENGINEERS[0])
        ledger.approve_contract(contract, 1, since, MANAGER)
