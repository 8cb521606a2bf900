"""Vietnamese labels for enum values, fields and actions (the glossary of STYLE §5)."""

from __future__ import annotations

from models.tasks.actions import ACTIONS
from models.wording import NOTIFICATION_LABELS, STEP_LABELS, URGENCY_LABELS  # noqa: F401 (re-exported)
from web import labels_records, labels_work
from web.labels_records import (  # noqa: F401 (re-exported)
    ACCESS_STATUS_LABELS,
    PLAN_ENTRY_STATUS_LABELS,
    PLAN_NUMBERING_LABELS,
    PLAN_STATUS_LABELS,
    RECORD_STATUS_LABELS,
)
from web.labels_work import ASSIGNMENT_STATUS_LABELS, SCHEDULE_STATUS_LABELS  # noqa: F401 (re-exported)

ROLE_LABELS = {
    "van_thu": "Văn thư",
    "lanh_dao_co_quan": "Lãnh đạo cơ quan",
    "lanh_dao_don_vi": "Lãnh đạo đơn vị",
    "chuyen_vien": "Chuyên viên",
    "quan_tri": "Quản trị hệ thống",
    "quan_tri_he_thong": "Quản trị toàn hệ thống (cấp tỉnh)",
    "luu_tru": "Lưu trữ cơ quan",
    "lap_lich": "Lập lịch công tác (văn phòng)",
    "giam_sat": "Giám sát (Văn phòng UBND tỉnh)",
}

URGENCY_STAMPS = {"khan": "KHẨN", "thuong_khan": "THƯỢNG KHẨN", "hoa_toc": "HỎA TỐC"}

STATUS_LABELS = {
    "new": "Mới tiếp nhận",
    "registered": "Đã vào sổ, chờ lãnh đạo cho ý kiến",
    "directed": "Đã giao xử lý",
    "in_progress": "Đang xử lý",
    "done": "Hoàn thành",
    "for_reference": "Lưu tham khảo",
    "returned": "Đã trả lại",
    "recalled": "Đã thu hồi",
    "draft": "Dự thảo",
    "in_review": "Đang trình duyệt",
    "signed": "Đã ký",
    "issued": "Đã phát hành",
}


# The fields of a draft written on the form, as the comparison of two revisions names them (ND30 thể thức).
DRAFT_FIELD_LABELS = {
    "agency_name": "Tên cơ quan ban hành", "parent_agency_name": "Tên cơ quan chủ quản", "notation": "Ký hiệu",
    "place_name": "Địa danh", "type_abbr": "Chữ viết tắt tên loại", "signer_competence": "Quyền hạn người ký",
    "kinh_gui": "Kính gửi", "noi_nhan": "Nơi nhận", "storage_unit_abbr": "Đơn vị lưu", "storage_copies": "Số bản lưu",
    "drafter_initials": "Ký hiệu người soạn thảo", "copies": "Số lượng bản",
}

# A unit's or person's part in handling a document (Phiếu giải quyết, ND30 PL IV Mục VII).
ASSIGNMENT_ROLE_LABELS = {"chu_tri": "Chủ trì", "phoi_hop": "Phối hợp", "de_biet": "Để biết"}

TASK_STATUS_LABELS = {
    "open": "Chờ nhận",
    "claimed": "Đang xử lý",
    "completing": "Đang ghi nhận",
    "done": "Đã xong",
    "cancelled": "Đã hủy",
}


ACTION_LABELS = {action: spec.label for action, spec in ACTIONS.items()}  # one registry per action

FIELD_LABELS = {
    "file": "Tệp văn bản",
    "name": "Tên",
    "code": "Ký hiệu tên loại",
    "kind": "Loại sổ",
    "doc_types": "Loại văn bản, dãy số",
    "copy_form": "Hình thức bản sao",
    "code_number": "Số",
    "code_notation": "Ký hiệu",
    "issued_date": "Ngày văn bản",
    "organ_name": "Cơ quan ban hành",
    "organ_id": "Mã định danh cơ quan ban hành",
    "type_name": "Tên loại văn bản",
    "subject": "Trích yếu",
    "language": "Ngôn ngữ",
    "page_amount": "Số trang",
    "description": "Ghi chú",
    "signer_full_name": "Họ tên người ký",
    "signer_position": "Chức vụ người ký",
    "priority": "Mức độ khẩn",
    "secrecy": "Độ mật",
    "due_date": "Hạn xử lý",
    "paper_copy": "Có bản giấy",
    "opinion": "Ý kiến chỉ đạo",
    "lead_unit_id": "Đơn vị chủ trì",
    "cooperating_unit_ids": "Đơn vị phối hợp",
    "handler_id": "Người xử lý",
    "result": "Kết quả giải quyết",
    "new_due_date": "Hạn xử lý đề nghị",
    "reason": "Lý do",
    "progress": "Tiến độ giải quyết",
    "new_unit_id": "Đơn vị thay thế",
    "metadata": "Thông tin văn bản",
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
    # Outgoing drafts
    "doc_type_id": "Loại văn bản",
    "body": "Nội dung",
    "urgency": "Mức độ khẩn",
    "signer_id": "Người ký",
    "competence": "Thẩm quyền ký",
    "competence_title": "Chức danh người đứng đầu",
    "recipient_agency_ids": "Nơi nhận trong tỉnh",
    "recipient_codes": "Mã cơ quan nhận bên ngoài",
    "recipient_unit_ids": "Đơn vị nhận trong cơ quan",
    "kinh_gui_agency_ids": "Kính gửi",
    "issued_amount": "Số bản phát hành",
    "content_mode": "Cách soạn nội dung",
    "consultations": "Nơi xin ý kiến",
    "comment": "Ý kiến",
    "note": "Ghi chú",
    "reply_document_id": "Văn bản trả lời",
    "in_reply_to_id": "Văn bản được trả lời",
    "token_pin": "Mã PIN thiết bị ký số",
    "file_sha256": "Tệp đã ký",
}

# Configuration forms (commands/configuration_*.py).
FIELD_LABELS.update({
    "agency_code": "Mã cơ quan",
    "legal_normative": "Văn bản quy phạm pháp luật",
    "own_series": "Đánh số riêng",
    "direction": "Văn bản đến hay đi",
    "key": "Mã quy trình",
    "version": "Phiên bản quy trình",
    "day": "Ngày",
    "organization_in_charge": "Cơ quan chủ quản",
    "organ_add": "Địa chỉ",
    "email": "Thư điện tử",
    "telephone": "Điện thoại",
    "fax": "Fax",
    "website": "Trang thông tin điện tử",
})

# A field's label where one action means something else by it than FIELD_LABELS says.
ACTION_FIELD_LABELS = {
    ("gop_y", "opinion"): "Ý kiến góp ý",
    ("tu_choi_thu_hoi", "reason"): "Lý do từ chối thu hồi",
    ("tra_lai_du_thao", "comment"): "Lý do trả lại, nội dung cần sửa",
    ("phan_cong", "opinion"): "Ý kiến của lãnh đạo đơn vị",
    ("gui_y_kien", "opinion"): "Ý kiến phối hợp",
    ("dong_y_gia_han", "opinion"): "Ý kiến",
    ("tu_choi_gia_han", "opinion"): "Lý do không đồng ý",
    ("tiep_nhan", "opinion"): "Ghi chú",
    ("vao_so", "opinion"): "Ghi chú",
    ("thu_lai", "opinion"): "Ghi chú",
    ("phan_cong", "due_date"): "Hạn xử lý của người được giao",
}

AUDIT_LABELS = {
    "document.received": "Tiếp nhận văn bản",
    "document.registered": "Vào sổ văn bản đến",
    "document.duplicate_confirmed": "Xác nhận vào sổ dù có thể trùng văn bản đã tiếp nhận",
    "task.opened": "Chuyển bước xử lý",
    "task.claimed": "Nhận việc",
    "task.released": "Trả lại hàng chờ",
    "task.overdue": "Quá hạn xử lý",
    "document.giao_xu_ly": "Lãnh đạo giao xử lý",
    "document.luu_tham_khao": "Lãnh đạo cho lưu tham khảo",
    "document.phan_cong": "Lãnh đạo đơn vị phân công",
    "document.hoan_thanh": "Hoàn thành giải quyết",
    "document.gui_y_kien": "Đơn vị phối hợp gửi ý kiến",
    "document.xin_gia_han": "Đề nghị gia hạn",
    "document.dong_y_gia_han": "Đồng ý gia hạn",
    "document.tu_choi_gia_han": "Không đồng ý gia hạn",
    "task.escalated": "Cảnh báo quá hạn tới lãnh đạo",
    "task.reminded": "Nhắc hạn xử lý",
    "document.tiep_nhan": "Văn thư tiếp nhận để tham khảo",
    "document.vao_so": "Văn thư tiếp nhận văn bản của cơ quan gửi, vào sổ",
    "document.bao_cao_tien_do": "Báo cáo tiến độ",
    "document.rerouted": "Lãnh đạo điều chỉnh việc giao xử lý",
    "document.tra_lai": "Văn thư trả lại nơi gửi",
    "document.thu_lai": "Văn thư cho số hóa lại",
    "task.cancelled": "Đóng các bước không còn cần thiết",
    "document.workflow_cancelled": "Dừng quy trình xử lý văn bản",
    "task.decision_lost": "Khôi phục bước xử lý chưa ghi nhận",
    # Outgoing documents
    "document.drafted": "Soạn dự thảo",
    "document.revised": "Chỉnh sửa dự thảo",
    "document.commented": "Góp ý dự thảo",
    "document.submitted": "Trình dự thảo",
    "document.gop_y": "Góp ý dự thảo",
    "document.duyet": "Đồng ý dự thảo",
    "document.tra_lai_du_thao": "Trả lại dự thảo",
    "document.trinh_lai": "Trình lại dự thảo",
    "document.ky_so": "Ký số",
    "document.remote_signing_prepared": "Chuẩn bị ký số bằng thiết bị",
    "document.ban_hanh": "Ban hành",
    "document.dispatched": "Gửi văn bản đến nơi nhận",
    "document.status_reported": "Nơi nhận cập nhật tình trạng",
}

# Printed registers and the processing slip (ND30 Phụ lục IV Mục VI, VII, VIII).
REPORT_TITLES = {
    "register": "Sổ đăng ký văn bản đến",
    "followup": "Sổ theo dõi giải quyết văn bản đến",
}

INCOMING_REGISTER_COLUMNS = [
    "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú",
]

FOLLOWUP_REGISTER_COLUMNS = [
    "Số đến", "Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành", "Đơn vị hoặc người nhận",
    "Thời hạn giải quyết", "Tiến độ giải quyết", "Số, ký hiệu văn bản trả lời", "Ghi chú",
]

REPORT_TEXT = {
    "void_note": "Số đến đã hủy: {reason}",
    "void_note_bare": "Số đến đã hủy",
    "document_line": "{type_name} số {so_ky_hieu} ngày {issued_date} của {organ_name}",
    "document_line_undated": "{type_name} số {so_ky_hieu} của {organ_name}",
    "progress_closed": "{status} ngày {date}",
    "progress_overdue": "{status}, quá hạn",
    "reply_line": "{so_ky_hieu} ngày {issued_date}",
    "sheet_period": "Từ ngày {start} đến ngày {end}",
    "title_year": "{title} năm {year}",
    "sheet_footer": "Trang &P/&N",
    "long_date": "ngày {day} tháng {month} năm {year}",
}

# Worksheet names are limited to 31 characters.
REPORT_SHEET_NAMES = {"register": "Sổ đăng ký văn bản đến", "followup": "Sổ theo dõi giải quyết"}

# Signature checks before acceptance (QĐ44 Điều 10.1).
AUDIT_LABELS["document.signature_checked"] = "Kiểm tra chữ ký số"

# Tra cứu văn bản: search fields and the CSV export's columns.
SEARCH_FIELD_LABELS = {
    "q": "Từ khóa",
    "type_name": "Tên loại văn bản",
    "urgency": "Mức độ khẩn",
    "status": "Trạng thái",
    "unit_id": "Đơn vị xử lý",
    "arrival_from": "Ngày đến (từ ngày)",
    "arrival_to": "Ngày đến (đến ngày)",
    "issued_from": "Ngày văn bản (từ ngày)",
    "issued_to": "Ngày văn bản (đến ngày)",
    "page": "Trang",
}

# The filters of the văn bản đến/đi lists (models/documents/listing.py), named in their refusals.
LIST_FILTER_LABELS = {
    "status": "Trạng thái",
    "year": "Năm",
    "date_from": "Từ ngày",
    "date_to": "Đến ngày",
    "type_name": "Tên loại văn bản",
    "urgency": "Mức độ khẩn",
    "organ": "Cơ quan",
    "unit_id": "Đơn vị",
    "after": "Trang",
    "before": "Trang",
}

SEARCH_CSV_COLUMNS = [
    "Số đến", "Ngày đến", "Số, ký hiệu", "Ngày văn bản", "Tên loại văn bản", "Trích yếu",
    "Cơ quan ban hành", "Người ký", "Mức độ khẩn", "Trạng thái", "Hạn xử lý",
]


# Số hóa văn bản giấy đến (QĐ44 Điều 10.2).
AUDIT_LABELS.update({
    "document.digitised": "Số hóa văn bản giấy (nhận dạng nội dung)",
    "document.digitise_quarantined": "Bản quét không nhận dạng được, chuyển lại văn thư",
    "document.agency_signed": "Ký số của cơ quan lên văn bản số hóa",
})
DIGITISE_STATUS_LABELS = {"pending": "Chờ nhận dạng", "running": "Đang nhận dạng", "done": "Đã số hóa",
                          "quarantined": "Cần quét lại"}


# Thu hồi văn bản (QĐ44 Điều 13.4.d).
AUDIT_LABELS.update({
    "document.thu_hoi": "Thu hồi văn bản đã ban hành",
    "document.bo_sung_noi_nhan": "Bổ sung nơi nhận",
    "document.dong_y_thu_hoi": "Đồng ý thu hồi văn bản",
    "document.tu_choi_thu_hoi": "Từ chối thu hồi văn bản",
    "document.recipient_not_received": "Nơi nhận chưa nhận được văn bản sau thời hạn",
    "register.number_allocated": "Cấp số văn bản đi",
    "exchange.revoke_received": "Cơ quan ban hành thu hồi văn bản (qua trục liên thông)",
    "exchange.update_received": "Cơ quan ban hành cập nhật, thay thế văn bản (qua trục liên thông)",
    "exchange.send_failed": "Gửi qua trục liên thông không thành công",
})


# Nhật ký hệ thống (ND30 PL VI III.5.a, III.6.l): access to documents, accounts, configuration.
AUDIT_LABELS.update({
    "document.viewed": "Xem văn bản",
    "document.downloaded": "Tải tệp văn bản",
    "auth.login": "Đăng nhập",
    "auth.logout": "Đăng xuất",
    "auth.login_failed": "Đăng nhập không thành công",
    "auth.login_refused": "Từ chối đăng nhập",
    "auth.throttled": "Tạm chặn đăng nhập do sai nhiều lần",
    "auth.password_changed": "Đổi mật khẩu",
    "auth.two_factor_enabled": "Bật xác thực hai bước",
    "auth.two_factor_disabled": "Tắt xác thực hai bước",
    "auth.two_factor_reset": "Quản trị đặt lại xác thực hai bước",
    "auth.two_factor_check_failed": "Nhập sai mật khẩu hoặc mã xác thực hai bước",
    "push.subscribed": "Bật thông báo trên thiết bị",
    "push.unsubscribed": "Tắt thông báo trên thiết bị",
    "push.renewed": "Trình duyệt gia hạn đăng ký nhận thông báo trên thiết bị",
    "push.expired": "Thiết bị không còn nhận thông báo (dịch vụ thông báo báo hết hạn)",
    "auth.recovery_codes_generated": "Tạo mã khôi phục mới",
    "auth.recovery_code_used": "Đăng nhập bằng mã khôi phục",
    "auth.session_revoked": "Kết thúc phiên đăng nhập",
    "user.created": "Tạo tài khoản",
    "user.locked": "Khóa tài khoản",
    "user.reset": "Đặt lại mật khẩu",
    "user.unlocked": "Mở khóa tài khoản",
    "user.updated": "Sửa thông tin người dùng",
    "user.position_changed": "Thay đổi chức vụ",
    "user.unit_changed": "Thay đổi đơn vị công tác",
    "user.roles_changed": "Thay đổi vai trò, quyền sử dụng",
    "user.moved": "Chuyển công tác",
    "task.handed_over": "Bàn giao công việc khi chuyển công tác",
    "record.handed_over": "Bàn giao hồ sơ khi chuyển công tác",
    "delegation.created": "Ủy quyền ký, chỉ đạo",
    "delegation.revoked": "Thu hồi ủy quyền",
    "document.signed_for": "Ký thay theo ủy quyền",
    "process.published": "Ban hành phiên bản quy trình",
    "calendar.changed": "Điều chỉnh lịch làm việc",
    "calendar.removed": "Bỏ điều chỉnh lịch làm việc",
    "config.type_created": "Thêm loại văn bản",
    "config.type_changed": "Sửa tên, ký hiệu loại văn bản",
    "config.type_deactivated": "Ngừng dùng loại văn bản",
    "config.type_activated": "Dùng lại loại văn bản",
    "config.register_created": "Mở sổ đăng ký",
    "config.register_renamed": "Đổi tên sổ đăng ký",
    "config.register_closed": "Đóng sổ đăng ký",
    "config.type_offered": "Cơ quan dùng lại loại văn bản của danh mục chung",
    "config.type_turned_off": "Cơ quan không dùng loại văn bản của danh mục chung",
    "config.process_bound": "Gắn phiên bản quy trình cho cơ quan",
    "config.process_unbound": "Bỏ gắn phiên bản quy trình của cơ quan",
    "config.hub_identity_changed": "Sửa thông tin cơ quan trên trục liên thông",
    "org.agency_added": "Thêm cơ quan (danh bạ liên thông)",
    "org.agency_closed": "Đóng cơ quan (danh bạ liên thông)",
    "org.agency_renamed": "Đổi tên cơ quan (danh bạ liên thông)",
    "org.alias_added": "Thêm mã định danh cơ quan",
    "org.alias_ended": "Kết thúc hiệu lực mã định danh cơ quan",
    "org.agency_created": "Thêm cơ quan, tổ chức",
    "org.agency_name_changed": "Đổi tên cơ quan, tổ chức",
    "org.agency_moved": "Chuyển cơ quan sang cơ quan cấp trên khác",
    "org.agency_changed": "Sửa thông tin cơ quan (tên viết tắt, mã QĐ 20, văn thư đầu mối)",
    "org.agency_ended": "Đóng cơ quan, tổ chức",
    "org.unit_created": "Thêm đơn vị",
    "org.unit_changed": "Sửa tên đơn vị",
    "org.unit_moved": "Chuyển đơn vị sang đơn vị cấp trên khác",
    "org.unit_closed": "Đóng đơn vị",
    "register.closed": "Khóa sổ đăng ký (sắp xếp lại tổ chức)",
    "exchange.refused": "Từ chối gói tin liên thông",
    "system.seeded": "Khởi tạo dữ liệu hệ thống",
})
# The push services of the browsers (Settings.push_services), as a person knows their device.
PUSH_SERVICE_LABELS = {
    "fcm.googleapis.com": "Chrome, Edge hoặc Cốc Cốc (Android, máy tính)",
    "push.services.mozilla.com": "Firefox",
    "push.apple.com": "Safari (iPhone, iPad, máy Mac)",
    "notify.windows.com": "Microsoft Edge trên Windows",
}
AUDIT_SEARCH_LABELS = {"actor": "Người thực hiện", "document": "Mã văn bản", "code": "Thao tác",
                       "from": "Từ ngày", "to": "Đến ngày", "page": "Trang", "per_page": "Số dòng mỗi trang"}
AUDIT_XLSX_COLUMNS = ["Số thứ tự chuỗi", "Thời gian", "Người thực hiện", "Tài khoản", "Thao tác", "Mã thao tác",
                      "Đối tượng", "Mã đối tượng", "Chi tiết"]


# The records and điều hành areas keep their labels in modules of their own, merged here; their
# status glossaries are re-exported from here like the others.
for _area in (labels_records, labels_work):
    FIELD_LABELS.update(_area.FIELD_LABELS)
    AUDIT_LABELS.update(_area.AUDIT_LABELS)
    ACTION_FIELD_LABELS.update(_area.ACTION_FIELD_LABELS)
