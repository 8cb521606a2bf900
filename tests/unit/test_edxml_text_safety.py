"""edXML texts refuse control characters, NUL and bidi overrides, with the element named (models.text)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from models.exchange.edxml.build import build_package
from models.exchange.edxml.package import Attachment, Organization, ResponseFor, StaffInfo, StatusPackage
from models.exchange.edxml.validate import check, validate
from tests.unit.edxml_fixtures import small_package

TODAY = dt.date(2026, 11, 26)
BAD = {"\x00": "control_character", "\x07": "control_character", "\x1b": "control_character",
       "\x7f": "control_character", "\x85": "control_character", "\u202e": "bidi_control",
       "\u2066": "bidi_control", "\u202a": "bidi_control"}


def _with(text: str, bad: str) -> str:
    return text[:4] + bad + text[4:]


def _edits(package):
    """(element path, package with that text spoiled by ``bad``) for a spread of fields."""
    return {
        "Subject": lambda bad: dataclasses.replace(package, subject=_with(package.subject, bad)),
        "Content": lambda bad: dataclasses.replace(package, content=_with(package.content, bad)),
        "From/OrganName": lambda bad: dataclasses.replace(
            package, sender=dataclasses.replace(package.sender, organ_name=_with(package.sender.organ_name, bad))),
        "To[1]/OrganName": lambda bad: dataclasses.replace(
            package, recipients=(Organization("000.00.03.H23", _with("Sở Tài chính", bad)),)),
        "Code/CodeNotation": lambda bad: dataclasses.replace(
            package, code=dataclasses.replace(package.code, notation=_with("UBND-TH", bad))),
        "SignerInfo/FullName": lambda bad: dataclasses.replace(
            package, signer=dataclasses.replace(package.signer, full_name=_with("Nguyễn Văn Đức", bad))),
        "ToPlaces/Place[2]": lambda bad: dataclasses.replace(package, to_places=("Như trên", _with("Lưu: VT", bad))),
        "TraceHeaderList/Bussiness/StaffInfo/Staff": lambda bad: dataclasses.replace(
            package, business=dataclasses.replace(package.business, staff=StaffInfo("Văn thư", _with("Trần Lan", bad)))),
        "AttachmentEncoded/Attachment[1]/AttachmentName": lambda bad: dataclasses.replace(
            package, attachments=(Attachment("1", _with("hop-dong.pdf", bad), b"%PDF-1.7\n", "application/pdf"),)),
        "AttachmentEncoded/Attachment[1]/Description": lambda bad: dataclasses.replace(
            package, attachments=(Attachment("1", "a.pdf", b"%PDF-1.7\n", "application/pdf", _with("Văn bản", bad)),)),
    }


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("outgoing", [True, False])
def test_every_kind_of_unsafe_character_is_refused_in_every_text_with_its_element(bad, outgoing):
    for path, spoil in _edits(small_package()).items():
        errors, _ = validate(spoil(bad), outgoing=outgoing, today=TODAY)
        unsafe = [error for error in errors if error.code in ("control_character", "bidi_control")]
        assert [(error.path, error.code) for error in unsafe] == [(path, BAD[bad])], path
        assert unsafe[0].message_vi.startswith(f"{path}: chứa ký tự")
        assert f"U+{ord(bad):04X} ở ký tự thứ 5" in unsafe[0].message_vi


def test_line_breaks_are_allowed_only_where_a_text_may_span_lines():
    package = small_package(subject="Về việc báo cáo\nngân sách năm 2026", content="Dòng 1\r\n\tDòng 2")
    assert validate(package, outgoing=True, today=TODAY) == ([], [])
    broken_name = small_package(sender=Organization("000.00.01.H23", "Văn phòng\nUBND tỉnh"))
    errors, _ = validate(broken_name, today=TODAY)
    assert [(error.path, error.code) for error in errors] == [("From/OrganName", "control_character")]


def test_a_status_package_is_checked_too():
    status = StatusPackage(Organization("000.00.03.H23", "Sở Tài chính"),
                           ResponseFor("000.00.01.H23", "125/UBND-TH", dt.date(2026, 11, 20),
                                       "000.00.01.H23,2026/11/20,125/UBND-TH"),
                           "03", description="Đã vào sổ \u202eđến")
    errors, _ = validate(status, today=TODAY)
    assert [(error.path, error.code) for error in errors] == [("Description", "bidi_control")]


def test_a_received_package_with_a_bidi_override_or_c1_control_is_refused_from_its_bytes():
    """XML itself forbids NUL and most C0 controls (the parser refuses those); bidi overrides
    and C1 controls are legal XML, so the validator is what stops them."""
    for bad in ("\u202e", "\x85", "\x7f"):
        data = build_package(small_package(subject=_with("V/v báo cáo ngân sách", bad)))
        report = check(data, today=TODAY)
        assert not report.ok
        assert [(error.path, error.code) for error in report.errors] == [("Subject", BAD[bad])]
    clean = check(build_package(small_package()), today=TODAY)
    assert clean.ok, clean.errors


def test_a_status_code_of_unusual_digits_is_reported_not_a_crash():
    for code in ("²", "٣", "9" * 5000):
        status = StatusPackage(Organization("000.00.03.H23", "Sở Tài chính"),
                               ResponseFor("000.00.01.H23", "125/UBND-TH", dt.date(2026, 11, 20),
                                           "000.00.01.H23,2026/11/20,125/UBND-TH"), code)
        report = check(build_package(status), today=TODAY)
        assert [problem.code for problem in report.errors + report.warnings] == ["unknown_status"], code
