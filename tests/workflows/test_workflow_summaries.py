"""What the Temporal UI shows of a document's workflow: its kind, agency and numbers, never a
person's name or the trích yếu (on the real dev server, with the real activities and DB)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata

from models.documents.tables import Document
from models.org.tables import User
from models.signing.demo_pki import ensure_demo_pki
from tests.conftest import minimal_pdf
from tests.helpers import (
    eventually,
    eventually_async,
    make_settings,
    rows,
    running_worker,
    sample_metadata,
    upload,
)
from tests.outgoing_helpers import act_on_step, draft_document, sign_as_leader, submit_draft

AGENCY = "000.00.01.H23"


async def _current_details(handle) -> str:
    """The details the workflow set last, as the UI reads them (the SDK's built-in metadata query)."""
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return metadata.current_details


def _assert_no_personal_data(engine, text: str, *private: str) -> None:
    names = [user.full_name for user in rows(engine, User) if user.full_name]
    assert names and not [name for name in names if name in text], text
    assert not [value for value in private if value and value in text], text


async def test_an_incoming_workflow_says_its_kind_agency_then_its_numbers(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    metadata = sample_metadata()
    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf(1))
        handle = client.get_workflow_handle(document.workflow_id)
        summary = await (await handle.describe()).static_summary()
        assert summary == f"Văn bản đến · {AGENCY} · chưa vào sổ"

        await eventually(lambda: rows(engine, Document, Document.id == document.id,
                                      Document.arrival_number.is_not(None)))

        async def registered_details():
            details = await _current_details(handle)
            return details or None

        details = await eventually_async(registered_details)
    year = date.today().year
    assert details == f"Đã vào sổ: số đến 1/{year} · văn bản số 125/STC-NS"
    for text in (summary, details):
        _assert_no_personal_data(engine, text, metadata["subject"], metadata["signer_full_name"])


@pytest.fixture(scope="module")
def demo_pki(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pki-source")
    ensure_demo_pki(make_settings(root, "unused"))
    return root / "pki"


async def test_an_outgoing_workflow_is_a_draft_until_issued_then_shows_its_number(
        seeded_sqlite, temporal_env, task_queue, tmp_path, demo_pki):
    engine, client = seeded_sqlite, temporal_env.client
    shutil.copytree(demo_pki, tmp_path / "pki")
    settings = make_settings(tmp_path, task_queue)
    async with running_worker(client, engine, settings):
        document = draft_document(engine, settings)
        await submit_draft(engine, client, settings, document)
        handle = client.get_workflow_handle(f"outgoing-{document.id}")
        summary = await (await handle.describe()).static_summary()
        assert summary == f"Văn bản đi · {AGENCY} · dự thảo, chưa cấp số"
        assert await _current_details(handle) == ""

        await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", "s1")
        await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", "s2")
        await act_on_step(engine, client, "lanhdao", document.id, "approve", "duyet", "s3")
        await sign_as_leader(engine, client, settings, document.id, "s4")
        await act_on_step(engine, client, "vanthu", document.id, "issue", "ban_hanh", "s5")
        await handle.result()
        details = await _current_details(handle)
        issued = rows(engine, Document, Document.id == document.id)[0]
        received = await eventually(lambda: rows(engine, Document, Document.direction == "incoming",
                                                 Document.code_notation == issued.code_notation))
        child_summary = await (await client.get_workflow_handle(received[0].workflow_id).describe()).static_summary()
    assert details == f"Đã ban hành: số {issued.code_number}/{issued.code_notation}"
    assert issued.code_number and issued.code_notation
    assert child_summary.startswith("Văn bản đến · ") and child_summary.endswith(" · chưa vào sổ")
    for text in (summary, details, child_summary):
        _assert_no_personal_data(engine, text, issued.subject)
