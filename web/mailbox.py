"""The development mailbox: administrators read the e-mails QLVB would have sent.

Only while ``mail_dev_mailbox`` is on (no SMTP server configured); otherwise every page is a
404, so a production installation shows nothing of it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from models.bounds import Id
from models.errors import Forbidden, NotFound
from models.notifications import mail
from models.notifications import tables as notifications_tables
from web.deps import DbSession, Principal, State, WebUser
from web.htmx import render

router = APIRouter(prefix="/dev/mailbox")


def _check(state, principal: Principal) -> None:
    if not state.settings.mail_dev_mailbox:
        raise NotFound("not_found")
    if not principal.is_admin:
        raise Forbidden("admin_only")


@router.get("")
def mailbox(request: Request, principal: WebUser, state: State, session: DbSession) -> Response:
    _check(state, principal)
    return render(request, "mailbox/index.html", messages=mail.latest(session),
                  mail_dir=state.settings.mail_dir.name)


@router.get("/{message_id}")
def message(request: Request, message_id: Id, principal: WebUser, state: State, session: DbSession) -> Response:
    _check(state, principal)
    found = session.get(notifications_tables.MailMessage, message_id)
    if found is None:
        raise NotFound("mail_not_found")
    return render(request, "mailbox/message.html", message=found,
                  body=mail.render_body(found, state.settings.mail_base_url),
                  file_name=mail.mailbox_path(state.settings.mail_dir, found.id).name)
