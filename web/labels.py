"""Vietnamese labels for enum values, fields and actions (the glossary of STYLE §5)."""

from __future__ import annotations

from models.tasks.actions import ACTIONS
from models.wording import NOTIFICATION_LABELS, STEP_LABELS, URGENCY_LABELS  # noqa: F401 (re-exported)

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
    "task.claimed": "Nhận xử lý",
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
    "auth.recovery_codes_generated": "Tạo mã khôi phục mới",
    "auth.recovery_code_used": "Đăng nhập bằng mã khôi phục",
    "auth.session_revoked": "Kết thúc phiên đăng nhập",
    "user.created": "Tạo tài khoản",
    "user.locked": "Khóa tài khoản",
    "user.reset": "Cấp lại tài khoản",
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
AUDIT_SEARCH_LABELS = {"actor": "Người thực hiện", "document": "Mã văn bản", "code": "Thao tác",
                       "from": "Từ ngày", "to": "Đến ngày", "page": "Trang", "per_page": "Số dòng mỗi trang"}
AUDIT_XLSX_COLUMNS = ["Số thứ tự chuỗi", "Thời gian", "Người thực hiện", "Tài khoản", "Thao tác", "Mã thao tác",
                      "Đối tượng", "Mã đối tượng", "Chi tiết"]

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
AUDIT_LABELS.update({
    "record.export_requested": "Yêu cầu xuất hồ sơ (gói BagIt)",
    "record.exported": "Xuất hồ sơ: tạo gói tài liệu và siêu dữ liệu",
    "record.export_failed": "Xuất hồ sơ không thành công",
    "file.fixity_failed": "Kiểm tra toàn vẹn: tệp lưu trữ bị thay đổi hoặc bị mất",
    "file.fixity_restored": "Kiểm tra toàn vẹn: tệp lưu trữ nguyên vẹn trở lại",
    "file.fixity_pass_finished": "Hoàn thành một lượt kiểm tra toàn vẹn kho tệp",
})

# Published statistics (commands/publications.py, QĐ44 Điều 16.2).
AUDIT_LABELS["statistics.published"] = "Công bố số liệu tiếp nhận, xử lý văn bản"
AUDIT_LABELS["assignment.viewed"] = "Xem việc được giao (giám sát)"
