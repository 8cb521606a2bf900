"""Vietnamese texts of the workspace: push notifications on a device, the văn bản đến/đi lists'
filters and the inbox's actions on several tasks (issue 14)."""

from __future__ import annotations

# Merged into web.messages (MESSAGES, FIELD_ERROR_TEXT, STATUS_OVERRIDES), which every page and
# API answer reads; kept apart only so that no one table grows past a readable size.
MESSAGES: dict[str, str] = {}
FIELD_ERROR_TEXT: dict[str, str] = {}
STATUS_OVERRIDES: dict[str, int] = {}

# Thông báo trên thiết bị (commands/push.py, web/push.py).
MESSAGES.update({
    "push_disabled": "Thông báo trên thiết bị đang được quản trị hệ thống tắt cho toàn hệ thống.",
    "push_service_refused": "Trình duyệt này dùng một dịch vụ thông báo không được phép nên chưa bật được thông báo. "
                            "Vui lòng dùng Chrome, Edge, Cốc Cốc, Firefox hoặc Safari bản mới, hoặc liên hệ quản trị hệ thống.",
    "push_subscription_invalid": "Thông tin đăng ký nhận thông báo do trình duyệt gửi lên không hợp lệ. "
                                 "Vui lòng tải lại trang rồi bật lại thông báo.",
    "push_device_not_found": "Không tìm thấy thiết bị này trong danh sách nhận thông báo của bạn. Vui lòng tải lại trang.",
    "push_renewal_refused": "Không cập nhật được đăng ký nhận thông báo của thiết bị này vì không xác minh được "
                            "đăng ký cũ của bạn. Vui lòng mở trang Thông báo trên thiết bị rồi bật lại thông báo.",
})
STATUS_OVERRIDES.update({"push_disabled": 409, "push_renewal_refused": 403})

# The văn bản đến/đi lists' filters (web/lists.py) and the inbox's actions on several tasks (web/inbox_bulk.py).
MESSAGES.update({
    "invalid_list_filter": "Điều kiện lọc chưa hợp lệ nên danh sách chưa được hiển thị. "
                           "Vui lòng kiểm tra các trường được đánh dấu.",
    "bulk_nothing_selected": "Vui lòng chọn ít nhất một công việc trong danh sách.",
    "bulk_too_many": "Mỗi lần chỉ thực hiện được tối đa {limit} công việc. Vui lòng chọn ít hơn.",
    "bulk_action_unknown": "Thao tác này không thực hiện được cho nhiều công việc cùng lúc.",
})
FIELD_ERROR_TEXT["date_order"] = "không được trước ngày bắt đầu"
# The summary of an action on several tasks of the inbox (web/inbox.py), one sentence in the result message.
BULK_SAID = {
    "vao_so": "Đã vào sổ {count} văn bản", "vao_so_noun": "văn bản",
    "luu_tham_khao": "Đã lưu tham khảo {count} văn bản", "luu_tham_khao_noun": "văn bản",
    "nhan_xu_ly": "Đã nhận {count} công việc", "nhan_xu_ly_noun": "công việc",
    "pending": "{count} văn bản đang được hệ thống ghi nhận, danh sách sẽ cập nhật sau ít giây",
    "failed": "{count} {noun} không thực hiện được: {reasons}",
    "retried": "Yêu cầu này đã được thực hiện trước đó; danh sách dưới đây cho biết tình trạng từng công việc.",
}
