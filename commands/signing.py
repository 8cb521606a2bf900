"""The designated signer's signature on a draft (QĐ44 Điều 13.3): the only way to decide ``ky_so``.

The signed file is made by QLVB itself from the reviewed revision, never named by a form: with a
PKCS#12 file, a token (PIN typed at signing), or a remote device that receives only a hash
(prepare, then complete). The certificate is checked first; the signature is made outside any
transaction; then the ``ky_so`` decision names the stored signed file.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client

from commands.tasks import ActionOutcome, act_on_task
from config.settings import Settings
from models.audit import record
from models.db import reading, transaction, utcnow
from models.delegation import repo as delegation_repo
from models.delegation import rules as delegation_rules
from models.delegation.rules import SignatureBlock
from models.documents.file_store import FileStore
from models.documents.repo import store_file
from models.documents.tables import Document, StoredFile
from models.errors import Conflict, DomainError, Forbidden, NotFound
from models.org.tables import User
from models.outgoing import repo as outgoing_repo
from models.outgoing import signing_steps
from models.outgoing.drafting import DraftContent
from models.outgoing.render import with_signature_block
from models.outgoing.tables import RemoteSigning, RevisionStage
from models.signing import pki
from models.tasks import repo as task_repo
from models.tasks.tables import Task
from models.vocab import Role, TaskStatus

SIGN_REASON = "Ký ban hành văn bản"


REMOTE_ALGORITHM = "RSASSA-PKCS1-v1_5 SHA-256"
# How long approve-and-sign waits for the workflow to open the sign step after the approval.
SIGN_STEP_WAIT_SECONDS = 20
SIGN_STEP_POLL_SECONDS = 0.25


@dataclass
class SigningJob:
    """The open sign step of the user and the draft revision to sign.

    A deputy signing for the designated leader under a delegation in force (KT., TL., TUQ., Q.)
    signs the same draft laid out again with the delegation's signature block (``content``).
    """

    task_id: int
    document_id: str
    revision_sha: str
    content: DraftContent | None = None
    on_behalf_of: int | None = None
    block: SignatureBlock | None = None


def _signing_job(session: Session, task_id: int, user: User, roles: set[Role]) -> SigningJob:
    """Only the designated signer's own open ``sign`` step (or a deputy's under a delegation in
    force covering the document's type and unit), on a draft not signed yet."""
    try:
        task = task_repo.task_for_user(session, task_id, user, roles)
    except NotFound:
        _refuse_former_deputy(session, session.get(Task, task_id), user)
        raise
    deputy_of = task_repo.acting_for(session, task, user) if task.step == "sign" else None
    if task.step != "sign" or (task.assignee_id != user.id and deputy_of is None):
        _refuse_former_deputy(session, task, user)
        raise DomainError("not_a_signing_task")
    if task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        raise Conflict("task_closed")
    revision = outgoing_repo.latest_revision(session, task.document_id)
    if revision is None or revision.stage != RevisionStage.DRAFT:
        raise Conflict("document_signed")
    stored = session.get(StoredFile, revision.file_id)
    if deputy_of is None:
        return SigningJob(task.id, task.document_id, stored.sha256)
    leader = session.get(User, deputy_of.delegator_id)
    block = delegation_rules.signature_block(deputy_of.form, leader.position, user.position, user.full_name)
    try:
        content = with_signature_block(DraftContent(**revision.form), block.competence, block.position,
                                       block.full_name)
    except TypeError:
        # An uploaded draft: its signature block is the drafter's text, which QLVB cannot lay out again.
        raise DomainError("delegation_needs_form") from None
    return SigningJob(task.id, task.document_id, stored.sha256, content, leader.id, block)


def _refuse_former_deputy(session: Session, task: Task | None, user: User) -> None:
    """A deputy whose signing delegation from the signer expired, was revoked or does not cover
    this document is told so (a 403), rather than that the step is not theirs."""
    if (task is not None and task.step == "sign" and task.assignee_id not in (None, user.id)
            and delegation_repo.ever_given(session, delegator_id=task.assignee_id, deputy_id=user.id,
                                           kind=delegation_rules.SIGN)):
        raise Forbidden("delegation_not_in_force")


def _read_signing_job(engine: Engine, task_id: int, user: User, roles: set[Role]) -> SigningJob:
    """The signing job of ``_signing_job``, read in its own read-only transaction."""
    with reading(engine) as session:
        return _signing_job(session, task_id, user, roles)


def _signature_image(settings: Settings, user: User) -> bytes:
    path = pki.signature_image_path(settings, user.username)
    if not path.is_file():
        raise DomainError("signature_image_missing")
    return path.read_bytes()


def _check_certificate(settings: Settings, user: User, certificate, intermediates=()) -> None:
    """Whose, what for, when, and trusted and not revoked (models.signing); raises its error.

    ``intermediates``: the CAs between the certificate and a trust anchor (a PKCS#12 file
    carries its issuing CA; a token's chain is found among the anchors).
    """
    from models.signing.certificates import check_signing_certificate

    crl = pki.crl_path(settings)
    check_signing_certificate(certificate, expected_full_name=user.full_name, at=utcnow(),
                              trust_roots=pki.trust_anchor_certificates(settings),
                              crl_der_list=[crl.read_bytes()] if crl.is_file() else [],
                              intermediates=list(intermediates))


def _pkcs12_provider(settings: Settings, user: User, password: str | None):
    """The user's PKCS#12 key from the demo PKI.

    In production the signer types their PKCS#12 password; it is used for this one signing and
    never stored or logged. Without one (demo only), the demo PKI's password opens the file.
    """
    from models.signing.providers import Pkcs12Provider

    try:
        path = pki.demo_pkcs12_path(settings, user.username)
    except KeyError:
        raise DomainError("signing_key_unavailable") from None
    if not path.is_file():
        raise DomainError("signing_key_unavailable")
    return Pkcs12Provider(path, password if password else pki.demo_password(settings))


def token_provider(settings: Settings, user: User, pin: str):
    """The signer's key on the configured PKCS#11 token or HSM, opened with the PIN they typed.

    The PIN is used for this one signing and never stored or logged.
    """
    from cryptography import x509

    from models.signing.providers import Pkcs11Provider

    if settings.pki_pkcs11_module is None or not settings.pki_pkcs11_token_label:
        raise DomainError("pkcs11_not_configured")
    chain = []
    if settings.pki_pkcs11_chain is not None and settings.pki_pkcs11_chain.is_file():
        chain = x509.load_pem_x509_certificates(settings.pki_pkcs11_chain.read_bytes())
    return Pkcs11Provider(settings.pki_pkcs11_module, settings.pki_pkcs11_token_label, pin,
                          key_label=user.username, cert_label=user.username, ca_chain=chain)


def _sign_with(settings: Settings, user: User, provider, pdf: bytes, image: bytes) -> bytes:
    """Check the provider's certificate, then certify the PDF (synchronous: run in a thread)."""
    from models.signing.issuing import sign_as_official

    _check_certificate(settings, user, provider.certificate, provider.ca_chain)
    return sign_as_official(pdf, provider, signature_image_png=image, signer_name=user.full_name,
                            reason=SIGN_REASON)


async def sign_draft(engine: Engine, client: Client, settings: Settings, store: FileStore, *, task_id: int,
                     user: User, roles: set[Role], nonce: str, pkcs12_password: str | None = None,
                     token_pin: str | None = None, provider=None) -> ActionOutcome:
    """The signer signs the current revision with their key, then the ``sign`` step is decided.

    The key: ``provider`` (any ``models.signing.issuing.SigningProvider``), else the configured PKCS#11
    token when ``token_pin`` is given, else the user's PKCS#12 file. A refused certificate
    changes nothing.
    """
    job = await asyncio.to_thread(_read_signing_job, engine, task_id, user, roles)
    image = _signature_image(settings, user)
    if provider is None and token_pin:
        provider = token_provider(settings, user, token_pin)
    provider = provider or _pkcs12_provider(settings, user, pkcs12_password)
    pdf = await asyncio.to_thread(_pdf_to_sign, store, job)
    signed = await asyncio.to_thread(_sign_with, settings, user, provider, pdf, image)
    return await _decide_signed(engine, client, store, job, user, roles, signed, nonce)


async def approve_and_sign(engine: Engine, client: Client, settings: Settings, store: FileStore, *, task_id: int,
                           user: User, roles: set[Role], nonce: str, comment: str = "",
                           pkcs12_password: str | None = None, token_pin: str | None = None,
                           provider=None) -> ActionOutcome:
    """The signer approves the draft and signs it in one decision, when the approval is their own
    step and leads straight to their signature (``models.outgoing.signing_steps``).

    The signature is made first, of the revision the sign step would sign, so a wrong password or a
    refused certificate changes nothing. Then the approval is decided, and once the workflow has
    opened the sign step, ``ky_so`` names the signed file. Each decision keeps its own nonce
    derived from the request's, so a retried request finds the approval made and signs.
    """
    document_id, revision_sha = await asyncio.to_thread(_read_approval_job, engine, task_id, user, roles, nonce)
    image = _signature_image(settings, user)
    if provider is None and token_pin:
        provider = token_provider(settings, user, token_pin)
    provider = provider or _pkcs12_provider(settings, user, pkcs12_password)
    pdf = await asyncio.to_thread(store.read, revision_sha)
    signed = await asyncio.to_thread(_sign_with, settings, user, provider, pdf, image)
    approved = await act_on_task(engine, client, task_id=task_id, user=user, roles=roles, action="duyet",
                                 fields={"comment": comment} if comment else {}, nonce=f"{nonce[:70]}-duyet")
    if not approved.applied:
        return approved
    sign_task_id = await _await_sign_step(engine, document_id, user)
    if sign_task_id is None:  # approved; the sign step is not open yet: the page says so
        return ActionOutcome(task_id, "ky_so", applied=False, document_id=document_id)
    job = await asyncio.to_thread(_read_signing_job, engine, sign_task_id, user, roles)
    if job.revision_sha != revision_sha:  # never the case: nothing revises a draft between the two
        raise Conflict("document_signed")
    return await _decide_signed(engine, client, store, job, user, roles, signed, nonce)


def _read_approval_job(engine: Engine, task_id: int, user: User, roles: set[Role], nonce: str) -> tuple[str, str]:
    """(document id, sha256 of the revision to sign) of the user's own approval that leads to their
    signature; a retry (the approval already made with this request's nonce) is let through."""
    with reading(engine) as session:
        task = task_repo.task_for_user(session, task_id, user, roles)
        retried = (task.step == "approve" and task.completed_by == user.id
                   and task.decision_nonce == f"{nonce[:70]}-duyet")
        if not retried and not signing_steps.may_approve_and_sign(session, task, user.id):
            raise DomainError("not_a_signing_task")
        revision = outgoing_repo.latest_revision(session, task.document_id)
        if revision is None or revision.stage != RevisionStage.DRAFT:
            raise Conflict("document_signed")
        return task.document_id, session.get(StoredFile, revision.file_id).sha256


async def _await_sign_step(engine: Engine, document_id: str, user: User) -> int | None:
    """The sign step the workflow opens right after the approval (an activity's round trip)."""
    for _ in range(int(SIGN_STEP_WAIT_SECONDS / SIGN_STEP_POLL_SECONDS)):
        task_id = await asyncio.to_thread(_open_sign_step_id, engine, document_id, user.id)
        if task_id is not None:
            return task_id
        await asyncio.sleep(SIGN_STEP_POLL_SECONDS)
    return None


def _open_sign_step_id(engine: Engine, document_id: str, user_id: int) -> int | None:
    with reading(engine) as session:
        task = signing_steps.open_sign_step(session, document_id, user_id)
        return task.id if task is not None else None


def _pdf_to_sign(store: FileStore, job: SigningJob) -> bytes:
    """The reviewed revision, or for a deputy the same draft laid out with the delegation's block."""
    if job.content is None:
        return store.read(job.revision_sha)
    from models.outgoing.render import render_document

    return render_document(job.content).pdf


async def _decide_signed(engine: Engine, client: Client, store: FileStore, job: SigningJob, user: User,
                         roles: set[Role], signed: bytes, nonce: str) -> ActionOutcome:
    """Keep the signed file, then decide ``ky_so`` naming it (the activity makes it a revision)."""
    sha = await asyncio.to_thread(store.put, signed)
    await asyncio.to_thread(_record_signed_file, engine, job, user, sha, len(signed))
    outcome = await act_on_task(engine, client, task_id=job.task_id, user=user, roles=roles, action="ky_so",
                                fields={}, server_fields={"file_sha256": sha}, nonce=nonce)
    if outcome.applied and job.block is not None:
        await asyncio.to_thread(_record_delegated_signer, engine, job, user)
    return outcome


def _record_delegated_signer(engine: Engine, job: SigningJob, user: User) -> None:
    """The document names who signed and under which authority (SignerInfo, Competence)."""
    with transaction(engine) as session:
        document = session.get(Document, job.document_id)
        document.signer_full_name = job.block.full_name[:50]
        document.signer_position = job.block.position[:100]
        document.signer_competence = job.block.competence[:50]
        session.add(document)
        record(session, user.id, "document.signed_for", "document", job.document_id, on_behalf_of=job.on_behalf_of,
               competence=job.block.competence, position=job.block.position)


def _record_signed_file(engine: Engine, job: SigningJob, user: User, sha: str, size: int) -> None:
    """Record the stored signed file's row in one transaction."""
    with transaction(engine) as session:
        document = session.get(Document, job.document_id)
        store_file(session, sha256=sha, size=size, content_type="application/pdf",
                   filename=f"{document.code_notation or 'van-ban'}-da-ky.pdf", user_id=user.id)


async def prepare_remote_signing(engine: Engine, settings: Settings, store: FileStore, *, task_id: int,
                                 user: User, roles: set[Role], certificate_pem: bytes) -> dict:
    """Step 1 of signing with a key the server never sees (a USB token plug-in, a remote service).

    ``certificate_pem``: the signer's certificate, followed by its issuing CAs when the trust
    anchors hold only the root (PEM), or one DER certificate.

    The prepared PDF waits in the file store and the signed attributes in a ``remote_signing``
    row; only the 32-byte digest leaves the server.
    """
    from cryptography import x509

    from models.signing.remote import prepare_remote_signature

    try:
        # PEM: the signer's certificate first, then its issuing CAs (as a token exports them).
        certificates = (x509.load_pem_x509_certificates(certificate_pem) if b"-----BEGIN" in certificate_pem
                        else [x509.load_der_x509_certificate(certificate_pem)])
    except ValueError:
        raise DomainError("certificate_unreadable") from None
    certificate, given_chain = certificates[0], certificates[1:]
    job = await asyncio.to_thread(_read_signing_job, engine, task_id, user, roles)
    image = _signature_image(settings, user)
    # The issuing CA travels in the signature, so a recipient can build the path to the root.
    chain = given_chain or [ca for ca in pki.trust_anchor_certificates(settings) if ca.subject == certificate.issuer]
    await asyncio.to_thread(_check_certificate, settings, user, certificate, chain)
    pdf = await asyncio.to_thread(_pdf_to_sign, store, job)
    pending = await asyncio.to_thread(prepare_remote_signature, pdf, certificate.public_bytes(_pem()), chain,
                                      signature_image_png=image, reason=SIGN_REASON, signer_name=user.full_name)
    prepared_sha = await asyncio.to_thread(store.put, pending.prepared_pdf)
    payload = json.loads(pending.to_json())
    del payload["prepared_pdf"]  # the PDF is in the file store
    remote_id = await asyncio.to_thread(_record_remote_signing, engine, job, user, prepared_sha,
                                        len(pending.prepared_pdf), payload)
    return {"remote_id": remote_id,
            "data_to_sign_sha256": base64.b64encode(pending.data_to_sign_sha256).decode("ascii"),
            "algorithm": REMOTE_ALGORITHM}


def _record_remote_signing(engine: Engine, job: SigningJob, user: User, prepared_sha: str, size: int,
                           payload: dict) -> int:
    """Record the prepared file and the waiting ``remote_signing`` row in one transaction; its id."""
    with transaction(engine) as session:
        stored = store_file(session, sha256=prepared_sha, size=size,
                            content_type="application/pdf", filename="cho-ky.pdf", user_id=user.id)
        row = RemoteSigning(document_id=job.document_id, user_id=user.id, task_id=job.task_id,
                            prepared_file_id=stored.id, payload=payload)
        session.add(row)
        session.flush()
        record(session, user.id, "document.remote_signing_prepared", "document", job.document_id,
               remote_id=row.id, task_id=job.task_id)
        return row.id


def _pem():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.PEM


async def complete_remote_signing(engine: Engine, client: Client, settings: Settings, store: FileStore, *,
                                  remote_id: int, user: User, roles: set[Role], signature: bytes,
                                  nonce: str) -> ActionOutcome:
    """Step 2: embed the device's signature (verified against the certificate), decide ``ky_so``."""
    from models.signing.remote import PendingRemoteSignature, complete_remote_signature

    job, prepared_sha, payload = await asyncio.to_thread(_remote_signing_job, engine, remote_id, user, roles)
    prepared_pdf = await asyncio.to_thread(store.read, prepared_sha)
    payload["prepared_pdf"] = base64.b64encode(prepared_pdf).decode("ascii")
    pending = PendingRemoteSignature.from_json(json.dumps(payload))
    signed = await asyncio.to_thread(complete_remote_signature, pending, signature)
    await asyncio.to_thread(_mark_remote_completed, engine, remote_id)
    return await _decide_signed(engine, client, store, job, user, roles, signed, nonce)


def _remote_signing_job(engine: Engine, remote_id: int, user: User,
                        roles: set[Role]) -> tuple[SigningJob, str, dict]:
    """The user's open remote signing: its signing job, the prepared file's sha256 and its payload."""
    with reading(engine) as session:
        row = session.get(RemoteSigning, remote_id)
        if row is None or row.user_id != user.id:
            raise NotFound("remote_signing_not_found")
        if row.completed_at is not None:
            raise Conflict("remote_signing_completed")
        job = _signing_job(session, row.task_id, user, roles)
        prepared_sha = session.get(StoredFile, row.prepared_file_id).sha256
        payload = dict(row.payload)
    return job, prepared_sha, payload


def _mark_remote_completed(engine: Engine, remote_id: int) -> None:
    """Mark the remote signing completed in one transaction."""
    with transaction(engine) as session:
        row = session.get(RemoteSigning, remote_id)
        row.completed_at = utcnow()
        session.add(row)
