"""Misuse at the signing step (issue 4, "Bad input and misuse"): a revoked certificate, someone who
is not the designated signer, a wrong PKCS#12 password, a signed draft edited afterwards. Each is
refused in Vietnamese and nothing changes: the sign step stays open, no signed revision appears.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from commands.drafting import revise_draft
from commands.signing import sign_draft
from models.documents.file_store import FileStore
from models.errors import Conflict, DomainError, NotFound
from models.outgoing.tables import DraftRevision, RevisionStage
from models.signing import pki
from models.signing.demo_pki import revoke_demo_certificate
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.helpers import eventually, make_settings, rows, running_worker, user_and_roles
from tests.outgoing_helpers import act_on_step, draft_document, open_task_of, submit_draft
from tests.workflows.test_outgoing_lifecycle import demo_pki  # noqa: F401 (module fixture)
from web.messages import MESSAGES


async def _to_the_signing_step(engine, client, settings):
    document = draft_document(engine, settings)
    await submit_draft(engine, client, settings, document)
    await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", "r")
    await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", "f")
    await act_on_step(engine, client, "lanhdao", document.id, "approve", "duyet", "a")
    return document, await eventually(lambda: open_task_of(engine, document.id, "sign"))


def _signed_revisions(engine, document_id: str) -> list[DraftRevision]:
    return rows(engine, DraftRevision, DraftRevision.document_id == document_id,
                DraftRevision.stage == RevisionStage.SIGNED)


async def test_refused_signatures_change_nothing_and_a_signed_draft_cannot_be_edited(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki):  # noqa: F811
    engine, client = seeded_sqlite, temporal_env.client
    shutil.copytree(demo_pki, tmp_path / "pki")
    settings = make_settings(tmp_path, task_queue)
    store = FileStore(settings.files_dir)
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    async with running_worker(client, engine, settings):
        document, task = await _to_the_signing_step(engine, client, settings)

        # Someone else (even another leader) never reaches the step.
        other, other_roles = user_and_roles(engine, "lanhdao.snv")
        with pytest.raises(NotFound):
            await sign_draft(engine, client, settings, store, task_id=task.id, user=other, roles=other_roles,
                             nonce="x1")
        # A wrong PKCS#12 password opens nothing.
        with pytest.raises(DomainError) as wrong:
            await sign_draft(engine, client, settings, store, task_id=task.id, user=leader, roles=leader_roles,
                             nonce="x2", pkcs12_password="khong-dung")
        assert wrong.value.code == "signing_key_unavailable"
        # A revoked certificate is refused with its own message.
        revoke_demo_certificate(settings, "lanhdao")
        with pytest.raises(DomainError) as revoked:
            await sign_draft(engine, client, settings, store, task_id=task.id, user=leader, roles=leader_roles,
                             nonce="x3")
        assert revoked.value.code == "certificate_revoked" and revoked.value.code in MESSAGES

        still = rows(engine, Task, Task.id == task.id)[0]
        assert still.status == TaskStatus.CLAIMED and still.assignee_id == leader.id
        assert _signed_revisions(engine, document.id) == []
        assert not rows(engine, Task, Task.document_id == document.id, Task.step == "issue")

        # The drafter cannot change a draft under review, let alone a signed one.
        drafter, drafter_roles = user_and_roles(engine, "chuyenvien")
        with pytest.raises(Conflict) as locked:
            await revise_draft(engine, settings, store, user=drafter, roles=drafter_roles, document_id=document.id,
                               raw={"body": "Nội dung sửa lén"}, content_mode="form")
        assert locked.value.code == "draft_not_editable"

    from models.documents.tables import Document

    assert rows(engine, Document, Document.id == document.id)[0].status == DocumentStatus.IN_REVIEW


MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


@pytest.mark.skipif(not MODULE.exists(), reason="SoftHSM2 is not installed (Debian package softhsm2)")
async def test_the_signer_signs_with_a_pin_on_the_configured_token(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki, monkeypatch):  # noqa: F811
    """An HSM holding the leader's key under their username; the PIN is typed at signing."""
    engine, client = seeded_sqlite, temporal_env.client
    shutil.copytree(demo_pki, tmp_path / "pki")
    base = make_settings(tmp_path, task_queue)
    key, cert, chain = pkcs12.load_key_and_certificates(
        pki.demo_pkcs12_path(base, "lanhdao").read_bytes(), pki.demo_password(base))
    tokens = tmp_path / "softhsm"
    (tokens / "tokens").mkdir(parents=True)
    (tokens / "softhsm2.conf").write_text(f"directories.tokendir = {tokens / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(tokens / "softhsm2.conf"))
    (tokens / "key.der").write_bytes(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (tokens / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "qlvb-hsm", "--pin", "1234",
                    "--so-pin", "5678"], check=True, capture_output=True)
    for kind, name in (("privkey", "key.der"), ("cert", "cert.der")):
        subprocess.run(["pkcs11-tool", "--module", str(MODULE), "--token-label", "qlvb-hsm", "--login", "--pin", "1234",
                        "--write-object", str(tokens / name), "--type", kind, "--id", "01", "--label", "lanhdao"],
                       check=True, capture_output=True)
    # The module reads its configuration once per process: make it see this token directory.
    pkcs11.lib(str(MODULE)).reinitialize()
    chain_file = tmp_path / "chain.pem"
    chain_file.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
    settings = base.model_copy(update={"pki_pkcs11_module": MODULE, "pki_pkcs11_token_label": "qlvb-hsm",
                                       "pki_pkcs11_chain": chain_file})
    store = FileStore(settings.files_dir)
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    async with running_worker(client, engine, settings):
        document, task = await _to_the_signing_step(engine, client, settings)
        with pytest.raises(DomainError) as wrong_pin:
            await sign_draft(engine, client, settings, store, task_id=task.id, user=leader, roles=leader_roles,
                             nonce="t1", token_pin="0000")
        assert wrong_pin.value.code == "signing_key_unavailable"
        outcome = await sign_draft(engine, client, settings, store, task_id=task.id, user=leader, roles=leader_roles,
                                   nonce="t2", token_pin="1234")
        assert outcome.applied and outcome.document_status == DocumentStatus.SIGNED
    signed = _signed_revisions(engine, document.id)
    assert len(signed) == 1
    from models.documents.tables import StoredFile

    data = store.read(rows(engine, StoredFile, StoredFile.id == signed[0].file_id)[0].sha256)
    report = await asyncio.to_thread(check_pdf_signatures, data, pki.trust_anchor_certificates(settings))
    assert report.verdict == SignatureVerdict.VALID and report.signatures[0].signer_common_name == leader.full_name
