"""What an uploaded PDF must be before anything is stored (models/documents/pdf_checks.py)."""

from __future__ import annotations

import io

import pikepdf
import pytest

from models.documents.pdf_checks import MAX_PAGES, inspect_pdf
from models.errors import DomainError
from tests.conftest import minimal_pdf


def _rewritten(change) -> bytes:
    with pikepdf.open(io.BytesIO(minimal_pdf(2))) as pdf:
        options = change(pdf) or {}
        out = io.BytesIO()
        pdf.save(out, **options)
    return out.getvalue()


def test_a_good_pdf_gives_its_page_count():
    assert inspect_pdf(minimal_pdf(2)) == 2


def test_a_password_protected_pdf_is_refused():
    locked = _rewritten(lambda pdf: {"encryption": pikepdf.Encryption(owner="chu", user="doc", R=4)})
    with pytest.raises(DomainError) as refused:
        inspect_pdf(locked)
    assert refused.value.code == "pdf_encrypted"


def _pdf_claiming(count: int) -> bytes:
    """A well-formed one-page PDF (exact xref) whose page tree claims ``count`` pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_page_count_of_a_billion_is_refused_not_followed():
    assert inspect_pdf(_pdf_claiming(1)) == 1
    with pytest.raises(DomainError) as refused:
        inspect_pdf(_pdf_claiming(1_000_000_000))
    assert refused.value.code == "pdf_too_many_pages" and refused.value.params["limit"] == MAX_PAGES
