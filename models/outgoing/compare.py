"""Comparing two revisions of an outgoing draft (văn bản đi): a read, shared by the page and API v1.

A unified diff of the two revisions' PDF text, then of their form fields. It needs the file store
as well as the database, so it opens its own read-only ``reading`` session.
"""

from __future__ import annotations

import difflib

from sqlalchemy.engine import Engine

from models.db import reading
from models.documents.access import document_for_user
from models.documents.file_store import FileStore
from models.documents.tables import StoredFile
from models.documents.text_extract import pdf_text
from models.org.tables import User
from models.outgoing import repo as outgoing_repo
from models.vocab import Role

# Pages read for comparing revisions: enough for any ordinary document, bounded for huge ones.
COMPARE_MAX_PAGES = 50


def compare_revisions(engine: Engine, store: FileStore, *, user: User, roles: set[Role], document_id: str,
                      first: int, second: int) -> list[str]:
    """A unified diff of two revisions' text, then of their form fields (for form revisions)."""
    with reading(engine) as session:
        document = document_for_user(session, user, document_id, roles)
        pair = []  # (number, file sha256, form), read while the session is open
        for number in (first, second):
            revision = outgoing_repo.revision(session, document.id, number)
            pair.append((number, session.get(StoredFile, revision.file_id).sha256, dict(revision.form)))
    (old, old_sha, old_form), (new, new_sha, new_form) = pair
    old_text = pdf_text(store.read(old_sha), max_pages=COMPARE_MAX_PAGES).splitlines()
    new_text = pdf_text(store.read(new_sha), max_pages=COMPARE_MAX_PAGES).splitlines()
    lines = list(difflib.unified_diff(old_text, new_text, f"Bản {old}", f"Bản {new}", lineterm=""))
    if old_form or new_form:
        lines += list(difflib.unified_diff(_form_lines(old_form), _form_lines(new_form),
                                           f"Thông tin bản {old}", f"Thông tin bản {new}", lineterm=""))
    return lines


def _form_lines(form: dict) -> list[str]:
    lines = []
    for key in sorted(form):
        value = form[key]
        text = "\n".join(value) if isinstance(value, list) else str(value if value is not None else "")
        lines += [f"{key}: {line}" for line in text.splitlines() or [""]]
    return lines
