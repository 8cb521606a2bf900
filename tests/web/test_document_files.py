"""The document page's files (web/documents.py): the viewer's read is audited as opening the
document, any other read as a download, ``?download=1`` saves instead of showing; attachments are
served by their number on the page."""

from __future__ import annotations

from sqlmodel import select

from models.audit import AuditEvent
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.repo import store_file
from models.documents.tables import DocumentFile
from tests.conftest import minimal_pdf
from tests.helpers import rows, user_and_roles
from tests.web.conftest import api_token, browser_login
from tests.web.test_audit_log import _incoming


def _codes(engine, document_id: str) -> list[tuple[str, str]]:
    events = rows(engine, AuditEvent, AuditEvent.subject_id == document_id,
                  AuditEvent.code.in_(["document.viewed", "document.downloaded"]))
    return [(e.code, e.data.get("via", "")) for e in sorted(events, key=lambda e: e.id)]


async def test_the_viewer_reads_the_file_as_a_view_and_links_download_it(web):
    document_id = await _incoming(web, await api_token(web, "vanthu"))
    leader, _ = user_and_roles(web.engine, "lanhdao")
    attachment = minimal_pdf(1, "Phu luc")
    with transaction(web.engine) as session:
        stored = store_file(session, sha256=FileStore(web.app.state.qlvb.settings.files_dir).put(attachment),
                            size=len(attachment), content_type="application/pdf", filename="phu-luc.pdf",
                            user_id=leader.id)
        session.add(DocumentFile(document_id=document_id, file_id=stored.id, role="attachment"))
    await browser_login(web, "lanhdao")

    page = await web.get(f"/documents/{document_id}")
    assert page.status_code == 200
    assert f'data-pdf-src="/documents/{document_id}/file?view=1"' in page.text
    assert f'data-pdf-src="/documents/{document_id}/attachments/1?view=1"' in page.text
    assert '<link rel="stylesheet" href="/static/document_page.css">' in page.text

    viewed = await web.get(f"/documents/{document_id}/file", params={"view": "1"})
    assert viewed.status_code == 200 and viewed.headers["content-disposition"].startswith("inline")
    saved = await web.get(f"/documents/{document_id}/file", params={"download": "1"})
    assert saved.headers["content-disposition"].startswith("attachment")
    second = await web.get(f"/documents/{document_id}/attachments/1", params={"download": "1"})
    assert second.status_code == 200 and second.content == attachment
    assert (await web.get(f"/documents/{document_id}/attachments/2")).status_code == 404

    # The page's own view is recorded once (the viewer's read within minutes adds nothing);
    # both downloads are, the attachment's with its number.
    mine = [c for c in _codes(web.engine, document_id) if c != ("document.viewed", "api")]
    assert mine == [("document.viewed", "web"), ("document.downloaded", "web"), ("document.downloaded", "web")]
    with transaction(web.engine) as session:
        # The last download (the workflow, running meanwhile, records events of its own).
        last = session.exec(select(AuditEvent).where(AuditEvent.subject_id == document_id,
                                                     AuditEvent.code == "document.downloaded")
                            .order_by(AuditEvent.id.desc())).first()
        assert last.data["attachment"] == 1
