"""Driving an outgoing document through its workflow as the web layer would (tests and bench).

Drafts are rendered in the ND30 layout and recorded with the real repository; decisions go
through the inbox's ``act_on_task``; the signature is the demo leader's real PKCS#12 signature.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from sqlmodel import select

from commands.tasks import act_on_task
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.tables import Document, StoredFile
from models.documents.types_repo import type_by_name
from models.org.tables import Agency, OrgUnit
from models.outgoing import repo as outgoing_repo
from models.outgoing.drafting import DraftContent
from models.outgoing.render import render_document
from models.outgoing.schema import DraftForm
from models.processes import repo as definition_repo
from models.signing import pki
from models.signing.issuing import sign_as_official
from models.signing.providers import Pkcs12Provider
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.helpers import eventually, rows, user_and_roles
from workflows.contracts import OutgoingInput
from workflows.starter import start_outgoing

RECIPIENT_CODE = "000.00.02.H23"  # Sở Nội vụ, an agency of this installation


def draft_document(engine, settings, *, drafter: str = "chuyenvien", outside_codes: tuple[str, ...] = (),
                   keep_layout: bool = False) -> Document:
    """What the drafting page does: a Công văn to Sở Nội vụ, rendered, stored, recorded.

    ``keep_layout`` keeps the whole layout on the revision, as a draft written on the form has it
    (a deputy's signature lays it out again with the delegation's block).
    """
    user, _ = user_and_roles(engine, drafter)
    signer, _ = user_and_roles(engine, "lanhdao")
    with transaction(engine) as session:
        recipient = session.exec(select(Agency).where(Agency.code == RECIPIENT_CODE)).one()
        doc_type = type_by_name(session, "Công văn")
        form = DraftForm(doc_type_id=doc_type.id, subject="Về việc báo cáo tình hình chuyển đổi số quý IV",
                         body="Văn phòng UBND tỉnh đề nghị Sở Nội vụ báo cáo tình hình chuyển đổi số.",
                         signer_id=signer.id, competence="KT.", competence_title="Chủ tịch",
                         recipient_agency_ids=[recipient.id], recipient_codes=list(outside_codes))
        recipients = outgoing_repo.resolve_recipients(session, user.agency_id, form)
        unit = session.get(OrgUnit, user.unit_id)
        content = DraftContent(
            agency_name="VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH HÀ NAM", type_name="Công văn", notation="VP-TH",
            place_name="Hà Nam", subject=form.subject, body=form.body, signer_position="PHÓ CHÁNH VĂN PHÒNG",
            signer_full_name=signer.full_name, kinh_gui=[recipient.name], noi_nhan=[f"- {recipient.name};"],
            storage_unit_abbr=unit.abbreviation, signer_competence="KT. CHÁNH VĂN PHÒNG")
    rendered = render_document(content)
    sha = FileStore(settings.files_dir).put(rendered.pdf)
    with transaction(engine) as session:
        stored = StoredFile(sha256=sha, size=len(rendered.pdf), content_type="application/pdf",
                            filename="du-thao.pdf", created_by=user.id)
        session.add(stored)
        session.flush()
        process = definition_repo.outgoing_process_for(session, "000.00.01.H23", "Công văn")
        document = outgoing_repo.create_draft(
            session, drafter=user, form=form, doc_type=doc_type, recipients=recipients, signer=signer,
            stored=stored, source="form", content=asdict(content) if keep_layout else {"subject": form.subject},
            page_count=rendered.page_count,
            process_key=process.key)
        document.code_notation = "VP-TH"
        session.add(document)
        return document


async def submit_draft(engine, client, settings, document: Document, consultations=()) -> Document:
    with transaction(engine) as session:
        process = definition_repo.outgoing_process_for(session, "000.00.01.H23", "Công văn")
        row = session.get(Document, document.id)
        row.workflow_id = f"outgoing-{document.id}"
        row.process_version = process.version
        row.status = DocumentStatus.IN_REVIEW
        session.add(row)
    drafter, _ = user_and_roles(engine, "chuyenvien")
    signer, _ = user_and_roles(engine, "lanhdao")
    await start_outgoing(client, settings.temporal_task_queue, OutgoingInput(
        document.id, document.agency_id, "000.00.01.H23", 0, process.key, process.version,
        drafter_id=drafter.id, signer_id=signer.id, drafting_unit_id=drafter.unit_id,
        consultations=list(consultations)))
    return row


def open_task_of(engine, document_id, step):
    found = rows(engine, Task, Task.document_id == document_id, Task.step == step,
                 Task.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED]))
    return found[0] if found else None


async def act_on_step(engine, client, username, document_id, step, action, nonce, **fields):
    task = await eventually(lambda: open_task_of(engine, document_id, step))
    user, roles = user_and_roles(engine, username)
    return await act_on_task(engine, client, task_id=task.id, user=user, roles=roles, action=action,
                             fields=fields, nonce=nonce)


async def sign_as_leader(engine, client, settings, document_id, nonce):
    """What the signing request does with the leader's PKCS#12 (models.signing)."""
    task = await eventually(lambda: open_task_of(engine, document_id, "sign"))
    leader, roles = user_and_roles(engine, "lanhdao")
    store = FileStore(settings.files_dir)
    with transaction(engine) as session:
        current = session.get(StoredFile, session.get(Document, document_id).file_id)
    provider = Pkcs12Provider(pki.demo_pkcs12_path(settings, "lanhdao"), pki.demo_password(settings))
    signed = await asyncio.to_thread(
        sign_as_official, store.read(current.sha256), provider,
        signature_image_png=pki.signature_image_path(settings, "lanhdao").read_bytes(),
        signer_name=leader.full_name, reason="Ký ban hành")
    sha = store.put(signed)
    with transaction(engine) as session:
        session.add(StoredFile(sha256=sha, size=len(signed), content_type="application/pdf",
                               filename="da-ky.pdf", created_by=leader.id))
    return await act_on_task(engine, client, task_id=task.id, user=leader, roles=roles, action="ky_so",
                             fields={}, nonce=nonce, server_fields={"file_sha256": sha})


async def to_signing(engine, client, settings, document: Document, tag: str) -> Task:
    """A draft submitted and taken through review, format check and approval; its open signing step."""
    await submit_draft(engine, client, settings, document)
    await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", f"{tag}-r")
    await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", f"{tag}-f")
    await act_on_step(engine, client, "lanhdao", document.id, "approve", "duyet", f"{tag}-a")
    return await eventually(lambda: open_task_of(engine, document.id, "sign"))


async def issue_document(engine, client, settings, tag: str, outside_codes: tuple[str, ...] = ()) -> Document:
    """A Công văn to Sở Nội vụ (and any outside agencies) through the default chain, up to issued."""
    document = draft_document(engine, settings, outside_codes=outside_codes)
    await to_signing(engine, client, settings, document, tag)
    await sign_as_leader(engine, client, settings, document.id, f"{tag}-s")
    await act_on_step(engine, client, "vanthu", document.id, "issue", "ban_hanh", f"{tag}-i")
    return document


async def accept_delivery(engine, client, document_id: str, tag: str, clerk: str = "vanthu.snv") -> str:
    """The recipient's văn thư registers the delivered document (the ``accept`` step); its id."""
    from models.outgoing.tables import Recipient

    recipient = await eventually(lambda: next(iter(rows(engine, Recipient, Recipient.document_id == document_id,
                                                        Recipient.incoming_document_id != None)), None))  # noqa: E711
    await act_on_step(engine, client, clerk, recipient.incoming_document_id, "accept", "vao_so", tag)
    return recipient.incoming_document_id
