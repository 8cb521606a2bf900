"""Checking the digital signatures of an incoming PDF before acceptance (QĐ44 Điều 10.1).

``check_pdf_signatures`` is pure: bytes and trust anchors in, a ``SignatureReport`` out, no I/O
and no network. It uses pyHanko's synchronous validation API, so call it from a sync activity on
the worker's thread pool, never from a coroutine (STACK-NOTES §1.4). The result is stored in the
``signature_check`` table, one row per (document, file SHA-256), because validation costs tens of
milliseconds per signature and a file's bytes never change (STACK-NOTES §1.8).

Legal meaning of the verdicts:

- ``valid``: every signature is intact, chains to a trust anchor and allows what came after it,
  and nothing unsigned follows the last one. Authenticity and integrity hold (Điều 10.1.a), and
  the document has the legal value of the paper original (Điều 4.1).
- ``untrusted``: intact, but the signer cannot be authenticated (no chain to a trust anchor,
  expired certificate, wrong key usage). Authenticity is not ensured (Điều 10.1.b).
- ``invalid``: the file was changed after signing, a signature is broken, or the file cannot be
  checked at all (encrypted, corrupt). Integrity is not ensured (Điều 10.1.b).
- ``unsigned``: no signature; for information and reference only (Điều 4.2).

Only ``valid`` documents carry legal value; every other verdict sets ``for_reference_only``
(Điều 4.2 covers every electronic document "không thuộc khoản 1").

Revocation is soft-fail: with no network fetching, a certificate is checked against the CRL/OCSP
data embedded in the file's DSS when there is some, and otherwise its status is unknown, which
the explanation says.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509

from models.errors import INTERRUPTIONS
from models.registers.numbering import VIETNAM
from models.signing.pades import as_asn1_certificate, refuse_if_in_event_loop
from models.signing.tables import SignatureVerdict

log = logging.getLogger("qlvb.signatures")


# --- the report -----------------------------------------------------------------------------

# Every text an official reads about a check, in one place (STYLE §5).
TEXT = {
    "valid": "Văn bản bảo đảm tính xác thực và tính toàn vẹn: chữ ký số hợp lệ, văn thư tiến hành "
             "tiếp nhận (Điều 10 khoản 1 điểm a).",
    "untrusted": "Không xác thực được người ký. Văn bản không bảo đảm tính xác thực thì văn thư trả "
                 "lại cho bên gửi (Điều 10 khoản 1 điểm b). Nếu tổ chức cấp chứng thư là hợp pháp nhưng "
                 "chưa có trong danh sách tin cậy, vui lòng liên hệ quản trị hệ thống.",
    "invalid": "Văn bản không bảo đảm tính toàn vẹn: văn thư trả lại cho bên gửi và báo ngay người có "
               "trách nhiệm giải quyết (Điều 10 khoản 1 điểm b).",
    "unsigned": "Văn bản không có chữ ký số nên chỉ có giá trị để biết, tham khảo, không thay cho việc "
                "gửi, nhận văn bản giấy (Điều 4 khoản 2).",
    "encrypted": "Tệp PDF được đặt mật khẩu (mã hóa) nên không kiểm tra được chữ ký số. Vui lòng đề "
                 "nghị bên gửi gửi lại tệp không đặt mật khẩu.",
    "unreadable": "Tệp PDF bị hỏng hoặc sai cấu trúc nên không kiểm tra được chữ ký số.",
    "broken_signature": "Chữ ký số bị hỏng hoặc sai định dạng, không kiểm tra được.",
    "not_intact": "Nội dung văn bản đã bị thay đổi sau khi ký.",
    "bad_crypto": "Giá trị chữ ký số không khớp với chứng thư số của người ký.",
    "partial_coverage": "Chữ ký số không bao trùm toàn bộ văn bản được ký.",
    "illegal_changes": "Văn bản đã bị sửa đổi sau khi ký theo cách không được phép.",
    "seed_value": "Chữ ký số không tuân thủ các ràng buộc của ô ký trong văn bản.",
    "revoked": "Chứng thư số của người ký đã bị thu hồi.",
    "bad_timestamp": "Dấu thời gian kèm chữ ký số không hợp lệ.",
    "untrusted_timestamp": "Dấu thời gian kèm chữ ký số không do tổ chức được tin cậy cấp.",
    "no_chain": "Chứng thư số không được cấp bởi tổ chức chứng thực nào có trong danh sách tin cậy "
                "của hệ thống.",
    "expired": "Chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm kiểm tra.",
    "key_usage": "Chứng thư số không được cấp cho mục đích ký số.",
    "chain_problem": "Không xác minh được chuỗi chứng thư số của người ký.",
    "unsigned_tail": "Có nội dung được thêm vào sau chữ ký số cuối cùng mà không được ký.",
    "revocation_unknown": "Chưa kiểm tra được tình trạng thu hồi của chứng thư số: tệp không kèm dữ liệu "
                          "thu hồi và hệ thống không truy vấn mạng.",
    "revocation_embedded": "Tình trạng thu hồi của chứng thư số được kiểm tra bằng dữ liệu kèm trong tệp.",
    "no_trust_anchors": "Hệ thống chưa có chứng thư gốc tin cậy nào; vui lòng liên hệ quản trị hệ thống.",
}

COVERAGE = {"ENTIRE_FILE": "entire_file", "ENTIRE_REVISION": "entire_revision"}


@dataclass
class SignatureDetail:
    """What one signature says and whether it holds."""

    field_name: str
    verdict: str
    intact: bool = False
    trusted: bool = False
    signer_common_name: str = ""
    signer_organisation: str = ""
    issuer_common_name: str = ""
    trust_anchor: str = ""
    signing_time: str | None = None  # ISO 8601, +07:00
    signing_time_source: str | None = None  # "timestamp" (a TSA vouches) | "signer" (its own clock)
    modification_level: str | None = None  # none | lta_updates | form_filling | annotations | other
    coverage: str = "partial"  # entire_file | entire_revision | partial
    certification: bool = False
    docmdp: str | None = None  # what a certification signature permits: no_changes | fill_forms | annotate
    docmdp_ok: bool | None = None
    tampered: bool = False  # the signed content, or what it allows, was changed after signing
    explanations: list[str] = field(default_factory=list)


@dataclass
class SignatureReport:
    """The outcome of checking one file: an overall verdict, each signature, and the reasons."""

    verdict: str
    for_reference_only: bool
    signatures: list[SignatureDetail] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)
    tampered: bool = False  # the content changed after signing (not merely unreadable or untrusted)

    def to_json(self) -> dict[str, Any]:
        """The JSON stored in ``signature_check.report``."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignatureReport:
        """Rebuild a stored report."""
        return cls(verdict=data["verdict"], for_reference_only=data["for_reference_only"],
                   signatures=[SignatureDetail(**item) for item in data.get("signatures", [])],
                   explanations=list(data.get("explanations", [])),
                   tampered=bool(data.get("tampered", False)))


def _failed(reason: str) -> SignatureReport:
    return SignatureReport(SignatureVerdict.INVALID, True, [], [TEXT[reason], TEXT["invalid"]])


# --- the check --------------------------------------------------------------------------------


def check_pdf_signatures(pdf_bytes: bytes, trust_roots: Iterable[Any]) -> SignatureReport:
    """Validate every signature of a PDF against the given trust anchors; never raises.

    ``trust_roots`` holds certificates as asn1crypto or ``cryptography`` objects, or DER bytes.
    Steps:

    1. Open the file strictly; an encrypted or unreadable file is ``invalid`` with its reason.
    2. No ``/Sig`` signature: ``unsigned`` (document timestamps alone sign nothing).
    3. Validate each signature in signing order, with difference analysis of what followed it,
       key usage digitalSignature or nonRepudiation, no fetching, soft-fail revocation.
    4. The last signature must be followed by nothing but LTV data and document timestamps
       (STACK-NOTES §1.1 step 5), or the unsigned tail makes the document ``invalid``.
    5. Overall: any invalid signature → ``invalid``; else any untrusted → ``untrusted``; else
       ``valid``.
    """
    # pyHanko's sync API would fail inside a running loop, and the failure would be recorded as a
    # broken signature: refuse loudly instead (STACK-NOTES §1.4).
    refuse_if_in_event_loop("check_pdf_signatures")
    try:
        return _check(pdf_bytes, [as_asn1_certificate(cert) for cert in trust_roots])
    except INTERRUPTIONS:  # a cancellation or worker stop passes through
        raise
    except Exception:  # a hostile or broken file must never crash the activity
        log.exception("signature check failed on an unreadable file")
        return _failed("unreadable")


def _check(pdf_bytes: bytes, roots: list[asn1_x509.Certificate]) -> SignatureReport:
    # pyHanko is imported where it is used (measured: 0.6 s of imports), so the CLI and the
    # migrations, which import the signing package for its tables, do not pay for it.
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=True)
        if reader.encrypted:
            return _failed("encrypted")
        embedded = list(reader.embedded_regular_signatures)
    except PdfReadError:
        return _failed("unreadable")
    if not embedded:
        return SignatureReport(SignatureVerdict.UNSIGNED, True, [], [TEXT["unsigned"]])

    context, revocation_note = _validation_context(reader, roots)
    details = [_check_one(signature, context) for signature in embedded]
    explanations: list[str] = []
    last = details[-1]
    unsigned_tail = last.modification_level not in ("none", "lta_updates", None)
    if unsigned_tail:
        explanations.append(TEXT["unsigned_tail"])
    verdicts = {detail.verdict for detail in details}
    if SignatureVerdict.INVALID in verdicts or unsigned_tail:
        verdict = SignatureVerdict.INVALID
    elif SignatureVerdict.UNTRUSTED in verdicts:
        verdict = SignatureVerdict.UNTRUSTED
    else:
        verdict = SignatureVerdict.VALID
    explanations.append(TEXT[verdict])
    if not roots:
        explanations.append(TEXT["no_trust_anchors"])
    if verdict != SignatureVerdict.INVALID:
        explanations.append(revocation_note)
    tampered = unsigned_tail or any(detail.tampered for detail in details)
    return SignatureReport(verdict, verdict != SignatureVerdict.VALID, details, explanations, tampered)


def _validation_context(reader, roots: list[asn1_x509.Certificate]):
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleTrustManager

    # An explicit trust manager: with no roots configured, pyHanko must trust nothing, never
    # fall back to the operating system's TLS roots.
    kwargs = {"trust_manager": SimpleTrustManager.build(trust_roots=list(roots)),
              "allow_fetching": False, "revocation_mode": "soft-fail"}
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return ValidationContext(**kwargs), TEXT["revocation_unknown"]
    note = TEXT["revocation_embedded"] if (dss.crls or dss.ocsps) else TEXT["revocation_unknown"]
    return dss.as_validation_context(kwargs), note


def _check_one(embedded, context) -> SignatureDetail:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    detail = SignatureDetail(field_name=_field_name(embedded), verdict=SignatureVerdict.INVALID)
    try:
        status = validate_pdf_signature(
            embedded, signer_validation_context=context,
            # Vietnamese CAs issue signing certificates with either bit; demand one of them.
            key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                                                   match_all_key_usages=False),
        )
    except INTERRUPTIONS:  # a cancellation or worker stop passes through
        raise
    except Exception:
        log.info("signature %s could not be validated", detail.field_name, exc_info=True)
        detail.explanations.append(TEXT["broken_signature"])
        return detail

    _describe_signer(detail, status)
    detail.intact = bool(status.intact and status.valid)
    detail.trusted = bool(status.trusted)
    level = status.modification_level
    detail.modification_level = level.name.lower() if level is not None else None
    coverage = status.coverage.name if status.coverage is not None else ""
    detail.coverage = COVERAGE.get(coverage, "partial")
    docmdp = embedded.docmdp_level
    detail.certification = docmdp is not None
    detail.docmdp = docmdp.name.lower() if docmdp is not None else None
    detail.docmdp_ok = status.docmdp_ok

    detail.tampered = (not status.intact or detail.coverage == "partial"
                       or (level is not None and not status.docmdp_ok))
    broken = _integrity_problems(status, detail)
    trust = [] if broken else _trust_problems(status)
    detail.explanations.extend(broken or trust)
    if broken:
        detail.verdict = SignatureVerdict.INVALID
    elif trust:
        detail.verdict = SignatureVerdict.UNTRUSTED
    else:
        detail.verdict = SignatureVerdict.VALID
    return detail


def _integrity_problems(status, detail: SignatureDetail) -> list[str]:
    problems = []
    if not status.intact:
        problems.append(TEXT["not_intact"])
    elif not status.valid:
        problems.append(TEXT["bad_crypto"])
    if detail.coverage == "partial":
        problems.append(TEXT["partial_coverage"])
    if status.modification_level is not None and not status.docmdp_ok:
        problems.append(TEXT["illegal_changes"])
    if status.seed_value_constraint_error is not None:
        problems.append(TEXT["seed_value"])
    if status.revoked:
        problems.append(TEXT["revoked"])
    timestamp = status.timestamp_validity
    if timestamp is not None and not (timestamp.intact and timestamp.valid):
        problems.append(TEXT["bad_timestamp"])
    return problems


def _trust_problems(status) -> list[str]:
    problems = []
    if not status.trusted:
        indication = status.trust_problem_indic
        name = getattr(indication, "name", "")
        if name == "NO_CERTIFICATE_CHAIN_FOUND" or (status.validation_path is None and not name):
            problems.append(TEXT["no_chain"])
        elif name in ("EXPIRED", "NOT_YET_VALID", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"):
            problems.append(TEXT["expired"])
        elif name in ("CHAIN_CONSTRAINTS_FAILURE", "SIG_CONSTRAINTS_FAILURE"):
            problems.append(TEXT["key_usage"])
        elif name in ("REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"):
            problems.append(TEXT["revoked"])
        else:
            problems.append(TEXT["chain_problem"])
    timestamp = status.timestamp_validity
    if timestamp is not None and not timestamp.trusted:
        problems.append(TEXT["untrusted_timestamp"])
    return problems


def _describe_signer(detail: SignatureDetail, status) -> None:
    cert = status.signing_cert
    subject = cert.subject.native
    detail.signer_common_name = str(subject.get("common_name", ""))
    detail.signer_organisation = _first(subject.get("organization_name", ""))
    detail.issuer_common_name = str(cert.issuer.native.get("common_name", ""))
    if status.validation_path is not None:
        detail.trust_anchor = str(status.validation_path[0].subject.native.get("common_name", ""))
    timestamp = status.timestamp_validity
    if timestamp is not None and timestamp.valid and timestamp.intact:
        detail.signing_time = _iso_vn(timestamp.timestamp)
        detail.signing_time_source = "timestamp"
    elif status.signer_reported_dt is not None:
        detail.signing_time = _iso_vn(status.signer_reported_dt)
        detail.signing_time_source = "signer"


def _field_name(embedded) -> str:
    try:
        return str(embedded.field_name)
    except INTERRUPTIONS:  # a cancellation or worker stop passes through
        raise
    except Exception:  # an unnamed or malformed field still deserves a line in the report
        return ""


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return str(value)


def _iso_vn(instant: datetime) -> str:
    return instant.astimezone(VIETNAM).isoformat(timespec="seconds")
