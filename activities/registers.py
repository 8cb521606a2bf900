"""Registering incoming documents: số đến from the agency's register."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.db import transaction, utcnow
from models.documents import lifecycle
from models.documents.tables import Document
from models.org import dated_repo
from models.outgoing.recipient_status import report_to_sender
from models.registers import repo as register_repo
from models.vocab import DocumentStatus
from workflows.contracts import RegisterIncomingInput, RegisterIncomingResult


class RegisterActivities:
    """Number allocation; each call owns exactly one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="register_incoming")
    def register_incoming(self, request: RegisterIncomingInput) -> RegisterIncomingResult:
        """Give the document its số đến and ngày đến, once.

        Idempotency key: (register, workflow id). A retry, a replay or a crash after commit
        returns the number already allocated, and writes no second audit event.
        Non-retryable: ``document_missing`` (the row the workflow was started for is gone).
        The number comes from the series of the agency answering for the document now: after a
        reorganisation, the successor's; a number taken before it stays in the closed series.
        """
        with transaction(self.engine) as session:
            document = session.get(Document, request.document_id)
            if document is None:
                raise ApplicationError("document_missing", type="document_missing", non_retryable=True)
            taken = register_repo.entry_of_workflow(session, request.workflow_id, document.id)
            if taken is not None:  # a retry after the series it was numbered in closed
                return RegisterIncomingResult(taken.register_id, taken.year, taken.number, taken.allocated_at,
                                              document.code_number or "", document.code_notation or "")
            register = register_repo.incoming_register(
                session, dated_repo.answering_agency(session, document.agency_id))
            # Ngày đến is when the document entered the system (QĐ44 Điều 7.2).
            received_at = document.created_at or utcnow()
            entry, allocated_now = register_repo.allocate_number(
                session, register.id, request.workflow_id, document.id, received_at
            )
            if allocated_now:
                document.arrival_number = entry.number
                document.arrival_date = received_at
                lifecycle.change(session, document, "document.registered", actor_id=request.actor_id,
                                 status=DocumentStatus.REGISTERED, register_id=register.id, year=entry.year,
                                 arrival_number=entry.number)
                # A document from another agency of the installation: its sender sees 03.
                report_to_sender(session, document, "03", utcnow(), actor_id=request.actor_id)
            return RegisterIncomingResult(register.id, entry.year, entry.number, received_at,
                                          document.code_number or "", document.code_notation or "")
