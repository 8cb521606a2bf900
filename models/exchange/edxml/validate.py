"""Field-precise Vietnamese problems for a parsed or to-be-built package.

Two modes, because the spec treats what we send and what we receive differently:

* ``outgoing=True`` (QLVB builds it): the lengths of ND30 PL VI Phần II (DOMAIN §3.1) and of
  EDXML §2.2 are errors; agency codes must be the 13-character QCVN 102 form; the DocumentId
  must be ``<From/OrganId>,<PromulgationDate>,<CodeNumber>/<CodeNotation>`` (DOMAIN §5.6);
  status codes must be documented ones (EDXML §5.2).
* ``outgoing=False`` (received): over-long values are warnings (EDXML §2.2 "on input, warn
  rather than reject"); agency codes may have any hub shape (EDXML §8); DocumentIds are opaque
  (EDXML §3); an undocumented status code is a warning, stored verbatim.

Missing mandatory elements are errors in both modes (EDXML §2.2, §5.1, §8.3).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime

from models.exchange.edxml.document_id import (
    BadDocumentId,
    is_plausible_organ_id,
    is_qcvn102_organ_id,
    make_document_id,
    parse_document_id,
)
from models.exchange.edxml.package import (
    STATUS_NAMES,
    BusinessDocType,
    EdocPackage,
    Organization,
    StatusPackage,
)
from models.exchange.edxml.parse import ParseResult, parse_package
from models.exchange.edxml.problems import DEFAULT_LIMITS, EdxmlRejected, Limits, Problem
from models.registers.numbering import VIETNAM
from models.text import text_problem

# (path, limit) — ND30 PL VI Phần II where the field is there, else EDXML §2.2.
ORGANIZATION_LIMITS = {"organ_name": ("OrganName", 200), "organization_in_charge": ("OrganizationInCharge", 500),
                       "organ_add": ("OrganAdd", 500), "email": ("Email", 100), "telephone": ("Telephone", 20),
                       "fax": ("Fax", 20)}
NUMBER_DIGITS = {"PageAmount": 3, "PromulgationAmount": 3}  # Number(3) in ND30
PRIORITY_RANGE = range(0, 5)  # EDXML §4: 0–4 accepted by a provincial hub
# Element names where they are not the CamelCase of the field (for field-precise text problems);
# "Class.field" keys win over plain field keys.
ELEMENT_NAMES = {
    "sender": "From", "recipients": "To", "recipient": "To", "number": "CodeNumber", "notation": "CodeNotation",
    "promulgation": "PromulgationInfo", "signer": "SignerInfo", "other": "OtherInfo",
    "appendixes": "Appendixes/Appendix", "to_places": "ToPlaces/Place",
    "trace_headers": "TraceHeaderList/TraceHeader", "business": "TraceHeaderList/Bussiness",
    "reason": "BussinessDocReason", "replacements": "ReplacementInfoList/ReplacementInfo",
    "organ_ids": "OrganIdList/OrganId", "receivers": "ReceiverList/Receiver", "staff": "StaffInfo",
    "attachments": "AttachmentEncoded/Attachment", "unpacked": "ZipEntry",
    "StaffInfo.staff": "Staff", "Attachment.name": "AttachmentName",
}
# Texts that may span lines (line breaks and tabs allowed); every other text is one line.
MULTILINE_FIELDS = frozenset({"subject", "content", "description", "reason", "document_info", "appendixes",
                              "to_places"})
TEXT_PROBLEMS = {"control_character": "chứa ký tự điều khiển không được phép",
                 "bidi_control": "chứa ký tự đảo chiều hiển thị văn bản không được phép"}
DOCUMENT_ID_REASONS = {
    "shape": "không có dạng <mã cơ quan>,<yyyy/MM/dd>,<số>/<ký hiệu>",
    "organ_id": "phần mã cơ quan sai định dạng",
    "date": "phần ngày không phải ngày hợp lệ yyyy/MM/dd",
    "number": "phần số/ký hiệu sai định dạng",
}


@dataclass
class Report:
    """The outcome of ``check``: the package when it could be read, its errors and warnings."""

    package: EdocPackage | StatusPackage | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    kind: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def check(data: bytes, *, outgoing: bool = False, today: date | None = None,
          limits: Limits = DEFAULT_LIMITS) -> Report:
    """Parse and validate; never raises for bad input (a refusal becomes the one error)."""
    try:
        parsed: ParseResult = parse_package(data, limits)
    except EdxmlRejected as refusal:
        return Report(None, [refusal.problem])
    errors, warnings = validate(parsed.package, outgoing=outgoing, today=today)
    return Report(parsed.package, parsed.errors + errors, parsed.warnings + warnings, parsed.kind)


def validate(package: EdocPackage | StatusPackage, *, outgoing: bool = False,
             today: date | None = None) -> tuple[list[Problem], list[Problem]]:
    """Return ``(errors, warnings)`` for the package."""
    rules = _Rules(outgoing, today or datetime.now(VIETNAM).date())
    if isinstance(package, StatusPackage):
        rules.status(package)
    else:
        rules.edoc(package)
    return rules.errors, rules.warnings


class _Rules:
    def __init__(self, outgoing: bool, today: date) -> None:
        self.outgoing = outgoing
        self.today = today
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, path: str, code: str, message: str) -> None:
        self.errors.append(Problem(path, code, f"{path}: {message}"))

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(Problem(path, code, f"{path}: {message}"))

    def strict_or_warn(self, path: str, code: str, message: str) -> None:
        (self.error if self.outgoing else self.warn)(path, code, message)

    # --- generic -----------------------------------------------------------------------------

    def required(self, path: str, value) -> bool:
        if value in ("", None, ()):
            self.error(path, "missing", "thiếu (bắt buộc)")
            return False
        return True

    def length(self, path: str, value: str, limit: int) -> None:
        if len(value) > limit:
            self.strict_or_warn(path, "too_long", f"dài {len(value)} ký tự, tối đa {limit}")

    def organ_id(self, path: str, value: str, *, own: bool = False) -> None:
        """``own``: an agency QLVB sends as (always the strict form when sending)."""
        if not self.required(path, value):
            return
        strict = self.outgoing and own
        if strict and not is_qcvn102_organ_id(value):
            self.error(path, "bad_organ_id", f"mã định danh «{value}» sai định dạng QCVN 102 (dạng 000.00.00.H23)")
        elif not is_plausible_organ_id(value):
            self.strict_or_warn(path, "bad_organ_id", f"mã định danh «{value}» sai định dạng "
                                                      "(các nhóm chữ số, chữ in hoa cách nhau bởi dấu chấm, tối đa 35 ký tự)")

    def organization(self, path: str, org: Organization, *, own: bool = False, name_required: bool) -> None:
        self.organ_id(f"{path}/OrganId", org.organ_id, own=own)
        if name_required:
            self.required(f"{path}/OrganName", org.organ_name)
        for attribute, (name, limit) in ORGANIZATION_LIMITS.items():
            self.length(f"{path}/{name}", getattr(org, attribute), limit)

    def document_id(self, path: str, value: str) -> None:
        if not self.required(path, value) or not self.outgoing:
            return  # received identifiers are opaque (EDXML §3)
        try:
            parse_document_id(value, strict_organ=True)
        except BadDocumentId as bad:
            self.error(path, "bad_document_id", f"mã định danh văn bản «{value}» {DOCUMENT_ID_REASONS[bad.reason]}")

    def not_future(self, path: str, value: date | None) -> None:
        if value is not None and value > self.today:
            self.strict_or_warn(path, "future_date", f"ngày {value:%Y/%m/%d} ở tương lai")

    # --- document package (EDXML §2) ------------------------------------------------------

    def unsafe_texts(self, value: object, path: str = "", name: str = "") -> None:
        """Refuse control characters, NUL and bidi overrides in every text of the package, in
        both directions, as ``models.text`` does at the typed boundaries: they break exports,
        PDF rendering and the search index, PostgreSQL refuses NUL, and a bidi override makes a
        name or a number display differently from what it says. Walks the dataclasses, so a
        field added later is checked too; each problem names the element (``To[2]/OrganName``)."""
        if isinstance(value, str):
            problem = text_problem(value, multiline=name in MULTILINE_FIELDS)
            if problem is not None:
                position, character = next((i, c) for i, c in enumerate(value, 1)
                                           if text_problem(c, multiline=name in MULTILINE_FIELDS))
                self.error(path, problem, f"{TEXT_PROBLEMS[problem]} (U+{ord(character):04X} ở ký tự thứ {position})")
        elif isinstance(value, tuple):
            for index, item in enumerate(value, 1):
                self.unsafe_texts(item, f"{path}[{index}]", name)
        elif dataclasses.is_dataclass(value):
            for item in dataclasses.fields(value):
                element = (ELEMENT_NAMES.get(f"{type(value).__name__}.{item.name}") or ELEMENT_NAMES.get(item.name)
                           or "".join(part.title() for part in item.name.split("_")))
                self.unsafe_texts(getattr(value, item.name), f"{path}/{element}" if path else element, item.name)

    def edoc(self, p: EdocPackage) -> None:
        self.unsafe_texts(p)
        self.organization("From", p.sender, own=True, name_required=True)
        if not p.recipients:
            self.error("To", "missing", "cần ít nhất một cơ quan nhận")
        seen = set()
        for index, recipient in enumerate(p.recipients, 1):
            path = f"To[{index}]"
            self.organization(path, recipient, name_required=False)
            if recipient.organ_id in seen:
                self.error(f"{path}/OrganId", "duplicate_recipient", f"trùng cơ quan nhận «{recipient.organ_id}»")
            seen.add(recipient.organ_id)
        self.document_id("DocumentId", p.document_id)
        if self.outgoing:
            self.required("Code/CodeNumber", p.code.number)
            self.required("PromulgationInfo/PromulgationDate", p.promulgation.date)
            self.required("DocumentType/TypeName", p.document_type.type_name)
            self.consistent_document_id(p)
        self.length("Code/CodeNumber", p.code.number, 11)
        self.length("Code/CodeNotation", p.code.notation, 30)
        self.length("PromulgationInfo/Place", p.promulgation.place, 50)
        self.not_future("PromulgationInfo/PromulgationDate", p.promulgation.date)
        self.length("DocumentType/TypeName", p.document_type.type_name, 100)
        self.required("Subject", p.subject)
        self.length("Subject", p.subject, 500)
        self.length("Content", p.content, 500)
        self.length("SignerInfo/Position", p.signer.position, 100)
        self.length("SignerInfo/FullName", p.signer.full_name, 50)
        other = p.other
        if other.priority is not None and other.priority not in PRIORITY_RANGE:
            self.strict_or_warn("OtherInfo/Priority", "bad_priority", f"giá trị {other.priority} ngoài khoảng 0–4")
        self.length("OtherInfo/SphereOfPromulgation", other.sphere_of_promulgation, 100)
        self.length("OtherInfo/TyperNotation", other.typer_notation, 10)
        for name, value in (("PromulgationAmount", other.promulgation_amount), ("PageAmount", other.page_amount)):
            if value is not None and not 0 <= value < 10 ** NUMBER_DIGITS[name]:
                self.strict_or_warn(f"OtherInfo/{name}", "bad_number",
                                    f"giá trị {value} phải từ 0 đến {10 ** NUMBER_DIGITS[name] - 1}")
        for index, place in enumerate(p.to_places, 1):
            self.length(f"ToPlaces/Place[{index}]", place, 150)
        for index, response in enumerate(p.response_for, 1):
            self.required(f"ResponseFor[{index}]/DocumentId", response.document_id)
        if self.outgoing and not p.trace_headers:
            self.error("TraceHeaderList/TraceHeader", "missing", "cần ít nhất một TraceHeader")
        for index, hop in enumerate(p.trace_headers, 1):
            self.organ_id(f"TraceHeaderList/TraceHeader[{index}]/OrganId", hop.organ_id)
        self.business(p)
        self.attachments(p)

    def consistent_document_id(self, p: EdocPackage) -> None:
        """What QLVB sends: the identifier is built from the header it travels with (DOMAIN §5.6)."""
        if not (p.sender.organ_id and p.promulgation.date and p.code.number and p.document_id):
            return
        expected = make_document_id(p.sender.organ_id, p.promulgation.date, p.code.number, p.code.notation)
        if p.document_id.strip() != expected:
            self.error("DocumentId", "document_id_mismatch",
                       f"«{p.document_id}» không khớp với From/OrganId, ngày ban hành và số, ký hiệu "
                       f"(phải là «{expected}»)")

    def business(self, p: EdocPackage) -> None:
        business = p.business
        path = "TraceHeaderList/Bussiness"
        if business is None:
            if self.outgoing:
                self.error(path, "missing", "thiếu (bắt buộc)")
            return
        if business.doc_type not in BusinessDocType._value2member_map_:
            self.error(f"{path}/BussinessDocType", "bad_business_type",
                       f"giá trị {business.doc_type} không thuộc 0 (mới), 1 (thu hồi), 2 (cập nhật), 3 (thay thế)")
            return
        if business.doc_type == BusinessDocType.UPDATE and business.document_info is None:
            self.strict_or_warn(f"{path}/BussinessDocumentInfo", "missing",
                                "gói cập nhật phải nói rõ thông tin nào được cập nhật")
        if business.doc_type == BusinessDocType.REPLACE:
            if not business.replacements:
                self.strict_or_warn(f"{path}/ReplacementInfoList", "missing",
                                    "gói thay thế phải nêu văn bản bị thay thế")
            for index, replacement in enumerate(business.replacements, 1):
                self.required(f"{path}/ReplacementInfoList/ReplacementInfo[{index}]/DocumentId",
                              replacement.document_id)

    def attachments(self, p: EdocPackage) -> None:
        seen = set()
        for index, attachment in enumerate(p.attachments, 1):
            path = f"AttachmentEncoded/Attachment[{index}]"
            self.required(f"{path}/ContentId", attachment.content_id)
            if attachment.content_id in seen:
                self.error(f"{path}/ContentId", "duplicate_content_id", f"«{attachment.content_id}» bị trùng")
            seen.add(attachment.content_id)
            if self.outgoing:
                self.required(f"{path}/AttachmentName", attachment.name)
            self.length(f"{path}/AttachmentName", attachment.name, 500)

    # --- status package (EDXML §5) --------------------------------------------------------

    def status(self, p: StatusPackage) -> None:
        self.unsafe_texts(p)
        self.organization("From", p.sender, own=True, name_required=True)
        if p.recipient is not None:
            self.organization("To", p.recipient, name_required=False)
        self.organ_id("ResponseFor/OrganId", p.response_for.organ_id)
        self.required("ResponseFor/Code", p.response_for.code)
        self.document_id("ResponseFor/DocumentId", p.response_for.document_id)
        if self.required("StatusCode", p.status_code) and p.status_code not in STATUS_NAMES:
            known = ", ".join(STATUS_NAMES)
            self.strict_or_warn("StatusCode", "unknown_status",
                                f"mã trạng thái «{p.status_code}» không có trong QCVN 102 ({known})")
        if self.outgoing:
            self.required("Timestamp", p.timestamp)
        self.length("Description", p.description, 500)
