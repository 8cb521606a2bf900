"""Vietnamese texts of the configuration errors: document types, registers, processes, the hub
identity, the working calendar (commands/configuration*.py)."""

from __future__ import annotations

# Merged into web.messages (MESSAGES, FIELD_ERROR_TEXT, STATUS_OVERRIDES), which every page and
# API answer reads; kept apart only so that no one table grows past a readable size.
MESSAGES: dict[str, str] = {}
FIELD_ERROR_TEXT: dict[str, str] = {}
STATUS_OVERRIDES: dict[str, int] = {}

# Cấu hình loại văn bản và sổ đăng ký (commands/configuration.py).
MESSAGES.update({
    "config_types_province_only": "Danh mục loại văn bản dùng chung cho cả tỉnh: chỉ quản trị hệ thống cấp tỉnh "
                                  "mới thêm, sửa hoặc ngừng dùng loại văn bản.",
    "config_type_name_taken": "Đã có loại văn bản tên “{name}” trong tỉnh (danh mục chung hoặc loại riêng của một "
                              "cơ quan): văn bản gửi giữa các cơ quan mang theo tên loại nên tên không được trùng. "
                              "Vui lòng chọn tên khác.",
    "config_type_code_taken": "Ký hiệu “{abbreviation}” đã được dùng cho loại “{name}”. Vui lòng chọn ký hiệu khác.",
    "config_type_code_in_register": "Không đổi được ký hiệu vì sổ đăng ký {registers} đang đánh số theo ký hiệu "
                                    "cũ. Vui lòng sửa hoặc đóng các sổ đó trước.",
    "register_not_found": "Không tìm thấy sổ đăng ký.",
    "config_register_name_taken": "Cơ quan đã có sổ đăng ký cùng loại tên “{name}”. Vui lòng chọn tên khác.",
    "config_register_default": "“{name}” là sổ mặc định của cơ quan: hệ thống luôn đánh số vào sổ này nên không "
                               "đổi tên hay đóng được.",
    "config_register_in_use": "Không đóng được “{name}”: sổ đã cấp số năm {year} cho {keys} và chưa có sổ nào khác "
                              "đang mở tiếp nối dãy số này. Dãy số phải liên tục trong năm; vui lòng đóng sổ sau "
                              "khi hết năm hoặc mở sổ tiếp nối trước.",
})
FIELD_ERROR_TEXT["abbreviation_form"] = "phải bắt đầu bằng chữ in hoa, chỉ gồm chữ cái, tối đa 10 ký tự (ví dụ QĐ, KH)"
STATUS_OVERRIDES.update({"config_types_province_only": 403})

# Cấu hình theo cơ quan: loại văn bản riêng, quy trình áp dụng, trục liên thông, lịch làm việc
# (commands/configuration_*.py).
MESSAGES.update({
    "config_other_agency": "Bạn chỉ cấu hình được cơ quan mình quản trị; cơ quan này do quản trị khác phụ trách.",
    "config_agency_not_configurable": "“{agency}” không thuộc hệ thống này hoặc đã thôi hoạt động nên không có cấu "
                                      "hình để thay đổi.",
    "config_type_not_province": "“{name}” là loại văn bản riêng của cơ quan: dùng nút Ngừng dùng hoặc Dùng lại của "
                                "chính loại đó.",
    "process_version_unknown": "Không có quy trình “{key}” phiên bản {version}. Vui lòng chọn một phiên bản đã ban "
                               "hành (xem trang Quy trình).",
    "process_version_not_deployed": "Quy trình “{key}” phiên bản {version} chưa được ban hành hoặc đã ngừng áp dụng "
                                    "nên không gắn được. Vui lòng chọn phiên bản đang ban hành.",
    "process_wrong_direction": "Quy trình “{key}” phiên bản {version} dành cho chiều văn bản khác (văn bản đến hay "
                               "văn bản đi). Vui lòng chọn quy trình đúng loại.",
    "process_not_for_agency": "Quy trình “{key}” phiên bản {version} không áp dụng cho {agency}: định nghĩa quy trình "
                              "chỉ nêu các cơ quan khác. Vui lòng chọn quy trình khác.",
    "config_calendar_province_only": "Lịch làm việc dùng chung cho mọi cơ quan trong tỉnh: chỉ quản trị hệ thống cấp "
                                     "tỉnh mới khai báo hoặc bỏ ngày làm bù, ngày nghỉ.",
})
FIELD_ERROR_TEXT.update({
    "required_for_series": "cần có để đánh số riêng",
    "email_form": "không đúng dạng địa chỉ thư điện tử (ví dụ vanthu@ninhbinh.gov.vn)",
    "telephone_form": "chỉ gồm chữ số, dấu cách và các ký tự + ( ) . -",
    "fax_form": "chỉ gồm chữ số, dấu cách và các ký tự + ( ) . -",
    "website_form": "phải bắt đầu bằng http:// hoặc https://",
})
STATUS_OVERRIDES.update({"config_other_agency": 403, "config_calendar_province_only": 403})
