"""The pure parts of a hồ sơ export: joining PDFs a source at a time, the metadata XML, the Mục
lục's rows, the ASCII names, and a Vietnamese message for every refusal."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
from lxml import etree

from models.records import cover
from models.records.export import ExportPlan, PlannedDocument, PlannedFile, ascii_name
from models.records.export_xml import write_metadata
from models.records.pdf_join import PdfJoiner
from tests.conftest import minimal_pdf
from web.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[2]


def _inheriting_pdf(path: Path) -> Path:
    """A two-page PDF whose pages take their box and font from the page tree, not from themselves."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for text in (b"Trang mot", b"Trang hai"):
        content = pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (" + text + b") Tj ET")
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, Contents=content)))
    pdf.Root.Pages.MediaBox = pikepdf.Array([0, 0, 420, 595])
    pdf.Root.Pages.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.save(path)
    return path


def test_the_joiner_keeps_every_page_with_what_it_inherited_and_a_bookmark_per_source(tmp_path):
    first = tmp_path / "a.pdf"
    first.write_bytes(minimal_pdf(pages=3, text_line="Van ban thu nhat"))
    joiner = PdfJoiner(tmp_path / "joined.pdf")
    assert joiner.add(first, "1. Quyết định số 12/QĐ-VP") == 3
    assert joiner.add(_inheriting_pdf(tmp_path / "b.pdf"), "2. Công văn — Đồng ý") == 2
    assert joiner.add(first) == 3  # no bookmark
    joiner.finish()

    with pikepdf.open(tmp_path / "joined.pdf") as joined:
        assert len(joined.pages) == 8
        fourth = joined.pages[3]
        assert list(fourth.mediabox) == [0, 0, 420, 595] and "/F1" in fourth.Resources.Font
        with joined.open_outline() as outline:
            items = [(item.title, joined.pages.index(pikepdf.Page(item.destination[0]))) for item in outline.root]
    assert items == [("1. Quyết định số 12/QĐ-VP", 0), ("2. Công văn — Đồng ý", 3)]


def _plan(documents: list[PlannedDocument]) -> ExportPlan:
    record = {"FileCode": {"OrganId": "000.00.01.H23", "FileCatalog": 2026, "FileNotation": "01.TCCB"},
              "Title": "Hồ sơ thử", "Maintenance": "Vĩnh viễn", "Rights": "", "Creator": "Nguyễn Văn A",
              "Language": "Tiếng Việt", "StartDate": "2026-01-01", "EndDate": "2026-02-01", "Description": ""}
    return ExportPlan(export_id="e-1", store_root="/nowhere", bag_name="hoso", record=record,
                      agency_name="Văn phòng", parent_agency_name="", documents=documents, bag_info={})


def _document(position: int, **metadata) -> PlannedDocument:
    return PlannedDocument(document_id=f"d{position}", direction="outgoing", position=position,
                           doc_ordinal=10 - position, date=f"2026-01-0{position}", so_ky_hieu=f"{position}/QĐ-VP",
                           type_name="Quyết định", subject="Về việc thử", organ_name="Văn phòng",
                           metadata={"TypeName": "Quyết định", "Language": "Tiếng Việt", **metadata},
                           original=PlannedFile("ab" * 32, 10, "a.pdf"))


def test_the_metadata_follows_the_decree_order_and_leaves_empty_values_out(tmp_path):
    plan = _plan([_document(1, To=[{"OrganId": "000.00.02.H23", "OrganName": "Sở Nội vụ"},
                                   {"OrganId": "", "OrganName": "Phòng Tổng hợp"}],
                            SignerInfo={"Competence": "", "Position": "Chánh Văn phòng", "FullName": "Trần B"},
                            TraceHeaderList=[{"Section": "Lãnh đạo cơ quan", "Opinion": "Giao TH"}],
                            DueDate=None, Description=""),
                  _document(2)])
    write_metadata(tmp_path / "ho-so.xml", plan, {"d1": 3, "d2": 2},
                   {"d1": [{"kind": "Original", "path": "van-ban/0001/ban-goc.pdf", "sha256": "ab" * 32}]},
                   created_at="2026-02-02T08:00:00+00:00")
    root = etree.parse(str(tmp_path / "ho-so.xml")).getroot()
    head = [child.tag for child in root][:11]
    assert head == ["FileCode", "Title", "Maintenance", "Creator", "Language", "StartDate", "EndDate",
                    "DocTotal", "PageTotal", "Documents", "Export"]  # Rights and Description are empty
    assert (root.findtext("DocTotal"), root.findtext("PageTotal")) == ("2", "5")
    first = root.find("Documents/Document")
    assert [child.tag for child in first] == ["FileCode", "DocOrdinal", "TypeName", "Language", "PageAmount",
                                              "To", "To", "SignerInfo", "TraceHeaderList", "Files"]
    assert first.findtext("DocOrdinal") == "9" and first.findtext("PageAmount") == "3"
    assert [to.findtext("OrganName") for to in first.findall("To")] == ["Sở Nội vụ", "Phòng Tổng hợp"]
    assert first.find("To[2]/OrganId") is None and first.find("SignerInfo/Competence") is None
    assert first.findtext("TraceHeaderList/TraceHeader/Opinion") == "Giao TH"
    assert first.find("Files/Original").get("sha256") == "ab" * 32
    assert root.find("Export").get("id") == "e-1"


def test_the_contents_rows_give_each_document_its_first_page_and_date():
    plan = _plan([_document(1), _document(2)])
    rows = cover.rows(plan, {"d1": 1, "d2": 4}, {"d2": "Không có bản PDF/A"})
    assert [(r["position"], r["date"], r["page"], r["note"]) for r in rows] == [
        ("1", "01/01/2026", "1", ""), ("2", "02/01/2026", "4", "Không có bản PDF/A")]
    html = cover.contents_html(plan, rows, first=True, last=True, pages=5)
    assert "Mục lục văn bản trong hồ sơ" in html and "gồm 2 văn bản, 5 trang" in html


def test_names_are_folded_to_ascii():
    assert ascii_name("Phụ lục đính kèm số 2.pdf") == "Phu luc dinh kem so 2.pdf"
    assert ascii_name("Hồ sơ: 01/TCCB") == "Ho so- 01-TCCB"
    assert ascii_name("„“") == "-"


def test_every_refusal_of_the_export_has_a_vietnamese_message():
    sources = ["commands/record_export.py", "models/records/bag.py", "activities/record_export.py",
               "web/record_export.py"]
    pattern = r'(?:Error|NotFound|Failed|failed)\((?:[a-z]+, )?"(record_export_[a-z_]+)"'
    codes = {code for path in sources for code in re.findall(pattern, (ROOT / path).read_text())}
    assert {"record_export_disposed", "record_export_file_missing", "record_export_failed",
            "record_export_not_started", "record_export_not_ready", "record_export_not_found"} <= codes
    assert sorted(code for code in codes if code not in MESSAGES) == []
