"""Vietnamese words shared by the web pages and the e-mails the worker sends.

The UI's label tables live in ``web/labels.py``; the few that ``models`` also needs (mail runs in
the worker, which never imports ``web``) live here once, and ``web/labels.py`` re-exports them.
"""

from __future__ import annotations

URGENCY_LABELS = {"thuong": "Thường", "khan": "Khẩn", "thuong_khan": "Thượng khẩn", "hoa_toc": "Hỏa tốc"}
STEP_LABELS = {
    "direct": "Cho ý kiến chỉ đạo",
    "register": "Vào sổ văn bản đến",
    "assign": "Phân công xử lý trong đơn vị",
    "handle": "Giải quyết văn bản",
    "extension": "Xem xét đề nghị gia hạn",
    "accept": "Tiếp nhận hoặc trả lại văn bản",
    "quarantine": "Xử lý bản quét không nhận dạng được",
    # Outgoing documents (văn bản đi)
    "consult": "Xin ý kiến",
    "review": "Kiểm tra nội dung",
    "format_check": "Kiểm tra thể thức",
    "approve": "Duyệt",
    "sign": "Ký số",
    "issue": "Ban hành",
    "revise": "Chỉnh sửa dự thảo",
    "recall": "Trả lời đề nghị thu hồi",
    # Giao việc (workflows/assignment.py); "extension" above serves it too.
    "name_lead": "Cử người chủ trì thực hiện",
    "carry_out": "Thực hiện việc được giao",
    "support": "Phối hợp thực hiện",
    "assess": "Đánh giá kết quả",
    "approve_schedule": "Duyệt lịch công tác tuần",
    "approve_plan": "Phê duyệt Danh mục hồ sơ",
    "record_review": "Rà soát, kết thúc hồ sơ",
    "record_keep": "Xem xét giữ lại hồ sơ đến hạn nộp lưu",
    "record_accept": "Tiếp nhận hồ sơ nộp lưu",
    "record_dispose": "Xem xét hủy hồ sơ hết thời hạn bảo quản",
    "record_access": "Xem xét đề nghị khai thác hồ sơ",
}

NOTIFICATION_LABELS = {
    "new_task": "Có văn bản cần xử lý",
    "urgent_task": "Văn bản KHẨN cần xử lý ngay",
    "overdue": "Văn bản quá hạn xử lý",
    "due_soon": "Văn bản sắp đến hạn xử lý",
    "draft_returned": "Dự thảo bị trả lại, cần chỉnh sửa",
    "internal_document_arrived": "Có văn bản đến từ cơ quan trong tỉnh",
    "recipient_status": "Nơi nhận cập nhật tình trạng xử lý văn bản đi",
    "recipient_not_received": "Nơi nhận chưa nhận được văn bản đi: cần liên hệ",
    "paper_copy_needed": "Văn bản đã ban hành cần phát hành bản giấy",
    "hub_document_arrived": "Có văn bản đến qua trục liên thông",
    "hub_update_received": "Cơ quan ban hành đề nghị cập nhật, thay thế văn bản đã nhận",
    "hub_send_failed": "Gửi văn bản qua trục liên thông không thành công: cần liên hệ nơi nhận",
    "backup_failed": "Sao lưu tự động không thành công: cần kiểm tra ngay",
    "fixity_failed": "Kiểm tra toàn vẹn phát hiện tệp lưu trữ bị thay đổi hoặc bị mất: cần khôi phục ngay",
    "assignment_nghiem_thu_ket_qua": "Việc được giao đã được đánh giá, công nhận kết quả",
    "assignment_tra_lai_ket_qua": "Kết quả việc được giao bị trả lại, cần làm tiếp",
    "assignment_dong_y_gia_han": "Đề nghị gia hạn việc được giao đã được đồng ý",
    "assignment_tu_choi_gia_han": "Đề nghị gia hạn việc được giao không được đồng ý",
    "assignment_cancelled": "Việc được giao đã bị hủy",
    "record_transfer_due": "Hồ sơ sắp đến hạn nộp lưu vào Lưu trữ cơ quan",
    "record_returned": "Hồ sơ nộp lưu bị Lưu trữ cơ quan trả lại",
    "record_access_decided": "Đã có ý kiến về đề nghị khai thác hồ sơ",
    "record_keep_decided": "Đã có ý kiến về đề nghị giữ lại hồ sơ đến hạn nộp lưu",
    "schedule_published": "Lịch công tác tuần đã được ban hành",
    "schedule_changed": "Lịch công tác tuần có thay đổi",
    "schedule_returned": "Lịch công tác tuần bị trả lại, cần chỉnh sửa",
}
