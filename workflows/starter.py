"""Starting document workflows from outside (web requests, the reconciler).

Client-side code: it never runs inside a workflow. Starts are idempotent: the id is derived
from the document, a running workflow is returned as is, and a closed one is never started again.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from workflows.contracts import (
    IncomingInput,
    OutgoingInput,
    RecallInput,
    incoming_workflow_id,
    outgoing_workflow_id,
    recall_workflow_id,
)
from workflows.incoming import IncomingDocumentWorkflow
from workflows.outgoing import OutgoingDocumentWorkflow
from workflows.recall import RecallDocumentWorkflow
from workflows.search_attributes import (
    DOC_KIND,
    ORG_UNIT,
    PROCESS_KEY,
    PROCESS_VERSION,
    STAGE,
    URGENCY_LEVEL,
)


async def start_incoming(client: Client, task_queue: str, start: IncomingInput) -> WorkflowHandle | None:
    """Start a document's incoming workflow; None when it already ran to completion."""
    attributes = TypedSearchAttributes([
        SearchAttributePair(DOC_KIND, "incoming"),
        SearchAttributePair(STAGE, "received"),
        SearchAttributePair(ORG_UNIT, start.agency_code),
        SearchAttributePair(URGENCY_LEVEL, start.urgency_rank),
        SearchAttributePair(PROCESS_KEY, start.process_key),
        SearchAttributePair(PROCESS_VERSION, start.process_version),
    ])
    try:
        return await client.start_workflow(
            IncomingDocumentWorkflow.run,
            start,
            id=incoming_workflow_id(start.document_id),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=attributes,
            static_summary="Văn bản đến",
        )
    except WorkflowAlreadyStartedError:
        return None


async def start_outgoing(client: Client, task_queue: str, start: OutgoingInput) -> WorkflowHandle | None:
    """Start a submitted draft's outgoing workflow; None when it already ran to completion."""
    attributes = TypedSearchAttributes([
        SearchAttributePair(DOC_KIND, "outgoing"),
        SearchAttributePair(STAGE, "submitted"),
        SearchAttributePair(ORG_UNIT, start.agency_code),
        SearchAttributePair(URGENCY_LEVEL, start.urgency_rank),
        SearchAttributePair(PROCESS_KEY, start.process_key),
        SearchAttributePair(PROCESS_VERSION, start.process_version),
    ])
    try:
        return await client.start_workflow(
            OutgoingDocumentWorkflow.run,
            start,
            id=outgoing_workflow_id(start.document_id),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=attributes,
            static_summary="Văn bản đi",
        )
    except WorkflowAlreadyStartedError:
        return None


async def start_recall(client: Client, task_queue: str, start: RecallInput, agency_code: str) -> WorkflowHandle | None:
    """Ask a recipient to answer a recall; None when that recall was already answered."""
    attributes = TypedSearchAttributes([
        SearchAttributePair(DOC_KIND, "recall"),
        SearchAttributePair(STAGE, "recall"),
        SearchAttributePair(ORG_UNIT, agency_code),
        SearchAttributePair(URGENCY_LEVEL, start.urgency_rank),
    ])
    try:
        return await client.start_workflow(
            RecallDocumentWorkflow.run,
            start,
            id=recall_workflow_id(start.document_id),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=attributes,
            static_summary="Thu hồi văn bản",
        )
    except WorkflowAlreadyStartedError:
        return None
