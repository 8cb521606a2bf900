"""Field-precise Vietnamese problems (ND30 PL VI lengths, EDXML §2.2, §3, §5)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.exchange.edxml.document_id import BadDocumentId, make_document_id, parse_document_id
from models.exchange.edxml.package import Organization, ResponseFor, StatusPackage
from models.exchange.edxml.validate import validate
from tests.unit.edxml_fixtures import small_package

TODAY = dt.date(2026, 11, 26)


def _messages(problems):
    return [p.message_vi for p in problems]


def test_the_fixture_package_is_strictly_valid():
    assert validate(small_package(), outgoing=True, today=TODAY) == ([], [])


def test_an_over_long_subject_is_an_error_when_sending_and_a_warning_when_received():
    package = small_package(subject="a" * 612)

    sent_errors, _ = validate(package, outgoing=True, today=TODAY)
    received_errors, received_warnings = validate(package, today=TODAY)

    assert _messages(sent_errors) == ["Subject: dài 612 ký tự, tối đa 500"]
    assert sent_errors[0].path == "Subject" and sent_errors[0].code == "too_long"
    assert received_errors == [] and _messages(received_warnings) == ["Subject: dài 612 ký tự, tối đa 500"]


def test_missing_mandatory_elements_are_named():
    package = small_package(subject="", recipients=())

    errors, _ = validate(package, today=TODAY)

    assert set(_messages(errors)) == {"To: cần ít nhất một cơ quan nhận", "Subject: thiếu (bắt buộc)"}


def test_our_own_organ_id_must_be_the_qcvn_102_form():
    package = small_package(sender=Organization("H23.01", "Văn phòng"))

    errors, _ = validate(package, outgoing=True, today=TODAY)

    assert "From/OrganId: mã định danh «H23.01» sai định dạng QCVN 102 (dạng 000.00.00.H23)" in _messages(errors)


def test_a_received_three_group_code_is_accepted_but_garbage_is_not():
    ok = small_package(recipients=(Organization("28.22.H17"),))
    bad = small_package(recipients=(Organization("so tai chinh"),))

    assert validate(ok, today=TODAY)[1] == []
    assert [w.code for w in validate(bad, today=TODAY)[1]] == ["bad_organ_id"]


def test_a_document_id_not_matching_the_header_is_refused_when_sending():
    package = small_package(document_id="000.00.01.H23,2026/11/20,126/UBND-TH")

    errors, _ = validate(package, outgoing=True, today=TODAY)

    assert [e.code for e in errors] == ["document_id_mismatch"]
    assert "000.00.01.H23,2026/11/20,125/UBND-TH" in errors[0].message_vi


def test_a_malformed_document_id_is_refused_when_sending():
    errors, _ = validate(small_package(document_id="9fbfbad2-f1f8-4256"), outgoing=True, today=TODAY)
    assert "bad_document_id" in [e.code for e in errors]


def test_document_identifiers_parse_and_build():
    value = make_document_id("000.00.11.H53", dt.date(2020, 10, 30), "2491", "STC-BCTC")

    assert value == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    parts = parse_document_id(value, strict_organ=True)
    assert (parts.organ_id, parts.issued, parts.number, parts.notation) == (
        "000.00.11.H53", dt.date(2020, 10, 30), "2491", "STC-BCTC")
    assert str(parts) == value


@pytest.mark.parametrize(("value", "reason"), [
    ("9fbfbad2-f1f8-4256-a2eb-50fb1061cddb", "shape"),
    ("000.00.00.G22,2014/02/30,7806/VPCP-TTĐT", "date"),
    ("so tai chinh,2014/02/03,7806/VPCP", "organ_id"),
    ("000.00.00.G22,2014/02/03,", "number"),
])
def test_bad_document_identifiers_say_which_part_is_wrong(value, reason):
    with pytest.raises(BadDocumentId) as bad:
        parse_document_id(value)
    assert bad.value.reason == reason


def test_future_dates_and_out_of_range_numbers_are_errors_when_sending():
    from models.exchange.edxml.package import OtherInfo, PromulgationInfo

    package = small_package(promulgation=PromulgationInfo("Hà Nam", dt.date(2026, 12, 1)),
                            document_id="000.00.01.H23,2026/12/01,125/UBND-TH",
                            other=OtherInfo(priority=7, page_amount=1000))

    codes = sorted(e.code for e in validate(package, outgoing=True, today=TODAY)[0])

    assert codes == ["bad_number", "bad_priority", "future_date"]


def _status(code: str) -> StatusPackage:
    return StatusPackage(Organization("000.00.00.H41", "UBND tỉnh Nghệ An"),
                         ResponseFor("000.00.00.G22", "7816/VPCP-TTĐT", None, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
                         code, timestamp=dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC))


def test_an_unknown_status_code_is_an_error_when_sending_and_kept_when_received():
    errors, _ = validate(_status("999"), outgoing=True, today=TODAY)
    _, warnings = validate(_status("07"), today=TODAY)

    assert _messages(errors) == ["StatusCode: mã trạng thái «999» không có trong QCVN 102 "
                                 "(01, 02, 03, 04, 05, 06, 13, 15, 16)"]
    assert [w.code for w in warnings] == ["unknown_status"]
    assert validate(_status("15"), outgoing=True, today=TODAY) == ([], [])
