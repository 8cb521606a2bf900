"""Envelope XML-DSig (EDXML §7): sign → valid; tampering, a wrong key, SHA-1 → invalid."""

from __future__ import annotations

import pytest
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner

from models.exchange.edxml.build import build_package
from models.exchange.edxml.envelope_signature import SignatureState, sign, verify
from models.exchange.edxml.parse import parse_package
from models.exchange.edxml.problems import EdxmlRejected
from models.exchange.edxml.safe_xml import parse_untrusted
from tests.unit.edxml_fixtures import make_pki, small_package


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture(scope="module")
def signed(pki):
    _ca, key, leaf = pki
    return sign(build_package(small_package()), key, [leaf])


def test_a_signed_package_verifies_against_its_root(pki, signed):
    ca, _key, _leaf = pki

    check = verify(signed, trust_anchors=[ca])

    assert check.state is SignatureState.VALID, check.reason
    assert "Hà Nam" in check.signer
    assert check.algorithm.endswith("rsa-sha256")


def test_the_signature_sits_at_the_end_of_the_header_and_the_package_still_parses(signed):
    root = parse_untrusted(signed)
    header = root[0][0]
    assert header[-1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    assert parse_package(signed).package == small_package()


def test_without_trust_anchors_a_sound_signature_is_only_not_verifiable(signed):
    assert verify(signed).state is SignatureState.NOT_VERIFIABLE


def test_a_tampered_field_makes_it_invalid(pki, signed):
    ca, _key, _leaf = pki
    tampered = signed.replace("Nguyễn Văn Đức".encode(), "Nguyễn Văn Đạt".encode())
    assert tampered != signed

    check = verify(tampered, trust_anchors=[ca])

    assert check.state is SignatureState.INVALID
    assert "thay đổi" in check.reason


def test_a_tampered_attachment_makes_it_invalid(pki, signed):
    ca, _key, _leaf = pki
    original = build_package(small_package()).split(b"<ContentTransferEncoded>")[1].split(b"<")[0]
    tampered = signed.replace(original, b"JVBERi0xLjcKJSBldmls")

    assert verify(tampered, trust_anchors=[ca]).state is SignatureState.INVALID


def test_a_wrong_key_makes_it_invalid(pki):
    ca, _key, leaf = pki
    _other_ca, other_key, _other_leaf = make_pki("Kẻ giả mạo")
    forged = sign(build_package(small_package()), other_key, [leaf])  # someone else's key, our certificate

    assert verify(forged, trust_anchors=[ca]).state is SignatureState.INVALID
    assert verify(forged).state is SignatureState.INVALID


def test_a_chain_to_another_root_is_invalid(pki, signed):
    other_ca, _key, _leaf = make_pki("CA khác")

    check = verify(signed, trust_anchors=[other_ca])

    assert check.state is SignatureState.INVALID


class _Sha1Signer(XMLSigner):
    """A partner still on RSA-SHA1: signxml refuses to produce it unless told otherwise."""

    def check_deprecated_methods(self):
        return None


def _sha1_signed(key, leaf) -> bytes:
    from lxml import etree

    root = parse_untrusted(build_package(small_package()))
    header = root[0][0]
    etree.SubElement(header, "{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder")
    signed = _Sha1Signer(signature_algorithm=SignatureMethod.RSA_SHA1, digest_algorithm=DigestAlgorithm.SHA1,
                         c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(root, key=key, cert=[leaf])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def test_sha1_is_refused_unless_allowed_for_that_partner(pki):
    ca, key, leaf = pki
    data = _sha1_signed(key, leaf)

    refused = verify(data, trust_anchors=[ca])
    allowed = verify(data, trust_anchors=[ca], allow_sha1=True)

    assert refused.state is SignatureState.INVALID
    assert "SHA-1" in refused.reason
    assert allowed.state is SignatureState.VALID, allowed.reason


def test_signing_twice_is_refused(pki, signed):
    _ca, key, leaf = pki
    with pytest.raises(EdxmlRejected) as refusal:
        sign(signed, key, [leaf])
    assert refusal.value.code == "edxml_already_signed"


def test_an_unsigned_package_is_absent():
    assert verify(build_package(small_package())).state is SignatureState.ABSENT
