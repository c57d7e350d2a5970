"""The customer directory over HTTP: register, change and read a customer's contact details (now
or as the ledger knew them at a past recorded time), and forget a customer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, Parameter, QueryParameter

from api.auth import (
    APPROVER_HEADER,
    CUSTOMER_KEEPERS,
    MANAGEMENT,
    READERS,
    allow,
    second_person,
    token_header,
)
from api.customer_schemas import CustomerBody, CustomerPage, CustomerView, DetailsBody, ForgetBody, Forgotten
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.ticket_commands import AnyRequest, action, recorded
from api.ticket_queries import After, AsOf, past
from domain.customer_commands import CustomerDetails
from domain.customers import Customer, customer_uuid
from domain.personal_data import REDACTED, PersonalData
from projections.customer_directory import CustomerRow

CustomerId = Annotated[str, FromPath, Parameter(max_length=64)]
ApproverToken = Annotated[
    str, token_header(APPROVER_HEADER, "the service director or general manager who approves the forgetting")
]


class CustomerController(Controller):
    path = "/customers"
    tags = ["customers"]

    @post(
        "/",
        operation_id="registerCustomer",
        summary="Register a customer's contact details (sealed under the customer's own key)",
        guards=[allow(CUSTOMER_KEEPERS)],
        status_code=201,
        sync_to_thread=True,
    )
    def register(
        self, data: JSONBody[CustomerBody], services: Injected, request: AnyRequest
    ) -> Response[Recorded]:
        details = CustomerDetails(data.name, data.phone, data.address)
        outcome = services.ledger.register_customer(data.customer_id, details, actor_of(request))
        location = {"Location": f"/customers/{data.customer_id}"}
        return Response(recorded(outcome), status_code=201, headers=location)

    @action("/{customer_id:str}/details", "changeCustomerDetails", "Change contact details", CUSTOMER_KEEPERS)
    def change(
        self, customer_id: CustomerId, data: JSONBody[DetailsBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        details = CustomerDetails(data.name, data.phone, data.address)
        actor = actor_of(request)
        return recorded(services.ledger.change_customer_details(customer_id, details, data.reason, actor))

    @action(
        "/{customer_id:str}/forget",
        "forgetCustomer",
        "Forget a customer: shred its keys, so that its personal data reads as redacted everywhere",
        MANAGEMENT,
    )
    def forget(
        self,
        customer_id: CustomerId,
        data: JSONBody[ForgetBody],
        services: Injected,
        request: AnyRequest,
        approver_token: ApproverToken,
    ) -> Forgotten:
        approver = second_person(services.settings.tokens, approver_token, APPROVER_HEADER)
        done = services.ledger.forget_customer(customer_id, data.reason, approver, actor_of(request))
        event = done.recorded
        return Forgotten(
            id=event.id, version=event.version, position=event.position, keys_shredded=done.keys_shredded
        )

    @get(
        "/{customer_id:str}",
        operation_id="getCustomer",
        summary="A customer's contact details, now or at a past recorded time; redacted once forgotten",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def get_customer(self, customer_id: CustomerId, services: Injected, as_of: AsOf = None) -> CustomerView:
        ledger = services.ledger
        version = None if as_of is None else ledger.version_at(customer_uuid(customer_id), past(as_of))
        return customer_view(ledger.get_customer(customer_id, version), ledger.personal_data)

    @get(
        "/",
        operation_id="listCustomers",
        summary="The customer directory, by customer id, a page at a time",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def list_customers(
        self,
        services: Injected,
        after_customer: Annotated[
            str | None, QueryParameter(max_length=64, description="The next_after of the previous page.")
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
        after: After = None,
    ) -> CustomerPage:
        services.caught_up(after)
        rows = services.read_side.customers.customers(after_customer, limit)
        sealed = [value for row in rows for value in (row.name, row.phone, row.address)]
        plain = services.ledger.personal_data.reveal_many(sealed)
        views = [revealed(row, plain[3 * i : 3 * i + 3]) for i, row in enumerate(rows)]
        return CustomerPage(customers=views, next_after=rows[-1].customer_id if len(rows) == limit else None)


def customer_view(customer: Customer, personal: PersonalData) -> CustomerView:
    return revealed(customer, personal.reveal_many([customer.name, customer.phone, customer.address]))


def revealed(entry: Customer | CustomerRow, plain: Sequence[str]) -> CustomerView:
    """A customer as the aggregate or the directory holds it, with its details (name, phone,
    address) already revealed."""
    name, phone, address = plain
    return CustomerView(
        customer_id=entry.customer_id,
        name=name,
        phone=phone,
        address=address,
        redacted=REDACTED in plain,
        registered_at=entry.registered_at,
        forgotten_at=entry.forgotten_at,
        version=entry.version,
    )
