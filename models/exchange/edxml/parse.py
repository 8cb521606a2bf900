"""Bytes → ``EdocPackage`` / ``StatusPackage``, tolerant of the packages found in the wild.

Elements are matched on namespace URI + local name, never on the prefix, in any child order
(EDXML §1). Accepted quirks (the samples README), each with a warning where it says something
the receiver should know:

* elements with or without the ``edXML:`` prefix (no warning: they are the same elements);
  elements with no namespace at all (warning ``no_namespace``);
* ``Bussiness`` (the spec's spelling) and ``Business`` (warning ``business_spelling``), before
  or after ``TraceHeader``;
* dates ``dd/MM/yyyy`` (warning ``date_day_first``) and ISO ``yyyy-MM-dd`` (``date_iso``);
  timestamps ``yyyy/MM/dd HH:mm:ss`` as Vietnam time, or ISO 8601 with an offset;
* ``ContentId`` with or without ``cid:`` (any case, surrounding blanks);
* attachments base64 with line breaks, plain or zipped (the ZIP is checked by ``zipped`` before
  anything is extracted; a ZIP holding another package is fine);
* ``StatusCode`` ``"1"`` or ``1`` (warning ``status_code_padded``) and ``14`` read as ``15``
  (warning ``status_14_as_15``);
* empty elements read as absent; an all-empty ``ResponseFor`` is dropped (warning
  ``response_for_empty``); extra attributes (``xlink:*``, ``mustUnderstand``…) are ignored.

What cannot be read at all raises ``EdxmlRejected`` (``safe_xml`` refusals, wrong root, missing
envelope, attachment content that is not base64, refused ZIPs). Problems that leave a usable
package (a field that does not parse, a Reference without its Attachment) are returned in
``errors``; the validator adds the field rules.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree

from models.exchange.edxml import zipped
from models.exchange.edxml.package import (
    NAMESPACE,
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
from models.exchange.edxml.problems import DEFAULT_LIMITS, EdxmlRejected, Limits, Problem
from models.exchange.edxml.safe_xml import parse_untrusted
from models.registers.numbering import VIETNAM

_BASE64_BLANKS = b" \t\r\n\f\v"  # deleted with bytes.translate: 20× faster than a regex on MBs


@dataclass
class ParseResult:
    """What ``parse_package`` read, with the warnings and the non-fatal errors met on the way."""

    package: EdocPackage | StatusPackage
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The hub message type: ``edoc`` or ``status`` (EDXML §9.2)."""
        return "status" if isinstance(self.package, StatusPackage) else "edoc"


def parse_package(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """Read an edXML package; raise ``EdxmlRejected`` when it cannot be read at all (EDXML §8.1)."""
    return _Reader(limits).read(parse_untrusted(data, limits))


def normalise_content_id(value: str) -> str:
    """Strip surrounding blanks and a leading ``cid:`` in any case (EDXML §6)."""
    value = value.strip()
    return value[4:].strip() if value[:4].lower() == "cid:" else value


def normalise_status_code(raw: str) -> tuple[str, str | None]:
    """Two-digit code and the warning code, if any (EDXML §5.2: 14 is an alias of 15)."""
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 9:  # "²" is a digit to isdigit, not to int
        return value, None
    number = int(value)
    if number == 14:
        return "15", "status_14_as_15"
    padded = f"{number:02d}"
    return padded, (None if padded == value else "status_code_padded")


def parse_timestamp(text: str) -> datetime:
    """``yyyy/MM/dd HH:mm:ss`` as Vietnam time, or ISO 8601 (with or without an offset)."""
    try:
        moment = datetime.strptime(text, "%Y/%m/%d %H:%M:%S")
    except ValueError:
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VIETNAM)
    return moment.astimezone(VIETNAM)


class _Reader:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []
        self._warned_no_namespace = False

    # --- element access ------------------------------------------------------------------

    def _is(self, element, name: str) -> bool:
        qname = etree.QName(element)
        if qname.localname != name:
            return False
        if qname.namespace == NAMESPACE:
            return True
        if qname.namespace is None:
            if not self._warned_no_namespace:
                self._warned_no_namespace = True
                self.warn("", "no_namespace", f"Phần tử «{name}» không thuộc không gian tên QCVN 102; "
                                              "vẫn được đọc.")
            return True
        return False

    def kids(self, element, *names: str) -> list:
        if element is None:
            return []
        return [child for child in element.iterchildren(tag=etree.Element)
                if any(self._is(child, name) for name in names)]

    def kid(self, element, *names: str):
        found = self.kids(element, *names)
        return found[0] if found else None

    def text(self, element, name: str) -> str:
        child = self.kid(element, name)
        return "" if child is None else (child.text or "").strip()

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(Problem(path, code, message))

    def error(self, path: str, code: str, message: str) -> None:
        self.errors.append(Problem(path, code, message))

    # --- typed values ----------------------------------------------------------------------

    def date(self, text: str, path: str, *, lenient: bool = False) -> date | None:
        """A date in the spec's ``yyyy/MM/dd``, or one of the forms seen in real packages."""
        if not text:
            return None
        for pattern, fmt, code, note in (
            (r"\d{4}/\d{1,2}/\d{1,2}", "%Y/%m/%d", None, ""),
            (r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y", "date_day_first", "dạng ngày/tháng/năm"),
            (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d", "date_iso", "dạng năm-tháng-ngày (ISO)"),
        ):
            if re.fullmatch(pattern, text):
                try:
                    value = datetime.strptime(text, fmt).date()
                except ValueError:
                    break
                if code:
                    self.warn(path, code, f"{path}: ngày «{text}» viết {note}, đã hiểu là "
                                          f"{value:%Y/%m/%d}.")
                return value
        report = self.warn if lenient else self.error
        report(path, "bad_date", f"{path}: «{text}» không phải ngày hợp lệ (yyyy/MM/dd).")
        return None

    def timestamp(self, text: str, path: str, *, lenient: bool = False) -> datetime | None:
        if not text:
            return None
        try:
            return parse_timestamp(text)
        except ValueError:
            report = self.warn if lenient else self.error
            report(path, "bad_timestamp", f"{path}: «{text}» không phải thời điểm hợp lệ "
                                          "(yyyy/MM/dd HH:mm:ss).")
            return None

    def integer(self, text: str, path: str) -> int | None:
        if not text:
            return None
        if re.fullmatch(r"[+-]?\d{1,9}", text):
            return int(text)
        self.error(path, "not_integer", f"{path}: «{text}» phải là số nguyên.")
        return None

    # --- the package -----------------------------------------------------------------------

    def read(self, root) -> ParseResult:
        qname = etree.QName(root)
        if qname.localname != "edXML" or qname.namespace != NAMESPACE:
            raise EdxmlRejected("edxml_not_edxml", qname.localname,
                                f"Phần tử gốc là «{qname.localname}» ({qname.namespace or 'không có không gian tên'}), "
                                f"không phải «edXML» ({NAMESPACE}).")
        envelope = self._required(root, "edXMLEnvelope", "edXML")
        header = self._required(envelope, "edXMLHeader", "edXMLEnvelope")
        message = self._required(header, "MessageHeader", "edXMLEnvelope/edXMLHeader")
        if self.kid(message, "StatusCode") is not None:
            package = self.status(message)
        else:
            package = self.edoc(root, envelope, header, message)
        return ParseResult(package, self.warnings, self.errors)

    def _required(self, parent, name: str, where: str):
        element = self.kid(parent, name)
        if element is None:
            raise EdxmlRejected("edxml_not_edxml", f"{where}/{name}",
                                f"Thiếu phần tử «{where}/{name}»: không phải gói tin edXML.")
        return element

    def organization(self, element) -> Organization:
        return Organization(
            organ_id=self.text(element, "OrganId"), organ_name=self.text(element, "OrganName"),
            organization_in_charge=self.text(element, "OrganizationInCharge"),
            organ_add=self.text(element, "OrganAdd"), email=self.text(element, "Email"),
            telephone=self.text(element, "Telephone"), fax=self.text(element, "Fax"),
            website=self.text(element, "Website"))

    def staff(self, element) -> StaffInfo | None:
        if element is None:
            return None
        return StaffInfo(department=self.text(element, "Department"), staff=self.text(element, "Staff"),
                         email=self.text(element, "Email"), mobile=self.text(element, "Mobile"))

    def response_for(self, element, path: str) -> ResponseFor:
        return ResponseFor(
            organ_id=self.text(element, "OrganId"), code=self.text(element, "Code"),
            promulgation_date=self.date(self.text(element, "PromulgationDate"), f"{path}/PromulgationDate",
                                        lenient=True),
            document_id=self.text(element, "DocumentId"))

    def sender(self, message) -> Organization:
        element = self.kid(message, "From")
        if element is None:
            self.error("From", "missing", "From: thiếu cơ quan gửi (bắt buộc).")
            return Organization("")
        return self.organization(element)

    def status(self, message) -> StatusPackage:
        code, warning = normalise_status_code(self.text(message, "StatusCode"))
        raw = self.text(message, "StatusCode")
        if warning == "status_14_as_15":
            self.warn("StatusCode", warning, "StatusCode: mã 14 (không có trong QCVN 102) được hiểu là 15 "
                                             "«Đồng ý lấy lại / cập nhật».")
        elif warning:
            self.warn("StatusCode", warning, f"StatusCode: «{raw}» được hiểu là «{code}».")
        response = self.kid(message, "ResponseFor")
        if response is None:
            self.error("ResponseFor", "missing", "ResponseFor: thiếu văn bản được báo trạng thái (bắt buộc).")
        recipient = self.kid(message, "To")
        return StatusPackage(
            sender=self.sender(message),
            response_for=ResponseFor() if response is None else self.response_for(response, "ResponseFor"),
            status_code=code, description=self.text(message, "Description"),
            timestamp=self.timestamp(self.text(message, "Timestamp"), "Timestamp"),
            staff=self.staff(self.kid(message, "StaffInfo")),
            recipient=None if recipient is None else self.organization(recipient))

    def edoc(self, root, envelope, header, message) -> EdocPackage:
        code = self.kid(message, "Code")
        promulgation = self.kid(message, "PromulgationInfo")
        doc_type = self.kid(message, "DocumentType")
        signer = self.kid(message, "SignerInfo")
        responses = []
        for index, element in enumerate(self.kids(message, "ResponseFor"), 1):
            response = self.response_for(element, f"ResponseFor[{index}]")
            if response == ResponseFor():
                self.warn(f"ResponseFor[{index}]", "response_for_empty",
                          f"ResponseFor[{index}]: rỗng, đã bỏ qua.")
            else:
                responses.append(response)
        return EdocPackage(
            sender=self.sender(message),
            recipients=tuple(self.organization(e) for e in self.kids(message, "To")),
            document_id=self.text(message, "DocumentId"),
            code=Code(self.text(code, "CodeNumber"), self.text(code, "CodeNotation")),
            promulgation=PromulgationInfo(
                place=self.text(promulgation, "Place"),
                date=self.date(self.text(promulgation, "PromulgationDate"), "PromulgationInfo/PromulgationDate")),
            document_type=DocumentType(self.text(doc_type, "Type"), self.text(doc_type, "TypeDetail"),
                                       self.text(doc_type, "TypeName")),
            subject=self.text(message, "Subject"), content=self.text(message, "Content"),
            signer=SignerInfo(self.text(signer, "Competence"), self.text(signer, "Position"),
                              self.text(signer, "FullName")),
            due_date=self.date(self.text(message, "DueDate"), "DueDate"),
            other=self.other_info(self.kid(message, "OtherInfo")),
            response_for=tuple(responses),
            steering_type=self.text(message, "SteeringType"),
            to_places=self.texts(self.kid(message, "ToPlaces"), "Place"),
            trace_headers=self.trace_headers(self.kid(header, "TraceHeaderList")),
            business=self.business(self.kid(header, "TraceHeaderList")),
            attachments=self.attachments(root, envelope))

    def texts(self, parent, name: str) -> tuple[str, ...]:
        return tuple(t for t in ((e.text or "").strip() for e in self.kids(parent, name)) if t)

    def other_info(self, element) -> OtherInfo:
        path = "OtherInfo"
        direction_text = self.text(element, "Direction").lower()
        direction = {"true": True, "false": False, "1": True, "0": False}.get(direction_text)
        if direction_text and direction is None:
            self.warn(f"{path}/Direction", "bad_boolean",
                      f"{path}/Direction: «{direction_text}» không phải true/false, đã bỏ qua.")
        return OtherInfo(
            priority=self.integer(self.text(element, "Priority"), f"{path}/Priority"),
            sphere_of_promulgation=self.text(element, "SphereOfPromulgation"),
            typer_notation=self.text(element, "TyperNotation"),
            promulgation_amount=self.integer(self.text(element, "PromulgationAmount"),
                                             f"{path}/PromulgationAmount"),
            page_amount=self.integer(self.text(element, "PageAmount"), f"{path}/PageAmount"),
            direction=direction,
            appendixes=self.texts(self.kid(element, "Appendixes"), "Appendix"))

    def trace_headers(self, trace_list) -> tuple[TraceHeader, ...]:
        return tuple(
            TraceHeader(self.text(e, "OrganId"),
                        self.timestamp(self.text(e, "Timestamp"), f"TraceHeaderList/TraceHeader[{i}]/Timestamp",
                                       lenient=True))
            for i, e in enumerate(self.kids(trace_list, "TraceHeader"), 1))

    def business(self, trace_list) -> Business | None:
        element = self.kid(trace_list, "Bussiness")
        if element is None:
            element = self.kid(trace_list, "Business")
            if element is None:
                return None
            self.warn("TraceHeaderList/Business", "business_spelling",
                      "TraceHeaderList/Business: viết «Business», QCVN 102 viết «Bussiness»; vẫn được đọc.")
        path = "TraceHeaderList/Bussiness"
        kind = self.integer(self.text(element, "BussinessDocType"), f"{path}/BussinessDocType")
        if kind is None:
            kind = BusinessDocType.NEW
        elif kind in BusinessDocType._value2member_map_:
            kind = BusinessDocType(kind)
        info = self.kid(element, "BussinessDocumentInfo")
        document_info = None
        if info is not None:
            document_info = BusinessDocumentInfo(
                document_info=self.text(info, "DocumentInfo"),
                document_receiver=self.text(info, "DocumentReceiver"),
                receivers=tuple(Receiver(self.text(r, "OrganId"), self.text(r, "ReceiverType"))
                                for r in self.kids(self.kid(info, "ReceiverList"), "Receiver")))
        return Business(
            doc_type=kind, reason=self.text(element, "BussinessDocReason"),
            document_id=self.text(element, "DocumentId"),
            paper=self.integer(self.text(element, "Paper"), f"{path}/Paper"),
            document_info=document_info,
            replacements=tuple(
                ReplacementInfo(self.text(r, "DocumentId"), self.texts(self.kid(r, "OrganIdList"), "OrganId"))
                for r in self.kids(self.kid(element, "ReplacementInfoList"), "ReplacementInfo")),
            staff=self.staff(self.kid(element, "StaffInfo")))

    # --- attachments (EDXML §6) ------------------------------------------------------------

    def attachments(self, root, envelope) -> tuple[Attachment, ...]:
        manifest = self.kid(self.kid(envelope, "edXMLBody"), "edXMLManifest")
        references = {}
        for index, ref in enumerate(self.kids(manifest, "Reference"), 1):
            references.setdefault(normalise_content_id(self.text(ref, "ContentId")), (index, ref))
        encoded = self.kid(root, "AttachmentEncoded")
        if encoded is None:  # some producers nest it in the envelope
            encoded = self.kid(envelope, "AttachmentEncoded")
        elements = self.kids(encoded, "Attachment")
        if len(elements) > self.limits.max_attachments:
            raise EdxmlRejected("edxml_too_many_attachments", "AttachmentEncoded",
                                f"Gói tin có {len(elements)} tệp đính kèm, tối đa {self.limits.max_attachments}.")
        result, seen = [], set()
        for index, element in enumerate(elements, 1):
            path = f"AttachmentEncoded/Attachment[{index}]"
            content_id = normalise_content_id(self.text(element, "ContentId"))
            if content_id in seen:
                self.error(f"{path}/ContentId", "duplicate_content_id",
                           f"{path}/ContentId: «{content_id}» trùng với tệp đính kèm khác.")
            seen.add(content_id)
            _, ref = references.pop(content_id, (None, None))
            if ref is None:
                self.warn(path, "attachment_without_reference",
                          f"{path}: tệp «{self.text(element, 'AttachmentName')}» không có Reference trong "
                          "edXMLManifest.")

            def meta(name: str, element=element, ref=ref) -> str:
                return self.text(element, name) or self.text(ref, name)

            name = meta("AttachmentName")
            data = self.decode(self.text(element, "ContentTransferEncoded"), name, path)
            unpacked = ()
            if zipped.is_zip(data):
                unpacked = zipped.unpack(data, name=name, path=path, limits=self.limits)
            result.append(Attachment(content_id=content_id, name=name, data=data,
                                     content_type=meta("ContentType") or "application/octet-stream",
                                     description=meta("Description"), unpacked=unpacked))
        for content_id, (index, ref) in references.items():
            self.error(f"edXMLManifest/Reference[{index}]", "attachment_missing",
                       f"edXMLManifest/Reference[{index}]: tệp «{self.text(ref, 'AttachmentName')}» "
                       f"(ContentId «{content_id}») không có nội dung trong AttachmentEncoded.")
        return tuple(result)

    def decode(self, text: str, name: str, path: str) -> bytes:
        """Base64 with any whitespace removed; a placeholder fails the package cleanly (EDXML §6)."""
        compact = text.encode("ascii", "replace").translate(None, _BASE64_BLANKS)
        if len(compact) * 3 // 4 > self.limits.max_attachment_bytes:
            raise EdxmlRejected("edxml_attachment_too_large", path,
                                f"{path}: tệp «{name}» lớn hơn {self.limits.max_attachment_bytes} byte.")
        try:
            return base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            shown = text[:40] + ("…" if len(text) > 40 else "")
            raise EdxmlRejected("edxml_bad_attachment", f"{path}/ContentTransferEncoded",
                                f"{path}/ContentTransferEncoded: nội dung tệp «{name}» không phải base64 "
                                f"(«{shown}»).", name=name) from None
