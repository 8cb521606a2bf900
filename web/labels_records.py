"""Vietnamese labels of the records area: hồ sơ, Danh mục hồ sơ, export and fixity (ND30 Điều 28–31)."""

from __future__ import annotations

# Merged into web.labels (FIELD_LABELS, ACTION_FIELD_LABELS, AUDIT_LABELS), from which every page
# reads them; kept apart only so that no one glossary grows past a readable size.
FIELD_LABELS: dict[str, str] = {}
ACTION_FIELD_LABELS: dict[tuple[str, str], str] = {}
AUDIT_LABELS: dict[str, str] = {}

# Hồ sơ (ND30 Điều 29–31; models/records, commands/records.py).
RECORD_STATUS_LABELS = {
    "dang_lap": "Đang lập",
    "da_dong": "Đã kết thúc, đơn vị đang giữ",
    "dang_nop": "Đang nộp lưu, chờ Lưu trữ cơ quan kiểm tra",
    "luu_tru": "Đã nộp lưu (Lưu trữ cơ quan)",
    "da_huy": "Đã hủy (còn thông tin và quyết định hủy)",
}
ACCESS_STATUS_LABELS = {"cho_duyet": "Chờ ý kiến", "dong_y": "Được khai thác", "tu_choi": "Không đồng ý"}
FIELD_LABELS.update({
    "file_notation": "Số và ký hiệu hồ sơ",
    "title": "Tiêu đề hồ sơ",
    "maintenance": "Thời hạn bảo quản",
    "rights": "Chế độ sử dụng",
    "creator_id": "Người lập hồ sơ",
    "start_date": "Thời gian bắt đầu",
    "plan_entry_id": "Hồ sơ trong Danh mục",
    "construction": "Hồ sơ xây dựng cơ bản",
    "final_settlement": "Ngày quyết toán",
    "document_id": "Văn bản",
    "note": "Ghi chú",
    "until": "Đến ngày",
    "condition": "Tình trạng tài liệu khi giao nhận",
    "decision": "Quyết định hủy (số, ngày, căn cứ)",
    "retain_until": "Bảo quản đến ngày",
    "successor_id": "Người nhận bàn giao",
    "announced_on": "Ngày thông báo",
})
ACTION_FIELD_LABELS.update({
    ("tiep_tuc_lap", "reason"): "Lý do chưa kết thúc hồ sơ",
    ("khong_dong_y_giu_lai", "reason"): "Lý do không đồng ý",
    ("tra_lai_ho_so", "reason"): "Lý do trả lại hồ sơ",
    ("keo_dai_bao_quan", "reason"): "Lý do kéo dài",
    ("tu_choi_khai_thac", "reason"): "Lý do không đồng ý",
    ("dong_y_khai_thac", "until"): "Được khai thác đến ngày (để trống: không thời hạn)",
})
AUDIT_LABELS.update({
    "record.opened": "Mở hồ sơ",
    "document.filed": "Đưa vào hồ sơ",
    "document.unfiled": "Rút khỏi hồ sơ",
    "record.item_filed": "Đưa văn bản vào hồ sơ",
    "record.item_removed": "Rút văn bản khỏi hồ sơ",
    "record.review_requested": "Đề nghị rà soát, kết thúc hồ sơ",
    "record.dong_ho_so": "Kết thúc hồ sơ (biên mục)",
    "record.tiep_tuc_lap": "Tiếp tục lập hồ sơ",
    "record.corrected": "Đính chính hồ sơ đã kết thúc",
    "record.frozen": "Khóa hồ sơ",
    "record.unfrozen": "Mở khóa hồ sơ",
    "record.transfer_requested": "Nộp lưu hồ sơ vào Lưu trữ cơ quan",
    "record.transfer_warned": "Cảnh báo hồ sơ sắp đến hạn nộp lưu",
    "record.keep_requested": "Đề nghị giữ lại hồ sơ đến hạn nộp lưu",
    "record.dong_y_giu_lai": "Đồng ý giữ lại hồ sơ",
    "record.khong_dong_y_giu_lai": "Không đồng ý giữ lại hồ sơ",
    "record.tiep_nhan_luu_tru": "Lưu trữ cơ quan tiếp nhận hồ sơ",
    "record.tra_lai_ho_so": "Lưu trữ cơ quan trả lại hồ sơ",
    "record.huy_ho_so": "Hủy hồ sơ hết giá trị",
    "record.files_removed": "Xóa tệp của hồ sơ đã hủy",
    "record.keo_dai_bao_quan": "Kéo dài thời hạn bảo quản",
    "record.access_requested": "Đề nghị khai thác hồ sơ",
    "record.dong_y_khai_thac": "Đồng ý cho khai thác hồ sơ",
    "record.tu_choi_khai_thac": "Không đồng ý cho khai thác hồ sơ",
    "record.viewed": "Xem hồ sơ",
    "record.downloaded": "Tải tệp văn bản trong hồ sơ",
    "record.collection_announced": "Thông báo danh mục hồ sơ thu thập vào lưu trữ",
})


# Danh mục hồ sơ (ND30 Điều 28, Phụ lục V; commands/record_plans.py).
PLAN_STATUS_LABELS = {"du_thao": "Dự thảo", "cho_duyet": "Chờ người đứng đầu cơ quan phê duyệt",
                      "ban_hanh": "Đã ban hành"}
PLAN_ENTRY_STATUS_LABELS = {"du_thao": "Dự thảo", "de_xuat": "Đề xuất bổ sung", "da_duyet": "Đã phê duyệt"}
PLAN_NUMBERING_LABELS = {"lien_tuc": "Liên tục trong cả danh mục", "theo_de_muc": "Từ 01 trong từng đề mục lớn"}
FIELD_LABELS.update({
    "year": "Năm",
    "numbering": "Cách đánh số",
    "abbreviation": "Chữ viết tắt của đề mục",
    "parent_id": "Đề mục lớn",
    "heading_id": "Đề mục",
    "creator_unit_id": "Đơn vị lập hồ sơ",
    "creator_user_id": "Người lập hồ sơ",
})
ACTION_FIELD_LABELS.update({
    ("tra_lai_danh_muc", "reason"): "Lý do trả lại, nội dung cần sửa",
    ("duyet_danh_muc", "comment"): "Ý kiến",
})
AUDIT_LABELS.update({
    "record_plan.created": "Lập Danh mục hồ sơ",
    "record_plan.numbering_changed": "Đổi cách đánh số hồ sơ",
    "record_plan.heading_added": "Thêm đề mục",
    "record_plan.heading_changed": "Sửa đề mục",
    "record_plan.heading_removed": "Xóa đề mục",
    "record_plan.heading_moved": "Sắp xếp lại đề mục",
    "record_plan.entry_added": "Thêm hồ sơ vào danh mục",
    "record_plan.entry_changed": "Sửa hồ sơ trong danh mục",
    "record_plan.entry_removed": "Xóa hồ sơ khỏi danh mục",
    "record_plan.entry_moved": "Sắp xếp lại hồ sơ",
    "record_plan.submitted": "Trình phê duyệt Danh mục hồ sơ",
    "record_plan.approved": "Phê duyệt, ban hành Danh mục hồ sơ",
    "record_plan.sent_back": "Trả lại Danh mục hồ sơ để chỉnh sửa",
})

AUDIT_LABELS.update({
    "record.export_requested": "Yêu cầu xuất hồ sơ (gói BagIt)",
    "record.exported": "Xuất hồ sơ: tạo gói tài liệu và siêu dữ liệu",
    "record.export_failed": "Xuất hồ sơ không thành công",
    "file.fixity_failed": "Kiểm tra toàn vẹn: tệp lưu trữ bị thay đổi hoặc bị mất",
    "file.fixity_restored": "Kiểm tra toàn vẹn: tệp lưu trữ nguyên vẹn trở lại",
    "file.fixity_pass_finished": "Hoàn thành một lượt kiểm tra toàn vẹn kho tệp",
})
