"""Vietnamese labels of the điều hành area: weekly schedule, giao việc, published statistics."""

from __future__ import annotations

# Merged into web.labels (FIELD_LABELS, ACTION_FIELD_LABELS, AUDIT_LABELS), from which every page
# reads them; kept apart only so that no one glossary grows past a readable size.
FIELD_LABELS: dict[str, str] = {}
ACTION_FIELD_LABELS: dict[tuple[str, str], str] = {}
AUDIT_LABELS: dict[str, str] = {}

# Lịch công tác tuần (models/schedule): statuses, what the audit log calls each write, the form's fields.
SCHEDULE_STATUS_LABELS = {
    "du_thao": "Dự thảo",
    "cho_duyet": "Chờ lãnh đạo duyệt",
    "da_ban_hanh": "Đã ban hành",
    "dang_dieu_chinh": "Đã ban hành, đang dự thảo điều chỉnh",
    "cho_duyet_dieu_chinh": "Đã ban hành, điều chỉnh chờ lãnh đạo duyệt",
}
AUDIT_LABELS.update({
    "schedule.created": "Lập lịch công tác tuần",
    "schedule.event_added": "Thêm nội dung vào lịch công tác",
    "schedule.event_changed": "Sửa nội dung lịch công tác",
    "schedule.event_removed": "Xóa nội dung khỏi lịch công tác",
    "schedule.submitted": "Trình duyệt lịch công tác",
    "schedule.change_opened": "Dự thảo điều chỉnh lịch công tác đã ban hành",
    "schedule.change_cancelled": "Hủy dự thảo điều chỉnh lịch công tác",
    "schedule.published": "Duyệt, ban hành lịch công tác",
    "schedule.returned": "Trả lại lịch công tác",
    "schedule.feed_created": "Tạo địa chỉ lịch riêng (iCalendar)",
})
FIELD_LABELS.update({
    "week": "Tuần",
    "start_time": "Giờ bắt đầu",
    "end_time": "Giờ kết thúc",
    "content": "Nội dung",
    "place": "Địa điểm",
    "leader_ids": "Lãnh đạo dự",
    "participant_user_ids": "Thành phần (cá nhân)",
    "participant_unit_ids": "Thành phần (đơn vị)",
    "participants_note": "Thành phần khác",
    "preparing_unit_id": "Đơn vị chuẩn bị",
    "document_ids": "Tài liệu kèm theo",
})
ACTION_FIELD_LABELS.update({
    ("tra_lai_lich", "reason"): "Lý do trả lại, nội dung cần sửa",
    ("duyet_lich", "comment"): "Ý kiến",
})

# Giao việc (issue 13): the assignment's fields, statuses, ratings and history.
FIELD_LABELS.update({
    "title": "Tên công việc",
    "content": "Nội dung, yêu cầu",
    "lead_user_id": "Người chủ trì",
    "lead_unit_id": "Đơn vị chủ trì",
    "support_user_ids": "Người phối hợp",
    "support_unit_ids": "Đơn vị phối hợp",
    "working_days": "Thời hạn (số ngày làm việc)",
    "document_ids": "Văn bản liên quan",
    "percent": "Tỷ lệ hoàn thành (%)",
    "rating": "Đánh giá",
    "result_document_id": "Văn bản kết quả",
})
ACTION_FIELD_LABELS.update({
    ("cu_nguoi_chu_tri", "handler_id"): "Người chủ trì thực hiện",
    ("bao_cao_ket_qua", "result"): "Kết quả thực hiện",
    ("bao_cao_ket_qua", "result_document_id"): "Văn bản đi thể hiện kết quả (nếu có)",
    ("nghiem_thu_ket_qua", "comment"): "Nhận xét",
    ("tra_lai_ket_qua", "reason"): "Lý do trả lại, nội dung cần làm tiếp",
})
ASSIGNMENT_STATUS_LABELS = {
    "naming": "Chờ cử người chủ trì",
    "in_progress": "Đang thực hiện",
    "submitted": "Chờ đánh giá kết quả",
    "done": "Hoàn thành",
    "cancelled": "Đã hủy",
}
AUDIT_LABELS.update({
    "assignment.created": "Giao việc",
    "assignment.progress": "Báo cáo tiến độ",
    "assignment.cu_nguoi_chu_tri": "Cử người chủ trì thực hiện",
    "assignment.bao_cao_ket_qua": "Báo cáo kết quả",
    "assignment.xin_gia_han": "Đề nghị gia hạn",
    "assignment.dong_y_gia_han": "Đồng ý gia hạn",
    "assignment.tu_choi_gia_han": "Không đồng ý gia hạn",
    "assignment.gui_y_kien": "Gửi ý kiến phối hợp",
    "assignment.nghiem_thu_ket_qua": "Đánh giá, công nhận kết quả",
    "assignment.tra_lai_ket_qua": "Trả lại kết quả, yêu cầu làm tiếp",
    "assignment.cancelled": "Hủy việc đã giao",
    "assignment.steps_closed": "Đóng các bước phối hợp không còn cần thiết",
})

# Published statistics (commands/publications.py, QĐ44 Điều 16.2).
AUDIT_LABELS["statistics.published"] = "Công bố số liệu tiếp nhận, xử lý văn bản"
AUDIT_LABELS["assignment.viewed"] = "Xem việc được giao (giám sát)"
