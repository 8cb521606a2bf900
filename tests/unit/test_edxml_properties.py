"""Property: for any package QLVB could send, parse(build(p)) == p, and it passes strict validation.

Text is Vietnamese with diacritics (plus the XML special characters) within the field limits of
ND30 PL VI / EDXML §2.2; attachments are random bytes. Examples are kept modest for speed.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.exchange.edxml.build import build_package
from models.exchange.edxml.document_id import make_document_id, parse_document_id
from models.exchange.edxml.package import (
    STATUS_NAMES,
    Attachment,
    Business,
    BusinessDocType,
    BusinessDocumentInfo,
    Code,
    DocumentType,
    EdocPackage,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
)
from models.exchange.edxml.parse import parse_package
from models.exchange.edxml.validate import validate
from models.registers.numbering import VIETNAM

LETTERS = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ")
ALPHABET = LETTERS + LETTERS.upper() + "0123456789 ,.;:-/()<>&\"'"
TODAY = dt.date(2026, 11, 26)
EXAMPLES = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def text(max_size: int, *, min_size: int = 1):
    """Vietnamese text without surrounding blanks (the parser trims them), at most ``max_size``."""
    return st.text(ALPHABET, min_size=min_size, max_size=max_size).map(lambda s: " ".join(s.split())).filter(
        lambda s: len(s) >= min_size)


def optional(strategy):
    return st.one_of(st.just(""), strategy)


organ_ids = st.builds(lambda a, b, c, m, x: f"{a:03d}.{b:02d}.{c:02d}.{m}{x:02d}",
                      st.integers(0, 999), st.integers(0, 99), st.integers(0, 99),
                      st.sampled_from("AGHKW"), st.integers(0, 99))
dates = st.dates(dt.date(2000, 1, 1), TODAY)
moments = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=VIETNAM))
notations = st.text("ABCDĐGHKLMNPQSTUVX-", min_size=1, max_size=30).filter(lambda s: s.strip("-") == s)
numbers = st.integers(1, 99_999).map(lambda n: f"{n:02d}")
staff = st.builds(StaffInfo, optional(text(100)), optional(text(50)), optional(st.just("vanthu@hanam.gov.vn")),
                  optional(st.just("0912000000")))


@st.composite
def organizations(draw, organ_id=organ_ids):
    return Organization(draw(organ_id), draw(text(200)), draw(optional(text(500))), draw(optional(text(500))),
                        draw(optional(st.just("vanthu@hanam.gov.vn"))), draw(optional(st.just("0226 3852 701"))),
                        draw(optional(st.just("0226 3852 702"))), draw(optional(st.just("hanam.gov.vn"))))


@st.composite
def document_ids(draw):
    return make_document_id(draw(organ_ids), draw(dates), draw(numbers), draw(notations))


@st.composite
def businesses(draw):
    kind = draw(st.sampled_from(list(BusinessDocType)))
    info, replacements = None, ()
    if kind is BusinessDocType.UPDATE:
        info = BusinessDocumentInfo(draw(st.sampled_from("01")), draw(st.sampled_from("01")), tuple(
            Receiver(o, t) for o, t in draw(st.lists(st.tuples(organ_ids, st.sampled_from("01")), max_size=3))))
    if kind is BusinessDocType.REPLACE:
        replacements = tuple(draw(st.lists(st.builds(ReplacementInfo, document_ids(),
                                                     st.lists(organ_ids, min_size=1, max_size=3).map(tuple)),
                                           min_size=1, max_size=2)))
    return Business(kind, draw(text(100)), draw(optional(document_ids())), draw(st.sampled_from([0, 1])),
                    info, replacements, draw(st.none() | staff))


@st.composite
def attachments(draw):
    tokens = draw(st.lists(st.text("abcdef0123456789-", min_size=1, max_size=36), unique=True, max_size=3))
    # Bytes that begin like a zip are unpacked and checked as one whatever their name (a broken zip
    # is refused on purpose), so plain attachments never start with the zip magic.
    plain = st.binary(max_size=3000).filter(lambda data: not data.startswith(b"PK\x03\x04"))
    return tuple(Attachment(token, draw(text(120)) + ".pdf", draw(plain),
                            draw(st.sampled_from(["application/pdf", "application/octet-stream"])),
                            draw(optional(text(200))))
                 for token in tokens)


@st.composite
def edoc_packages(draw):
    sender = draw(organizations())
    issued, number, notation = draw(dates), draw(numbers), draw(notations)
    recipient_ids = draw(st.lists(organ_ids, min_size=1, max_size=3, unique=True))
    return EdocPackage(
        sender=sender,
        recipients=tuple(draw(organizations(st.just(organ_id))) for organ_id in recipient_ids),
        document_id=make_document_id(sender.organ_id, issued, number, notation),
        code=Code(number, notation),
        promulgation=PromulgationInfo(draw(optional(text(50))), issued),
        document_type=DocumentType(draw(st.sampled_from(["", "1", "2"])), draw(st.sampled_from(["", "0"])),
                                   draw(st.sampled_from(["Công văn", "Quyết định", "Thông báo", "Kế hoạch"]))),
        subject=draw(text(500)),
        content=draw(optional(text(500))),
        signer=SignerInfo(draw(optional(st.sampled_from(["KT. CHỦ TỊCH", "TL. BỘ TRƯỞNG", "TM. ỦY BAN NHÂN DÂN"]))),
                          draw(optional(text(100))), draw(optional(text(50)))),
        due_date=draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31))),
        other=OtherInfo(draw(st.none() | st.integers(0, 4)), draw(optional(text(100))), draw(optional(text(10))),
                        draw(st.none() | st.integers(0, 999)), draw(st.none() | st.integers(0, 999)),
                        draw(st.none() | st.booleans()), tuple(draw(st.lists(text(200), max_size=2)))),
        response_for=tuple(draw(st.lists(st.builds(ResponseFor, organ_ids, numbers, st.none() | dates,
                                                   document_ids()), max_size=2))),
        steering_type=draw(st.sampled_from(["", "1"])),
        to_places=tuple(draw(st.lists(text(150), max_size=3))),
        trace_headers=tuple(draw(st.lists(st.builds(TraceHeader, organ_ids, st.none() | moments),
                                          min_size=1, max_size=2))),
        business=draw(businesses()),
        attachments=draw(attachments()),
    )


@st.composite
def status_packages(draw):
    document_id = draw(document_ids())
    parts = parse_document_id(document_id)
    return StatusPackage(
        sender=draw(organizations()),
        response_for=ResponseFor(parts.organ_id, f"{parts.number}/{parts.notation}", parts.issued, document_id),
        status_code=draw(st.sampled_from(sorted(STATUS_NAMES))),
        description=draw(optional(text(500))),
        timestamp=draw(moments),
        staff=draw(st.none() | staff),
        recipient=draw(st.none() | organizations()),
    )


@EXAMPLES
@given(edoc_packages())
def test_document_packages_round_trip_and_pass_strict_validation(package):
    result = parse_package(build_package(package))

    assert result.package == package
    assert (result.errors, result.warnings) == ([], [])
    errors, warnings = validate(package, outgoing=True, today=TODAY)
    assert errors == [] and warnings == []


@EXAMPLES
@given(status_packages())
def test_status_packages_round_trip_and_pass_strict_validation(package):
    result = parse_package(build_package(package))

    assert result.package == package
    assert (result.errors, result.warnings) == ([], [])
    assert validate(package, outgoing=True, today=TODAY) == ([], [])
