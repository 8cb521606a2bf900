"""The development mailbox: an urgent document's e-mail reaches the .eml files and the admin page."""

from __future__ import annotations

import email
from email import policy

from models.db import transaction
from models.notifications.mail import deliver_pending, mailbox_path
from models.notifications.tables import MailMessage
from models.org.tables import User
from models.tasks.tables import Task
from tests.conftest import minimal_pdf
from tests.helpers import eventually, rows, upload, user_and_roles
from tests.web.conftest import browser_login


async def test_an_admin_reads_the_dev_mailbox_and_others_cannot(web):
    state = web.app.state.qlvb
    assert state.settings.mail_dev_mailbox
    leader, _ = user_and_roles(web.engine, "lanhdao")
    with transaction(web.engine) as session:
        session.get(User, leader.id).email = "lanhdao@hanam.gov.vn"
    document = await upload(web.engine, state.client, state.settings, minimal_pdf(), priority="hoa_toc")
    await eventually(lambda: rows(web.engine, Task, Task.document_id == document.id))
    [queued] = await eventually(lambda: rows(web.engine, MailMessage))
    assert queued.to_address == "lanhdao@hanam.gov.vn" and queued.urgent

    assert deliver_pending(web.engine, state.settings) == 1
    with mailbox_path(state.settings.mail_dir, queued.id).open("rb") as handle:
        parsed = email.message_from_binary_file(handle, policy=policy.default)
    subject = f"[QLVB] Văn bản KHẨN cần xử lý ngay: {document.code_number}/{document.code_notation}"
    assert parsed["Subject"] == subject

    await browser_login(web, "lanhdao")
    assert (await web.get("/dev/mailbox")).status_code == 403
    assert "Hộp thư thử nghiệm" not in (await web.get("/")).text
    web.cookies.clear()

    await browser_login(web, "admin")
    assert 'href="/dev/mailbox"' in (await web.get("/")).text
    listing = await web.get("/dev/mailbox")
    assert listing.status_code == 200
    assert subject in listing.text and "lanhdao@hanam.gov.vn" in listing.text
    shown = await web.get(f"/dev/mailbox/{queued.id}")
    assert shown.status_code == 200
    assert document.subject in shown.text and f"/documents/{document.id}" in shown.text
    assert (await web.get("/dev/mailbox/999999")).status_code == 404

    state.settings.mail_dev_mailbox = False  # an SMTP server is configured: the page is gone
    try:
        assert (await web.get("/dev/mailbox")).status_code == 404
        assert 'href="/dev/mailbox"' not in (await web.get("/")).text
    finally:
        state.settings.mail_dev_mailbox = True
