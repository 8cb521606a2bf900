"""The số and ngày filled at issue look typeset with the page: the label's font, size and baseline.

Each test signs for real (official, fill, agency) and reads the printed characters back with
other libraries than the fill uses (``tests.pdf_lines``). Needs fonts-croscore and poppler-utils.
"""

from __future__ import annotations

import io
import shutil

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from models.outgoing.render import DATE_FIELD, NUMBER_FIELD, add_issuing_fields, render_document
from models.outgoing.upload import upload_field_boxes
from models.signing import issuing, pki
from models.signing import providers as signing_providers
from models.signing.field_fill import font_file
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from tests.pdf_lines import assert_typeset_like, printed_glyphs, run_of, text_layer
from tests.unit.signing_fixtures import demo_settings, outgoing_pdf
from tests.unit.test_outgoing_render import draft

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext") or font_file("Tinos")[1] is False,
                                reason="poppler-utils or fonts-croscore not installed")

OFFICIAL, AGENCY = "lanhdao", "000.00.01.H23"
DATE = "ngày 04 tháng 12 năm 2026"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return demo_settings(tmp_path_factory.mktemp("var"))


def issue(settings, pdf: bytes, number: str) -> bytes:
    """The issuing order of ``activities.outgoing``: official, số and ngày, agency seal."""
    official = signing_providers.Pkcs12Provider(pki.demo_pkcs12_path(settings, OFFICIAL), pki.demo_password(settings))
    agency = signing_providers.Pkcs12Provider(pki.demo_pkcs12_path(settings, AGENCY), pki.demo_password(settings))
    signed = issuing.sign_as_official(
        pdf, official, signature_image_png=pki.signature_image_path(settings, OFFICIAL).read_bytes(),
        signer_name="Trần Văn Minh", reason="Ký ban hành")
    filled = issuing.fill_number_and_date(signed, so_ky_hieu=number, date_text=DATE)
    issued = issuing.sign_as_agency(filled, agency, seal_image_png=pki.seal_image_path(settings, AGENCY).read_bytes(),
                                    reason=f"Ban hành văn bản số {number}")
    report = check_pdf_signatures(issued, pki.trust_anchor_certificates(settings))
    assert report.verdict == SignatureVerdict.VALID and len(report.signatures) == 2
    return issued


def field_rect(pdf: bytes, name: str) -> tuple[float, ...]:
    reader = PdfFileReader(io.BytesIO(pdf))
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field["/T"] == name:
            return tuple(float(v) for v in field["/Rect"])
    raise AssertionError(name)


def test_the_number_and_date_share_the_font_size_and_baseline_of_their_labels(settings):
    issued = issue(settings, render_document(draft()).pdf, "12/QĐ-SNV")
    glyphs = printed_glyphs(issued)

    label, number = run_of(glyphs, "Số:"), run_of(glyphs, "12/QĐ-SNV")
    assert_typeset_like(number, label)
    assert label[-1].font == "Tinos" and label[-1].size == pytest.approx(13, abs=0.1)
    place, date = run_of(glyphs, "Hà Nam,"), run_of(glyphs, DATE)
    assert_typeset_like(date, place)
    assert place[-1].font == "Tinos-Italic" and place[-1].size == pytest.approx(14, abs=0.1)
    # The fill starts where the printed blank starts, right after the label and its space.
    assert number[0].x0 == pytest.approx(field_rect(issued, NUMBER_FIELD)[0], abs=0.5)
    assert date[0].x0 == pytest.approx(field_rect(issued, DATE_FIELD)[0], abs=0.5)

    printed = text_layer(issued)
    assert "Số: 12/QĐ-SNV" in printed
    assert f"Hà Nam, {DATE}" in printed


def test_a_number_too_long_for_its_blank_is_set_smaller_on_the_same_baseline(settings):
    number = "1234/QĐ-UBND-VPĐBQH-TCCB-KHTC"
    issued = issue(settings, render_document(draft()).pdf, number)
    glyphs = printed_glyphs(issued)
    label, fill = run_of(glyphs, "Số:"), run_of(glyphs, number)
    x1, _y1, x2, _y2 = field_rect(issued, NUMBER_FIELD)
    assert fill[0].x0 >= x1 - 0.5 and fill[-1].x1 <= x2 + 0.5  # nothing cut off at the box's edge
    assert all(g.size < label[-1].size - 1 for g in fill)
    assert all(g.font == label[-1].font and abs(g.baseline - label[-1].baseline) <= 0.5 for g in fill)
    assert number in text_layer(issued)


def test_a_bare_field_of_an_upload_gets_the_times_metric_font_inside_its_box(settings):
    """No printed label on the line: Tinos 13 pt, baseline and descenders inside the box."""
    a4 = (0.0, 0.0, 595.28, 841.89)
    uploaded = add_issuing_fields(outgoing_pdf(with_fields=False), upload_field_boxes(a4, a4, 0))
    issued = issue(settings, uploaded, "05/UBND-VP")
    fill = run_of(printed_glyphs(issued), "05/UBND-VP")
    _x1, y1, _x2, y2 = field_rect(issued, NUMBER_FIELD)
    for glyph in fill:
        assert glyph.font == "Tinos" and glyph.size == pytest.approx(13, abs=0.1)
        assert y1 + 0.2 * 13 <= glyph.baseline <= y2 - 0.7 * 13
    assert "ngày 04 tháng 12 năm 2026" in text_layer(issued)


def test_a_label_font_is_found_by_its_name_or_by_its_times_metric_style():
    assert font_file("Tinos-Bold-Italic") == (font_file("Tinos-BoldItalic")[0], True)
    assert font_file("Tinos-Bold-Italic")[0].name == "Tinos-BoldItalic.ttf"
    path, same = font_file("TimesNewRomanPS-ItalicMT")
    assert (path.name, same) == ("Tinos-Italic.ttf", False)
