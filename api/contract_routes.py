"""Contracts under document control: drafted from a policy pack, reviewed, approved, revised."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from api.auth import MANAGERS, READERS, STAFF, allow
from api.contract_schemas import (
    ContractApproval,
    ContractReview,
    ContractRevision,
    ContractTermination,
    ContractVersionView,
    ContractView,
    DraftContract,
)
from api.holiday_source import library_holidays
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.ticket_commands import AnyRequest, action, recorded
from domain.contract_documents import contract_document
from domain.contracts import ServiceContract

ContractId = FromPath[UUID]


class ContractController(Controller):
    """A customer's contract: drafted from a policy pack, reviewed, approved, revised, terminated."""

    path = "/contracts"
    tags = ["contracts"]

    @post(
        "/",
        operation_id="draftContract",
        summary="Draft a customer's contract from a pack",
        guards=[allow(MANAGERS)],
        status_code=201,
        sync_to_thread=True,
    )
    def draft(
        self, data: JSONBody[DraftContract], services: Injected, request: AnyRequest
    ) -> Response[Recorded]:
        document = contract_document(data.pack, data.overrides, library_holidays)
        outcome = services.ledger.draft_contract(data.customer_id, data.name, document, actor_of(request))
        return Response(recorded(outcome), status_code=201, headers={"Location": f"/contracts/{outcome.id}"})

    @action("/{contract_id:uuid}/review", "reviewContract", "Record the review of a drafted version", STAFF)
    def review(
        self, contract_id: ContractId, data: JSONBody[ContractReview], services: Injected, request: AnyRequest
    ) -> Recorded:
        return recorded(
            services.ledger.review_contract(contract_id, data.version, data.note, actor_of(request))
        )

    @action(
        "/{contract_id:uuid}/approval", "approveContract", "Approve a reviewed version (managers)", MANAGERS
    )
    def approval(
        self,
        contract_id: ContractId,
        data: JSONBody[ContractApproval],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        outcome = services.ledger.approve_contract(
            contract_id, data.version, data.effective_from, actor_of(request)
        )
        return recorded(outcome)

    @action(
        "/{contract_id:uuid}/revision",
        "reviseContract",
        "Draft the next version from a pack (managers)",
        MANAGERS,
    )
    def revision(
        self,
        contract_id: ContractId,
        data: JSONBody[ContractRevision],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        document = contract_document(data.pack, data.overrides, library_holidays)
        ledger, actor = services.ledger, actor_of(request)
        return recorded(ledger.revise_contract(contract_id, document, data.reason, data.retroactive, actor))

    @action(
        "/{contract_id:uuid}/termination",
        "terminateContract",
        "End a contract from a stated time (managers)",
        MANAGERS,
    )
    def termination(
        self,
        contract_id: ContractId,
        data: JSONBody[ContractTermination],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        outcome = services.ledger.terminate_contract(
            contract_id, data.effective_at, data.reason, actor_of(request)
        )
        return recorded(outcome)

    @get(
        "/{contract_id:uuid}",
        operation_id="getContract",
        summary="A contract and every version of its terms",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def get_contract(self, contract_id: ContractId, services: Injected) -> ContractView:
        return contract_view(services.ledger.get_contract(contract_id))


def contract_view(contract: ServiceContract) -> ContractView:
    versions = [
        ContractVersionView(
            number=v.number,
            status=v.status.value,
            author=v.author,
            effective_from=v.effective_from,
            retroactive=v.retroactive,
            document=v.document,
        )
        for v in contract.versions
    ]
    return ContractView(
        contract_id=contract.id,
        customer_id=contract.customer_id,
        name=contract.name,
        terminated_at=contract.terminated_at,
        versions=versions,
    )
