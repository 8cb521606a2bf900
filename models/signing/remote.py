"""Remote signing: only a hash leaves the server (STACK-NOTES §1.5).

``prepare_remote_signature`` reserves the signature in the official's field and returns the
32-byte digest the device signs; ``complete_remote_signature`` checks the raw signature against
the certificate and embeds it. The key, token or device never meets QLVB.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509

from models.errors import DomainError
from models.registers.numbering import VIETNAM
from models.signing.pades import (
    MD_ALGORITHM,
    OFFICIAL_FIELD,
    as_asn1_certificate,
    aware,
    image_stamp,
    make_pdf_signer,
    open_writer,
    refuse_if_in_event_loop,
    require_empty_signature_field,
)


@dataclass
class PendingRemoteSignature:
    """Everything kept between preparing the PDF and receiving the device's signature.

    Plain bytes, ints and strings, so ``to_json`` fits in a database row: the wait for a
    person at their token may span restarts. ``data_to_sign_sha256`` is what the device signs
    (a prehashed SHA-256: the hash of the DER-encoded signed attributes).
    """

    prepared_pdf: bytes
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    signed_attributes: bytes
    data_to_sign_sha256: bytes
    signer_certificate: bytes
    ca_chain: list[bytes] = field(default_factory=list)
    md_algorithm: str = MD_ALGORITHM

    def to_json(self) -> str:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, bytes):
                data[key] = base64.b64encode(value).decode("ascii")
        data["ca_chain"] = [base64.b64encode(cert).decode("ascii") for cert in self.ca_chain]
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> PendingRemoteSignature:
        data = json.loads(text)
        binary = {"prepared_pdf", "document_digest", "signed_attributes", "data_to_sign_sha256",
                  "signer_certificate"}
        for key in binary:
            data[key] = base64.b64decode(data[key])
        data["ca_chain"] = [base64.b64decode(cert) for cert in data.get("ca_chain", [])]
        return cls(**data)


def prepare_remote_signature(pdf: bytes, signer_cert_pem_or_der: bytes, ca_chain: Iterable[Any], *,
                             signature_image_png: bytes, field: str = OFFICIAL_FIELD,
                             reason: str = "", signer_name: str = "",
                             at: datetime | None = None) -> PendingRemoteSignature:
    """Step 1 of the official's signature with a key the server never sees.

    The same certification signature as ``sign_as_official``, prepared with room for the
    signature; the caller sends ``data_to_sign_sha256`` to the device and persists the result.
    """
    refuse_if_in_event_loop("prepare_remote_signature")
    return asyncio.run(_prepare_remote(pdf, as_asn1_certificate(signer_cert_pem_or_der), [as_asn1_certificate(c) for c in ca_chain],
                                       signature_image_png, field, reason, signer_name, at))


def complete_remote_signature(pending: PendingRemoteSignature, raw_signature: bytes) -> bytes:
    """Step 2: embed the device's raw signature and return the signed PDF.

    The signature is verified against the certificate's public key first, so a wrong or garbled
    value is refused (``remote_signature_invalid``) instead of producing a broken PDF.
    """
    _verify_raw_signature(pending.signer_certificate, pending.signed_attributes, raw_signature)
    refuse_if_in_event_loop("complete_remote_signature")
    return asyncio.run(_complete_remote(pending, raw_signature))


def _verify_raw_signature(cert_der: bytes, signed_attributes: bytes, raw_signature: bytes) -> None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = x509.load_der_x509_certificate(cert_der).public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(raw_signature, signed_attributes, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(raw_signature, signed_attributes, ec.ECDSA(hashes.SHA256()))
        else:
            raise DomainError("remote_signature_invalid")
    except (InvalidSignature, ValueError) as exc:
        raise DomainError("remote_signature_invalid") from exc


def _signature_length(cert: asn1_x509.Certificate) -> int:
    public_key = cert.public_key
    if public_key.algorithm == "rsa":
        return (public_key.bit_size + 7) // 8
    return 2 * ((public_key.bit_size + 7) // 8) + 9  # a DER ECDSA signature, at most


async def _prepare_remote(pdf, cert, chain, image_png, field_name, reason, signer_name, at):
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    writer = open_writer(pdf)
    require_empty_signature_field(writer, field_name)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name, certify=True, docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm=MD_ALGORITHM, reason=reason or None,
        name=signer_name or None)
    # A placeholder of the key's signature length: it sizes the space reserved for the CMS.
    placeholder = signers.ExternalSigner(cert, SimpleCertificateStore.from_certs(chain),
                                         signature_value=_signature_length(cert))
    pdf_signer = make_pdf_signer(metadata, placeholder, image_stamp(image_png), at)
    prep_digest, _tbs, output = await pdf_signer.async_digest_doc_for_signing(writer, existing_fields_only=True)
    signed_attrs = await placeholder.signed_attrs(
        prep_digest.document_digest, MD_ALGORITHM,
        attr_settings=PdfCMSSignedAttributes(signing_time=aware(at) if at else datetime.now(VIETNAM)),
        use_pades=True)
    der = signed_attrs.dump()
    return PendingRemoteSignature(
        prepared_pdf=output.getvalue(), document_digest=prep_digest.document_digest,
        reserved_region_start=prep_digest.reserved_region_start,
        reserved_region_end=prep_digest.reserved_region_end, signed_attributes=der,
        data_to_sign_sha256=hashlib.sha256(der).digest(), signer_certificate=cert.dump(),
        ca_chain=[c.dump() for c in chain])


async def _complete_remote(pending: PendingRemoteSignature, raw_signature: bytes) -> bytes:
    from pyhanko.sign import signers
    from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = asn1_x509.Certificate.load(pending.signer_certificate)
    chain = [asn1_x509.Certificate.load(der) for der in pending.ca_chain]
    external = signers.ExternalSigner(cert, SimpleCertificateStore.from_certs(chain), signature_value=raw_signature)
    cms_object = await external.async_sign_prescribed_attributes(
        pending.md_algorithm, signed_attrs=asn1_cms.CMSAttributes.load(pending.signed_attributes))
    prepared = PreparedByteRangeDigest(document_digest=pending.document_digest,
                                       reserved_region_start=pending.reserved_region_start,
                                       reserved_region_end=pending.reserved_region_end)
    output = io.BytesIO(pending.prepared_pdf)
    prepared.fill_with_cms(output, cms_object)
    return output.getvalue()
