"""``qlvb search index-text``: the text layers of documents stored before full text, read until none waits."""

from __future__ import annotations

from datetime import date

import cli
import models.all  # noqa: F401
from config.settings import get_settings
from models.db import make_engine, transaction
from models.documents import search_repo
from models.documents.file_store import FileStore
from models.documents.repo import receive_incoming, store_file
from models.documents.schema import IncomingMetadata
from models.documents.search import SearchQuery
from tests.conftest import minimal_pdf
from tests.factories import make_org


def test_index_text_reads_every_pending_document_then_again_with_all(var_dir, capsys):
    assert cli.main(["migrate"]) == 0
    engine = make_engine(get_settings().effective_database_url)
    store = FileStore(get_settings().files_dir)
    with transaction(engine) as session:
        org = make_org(session)
        clerk = org.users["clerk"]
        for number in range(3):
            pdf = minimal_pdf(text_line=f"Quy trinh luu tru so {number}")
            stored = store_file(session, sha256=store.put(pdf), size=len(pdf), content_type="application/pdf",
                                filename="cv.pdf", user_id=clerk.id)
            receive_incoming(session, clerk=clerk, stored=stored, page_count=1, process_key="incoming-standard",
                             process_version=1, metadata=IncomingMetadata(
                                 code_number=str(number + 1), code_notation="SNV", organ_name="Sở Nội vụ",
                                 type_name="Công văn", subject="Công văn", issued_date=date(2026, 12, 1)))
    capsys.readouterr()

    assert cli.main(["search", "index-text"]) == 0
    said = capsys.readouterr().out
    assert "còn 0 văn bản chờ" in said and "Xong: nội dung của 3 văn bản" in said
    with transaction(engine) as session:
        assert search_repo.pending_text_count(session) == 0
        found = search_repo.search_documents(session, clerk, org.roles["clerk"], SearchQuery(text="quy trinh luu tru"))
        assert found.total == 3

    assert cli.main(["search", "index-text"]) == 0  # nothing waits: nothing read
    assert "Xong: nội dung của 0 văn bản" in capsys.readouterr().out
    assert cli.main(["search", "index-text", "--all"]) == 0
    assert "Xong: nội dung của 3 văn bản" in capsys.readouterr().out
    engine.dispose()
