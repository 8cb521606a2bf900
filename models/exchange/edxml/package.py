"""The data of an edXML package, as plain frozen dataclasses (EDXML §2.1, §5.1).

Empty elements are absent (EDXML §1): text fields default to ``""``, optional numbers and
dates to ``None``. Element names of the spec are given next to each field. Content ids are
kept without their ``cid:`` prefix (EDXML §6); ``build`` adds it back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


class BusinessDocType(IntEnum):
    """``Bussiness/BussinessDocType`` (EDXML §2.3, DOMAIN §8.4)."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3


# StatusCode values with a documented meaning (EDXML §5.2). 14 is read as 15, never emitted.
STATUS_NAMES = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Phân công",
    "05": "Đang xử lý",
    "06": "Hoàn thành",
    "13": "Lấy lại",
    "15": "Đồng ý lấy lại / cập nhật",
    "16": "Từ chối lấy lại / cập nhật",
}


@dataclass(frozen=True)
class Organization:
    """``From`` / ``To``: an agency, identified by its ``OrganId`` (mã định danh)."""

    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Code:
    """``Code``: số (``CodeNumber``) and ký hiệu (``CodeNotation``)."""

    number: str = ""
    notation: str = ""


@dataclass(frozen=True)
class PromulgationInfo:
    """``PromulgationInfo``: place name and issue date."""

    place: str = ""
    date: date | None = None


@dataclass(frozen=True)
class DocumentType:
    """``DocumentType``: ``Type`` and ``TypeDetail`` are unconfirmed codes; rely on ``TypeName``."""

    type: str = ""
    type_detail: str = ""
    type_name: str = ""


@dataclass(frozen=True)
class SignerInfo:
    """``SignerInfo``: ``Competence`` holds the authority prefix ("KT. CHỦ TỊCH")."""

    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class OtherInfo:
    """``OtherInfo``."""

    priority: int | None = None
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseFor:
    """``ResponseFor``: the document answered; ``code`` is "số/ký hiệu" combined."""

    organ_id: str = ""
    code: str = ""
    promulgation_date: date | None = None
    document_id: str = ""


@dataclass(frozen=True)
class StaffInfo:
    """``StaffInfo``: the clerk who sent a package or did a processing step."""

    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class TraceHeader:
    """``TraceHeaderList/TraceHeader``: one hop; the timestamp is aware (Vietnam time)."""

    organ_id: str
    timestamp: datetime | None = None


@dataclass(frozen=True)
class Receiver:
    """``ReceiverList/Receiver`` of an update; ``ReceiverType`` meaning unconfirmed (0/1)."""

    organ_id: str
    receiver_type: str = ""


@dataclass(frozen=True)
class BusinessDocumentInfo:
    """``BussinessDocumentInfo`` (update only): what changed and the new recipient list."""

    document_info: str = ""
    document_receiver: str = ""
    receivers: tuple[Receiver, ...] = ()


@dataclass(frozen=True)
class ReplacementInfo:
    """``ReplacementInfoList/ReplacementInfo`` (replace only)."""

    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Business:
    """``TraceHeaderList/Bussiness`` (sic): the business action of the package (EDXML §2.3).

    ``doc_type`` is a ``BusinessDocType`` when the value is known, else the raw integer (the
    validator reports it).
    """

    doc_type: int = BusinessDocType.NEW
    reason: str = ""
    document_id: str = ""
    paper: int | None = None
    document_info: BusinessDocumentInfo | None = None
    replacements: tuple[ReplacementInfo, ...] = ()
    staff: StaffInfo | None = None


@dataclass(frozen=True)
class UnpackedFile:
    """One member of a zipped attachment, extracted in memory after the safety checks."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Attachment:
    """A file: ``Manifest/Reference`` metadata joined with its ``AttachmentEncoded/Attachment``.

    ``data`` is the decoded transfer content exactly as sent (a ZIP stays a ZIP, so a
    round trip keeps the bytes); ``unpacked`` lists a ZIP's members and is derived, not compared.
    """

    content_id: str
    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    description: str = ""
    unpacked: tuple[UnpackedFile, ...] = field(default=(), compare=False, repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def detected_type(self) -> str:
        """The real type from the content, not from ``ContentType`` or the name (EDXML §6)."""
        if self.data.startswith(b"%PDF-"):
            return "application/pdf"
        if self.data.startswith(b"PK\x03\x04"):
            return "application/zip"
        return self.content_type


@dataclass(frozen=True)
class EdocPackage:
    """A document package (message type ``edoc``, EDXML §2)."""

    sender: Organization  # From
    recipients: tuple[Organization, ...]  # To 1..n
    document_id: str = ""
    code: Code = Code()
    promulgation: PromulgationInfo = PromulgationInfo()
    document_type: DocumentType = DocumentType()
    subject: str = ""
    content: str = ""
    signer: SignerInfo = SignerInfo()
    due_date: date | None = None
    other: OtherInfo = OtherInfo()
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: str = ""
    to_places: tuple[str, ...] = ()
    trace_headers: tuple[TraceHeader, ...] = ()
    business: Business | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def business_doc_type(self) -> int:
        """0 new when the package has no ``Bussiness`` element."""
        return BusinessDocType.NEW if self.business is None else self.business.doc_type

    @property
    def target_document_id(self) -> str:
        """The document a revoke/update/replace acts on.

        ``Bussiness/DocumentId`` when present, else the header ``DocumentId``: in the revocation
        sample the former is absent and the header names the revoked document (EDXML §2.3
        [INFERRED]).
        """
        if self.business is not None and self.business.document_id:
            return self.business.document_id
        return self.document_id


@dataclass(frozen=True)
class StatusPackage:
    """A processing-status package (message type ``status``, EDXML §5).

    ``recipient`` (``To``) is not in the reference status samples; it is read when a producer
    adds one and written only when set.
    """

    sender: Organization  # From
    response_for: ResponseFor
    status_code: str
    description: str = ""
    timestamp: datetime | None = None
    staff: StaffInfo | None = None
    recipient: Organization | None = None  # To

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status_code, "")
