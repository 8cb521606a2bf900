"""Hostile input is refused with a clear error before it can do harm (EDXML §6, §8.1; STACK-NOTES §4.1).

Each case checks the refusal code, a Vietnamese message, that nothing leaked into the result and
that nothing was written to the working directory.
"""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from models.exchange.edxml import zipped
from models.exchange.edxml.build import build_package
from models.exchange.edxml.package import Attachment
from models.exchange.edxml.parse import parse_package
from models.exchange.edxml.problems import DEFAULT_LIMITS, EdxmlRejected, Limits
from tests.unit.edxml_fixtures import small_package

NS = b'xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"'


@pytest.fixture(autouse=True)
def empty_cwd(tmp_path, monkeypatch):
    """Run each case in an empty directory and check it stays empty."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work
    assert os.listdir(work) == []


def _package_with_subject(subject: bytes, prolog: bytes = b"") -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n' + prolog + b"<edXML " + NS + b"><edXMLEnvelope><edXMLHeader>"
            b"<MessageHeader><From><OrganId>000.00.01.H23</OrganId><OrganName>A</OrganName></From>"
            b"<To><OrganId>000.00.03.H23</OrganId></To><DocumentId>x</DocumentId>"
            b"<Subject>" + subject + b"</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>")


def _refused(data: bytes, limits: Limits = DEFAULT_LIMITS) -> EdxmlRejected:
    with pytest.raises(EdxmlRejected) as refusal:
        parse_package(data, limits)
    assert refusal.value.problem.message_vi
    return refusal.value


def test_the_plain_package_used_below_is_accepted():
    assert parse_package(_package_with_subject("Trích yếu".encode())).package.subject == "Trích yếu"


def test_xxe_to_a_local_file_is_refused_and_nothing_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MẬT-KHẨU-BÍ-MẬT")
    prolog = f'<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'.encode()

    refusal = _refused(_package_with_subject(b"&xxe;", prolog))

    assert refusal.code == "edxml_doctype"
    assert "BÍ-MẬT" not in str(refusal.params)


def test_an_external_dtd_over_the_network_is_refused():
    prolog = b'<!DOCTYPE edXML SYSTEM "http://attacker.invalid/evil.dtd">\n'
    assert _refused(_package_with_subject(b"x", prolog)).code == "edxml_doctype"


def test_billion_laughs_is_refused():
    entities = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    prolog = b"<!DOCTYPE edXML [" + entities + b"]>\n"

    assert _refused(_package_with_subject(b"&lol9;", prolog)).code == "edxml_doctype"


def test_a_bare_doctype_is_refused():
    assert _refused(_package_with_subject(b"x", b"<!DOCTYPE edXML>\n")).code == "edxml_doctype"


def test_an_oversized_package_is_refused_before_parsing():
    data = _package_with_subject(b"x" * 5000)

    refusal = _refused(data, Limits(max_package_bytes=4096))

    assert refusal.code == "edxml_too_large"
    assert refusal.params["size"] == len(data)


@pytest.mark.parametrize("levels", [100, 1000])
def test_too_deep_nesting_is_refused(levels):
    deep = b"<a>" * levels + b"x" + b"</a>" * levels
    assert _refused(_package_with_subject(deep)).code == "edxml_too_deep"


def test_something_that_is_not_edxml_is_refused():
    refusal = _refused(b"<html><body>not a package</body></html>")
    assert refusal.code == "edxml_not_edxml"


def test_garbage_is_refused_as_malformed():
    assert _refused(b"\x00\x01PK garbage").code == "edxml_malformed"
    assert _refused(b"").code == "edxml_malformed"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_zip(data: bytes) -> bytes:
    return build_package(small_package(attachments=(Attachment("1", "tai-lieu.zip", data, "application/zip"),)))


def test_a_zip_bomb_is_refused_before_extraction(monkeypatch):
    bomb = _zip({"zeros.bin": bytes(30 * 2**20)})  # 30 MB of zeros → about 30 KB
    assert len(bomb) < 100_000
    extracted = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: extracted.append(a) or None)

    refusal = _refused(_with_zip(bomb))

    assert refusal.code == "edxml_zip_refused"
    assert "bom nén" in refusal.problem.message_vi
    assert extracted == []


def test_too_many_members_are_refused():
    many = _zip({f"{i}.txt": b"x" for i in range(20)})
    assert _refused(_with_zip(many), Limits(max_zip_members=10)).code == "edxml_zip_refused"


def test_a_zip_larger_than_the_total_cap_is_refused():
    big = _zip({"a.bin": os.urandom(300_000)})
    assert _refused(_with_zip(big), Limits(max_zip_total_bytes=100_000)).code == "edxml_zip_refused"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "C:/Windows/win.ini", "..\\..\\boot.ini",
                                  "thu-muc/tep.pdf"])
def test_zip_path_traversal_and_paths_are_refused(name):
    refusal = _refused(_with_zip(_zip({name: b"root:x:0:0"})))

    assert refusal.code == "edxml_zip_refused"
    assert name in refusal.problem.message_vi


def test_a_corrupt_zip_is_refused():
    assert _refused(_with_zip(b"PK\x03\x04" + b"\x00" * 40)).code == "edxml_zip_refused"


def test_a_harmless_zip_is_unpacked_in_memory():
    package = parse_package(_with_zip(_zip({"van-ban.pdf": b"%PDF-1.7 demo"}))).package

    [member] = package.attachments[0].unpacked
    assert (member.name, member.data) == ("van-ban.pdf", b"%PDF-1.7 demo")


def test_member_names_are_judged_before_anything_else():
    assert zipped.unsafe_member_name("a.pdf") is None
    assert zipped.unsafe_member_name("D:evil") is not None
    assert zipped.unsafe_member_name("a/../../b") is not None


def test_an_attachment_that_is_not_base64_is_refused_cleanly():
    data = _with_zip(b"x").replace(b"<ContentTransferEncoded>eA==", b"<ContentTransferEncoded>${__StringFromFile}")

    refusal = _refused(data)

    assert refusal.code == "edxml_bad_attachment"
    assert "không phải base64" in refusal.problem.message_vi


def test_an_attachment_over_the_size_cap_is_refused_before_decoding():
    data = build_package(small_package(attachments=(Attachment("1", "a.pdf", b"%PDF" + bytes(5000)),)))
    assert _refused(data, Limits(max_attachment_bytes=1000)).code == "edxml_attachment_too_large"


def test_an_attachment_beyond_the_xml_text_node_cap_is_refused_clearly():
    """libxml2 without huge_tree stops text nodes at 10 MB: about 7.5 MB of file before base64."""
    data = build_package(small_package(attachments=(Attachment("1", "a.pdf", bytes(8 * 2**20)),)))

    refusal = _refused(data)

    assert refusal.code == "edxml_too_large"
    assert "10 MB" in refusal.problem.message_vi
