"""The demo's customer directory: each customer's contact, phone and address, sealed under the
customer's own key; one customer's contact asked to be erased, so that customer is forgotten and
reads as redacted in the directory and on every sign-off and callback of its tickets."""

from __future__ import annotations

from api.demo_claims import SIGNERS
from domain.actors import Actor, Role
from domain.customer_commands import CustomerDetails
from domain.ledger import ServiceLedger

DESK = Actor("agent-zhao", Role.HOTLINE_AGENT)
ASKED_BY, APPROVER = SIGNERS[Role.SERVICE_DIRECTOR], SIGNERS[Role.GENERAL_MANAGER]
"""The directors who sign claims: one asks for the forgetting, the other approves it."""
DIRECTORY = {
    "zhongshan-power": ("+86 760 8831 2200", "1 Xingzhong Road, Shiqi, Zhongshan"),
    "huaxin-bank": ("+86 755 8266 0100", "3008 Shennan Avenue, Futian, Shenzhen"),
    "donghu-hospital": ("+86 27 8788 5000", "26 Luoyu Road, Hongshan, Wuhan"),
    "jinhai-logistics": ("+86 532 8299 7310", "12 Port Road, Huangdao, Qingdao"),
    "mingda-manufacturing": ("+86 512 6258 4400", "45 Suhong Road, Industrial Park, Suzhou"),
    "tianfu-water": ("+86 28 8661 3020", "9 Shuijing Street, Jinjiang, Chengdu"),
}
FORGOTTEN = "tianfu-water"
ERASURE = "the customer's contact asked to be erased (ref. DPO-2026-031); contract ended"


def register_demo_customers(ledger: ServiceLedger, contacts: dict[str, str]) -> None:
    """Register each customer under its contact (`contacts`: customer id to who signs for it)."""
    for customer_id, (phone, address) in DIRECTORY.items():
        ledger.register_customer(customer_id, CustomerDetails(contacts[customer_id], phone, address), DESK)


def forget_demo_customer(ledger: ServiceLedger) -> None:
    ledger.forget_customer(FORGOTTEN, ERASURE, APPROVER, ASKED_BY)
