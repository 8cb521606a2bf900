"""When a draft's approval and its signature are one decision of its signer (QĐ44 Điều 13.3).

Both the ``approve`` and the ``sign`` steps of an outgoing process go to the signer designated on
the draft (``workflows/outgoing.py``). When the pinned definition goes straight from approving to
signing, approving is only ever followed by the same person signing the same revision, so the
page offers one action for both (``commands.signing.approve_and_sign``).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.documents.tables import Document
from models.processes import repo as definition_repo
from models.processes.schema import ProcessBody
from models.tasks.tables import Task
from models.vocab import TaskStatus


def approval_leads_to_signing(session: Session, document: Document) -> bool:
    """Whether the document's pinned outgoing definition has an ``approve`` step whose next step
    is ``sign`` (a step without ``next`` leads to the one listed after it)."""
    if not document.process_key or document.process_version is None:
        return False
    row = definition_repo.definition_version(session, document.process_key, document.process_version)
    if row is None:
        return False
    steps = ProcessBody.model_validate(row.body).steps
    kinds = {step.id: step.kind for step in steps}
    for position, step in enumerate(steps):
        following = step.next if step.next is not None else (
            steps[position + 1].id if position + 1 < len(steps) else "")
        if step.kind == "approve" and kinds.get(following) == "sign":
            return True
    return False


def may_approve_and_sign(session: Session, task: Task, user_id: int) -> bool:
    """Whether this open step is the signer's own approval, followed at once by their signature.

    A deputy acting under a delegation approves and signs in two steps: their signature block is
    laid out again for the signing, which the approval does not know.
    """
    if task.step != "approve" or task.assignee_id != user_id or task.document_id is None:
        return False
    if task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        return False
    document = session.get(Document, task.document_id)
    return (document is not None and document.signer_id == user_id
            and approval_leads_to_signing(session, document))


def open_sign_step(session: Session, document_id: str, user_id: int) -> Task | None:
    """The signer's open ``sign`` step of a document, once the workflow has opened it."""
    return session.exec(select(Task).where(
        Task.document_id == document_id, Task.step == "sign", Task.assignee_id == user_id,
        col(Task.status).in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))).first()
