"""The words and the grid of the Sổ đăng ký văn bản đi (ND30 PL IV Mục I; DOMAIN §5.1).

Kept apart from ``web/labels.py`` and the incoming grid so the outgoing register can grow (its
missing columns arrive with the outgoing document fields) without touching the incoming one.
The title printed is the series' own name: the general "Sổ đăng ký văn bản đi", or a separate
series such as "Sổ văn bản quy phạm pháp luật – Quyết định".
"""

from __future__ import annotations

from models.registers.books import OutgoingRow

FILE_STEM = "so-dang-ky-van-ban-di"
SHEET_NAME = "Sổ đăng ký văn bản đi"  # worksheet names are limited to 31 characters

COLUMNS = [
    "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
    "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận",
    "Ghi chú",
]
# (width in mm on A4 landscape, cell kind); 265 mm in all, like the incoming register.
WIDTHS = [(26, "text"), (19, "date"), (62, "text"), (26, "text"), (38, "text"), (24, "text"),
          (13, "number"), (19, "date"), (16, "text"), (22, "text")]

VOID_NOTE = "Số đã hủy: {reason}"
VOID_NOTE_BARE = "Số đã hủy"


def outgoing_cells(row: OutgoingRow) -> list:
    """(1) Số, ký hiệu … (10) Ghi chú; (9) Ký nhận stays blank for the recipient's signature.

    A voided number keeps its số and what it was taken for, and says why in Ghi chú; the
    signer, recipients, copies and dates stay blank, since nothing was sent under it.
    """
    what = f"{row.type_name}: {row.subject}" if row.type_name and row.subject else row.type_name or row.subject
    if row.void:
        note = VOID_NOTE.format(reason=row.void_reason) if row.void_reason else VOID_NOTE_BARE
        return [row.so_ky_hieu, None, what, "", "", "", "", None, "", note]
    # The number of copies is a count, not a số: printed as is ("3"), not zero-padded.
    copies = str(row.copies) if row.copies is not None else ""
    return [row.so_ky_hieu, row.issued_date, what, row.signer, row.recipients, row.file_copy_holder,
            copies, row.transferred_date, "", row.note]
