"""Vietnamese texts of the records errors: hồ sơ, Danh mục hồ sơ, export (ND30 Điều 28–31)."""

from __future__ import annotations

# Merged into web.messages (MESSAGES, FIELD_ERROR_TEXT, STATUS_OVERRIDES), which every page and
# API answer reads; kept apart only so that no one table grows past a readable size.
MESSAGES: dict[str, str] = {}
FIELD_ERROR_TEXT: dict[str, str] = {}
STATUS_OVERRIDES: dict[str, int] = {}

# Hồ sơ (commands/records.py, commands/record_archive.py; ND30 Điều 29–31).
MESSAGES.update({
    "record_not_found": "Không tìm thấy hồ sơ.",
    "record_item_not_found": "Văn bản không có trong hồ sơ này.",
    "record_bad_notation": "Số và ký hiệu hồ sơ “{value}” chưa đúng: gồm số thứ tự, dấu chấm và chữ viết tắt của "
                           "đề mục, ví dụ 05.TH, tối đa 20 ký tự, không có dấu cách.",
    "record_bad_rights": "Chế độ sử dụng là “Sử dụng rộng rãi” hoặc “Hạn chế sử dụng”.",
    "record_notation_taken": "Cơ quan đã có hồ sơ số và ký hiệu {notation} năm {year}. Vui lòng dùng số và ký hiệu "
                             "khác hoặc mở hồ sơ đã có.",
    "record_entry_not_approved": "Hồ sơ này không có trong Danh mục hồ sơ đã ban hành của cơ quan. Vui lòng chọn hồ "
                                 "sơ khác hoặc lập hồ sơ ngoài Danh mục.",
    "record_foreign_document": "Văn bản không thuộc cơ quan lập hồ sơ: chỉ đưa vào hồ sơ văn bản đến, văn bản đi của "
                               "chính cơ quan.",
    "record_document_draft": "Không đưa dự thảo vào hồ sơ: văn bản đi chỉ được lập hồ sơ sau khi đã ban hành.",
    "record_document_not_registered": "Văn bản đến chưa được vào sổ, hoặc đã trả lại, đã thu hồi, nên chưa đưa vào "
                                      "hồ sơ được.",
    "record_item_exists": "Văn bản đã có trong hồ sơ này.",
    "record_closed": "Hồ sơ đã kết thúc nên không thay đổi được. Muốn sửa thông tin hồ sơ, vui lòng đính chính "
                     "kèm lý do.",
    "record_frozen": "Hồ sơ đang bị khóa: không sửa, chuyển hay hủy được cho đến khi người có thẩm quyền mở khóa.",
    "record_not_manager": "Chỉ người lập hồ sơ hoặc lãnh đạo đơn vị lập hồ sơ mới thực hiện được thao tác này.",
    "record_empty": "Hồ sơ chưa có văn bản nào nên chưa kết thúc được.",
    "record_has_drafts": "Hồ sơ còn dự thảo hoặc văn bản chưa hoàn chỉnh (số thứ tự {items}). Vui lòng rút các văn "
                         "bản đó khỏi hồ sơ trước khi kết thúc.",
    "record_has_duplicates": "Hồ sơ có văn bản trùng nhau (số thứ tự {items}). Vui lòng loại bản trùng trước khi "
                             "kết thúc.",
    "record_step_waiting": "Hồ sơ đang có bước chờ xử lý. Vui lòng chờ bước đó xong rồi thực hiện tiếp.",
    "record_not_closed": "Hồ sơ chưa kết thúc nên chưa nộp lưu được. Vui lòng rà soát, kết thúc hồ sơ trước.",
    "record_not_transferable": "Hồ sơ có thời hạn bảo quản dưới 5 năm được bảo quản tại đơn vị, không nộp lưu.",
    "record_already_transferred": "Hồ sơ đã được nộp lưu vào Lưu trữ cơ quan.",
    "record_not_due": "Hồ sơ chưa có hạn nộp lưu (hồ sơ xây dựng cơ bản cần ngày quyết toán) nên chưa đề nghị "
                      "giữ lại được.",
    "record_keep_too_long": "Đơn vị chỉ được giữ lại hồ sơ đến hạn nộp lưu thêm tối đa {limit} năm.",
    "record_not_archived": "Chỉ đề nghị khai thác hồ sơ đã nộp lưu có chế độ hạn chế sử dụng.",
    "record_access_not_needed": "Bạn đã được xem hồ sơ này, không cần đề nghị khai thác.",
    "record_access_pending": "Đề nghị khai thác hồ sơ của bạn đang chờ ý kiến.",
    "record_freeze_not_allowed": "Chỉ lãnh đạo cơ quan hoặc Lưu trữ cơ quan mới khóa, mở khóa hồ sơ.",
    "record_correction_empty": "Đính chính chưa thay đổi thông tin nào của hồ sơ.",
    "record_bad_successor": "Người nhận bàn giao phải là người khác đang công tác tại cơ quan.",
    "record_disposed": "Hồ sơ đã bị hủy: chỉ còn thông tin hồ sơ và quyết định hủy.",
    "record_archivist_only": "Chỉ Lưu trữ cơ quan mới thực hiện được thao tác này.",
    "record_creator_only": "Chỉ người lập hồ sơ mới rà soát, kết thúc hồ sơ. Lãnh đạo đơn vị có thể đề nghị người "
                           "lập hồ sơ kết thúc.",
})
STATUS_OVERRIDES.update({"record_not_manager": 403, "record_creator_only": 403, "record_freeze_not_allowed": 403, "record_archivist_only": 403})

# Danh mục hồ sơ (commands/record_plans.py, models/records/plan_rules.py).
MESSAGES.update({
    "plan_not_found": "Không tìm thấy Danh mục hồ sơ hoặc danh mục này thuộc cơ quan khác.",
    "plan_drafters_only": "Chỉ văn thư hoặc lưu trữ cơ quan mới lập, sửa và trình Danh mục hồ sơ.",
    "plan_exists": "Cơ quan đã có Danh mục hồ sơ năm {year}. Vui lòng mở danh mục đó để bổ sung.",
    "plan_no_previous": "Cơ quan chưa có Danh mục hồ sơ năm {year} để lập từ danh mục năm trước.",
    "plan_pending": "Danh mục hồ sơ đang chờ người đứng đầu cơ quan phê duyệt nên chưa sửa được. "
                    "Vui lòng chờ ý kiến phê duyệt.",
    "plan_issued": "Danh mục hồ sơ đã ban hành: không sắp xếp lại, đổi đề mục hay cách đánh số được nữa. "
                   "Hồ sơ cần thêm được đề xuất bổ sung và trình phê duyệt.",
    "plan_entry_approved": "Hồ sơ này đã được phê duyệt trong danh mục nên không sửa, xóa hay di chuyển được; "
                           "số và ký hiệu của hồ sơ được giữ nguyên.",
    "plan_entry_not_found": "Không tìm thấy hồ sơ này trong Danh mục hồ sơ.",
    "plan_bad_retention": "Thời hạn bảo quản «{value}» không hợp lệ: ghi «Vĩnh viễn» hoặc số năm từ 1 đến "
                          "{limit}, ví dụ «20 năm».",
    "plan_bad_abbreviation": "Chữ viết tắt «{value}» không dùng được trong số và ký hiệu hồ sơ: dùng chữ in hoa "
                             "và chữ số, không dấu cách, tối đa 12 ký tự, ví dụ TCCB.",
    "plan_duplicate_notation": "Số và ký hiệu hồ sơ «{notation}» bị trùng trong danh mục: hai đề mục lớn đang "
                               "dùng cùng một chữ viết tắt. Vui lòng đổi chữ viết tắt hoặc đánh số liên tục "
                               "trong cả danh mục.",
    "plan_heading_too_deep": "Danh mục hồ sơ chỉ có hai cấp đề mục: đề mục lớn (số La Mã) và đề mục nhỏ (số "
                             "Ả Rập). Vui lòng chọn một đề mục lớn.",
    "plan_heading_not_empty": "Đề mục còn hồ sơ hoặc đề mục nhỏ nên chưa xóa được. Vui lòng chuyển hoặc xóa "
                              "chúng trước.",
    "plan_nothing_to_submit": "Không có hồ sơ nào chờ phê duyệt: vui lòng thêm hồ sơ vào danh mục trước khi trình.",
})

# Exporting hồ sơ (commands/record_export.py; F-III.4.g).
MESSAGES.update({
    "record_export_disposed": "Hồ sơ đã hủy theo quyết định của Hội đồng xác định giá trị tài liệu: tài liệu không còn "
                              "nên không xuất được hồ sơ.",
    "record_export_not_found": "Không tìm thấy lượt xuất hồ sơ này.",
    "record_export_not_ready": "Gói hồ sơ chưa sẵn sàng hoặc đã quá thời hạn tải về. Vui lòng xuất lại hồ sơ.",
    "record_export_file_missing": "Không xuất được hồ sơ: tệp của văn bản {so_ky_hieu} (số thứ tự {position}) không "
                                  "còn trong kho lưu trữ. Vui lòng báo quản trị hệ thống khôi phục tệp từ bản sao lưu.",
    "record_export_failed": "Không tạo được gói hồ sơ. Vui lòng thử lại sau; nếu vẫn không được, vui lòng báo quản "
                            "trị hệ thống.",
    "record_export_not_started": "Hệ thống chưa bắt đầu xuất hồ sơ được. Vui lòng thử lại sau ít phút.",
})
STATUS_OVERRIDES.update({"record_export_disposed": 409, "record_export_file_missing": 409, "record_export_failed": 500,
                         "record_export_not_started": 503})
