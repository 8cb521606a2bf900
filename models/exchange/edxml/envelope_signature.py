"""The envelope XML-DSig signature of an edXML package (EDXML §7, STACK-NOTES §4.2).

Sending: ``sign`` adds an enveloped signature (``Reference URI=""``, so the attachments outside
the envelope are covered too) as the last child of ``edXMLHeader``, RSA-SHA256 with exclusive
canonicalisation, the certificate chain leaf first in ``KeyInfo/X509Data``.

Receiving: ``verify`` reports one of four states and a Vietnamese reason. The envelope
signature never decides acceptance on its own (EDXML §7: authenticity rests on the PAdES
signatures of the attached PDFs); it is recorded and shown.

* ``absent``: no ``Signature`` (or only an empty ``DigitalSignature``);
* ``not_verifiable``: the placeholder signatures of the reference packages (a ``Signature``
  outside the XML-DSig namespace, the known dummy ``SignatureValue``, a truncated certificate),
  or a sound signature with no trust anchor to check its chain against. Never ``valid``;
* ``invalid``: digest or signature mismatch, untrusted or unusable certificate, an algorithm
  refused by policy (RSA-SHA1 unless ``allow_sha1`` for that partner), a reference that does not
  cover the whole package;
* ``valid``: the signature verifies and its chain ends at one of the given trust anchors.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography import x509
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature
from signxml.util import X509CertChainVerifier

from models.exchange.edxml.package import NAMESPACE
from models.exchange.edxml.problems import DEFAULT_LIMITS, EdxmlRejected, Limits
from models.exchange.edxml.safe_xml import parse_untrusted

DSIG = "http://www.w3.org/2000/09/xmldsig#"
# The SignatureValue every reference package carries whatever its content (samples README).
PLACEHOLDER_SIGNATURE_PREFIXES = ("GbVb8n9+",)


class SignatureState(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    NOT_VERIFIABLE = "not_verifiable"
    ABSENT = "absent"


@dataclass(frozen=True)
class SignatureCheck:
    state: SignatureState
    reason: str
    signer: str = ""  # subject of the signing certificate, when one could be read
    algorithm: str = ""  # SignatureMethod URI


def sign(data: bytes, key, certificates: Sequence[x509.Certificate], *,
         limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Return ``data`` with an enveloped RSA-SHA256 signature at the end of ``edXMLHeader``.

    ``certificates``: the chain leaf first (signxml's order, STACK-NOTES §4.2). Refuses a
    package that already carries a signature: re-signing would hide which one the hub saw.
    """
    root = parse_untrusted(data, limits)
    header = _header(root)
    if _signatures(header):
        raise EdxmlRejected("edxml_already_signed", "edXMLHeader/Signature", "Gói tin đã có chữ ký phong bì.")
    etree.SubElement(header, f"{{{DSIG}}}Signature", Id="placeholder", nsmap={"ds": DSIG})
    signer = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA256, digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signed = signer.sign(root, key=key, cert=list(certificates))
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def verify(data: bytes, *, trust_anchors: Sequence[x509.Certificate] | None = None, allow_sha1: bool = False,
           at: datetime | None = None, limits: Limits = DEFAULT_LIMITS) -> SignatureCheck:
    """Check the envelope signature of a package (which must parse: ``EdxmlRejected`` otherwise).

    ``at``: check certificate validity as of that moment (the receipt time of a stored
    package). ``allow_sha1``: accept RSA-SHA1/SHA-1, only for a partner known to need it.
    """
    root = parse_untrusted(data, limits)
    signatures = _signatures(_header(root))
    if not signatures:
        return SignatureCheck(SignatureState.ABSENT, "Gói tin không có chữ ký phong bì.")
    signature = signatures[0]
    if etree.QName(signature).namespace != DSIG:
        return SignatureCheck(SignatureState.NOT_VERIFIABLE,
                              "Chữ ký mẫu (placeholder): phần tử Signature không thuộc không gian tên XML-DSig.")
    algorithm = _algorithm(signature, "SignatureMethod")
    value = "".join(_texts(signature, "SignatureValue"))
    if value.strip().startswith(PLACEHOLDER_SIGNATURE_PREFIXES):
        return SignatureCheck(SignatureState.NOT_VERIFIABLE, "Chữ ký mẫu (placeholder) dùng chung cho mọi gói tin.",
                              algorithm=algorithm)
    certificates = []
    for text in _texts(signature, "X509Certificate"):
        try:
            certificates.append(x509.load_der_x509_certificate(base64.b64decode("".join(text.split()))))
        except (ValueError, binascii.Error):
            return SignatureCheck(SignatureState.NOT_VERIFIABLE,
                                  "Chứng thư số trong chữ ký bị cắt cụt hoặc không đọc được.", algorithm=algorithm)
    if not certificates:
        return SignatureCheck(SignatureState.NOT_VERIFIABLE, "Chữ ký không kèm chứng thư số.", algorithm=algorithm)
    signer = certificates[0].subject.rfc4514_string()
    digest = _algorithm(signature, "DigestMethod")
    if not allow_sha1 and ("sha1" in algorithm.lower() or digest.lower().endswith("#sha1")):
        return SignatureCheck(SignatureState.INVALID, "Chữ ký dùng thuật toán SHA-1, không còn được chấp nhận.",
                              signer, algorithm)
    references = [r.get("URI") for r in signature.iter(f"{{{DSIG}}}Reference")]
    if references != [""]:
        return SignatureCheck(SignatureState.INVALID, "Chữ ký không bao trùm toàn bộ gói tin (Reference URI khác \"\").",
                              signer, algorithm)
    config = SignatureConfiguration(
        signature_methods=frozenset(SignatureMethod) if allow_sha1 else SignatureConfiguration.signature_methods,
        digest_algorithms=frozenset(DigestAlgorithm) if allow_sha1 else SignatureConfiguration.digest_algorithms,
        verification_time=at)
    try:
        if trust_anchors:
            _AnchoredVerifier(trust_anchors).verify(data, expect_config=config)
        else:  # integrity only: the chain cannot be judged without anchors
            XMLVerifier().verify(data, x509_cert=certificates[0], expect_config=config)
    except InvalidDigest:
        return SignatureCheck(SignatureState.INVALID, "Nội dung gói tin đã bị thay đổi sau khi ký.", signer, algorithm)
    except InvalidCertificate as error:
        return SignatureCheck(SignatureState.INVALID, f"Chứng thư số không được tin cậy hoặc không dùng để ký: {error}",
                              signer, algorithm)
    except (InvalidSignature, InvalidInput) as error:
        return SignatureCheck(SignatureState.INVALID, f"Chữ ký không khớp: {error}", signer, algorithm)
    if not trust_anchors:
        return SignatureCheck(SignatureState.NOT_VERIFIABLE, "Chữ ký khớp với nội dung nhưng chưa có chứng thư gốc "
                                                             "tin cậy để xác minh nguồn gốc.", signer, algorithm)
    return SignatureCheck(SignatureState.VALID, "Chữ ký hợp lệ.", signer, algorithm)


def _header(root):
    for envelope in root.iterchildren(f"{{{NAMESPACE}}}edXMLEnvelope"):
        for header in envelope.iterchildren(f"{{{NAMESPACE}}}edXMLHeader"):
            return header
    raise EdxmlRejected("edxml_not_edxml", "edXMLEnvelope/edXMLHeader", "Thiếu phần tử «edXMLEnvelope/edXMLHeader».")


def _signatures(header) -> list:
    """``Signature`` children of the header in either namespace; an empty ``DigitalSignature`` is none."""
    return [child for child in header.iterchildren(tag=etree.Element)
            if etree.QName(child).localname == "Signature" and etree.QName(child).namespace in (DSIG, NAMESPACE)]


def _texts(signature, name: str) -> list[str]:
    return [(e.text or "") for e in signature.iter(f"{{{DSIG}}}{name}")]


def _algorithm(signature, name: str) -> str:
    for element in signature.iter(f"{{{DSIG}}}{name}"):
        return element.get("Algorithm", "")
    return ""


class _AnchoredVerifier(XMLVerifier):
    """signxml takes trust anchors only as a PEM file path; this one takes them from memory."""

    def __init__(self, anchors: Sequence[x509.Certificate]) -> None:
        super().__init__()
        self._anchors = list(anchors)

    def get_cert_chain_verifier(self, ca_pem_file, ee_policy, ca_policy):
        return _AnchoredChain(self._anchors, verification_time=self._get_cert_verification_time(),
                              ee_policy=ee_policy, ca_policy=ca_policy)

    def verify(self, data, **kwargs):
        # ca_pem_file is never opened (the store comes from memory) but must not be None,
        # or signxml would fall back to the public web CA bundle.
        return super().verify(data, ca_pem_file="anchors-in-memory", **kwargs)


class _AnchoredChain(X509CertChainVerifier):
    def __init__(self, anchors, **kwargs) -> None:
        super().__init__(ca_pem_file="anchors-in-memory", **kwargs)
        self._anchors = anchors

    @property
    def store(self):
        return x509.verification.Store(self._anchors)
