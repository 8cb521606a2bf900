"""Vietnamese texts of the điều hành errors: weekly schedule, giao việc, statistics, province
supervision (QĐ44 Điều 16, 21)."""

from __future__ import annotations

# Merged into web.messages (MESSAGES, FIELD_ERROR_TEXT, STATUS_OVERRIDES), which every page and
# API answer reads; kept apart only so that no one table grows past a readable size.
MESSAGES: dict[str, str] = {}
FIELD_ERROR_TEXT: dict[str, str] = {}
STATUS_OVERRIDES: dict[str, int] = {}

# Lịch công tác tuần (commands/schedule.py): bad input changes nothing.
MESSAGES.update({
    "schedule_bad_week": "Tuần «{week}» không hợp lệ. Vui lòng chọn tuần theo dạng năm-tuần, ví dụ 2026-W49.",
    "schedule_not_found": "Không tìm thấy lịch công tác tuần hoặc bạn không có quyền xem lịch này.",
    "schedule_event_not_found": "Không tìm thấy nội dung này trong lịch công tác tuần. Vui lòng tải lại trang.",
    "schedule_drafter_only": "Chỉ văn thư hoặc cán bộ văn phòng được giao lập lịch công tác mới thực hiện được "
                             "thao tác này.",
    "schedule_event_ends_before_start": "Giờ kết thúc ({end}) phải sau giờ bắt đầu ({start}). "
                                        "Vui lòng kiểm tra lại thời gian.",
    "schedule_event_outside_week": "Ngày của nội dung phải nằm trong tuần của lịch, từ {first} đến {last}. "
                                   "Vui lòng chọn lại ngày hoặc mở lịch của tuần khác.",
    "schedule_foreign_people": "Lãnh đạo, thành phần và đơn vị chuẩn bị phải là người hoặc đơn vị đang hoạt động "
                               "của chính cơ quan lập lịch. Vui lòng chọn lại.",
    "schedule_document_not_visible": "Không tìm thấy văn bản kèm theo hoặc bạn không có quyền xem văn bản đó. "
                                     "Vui lòng chọn văn bản khác.",
    "schedule_published_needs_change": "Lịch tuần này đã ban hành nên không sửa trực tiếp được. Vui lòng chọn "
                                       "«Điều chỉnh lịch» để dự thảo điều chỉnh; điều chỉnh có hiệu lực khi lãnh đạo "
                                       "duyệt.",
    "schedule_pending": "Lịch đang chờ lãnh đạo duyệt nên chưa sửa được. Vui lòng chờ ý kiến của lãnh đạo.",
    "schedule_nothing_to_submit": "Lịch chưa có nội dung nào để trình duyệt.",
    "schedule_not_published": "Lịch công tác tuần này chưa được ban hành.",
    "schedule_not_changing": "Lịch không có dự thảo điều chỉnh nào đang mở.",
})
STATUS_OVERRIDES.update({"schedule_drafter_only": 403, "schedule_published_needs_change": 409,
                         "schedule_pending": 409, "schedule_not_published": 409, "schedule_not_changing": 409})
FIELD_ERROR_TEXT.update({"outside_week": "ngoài tuần của lịch", "before_start": "phải sau giờ bắt đầu",
                         "not_in_agency": "không thuộc cơ quan", "not_visible": "không có quyền xem",
                         "time_parsing": "giờ không hợp lệ (định dạng HH:MM)",
                         "time_type": "giờ không hợp lệ (định dạng HH:MM)"})

# Giao việc (commands/assignments.py, models/assignments/).
MESSAGES.update({
    "assignment_leaders_only": "Chỉ lãnh đạo cơ quan hoặc lãnh đạo đơn vị mới giao việc được.",
    "assignment_no_assignee": "Vui lòng chọn người hoặc đơn vị chủ trì thực hiện công việc.",
    "assignment_two_leads": "Chỉ chọn một người hoặc một đơn vị chủ trì; người, đơn vị khác chọn ở mục phối hợp.",
    "assignment_to_self": "Không thể giao việc cho chính mình.",
    "assignment_beyond_agency": "Lãnh đạo cơ quan chỉ giao việc được cho người và đơn vị trong cơ quan của mình; "
                                "{outside} nằm ngoài phạm vi này.",
    "assignment_beyond_unit": "Lãnh đạo đơn vị chỉ giao việc được cho người và đơn vị trong đơn vị của mình; "
                              "{outside} nằm ngoài phạm vi này.",
    "assignment_unit_without_head": "Đơn vị «{unit}» chưa có lãnh đạo đơn vị trên hệ thống để phân công người thực hiện. "
                                    "Vui lòng giao trực tiếp cho một người của đơn vị.",
    "assignment_deadline_required": "Vui lòng nhập thời hạn: số ngày làm việc hoặc ngày phải hoàn thành.",
    "assignment_deadline_range": "Thời hạn phải từ 1 đến {limit} ngày làm việc.",
    "assignment_deadline_past": "Thời hạn hoàn thành đã qua. Vui lòng chọn một ngày từ hôm nay trở đi "
                                "(hạn tính đến 17 giờ của ngày đó).",
    "assignment_document_not_visible": "Văn bản liên quan không tồn tại hoặc bạn không có quyền xem văn bản này.",
    "assignment_not_found": "Không tìm thấy việc được giao hoặc bạn không có quyền xem việc này.",
    "assignment_not_lead": "Chỉ người chủ trì thực hiện mới báo cáo tiến độ được; việc này không do bạn chủ trì.",
    "assignment_not_in_progress": "Chỉ báo cáo tiến độ khi việc đang được thực hiện (chưa báo cáo kết quả, chưa kết thúc).",
    "assignment_not_assigner": "Chỉ người giao việc mới hủy được việc này.",
    "assignment_closed": "Việc này đã kết thúc (đã hoàn thành hoặc đã hủy) nên không thể thay đổi.",
    "assignment_busy": "Việc đang được ghi nhận một thao tác khác. Vui lòng chờ giây lát rồi thử lại.",
})
FIELD_ERROR_TEXT["rating"] = ("chọn mức từ 1 đến 5, hoặc: Hoàn thành xuất sắc, Hoàn thành tốt, Hoàn thành, "
                              "Hoàn thành nhưng còn hạn chế, Không hoàn thành")

# Statistics (models/statistics, web/statistics.py; QĐ44 Điều 16).
MESSAGES.update({
    "statistics_period_kind": "Loại kỳ báo cáo “{kind}” không hợp lệ. Vui lòng chọn ngày, tuần, tháng, quý, năm hoặc "
                              "khoảng thời gian.",
    "statistics_period_value": "Kỳ báo cáo “{value}” không hợp lệ. Ví dụ: ngày 2026-12-03, tuần 2026-W48, tháng "
                               "2026-11, quý 2026-Q4, năm 2026.",
    "statistics_period_start_missing": "Vui lòng nhập ngày bắt đầu của khoảng thời gian báo cáo.",
    "statistics_period_reversed": "Ngày kết thúc ({end}) phải bằng hoặc sau ngày bắt đầu ({start}).",
    "statistics_period_future": "Không thể lập báo cáo cho kỳ chưa bắt đầu (kỳ bắt đầu ngày {start}).",
    "statistics_period_too_long": "Khoảng thời gian báo cáo dài quá {days} ngày. Vui lòng chọn khoảng ngắn hơn.",
    "statistics_forbidden": "Bạn chỉ xem được số liệu thống kê của cơ quan mình.",
    "statistics_role": "Trang thống kê dành cho lãnh đạo, văn thư và quản trị của cơ quan.",
})
STATUS_OVERRIDES.update({"statistics_forbidden": 403, "statistics_role": 403})

# Province supervision and published figures (web/supervision.py, commands/publications.py; QĐ44 Điều 16.2).
MESSAGES.update({
    "admin_supervisor_role": "Chỉ quản trị hệ thống cấp tỉnh mới cấp hoặc thu hồi vai trò giám sát.",
    "supervisor_only": "Trang giám sát toàn tỉnh chỉ dành cho cán bộ giám sát của Văn phòng UBND tỉnh và quản trị "
                       "hệ thống cấp tỉnh.",
    "publication_period_unfinished": "Chưa công bố được số liệu kỳ {period}: kỳ này kết thúc ngày {end}, chưa qua. "
                                     "Vui lòng chọn một kỳ đã kết thúc.",
    "publication_not_found": "Không tìm thấy báo cáo số liệu đã công bố.",
    "publication_already_corrected": "Báo cáo này đã được đính chính bằng báo cáo số {superseded_by}. Vui lòng "
                                     "đính chính báo cáo mới nhất.",
})
STATUS_OVERRIDES.update({"supervisor_only": 403, "admin_supervisor_role": 403, "publication_already_corrected": 409})
