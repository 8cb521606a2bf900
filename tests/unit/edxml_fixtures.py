"""Shared helpers for the edXML tests: where the real samples are, a small valid package, a PKI."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from models.exchange.edxml.package import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    DocumentType,
    EdocPackage,
    Organization,
    OtherInfo,
    PromulgationInfo,
    SignerInfo,
    StaffInfo,
    TraceHeader,
)
from models.registers.numbering import VIETNAM

# The samples live in the shared folder next to the repository (tests only read them);
# QLVB_EDXML_SAMPLES points elsewhere.
SAMPLES = Path(os.environ.get("QLVB_EDXML_SAMPLES")
               or Path(__file__).resolve().parents[3] / "shared" / "edxml-samples")


def sample_bytes(name: str) -> bytes:
    if not SAMPLES.is_dir():
        pytest.skip("the edXML sample folder (shared/edxml-samples) is not available here")
    return (SAMPLES / name).read_bytes()


def small_package(**changes) -> EdocPackage:
    """A package QLVB could send: strict-valid, one small PDF attachment."""
    fields = dict(
        sender=Organization("000.00.01.H23", "Văn phòng UBND tỉnh Hà Nam", "UBND tỉnh Hà Nam"),
        recipients=(Organization("000.00.03.H23", "Sở Tài chính tỉnh Hà Nam"),),
        document_id="000.00.01.H23,2026/11/20,125/UBND-TH",
        code=Code("125", "UBND-TH"),
        promulgation=PromulgationInfo("Hà Nam", dt.date(2026, 11, 20)),
        document_type=DocumentType("1", "0", "Công văn"),
        subject="V/v báo cáo tình hình thực hiện dự toán ngân sách năm 2026",
        content="Báo cáo tình hình thực hiện dự toán",
        signer=SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn Đức"),
        other=OtherInfo(priority=0, promulgation_amount=2, page_amount=3, direction=False),
        steering_type="1",
        to_places=("Như trên", "Lưu: VT, TH"),
        trace_headers=(TraceHeader("000.00.01.H23", dt.datetime(2026, 11, 20, 9, 30, tzinfo=VIETNAM)),),
        business=Business(BusinessDocType.NEW, "Văn bản điện tử mới", paper=0,
                          staff=StaffInfo("Văn thư", "Trần Thị Lan", "vanthu@hanam.gov.vn", "0912000000")),
        attachments=(Attachment("1", "125-UBND-TH.pdf", b"%PDF-1.7\n% demo\n", "application/pdf", "Văn bản"),),
    )
    fields.update(changes)
    return EdocPackage(**fields)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "QLVB thử nghiệm")])


def make_pki(cn: str = "Văn phòng UBND tỉnh Hà Nam"):
    """(root certificate, leaf key, leaf certificate): a CA and a signing leaf as signxml wants them."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder().subject_name(_name(f"CA {cn}")).issuer_name(_name(f"CA {cn}"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(ca_ski, critical=False)
          .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca.subject)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return ca, leaf_key, leaf
