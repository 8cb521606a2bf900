"""Automatic thể thức checks (ND30 PL I) shown to the person who checks a draft's format.

Each check gives a code, a verdict and a short Vietnamese message saying what is wrong (or
right). They only help the human checker: nothing here refuses a draft. Secrecy (Mật, Tối mật,
Tuyệt mật) is refused at intake, not checked here.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.outgoing.drafting import URGENCY_STAMPS, DraftContent, noi_nhan_lines

# Type abbreviations of ND30 PL III Mục I (mixed case is theirs: "TTr", "QyĐ").
TYPE_ABBREVIATIONS = frozenset({
    "NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB", "TTr", "HĐ",
    "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB", "SY", "TrS", "SL",
})
_UPPER_GROUP = re.compile(r"^[A-ZĐ0-9]+$")
_LUU_LINE = re.compile(r"^-?\s*Lưu:\s*VT\s*,\s*\S.*\.$")
_COMPETENCE = re.compile(r"^(TM|Q|KT|TL|TUQ)\.\s+\S")
# Longest first, so "THƯỢNG KHẨN" is not also read as "KHẨN".
_STAMP_PATTERN = re.compile(r"\b(?:HỎA TỐC|THƯỢNG KHẨN|(?<!THƯỢNG )KHẨN)\b")


@dataclass(frozen=True)
class FormatCheck:
    """One automatic check: ``ok`` False means the checker should look at it."""

    code: str
    ok: bool
    message_vi: str


def check_format(content: DraftContent | Mapping[str, Any], pdf_text: str | None = None) -> list[FormatCheck]:
    """Run every check on the draft's metadata, and on its PDF text when given."""
    draft = content if isinstance(content, DraftContent) else _from_metadata(content)
    checks = [_notation(draft), *_required_parts(draft), _storage_line(draft)]
    if draft.signer_competence.strip():
        checks.append(_competence(draft))
    if pdf_text is not None:
        checks.append(_urgency_stamp(draft, pdf_text))
    return checks


def _from_metadata(metadata: Mapping[str, Any]) -> DraftContent:
    """A DraftContent from a metadata mapping with the same keys (missing text fields empty)."""
    names = {f.name for f in dataclasses.fields(DraftContent)}
    values: dict[str, Any] = {name: "" for name in ("agency_name", "type_name", "notation", "place_name", "subject",
                                                     "body", "signer_position", "signer_full_name")}
    values.update({key: value for key, value in metadata.items() if key in names and value is not None})
    return DraftContent(**values)


def _notation(draft: DraftContent) -> FormatCheck:
    notation = draft.notation.strip()
    groups = notation.split("-")
    if not notation or " " in draft.notation.strip() or any(not g for g in groups):
        return FormatCheck("ky_hieu", False, "Ký hiệu phải gồm các nhóm chữ nối bằng dấu \"-\", không có dấu cách.")
    if draft.is_cong_van:
        if groups[0] in TYPE_ABBREVIATIONS:
            return FormatCheck("ky_hieu", False, f"Công văn không ghi tên loại trong ký hiệu (bỏ \"{groups[0]}-\").")
        rest = groups
    else:
        abbr = draft.type_abbr.strip()
        if not abbr or groups[0] != abbr:
            return FormatCheck("ky_hieu", False, f"Ký hiệu của {draft.type_name.lower()} phải bắt đầu bằng \"{abbr}-\".")
        if len(groups) < 2:
            return FormatCheck("ky_hieu", False, "Ký hiệu thiếu chữ viết tắt tên cơ quan sau tên loại.")
        rest = groups[1:]
    if not all(_UPPER_GROUP.match(g) for g in rest):
        return FormatCheck("ky_hieu", False, "Chữ viết tắt trong ký hiệu phải là chữ in hoa.")
    return FormatCheck("ky_hieu", True, f"Ký hiệu \"{notation}\" đúng thể thức.")


_REQUIRED = (
    ("agency_name", "ten_co_quan", "tên cơ quan ban hành"),
    ("subject", "trich_yeu", "trích yếu nội dung"),
    ("body", "noi_dung", "nội dung văn bản"),
    ("place_name", "dia_danh", "địa danh"),
    ("signer_position", "chuc_vu_nguoi_ky", "chức vụ người ký"),
    ("signer_full_name", "ho_ten_nguoi_ky", "họ tên người ký"),
)


def _required_parts(draft: DraftContent) -> list[FormatCheck]:
    checks = []
    for attribute, code, label in _REQUIRED:
        present = bool(str(getattr(draft, attribute)).strip())
        checks.append(FormatCheck(code, present, f"Có {label}." if present else f"Thiếu {label}."))
    recipients = [r for r in draft.noi_nhan if r.strip() and not r.strip().lstrip("- ").startswith("Lưu:")]
    checks.append(FormatCheck("noi_nhan", bool(recipients),
                              "Có nơi nhận." if recipients else "Thiếu nơi nhận (ngoài dòng \"Lưu\")."))
    if draft.is_cong_van:
        present = any(r.strip() for r in draft.kinh_gui)
        checks.append(FormatCheck("kinh_gui", present, "Có \"Kính gửi\"." if present
                                  else "Công văn thiếu \"Kính gửi\"."))
    return checks


def _storage_line(draft: DraftContent) -> FormatCheck:
    last = noi_nhan_lines(draft)[-1]
    if _LUU_LINE.match(last):
        return FormatCheck("luu_van_thu", True, f"Nơi nhận kết thúc bằng \"{last}\".")
    return FormatCheck("luu_van_thu", False, "Nơi nhận phải kết thúc bằng \"- Lưu: VT, <đơn vị soạn thảo>.\".")


def _competence(draft: DraftContent) -> FormatCheck:
    if _COMPETENCE.match(draft.signer_competence.strip()):
        return FormatCheck("tham_quyen_ky", True, "Quyền hạn người ký ghi đúng (TM., Q., KT., TL., TUQ.).")
    return FormatCheck("tham_quyen_ky", False, "Quyền hạn người ký phải bắt đầu bằng TM., Q., KT., TL. hoặc TUQ.")


def _urgency_stamp(draft: DraftContent, pdf_text: str) -> FormatCheck:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", pdf_text))
    found = set(_STAMP_PATTERN.findall(text))
    expected = draft.urgency_stamp
    if expected and found == {expected}:
        return FormatCheck("do_khan", True, f"Dấu mức độ khẩn \"{expected}\" khớp với thông tin văn bản.")
    if not expected and not found:
        return FormatCheck("do_khan", True, "Văn bản thường, không có dấu mức độ khẩn.")
    if not expected:
        return FormatCheck("do_khan", False, f"Văn bản có dấu \"{', '.join(sorted(found))}\" nhưng mức độ khẩn "
                                             "khai là thường.")
    if not found:
        return FormatCheck("do_khan", False, f"Mức độ khẩn khai là \"{expected}\" nhưng văn bản không có dấu này.")
    return FormatCheck("do_khan", False, f"Dấu trên văn bản ({', '.join(sorted(found))}) không khớp mức độ khẩn "
                                         f"đã khai (\"{expected}\").")


__all__ = ["FormatCheck", "check_format", "TYPE_ABBREVIATIONS", "URGENCY_STAMPS"]
