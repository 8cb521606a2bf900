"""The real packages of shared/edxml-samples (EDXML §10): expected values written from its README.

Every well-formed sample parses with the values below; build ∘ parse gives the same data; the two
malformed samples are refused with a clear error; placeholder signatures are not_verifiable.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from models.exchange.edxml.build import build_package
from models.exchange.edxml.envelope_signature import SignatureState, verify
from models.exchange.edxml.package import BusinessDocType, EdocPackage, StatusPackage
from models.exchange.edxml.parse import parse_package
from models.exchange.edxml.problems import EdxmlRejected
from models.exchange.edxml.validate import check
from tests.unit.edxml_fixtures import sample_bytes

REFERENCE_ID = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
REFERENCE_BUSINESS_ID = "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"  # impossible date, kept verbatim

# file → (BussinessDocType, From/OrganId, To/OrganIds, DocumentId, CodeNumber)
EDOCS = {
    "all4u1089__edoc_new.edxml": (0, "000.00.00.A80", ["28.22.H17"], REFERENCE_ID, "74fass22"),
    "all4u1089__edoc_update.edxml": (2, "000.00.00.G22", ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"],
                                     REFERENCE_ID, "7816"),
    "all4u1089__edoc_replacement.edxml": (3, "000.00.00.G22", ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"],
                                          REFERENCE_ID, "7816"),
    "all4u1089__edoc_revocation.edxml": (1, "000.00.00.G22", ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"],
                                         REFERENCE_ID, "7816"),
    "all4u1089__dc0bdef0-c7a3-4aaf-b717-777303442973.edxml": (
        0, "000.00.00.G22", ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"], REFERENCE_ID, "7816"),
    "hungnguyen01011985__edoc_new.edxml": (0, "000.00.00.K19", ["000.00.50.H19"], REFERENCE_ID, "781622e22"),
    "QuangChuIT__edoc_new.edxml": (0, "000.00.11.H53", ["000.00.01.A53"], "000.00.11.H53,2020/10/30,2491/STC-BCTC",
                                   "2491"),
    "QuangChuIT__edoc_update.edxml": (2, "000.00.00.G22", ["000.00.00.H53", "000.00.12.H53", "000.00.00.G17"],
                                      REFERENCE_ID, "7816"),
}
# file → (StatusCode, From/OrganId, ResponseFor/OrganId)
STATUSES = {
    "all4u1089__status.edxml": ("01", "000.00.00.H41", "000.00.00.G22"),
    "all4u1089__status_inbox_01.edxml": ("01", "000.00.00.H41", "000.00.00.G22"),
    "all4u1089__status_rejection_02.edxml": ("02", "000.00.00.H41", "000.00.00.G22"),
    "all4u1089__status_acceptance_03.edxml": ("03", "000.00.00.H41", "000.00.00.G22"),
    "all4u1089__status_assignment_04.edxml": ("04", "000.00.00.H41", "000.00.00.G22"),
    "all4u1089__status_processing_05.edxml": ("05", "000.00.00.H41", "000.00.00.G22"),
    "QuangChuIT__status_processing_05.edxml": ("05", "000.00.00.H41", "000.00.00.G22"),
    "all4u1089__status_finish_06.edxml": ("06", "000.00.00.H41", "000.00.00.G22"),
    # 13 comes from the issuer and names the receiving agency in ResponseFor (reversed).
    "all4u1089__status_cancellation_13.edxml": ("13", "000.00.00.G22", "000.00.00.H41"),
    "all4u1089__status_change-acceptance_15.edxml": ("15", "000.00.00.H41", "000.00.00.G22"),
    "all4u1089__status_change-rejection_16.edxml": ("16", "000.00.00.H41", "000.00.00.G22"),
}
MALFORMED = ["all4u1089__edoc.edxml", "hungnguyen01011985__edoc.edxml"]


@pytest.mark.parametrize("name", sorted(EDOCS))
def test_each_document_sample_parses_with_its_expected_values(name):
    doc_type, sender, recipients, document_id, number = EDOCS[name]

    result = parse_package(sample_bytes(name))
    package = result.package

    assert isinstance(package, EdocPackage) and result.kind == "edoc"
    assert result.errors == []
    assert package.business_doc_type == doc_type
    assert package.sender.organ_id == sender
    assert [r.organ_id for r in package.recipients] == recipients
    assert package.document_id == document_id
    assert package.code.number == number
    assert [a.content_id for a in package.attachments] == ["209"]
    attachment = package.attachments[0]
    assert attachment.name == "1896_QD-TTg_m_294779.doc"
    assert attachment.content_type == "application/zip" and attachment.detected_type == "application/zip"
    assert len(attachment.unpacked) == 1 and attachment.unpacked[0].name.endswith(".edxml")


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_each_status_sample_parses_with_its_expected_values(name):
    code, sender, response_organ = STATUSES[name]

    result = parse_package(sample_bytes(name))
    package = result.package

    assert isinstance(package, StatusPackage) and result.kind == "status"
    assert (result.errors, result.warnings) == ([], [])
    assert package.status_code == code
    assert package.sender.organ_id == sender
    assert package.response_for.organ_id == response_organ
    assert package.response_for.document_id == REFERENCE_ID
    assert package.response_for.code == "7816/VPCP-TTĐT"
    assert package.timestamp is not None and package.timestamp.utcoffset() == dt.timedelta(hours=7)


@pytest.mark.parametrize("name", sorted(EDOCS) + sorted(STATUSES))
def test_every_well_formed_sample_is_valid_as_received_and_round_trips(name):
    report = check(sample_bytes(name))
    assert report.ok, [e.message_vi for e in report.errors]

    rebuilt = parse_package(build_package(report.package))

    assert rebuilt.package == report.package
    assert (rebuilt.errors, rebuilt.warnings) == ([], [])


def test_quang_chu_new_document_day_first_date_and_empty_fields():
    result = parse_package(sample_bytes("QuangChuIT__edoc_new.edxml"))
    package = result.package

    assert package.promulgation.date == dt.date(2020, 10, 30)
    assert [w.code for w in result.warnings] == ["date_day_first"]
    assert package.signer.full_name == "" and package.due_date is None
    assert package.other.appendixes == ()
    assert package.sender.organ_name == "Sở Tính"  # typo kept as sent
    assert package.other.priority == 0 and package.other.direction is False and package.steering_type == "1"


def test_update_sample_carries_its_business_document_info():
    package = parse_package(sample_bytes("all4u1089__edoc_update.edxml")).package
    info = package.business.document_info

    assert (info.document_info, info.document_receiver) == ("1", "1")
    assert [(r.organ_id, r.receiver_type) for r in info.receivers] == [("000.00.00.H41", "0"), ("000.00.00.H14", "1")]
    assert package.business.document_id == REFERENCE_BUSINESS_ID
    assert package.signer.competence == "TL. BO TRUONG"


def test_replacement_sample_keeps_both_identical_entries():
    business = parse_package(sample_bytes("all4u1089__edoc_replacement.edxml")).package.business

    assert business.doc_type is BusinessDocType.REPLACE
    assert business.document_id == ""
    assert [(r.document_id, r.organ_ids) for r in business.replacements] == [
        ("000.00.00.G22,2014/01/30,7806/VPCP-TTĐT", ("000.00.00.H41", "000.00.00.H14"))] * 2


def test_revocation_targets_the_header_document_and_keeps_its_response_for():
    package = parse_package(sample_bytes("all4u1089__edoc_revocation.edxml")).package

    assert package.business.doc_type is BusinessDocType.REVOKE and package.business.document_id == ""
    assert package.target_document_id == REFERENCE_ID
    [response] = package.response_for
    assert (response.organ_id, response.document_id) == ("000.00.00.H14", "000.00.04.G14,2012/08/06,267/VPCP-TTĐT")


def test_builder_output_sample_has_business_before_trace_header():
    package = parse_package(sample_bytes("all4u1089__dc0bdef0-c7a3-4aaf-b717-777303442973.edxml")).package

    assert package.business.doc_type is BusinessDocType.NEW
    assert [h.organ_id for h in package.trace_headers] == ["000.00.00.G22"]
    # its ZIP holds the malformed test package byte for byte
    assert package.attachments[0].unpacked[0].data == sample_bytes("all4u1089__edoc.edxml")


def test_reference_zip_holds_the_package_that_carries_a_signed_pdf():
    inner = parse_package(sample_bytes("all4u1089__edoc_new.edxml")).package.attachments[0].unpacked[0]

    assert len(inner.data) == 388_347
    assert hashlib.sha256(inner.data).digest() == hashlib.sha256(sample_bytes("hungnguyen01011985__edoc.edxml")).digest()


def test_status_with_children_in_another_order():
    package = parse_package(sample_bytes("all4u1089__status.edxml")).package

    assert package.sender.organ_name == "UBND Tỉnh Nghệ An"
    assert package.response_for.promulgation_date == dt.date(2018, 9, 28)  # contradicts its DocumentId, kept
    assert package.staff.staff == "Nguyễn Thị Ngọc Trâm"


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_samples_are_refused_with_a_clear_error(name):
    with pytest.raises(EdxmlRejected) as refusal:
        parse_package(sample_bytes(name))

    assert refusal.value.code == "edxml_malformed"
    assert "không đúng cú pháp XML (dòng" in refusal.value.problem.message_vi


def test_the_load_test_placeholder_attachment_fails_cleanly_once_the_xml_is_repaired():
    """The malformed hub test package also carries ``${__StringFromFile(...)}`` as content."""
    data = sample_bytes("all4u1089__edoc.edxml")
    repaired = data.replace(b"<edXML:From>\r\n         <edXML:From>", b"<edXML:From>", 1).replace(b"xlink:", b"")
    repaired = repaired.replace(b"<edXML:AttachmentEncoded>", b'<edXML:AttachmentEncoded xmlns:edXML='
                                b'"http://www.mic.gov.vn/TBT/QCVN_102_2016">')

    with pytest.raises(EdxmlRejected) as refusal:
        parse_package(repaired)

    assert refusal.value.code == "edxml_bad_attachment"
    assert "không phải base64" in refusal.value.problem.message_vi


@pytest.mark.parametrize("name", sorted(EDOCS))
def test_placeholder_envelope_signatures_are_not_verifiable(name):
    assert verify(sample_bytes(name)).state is SignatureState.NOT_VERIFIABLE


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_status_samples_have_no_envelope_signature(name):
    assert verify(sample_bytes(name)).state is SignatureState.ABSENT


def test_status_14_is_read_as_15_with_a_warning_and_never_written():
    data = sample_bytes("all4u1089__status_change-acceptance_15.edxml").replace(
        b"<edXML:StatusCode>15<", b"<edXML:StatusCode>14<")

    result = parse_package(data)

    assert result.package.status_code == "15"
    assert [w.code for w in result.warnings] == ["status_14_as_15"]
    assert b">15</edXML:StatusCode>" in build_package(result.package)
