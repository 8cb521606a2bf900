"""Vietnamese texts for every error code a user can meet, and the HTTP status of each.

Messages say what happened and what to do, politely, without technical words.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from models.errors import DomainError
from web import messages_configuration, messages_records, messages_work, messages_workspace
from web.labels import FIELD_LABELS
from web.messages_workspace import BULK_SAID  # noqa: F401  (re-exported: the inbox reads it here)

MESSAGES: dict[str, str] = {
    # accounts
    "bad_credentials": "Tên đăng nhập hoặc mật khẩu không đúng.",
    # Said alike for every name, existing or not (models/org/throttle.py).
    "login_throttled": "Đăng nhập tạm thời bị từ chối vì đã nhập sai nhiều lần. Vui lòng thử lại sau {seconds} giây.",
    "login_required": "Vui lòng đăng nhập để tiếp tục.",
    "password_change_required": "Bạn cần đổi mật khẩu trước khi sử dụng hệ thống.",
    # two-factor login (commands/two_factor.py)
    "two_factor_required": "Tài khoản quản trị hệ thống phải bật xác thực hai bước trước khi sử dụng hệ thống.",
    "two_factor_enrolment_required": "Tài khoản quản trị phải bật xác thực hai bước trước khi lấy mã truy cập API. "
                                     "Vui lòng đăng nhập ứng dụng web, bật xác thực hai bước ở trang Tài khoản, "
                                     "rồi gửi lại yêu cầu kèm mã xác thực (trường otp).",
    "otp_required": "Tài khoản này đã bật xác thực hai bước: vui lòng gửi kèm mã xác thực 6 chữ số từ ứng dụng "
                    "xác thực (trường otp) hoặc một mã khôi phục chưa dùng.",
    "otp_invalid": "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng. Vui lòng nhập mã mới đang hiển thị trong "
                   "ứng dụng xác thực, hoặc một mã khôi phục chưa dùng.",
    "login_expired": "Bước xác thực đã quá thời gian cho phép. Vui lòng đăng nhập lại.",
    "enrolment_expired": "Mã QR này đã hết hạn hoặc không hợp lệ. Vui lòng quét mã QR mới trên trang này.",
    "two_factor_already_enabled": "Xác thực hai bước đã được bật cho tài khoản này.",
    "two_factor_not_enabled": "Tài khoản này chưa bật xác thực hai bước.",
    "weak_password": "Mật khẩu chưa đủ mạnh: {rules}.",
    "wrong_current_password": "Mật khẩu hiện tại không đúng.",
    "password_unchanged": "Mật khẩu mới phải khác mật khẩu hiện tại.",
    "password_mismatch": "Mật khẩu nhập lại không khớp.",
    "csrf_failed": "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại.",
    "session_not_found": "Không tìm thấy phiên đăng nhập.",
    "username_taken": "Tên đăng nhập đã tồn tại.",
    "user_not_found": "Không tìm thấy người dùng.",
    "agency_not_found": "Không tìm thấy cơ quan.",
    "unit_not_found": "Không tìm thấy đơn vị.",
    "admin_only": "Chức năng này chỉ dành cho quản trị hệ thống.",
    # intake
    "clerk_only": "Chỉ văn thư mới được tiếp nhận văn bản đến.",
    "file_missing": "Vui lòng chọn tệp văn bản (PDF).",
    "not_pdf": "Tệp tải lên không phải PDF. Vui lòng chọn tệp văn bản định dạng PDF.",
    "corrupt_pdf": "Tệp PDF bị hỏng hoặc không đọc được. Vui lòng kiểm tra lại tệp.",
    "file_too_large": "Tệp vượt quá dung lượng cho phép ({limit_mb} MB).",
    "file_too_complex": "Tệp có cấu trúc bất thường ({reason}) nên hệ thống từ chối để bảo đảm an toàn. "
                        "Vui lòng xuất lại tệp PDF từ phần mềm soạn thảo hoặc quét lại rồi gửi lại.",
    "probable_duplicate": "Văn bản này có thể trùng với văn bản đã tiếp nhận, nên chưa được vào sổ. Vui lòng "
                          "mở văn bản được nêu để kiểm tra; nếu vẫn vào sổ, đánh dấu xác nhận, chọn lại tệp và gửi lại.",
    "invalid_metadata": "Thông tin văn bản chưa hợp lệ. Vui lòng kiểm tra các trường được đánh dấu.",
    "metadata_not_json": "Thông tin văn bản (metadata) phải là một đối tượng JSON hợp lệ.",
    "secret_document": "Văn bản có độ mật (Mật, Tối mật, Tuyệt mật) không được tiếp nhận trên hệ thống. "
                       "Vui lòng chuyển qua kênh văn bản mật theo quy định bảo vệ bí mật nhà nước.",
    "document_not_found": "Không tìm thấy văn bản hoặc bạn không có quyền xem văn bản này.",
    "process_not_found": "Chưa có quy trình xử lý được ban hành. Vui lòng liên hệ quản trị hệ thống.",
    "invalid_process": "Định nghĩa quy trình không hợp lệ: {detail}",
    # tasks
    "task_not_found": "Không tìm thấy công việc hoặc công việc không thuộc quyền xử lý của bạn.",
    "not_your_task": "Công việc này không thuộc quyền xử lý của bạn.",
    "delegated_task_not_claimed": "Công việc của lãnh đạo được xử lý thay theo ủy quyền, không nhận về mình. "
                                  "Vui lòng mở văn bản và xử lý trực tiếp.",
    "task_closed": "Công việc đã được xử lý xong. Vui lòng tải lại danh sách.",
    "task_in_progress": "Công việc đang được xử lý. Vui lòng chờ giây lát rồi tải lại trang.",
    "task_claimed_by_other": "Việc này đã được người khác nhận. Vui lòng tải lại danh sách.",
    "task_changed": "Công việc vừa được người khác cập nhật. Vui lòng tải lại danh sách.",
    "task_not_claimed": "Công việc chưa được nhận nên không thể trả lại.",
    "task_not_open": "Bước xử lý này không còn mở. Vui lòng tải lại trang.",
    "task_already_decided": "Bước xử lý này đã có quyết định. Vui lòng tải lại trang.",
    "action_not_allowed": "Thao tác này không được phép ở bước hiện tại.",
    "invalid_fields": "Thông tin xử lý chưa hợp lệ. Vui lòng kiểm tra các trường được đánh dấu.",
    "action_needs_own_request": "Thao tác này phải thực hiện bằng chức năng riêng (ví dụ: ký số).",
    "pkcs11_not_configured": "Hệ thống chưa được cấu hình thiết bị ký số (token/HSM). "
                             "Vui lòng ký bằng tệp khóa hoặc liên hệ quản trị hệ thống.",
    "add_recipients_not_allowed": "Chỉ văn thư hoặc lãnh đạo cơ quan ban hành mới được bổ sung nơi nhận.",
    "add_recipients_not_possible": "Chỉ bổ sung nơi nhận cho văn bản đã ban hành và chưa bị thu hồi.",
    # recall (thu hồi)
    "recall_not_allowed": "Chỉ văn thư hoặc lãnh đạo cơ quan ban hành mới được thu hồi văn bản.",
    "recall_not_possible": "Chỉ thu hồi được văn bản đi đã ban hành và chưa bị thu hồi.",
    "workflow_unavailable": "Hệ thống xử lý quy trình tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
    "progress_not_allowed": "Chỉ người đang giải quyết văn bản mới báo cáo được tiến độ.",
    "calendar_no_change": "Ngày này đã đúng như vậy theo lịch nghỉ lễ quốc gia; không cần điều chỉnh.",
    "calendar_bad_date": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "calendar_day_not_found": "Ngày này không có điều chỉnh nào.",
    "leader_only": "Chỉ lãnh đạo cơ quan mới điều chỉnh được việc giao xử lý.",
    "unit_not_routed": "Đơn vị này không (hoặc không còn) được giao xử lý văn bản.",
    "unit_already_routed": "Đơn vị được chọn đã được giao xử lý văn bản này.",
    "lead_needs_successor": "Muốn thu hồi đơn vị chủ trì, hãy chọn đơn vị chủ trì thay thế.",
    "register_not_found": "Không tìm thấy sổ đăng ký.",
    "invalid_request": "Yêu cầu chưa hợp lệ. Vui lòng kiểm tra các trường được đánh dấu.",
    # bounds on what a request may carry (models/bounds.py, web/body_limits.py)
    "json_too_deep": "Dữ liệu JSON gửi lên lồng nhau quá sâu (tối đa {limit} cấp). Vui lòng kiểm tra lại dữ liệu.",
    "json_too_large": "Dữ liệu JSON gửi lên vượt quá dung lượng cho phép ({limit_kb} KB). Vui lòng gửi ít dữ liệu hơn.",
    "not_found": "Không tìm thấy trang yêu cầu.",
    # printed registers and slips
    "report_kind_unknown": "Loại sổ cần in không hợp lệ. Vui lòng chọn Sổ đăng ký văn bản đến "
                           "hoặc Sổ theo dõi giải quyết văn bản đến.",
    "report_date_invalid": "Ngày không hợp lệ. Vui lòng nhập ngày theo định dạng năm-tháng-ngày (YYYY-MM-DD).",
    "report_period_reversed": "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu. Vui lòng chọn lại khoảng thời gian.",
    "report_period_crosses_year": "Khoảng thời gian phải nằm trong cùng một năm, vì số đến được đánh lại "
                                  "từ đầu mỗi năm. Vui lòng chọn lại khoảng thời gian.",
    "report_register_not_incoming": "Chức năng in sổ hiện chỉ áp dụng cho sổ văn bản đến và sổ văn bản đi.",
    "report_needs_volume": ("Khoảng thời gian đã chọn có {count} văn bản, nhiều hơn {limit} số của một quyển sổ in. "
                            "Vui lòng chọn Quyển số từ 1 đến {volumes} (mỗi quyển {limit} số liên tiếp)."),
    "invalid_volume": "Quyển số không hợp lệ: khoảng thời gian đã chọn in thành {volumes} quyển.",
    "slip_incoming_only": "Phiếu giải quyết chỉ lập cho văn bản đến.",
    # outgoing drafts (rendering)
    "pdf_encrypted": "Tệp PDF có mật khẩu hoặc bị mã hóa nên không kiểm tra và lưu trữ được. "
                     "Vui lòng đề nghị nơi gửi cung cấp tệp không đặt mật khẩu.",
    "pdf_too_many_pages": "Tệp PDF khai báo quá {limit} trang, không tiếp nhận được. Vui lòng kiểm tra lại tệp.",
    "draft_encrypted": "Tệp dự thảo có mật khẩu hoặc bị mã hóa. Vui lòng tải lên tệp PDF không đặt mật khẩu.",
    "draft_already_signed": "Tệp dự thảo đã có chữ ký số. Vui lòng tải lên bản dự thảo chưa ký.",
    "draft_has_issuing_fields": "Tệp dự thảo đã có trường {fields}. Vui lòng tải lên bản dự thảo chưa có "
                                "các trường số, ngày ban hành và chữ ký.",
    "invalid_signer_page": "Trang đặt chữ ký không hợp lệ: chọn trang đầu, trang cuối hoặc một số trang "
                           "từ 1 đến {pages}.",
    "not_a_docx": "Tệp tải lên không phải tệp Word (.docx). Vui lòng chọn tệp PDF hoặc .docx.",
    "docx_converter_missing": "Hệ thống chưa cài phần mềm chuyển tệp Word sang PDF. Vui lòng tải lên "
                              "bản PDF của dự thảo hoặc liên hệ quản trị hệ thống.",
    "docx_conversion_failed": "Không chuyển được tệp Word sang PDF. Vui lòng kiểm tra tệp hoặc tải lên bản PDF.",
    # registers (outgoing)
    "report_kind_mismatch": "Sổ này không in được theo loại sổ đã chọn: sổ văn bản đi in Sổ đăng ký văn bản đi, "
                            "sổ văn bản đến in Sổ đăng ký hoặc Sổ theo dõi giải quyết văn bản đến.",
    "document_type_not_found": "Không tìm thấy loại văn bản.",
    # Idempotency-Key (a retried request answered once)
    "idempotency_key_invalid": "Khóa chống gửi trùng (Idempotency-Key) không hợp lệ: dùng từ 1 đến 255 ký tự ASCII "
                               "in được, không có khoảng trắng.",
    "idempotency_key_reused": "Khóa chống gửi trùng (Idempotency-Key) này đã được dùng cho một yêu cầu khác. "
                              "Mỗi yêu cầu mới cần một khóa mới.",
    "idempotency_in_progress": "Yêu cầu này đang được xử lý ở một lần gửi trước. Vui lòng đợi giây lát rồi tải lại trang "
                               "để xem kết quả.",
    # the organisation tree (commands/organisation.py)
    "bad_qcvn102_code": "Mã định danh «{agency_code}» không đúng dạng QCVN 102: cần bốn nhóm số cách nhau bởi dấu chấm, "
                        "nhóm cuối là một chữ cái in hoa và hai chữ số, đủ 13 ký tự, ví dụ 000.00.01.H42.{hint}",
    "bad_qd20_code": "Mã định danh «{agency_code}» không đúng dạng QĐ 20/2020: nhóm đầu là cấp 1 (một chữ cái in hoa từ A "
                     "đến Y và hai chữ số, ví dụ H42), tiếp theo là các nhóm số cách nhau bởi dấu chấm, ví dụ H42.01; "
                     "tối đa 35 ký tự.{hint}",
    "bad_code_scheme": "Loại mã định danh phải là QCVN 102 hoặc QĐ 20/2020.",
    "agency_code_in_use": "Mã định danh «{agency_code}» đã được dùng cho {holder} ({period}), trùng thời gian hiệu lực. "
                          "Vui lòng chọn mã khác hoặc thời gian hiệu lực không chồng lấn.",
    "org_bad_date": "Ô {field} phải là một ngày hợp lệ theo dạng năm-tháng-ngày (ví dụ 2025-07-01), không phải «{value}».",
    "org_date_required": "Vui lòng nhập {field}.",
    "org_bad_period": "Ngày hết hiệu lực ({valid_to}) không được trước ngày bắt đầu hiệu lực ({valid_from}).",
    "org_field_required": "Vui lòng nhập {field}.",
    "org_field_too_long": "Ô {field} dài quá {limit} ký tự.",
    "org_parent_closed": "Không thể đặt trực thuộc «{parent}» vì nơi này đã đóng.",
    "org_parent_cycle": "Không thể đặt «{name}» trực thuộc «{parent}»: «{parent}» đang trực thuộc chính «{name}».",
    "org_before_parent": "Ngày bắt đầu hiệu lực không được trước ngày thành lập của «{parent}».",
    "org_focal_not_member": "Văn thư đầu mối phải là một tài khoản đang hoạt động của chính cơ quan này.",
    "org_rename_too_early": "Tên mới phải có hiệu lực sau ngày {since} (ngày tên hiện tại bắt đầu hiệu lực).",
    "org_nothing_changed": "Không có thay đổi nào so với thông tin hiện tại.",
    "org_agency_closed": "Cơ quan «{name}» đã đóng từ sau ngày {valid_to}; không thể thay đổi.",
    "org_unit_closed": "Đơn vị «{name}» đã đóng từ sau ngày {valid_to}; không thể thay đổi.",
    "org_open_work": "Chưa thể đóng «{name}» vì còn công việc đang mở: {open}. Vui lòng chuyển giao hoặc kết thúc "
                     "các công việc này trước.",
    "org_bad_successor": "Cơ quan tiếp nhận phải là một cơ quan khác, đang hoạt động.",
    "org_unit_parent_elsewhere": "Đơn vị cấp trên phải thuộc cùng cơ quan.",
    "org_invalid_input": "Thông tin chưa hợp lệ, vui lòng kiểm tra: {fields}.",
    "org_province_admin_only": "Chỉ quản trị hệ thống cấp tỉnh mới thêm, chuyển hoặc đóng cơ quan.",
    "org_other_agency": "Bạn chỉ quản trị được cơ quan của mình; cơ quan này do quản trị khác phụ trách.",
    "org_bad_change_set": "Tệp thay đổi tổ chức không hợp lệ: {detail}.",
    "org_record_clash": "Không thể bàn giao hồ sơ {notation} năm {year}: «{name}» đã có hồ sơ cùng số và ký hiệu. "
                        "Vui lòng đổi ký hiệu một trong hai hồ sơ trước khi sắp xếp lại.",
    "org_unit_abbreviation_taken": "Tên viết tắt «{abbreviation}» đã được dùng cho đơn vị «{name}» của cơ quan này.",
    # people and rights (F-IV.1.b–đ), delegation of signing and direction (ND30 Điều 13)
    "admin_other_agency": "Bạn chỉ quản trị được người dùng của cơ quan mình; người này thuộc cơ quan khác.",
    "admin_system_role": "Chỉ quản trị hệ thống cấp tỉnh mới cấp hoặc thu hồi vai trò quản trị toàn hệ thống.",
    "admin_own_rights": "Không thể tự khóa hoặc tự bỏ quyền quản trị của chính mình.",
    "user_not_locked": "Tài khoản này không bị khóa.",
    "move_same_unit": "Người dùng đã ở đơn vị này; hãy chọn đơn vị mới.",
    "move_needs_successor": "Người này còn {tasks} công việc đang mở: hãy chuyển công tác và chỉ định người tiếp nhận.",
    "move_bad_successor": "Người tiếp nhận phải là một người khác, đang hoạt động, cùng cơ quan với người chuyển đi.",
    "delegation_bad_kind": "Loại ủy quyền không hợp lệ (ký văn bản hoặc chỉ đạo văn bản đến).",
    "delegation_bad_form": "Hình thức ký không hợp lệ: chọn KT., TL., TUQ. hoặc Q.",
    "delegation_bad_period": "Thời hạn không hợp lệ: ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
    "delegation_too_long": "Thời hạn ủy quyền tối đa {days} ngày.",
    "delegation_to_self": "Không thể ủy quyền cho chính mình.",
    "delegation_bad_deputy": "Người được ủy quyền phải là người đang hoạt động của cùng cơ quan.",
    "delegation_beyond_powers": "Không thể ủy quyền vượt quá thẩm quyền của mình: bạn không có quyền {kind} trong phạm vi này.",
    "delegation_bad_scope": "Phạm vi ủy quyền có loại văn bản hoặc đơn vị không tồn tại.",
    "delegation_overlap": "Phạm vi này đã được ủy quyền cho {deputy} từ {starts} đến {ends}; không thể ủy quyền trùng cho người khác.",
    "delegation_not_found": "Không tìm thấy ủy quyền.",
    "delegation_revoked": "Ủy quyền này đã được thu hồi.",
    "delegation_not_yours": "Chỉ người ủy quyền hoặc quản trị của cơ quan mới ghi nhận, thu hồi được ủy quyền này.",
    "delegation_not_in_force": "Ủy quyền ký của bạn đã hết hạn, bị thu hồi hoặc không bao gồm văn bản này.",
    "delegation_needs_form": "Văn bản tải lên không thể ký thay: dự thảo phải được soạn trên hệ thống để in khối chữ ký theo ủy quyền.",
    # the database cannot be reached (restarting, failing over, a connection cut): nothing was done
    "database_unavailable": "Cơ sở dữ liệu tạm thời không phản hồi nên yêu cầu chưa được thực hiện. "
                            "Vui lòng thử lại sau ít giây.",
    # anything nobody foresaw: the person gets an id to quote, the log the trace under that id
    "internal_error": "Hệ thống gặp lỗi ngoài dự kiến nên chưa thực hiện được yêu cầu. Vui lòng thử lại; "
                      "nếu lỗi lặp lại, hãy báo quản trị hệ thống kèm mã lỗi {error_id}.",
}

STATUS_OVERRIDES = {"internal_error": 500, "file_too_large": 413, "login_required": 401, "csrf_failed": 403,
                    "login_throttled": 429, "json_too_large": 413,
                    "password_change_required": 403, "admin_only": 403, "two_factor_required": 403,
                    "two_factor_enrolment_required": 403,
                    "otp_required": 401, "otp_invalid": 401, "login_expired": 401,
                    "database_unavailable": 503, "idempotency_key_invalid": 400, "idempotency_key_reused": 422, "idempotency_in_progress": 409}

RULE_TEXT = {
    "too_short": "ít nhất 8 ký tự",
    "no_upper": "có chữ hoa",
    "no_lower": "có chữ thường",
    "no_digit": "có chữ số",
    "no_special": "có ký tự đặc biệt",
}

FIELD_ERROR_TEXT = {
    "missing": "bắt buộc nhập",
    "required": "bắt buộc nhập",
    "string_too_short": "bắt buộc nhập",
    "string_too_long": "tối đa {max_length} ký tự",
    "too_long": "quá dài",
    "date_from_datetime_parsing": "ngày không hợp lệ (định dạng YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ (định dạng YYYY-MM-DD)",
    "date_type": "ngày không hợp lệ (định dạng YYYY-MM-DD)",
    "date_from_datetime_inexact": "ngày không hợp lệ (định dạng YYYY-MM-DD)",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "enum": "giá trị không hợp lệ",
    "string_pattern_mismatch": "sai định dạng",
    "extra_forbidden": "trường không được hỗ trợ",
    "unknown": "trường không được hỗ trợ",
    "control_character": "chứa ký tự điều khiển không được phép",
    "bidi_control": "chứa ký tự đảo chiều hiển thị văn bản không được phép",
    "invalid": "giá trị không hợp lệ",
    "past_date": "không được là ngày trong quá khứ",
    "already_recipient": "các nơi nhận đã chọn đều đã nhận văn bản này",
    "unknown_recipient": "không có trong danh bạ cơ quan (mã định danh chưa đúng, hoặc cơ quan đã giải thể)",
    "json_too_deep": "dữ liệu JSON lồng nhau quá sâu",
    "int_from_float": "phải là số nguyên",
    "greater_than": "phải lớn hơn {gt}",
    "less_than": "phải nhỏ hơn {lt}",
}


# How long a client should wait before retrying while the database is unreachable: a PostgreSQL
# restart or failover takes a few seconds.
DATABASE_RETRY_AFTER_SECONDS = 5


def status_of(error: DomainError) -> int:
    """HTTP status for a domain error."""
    return STATUS_OVERRIDES.get(error.code, error.status)


def retry_after(error: DomainError) -> dict[str, str] | None:
    """The ``Retry-After`` header of a throttled login or an unreachable database, else None."""
    if error.code == "login_throttled":
        return {"Retry-After": str(error.params.get("seconds", 1))}
    if error.code == "database_unavailable":
        return {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
    return None


def message_of(error: DomainError) -> str:
    """The Vietnamese sentence for a domain error."""
    template = MESSAGES.get(error.code, "Yêu cầu không thực hiện được. Vui lòng thử lại.")
    params = dict(error.params)
    if error.code == "weak_password":
        params["rules"] = ", ".join(RULE_TEXT[r] for r in params.get("rules", []))
    if error.code == "file_too_large":
        params["limit_mb"] = f"{params.get('limit', 0) / 1024 / 1024:.0f}"
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        # A value the raise site did not give (tests/unit/test_message_params.py keeps this rare):
        # the sentence without it, never its placeholder.
        filled = string.Formatter().vformat(template, (), _Blank(params))
        return " ".join(filled.replace("«»", "").split())


# What a limit-carrying message says when the limit itself is not known (a kind named by a rule
# rather than by pydantic, which gives no ``ctx``): never a raw ``{max_length}`` on a page.
FIELD_ERROR_TEXT_WITHOUT_LIMIT = {
    "string_too_long": "quá dài",
    "greater_than_equal": "nhỏ hơn giá trị cho phép",
    "greater_than": "nhỏ hơn giá trị cho phép",
    "less_than_equal": "lớn hơn giá trị cho phép",
    "less_than": "lớn hơn giá trị cho phép",
}


class _Blank(dict):
    """Format values with every missing one left empty."""

    def __missing__(self, key: str) -> str:
        return ""


def field_error_text(kind: str, ctx: Mapping[str, Any] | None = None) -> str:
    """The Vietnamese text of one field's error ``kind``, its limits filled in from ``ctx``.

    Every place that shows a field error goes through here, so a template whose limit is not
    known falls back to a sentence without it instead of showing its placeholder."""
    template = FIELD_ERROR_TEXT.get(kind, "giá trị không hợp lệ")
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not names:
        return template
    if ctx and names <= set(ctx):
        try:
            return template.format(**ctx)
        except (IndexError, ValueError):
            pass
    return FIELD_ERROR_TEXT_WITHOUT_LIMIT.get(kind, "giá trị không hợp lệ")


def field_errors(error: DomainError) -> dict[str, str]:
    """Per-field Vietnamese messages for ``invalid_metadata`` / ``invalid_fields`` errors."""
    result: dict[str, str] = {}
    if error.code == "invalid_metadata":
        for item in error.params.get("errors", []):
            field = item["field"].split(".")[0]
            result[field] = f"{FIELD_LABELS.get(field, field)}: {field_error_text(item['type'], item.get('ctx'))}"
    if error.code in ("invalid_metadata", "invalid_fields"):
        for field, kind in error.params.get("fields", {}).items():
            result[field] = f"{FIELD_LABELS.get(field, field)}: {field_error_text(kind)}"
    return result

# Signature checks and trust anchors (QĐ44 Điều 10.1).
MESSAGES["trust_anchors_empty"] = ("Hệ thống chưa có chứng thư gốc tin cậy nào. "
                                   "Vui lòng liên hệ quản trị hệ thống.")
MESSAGES["signature_check_pending"] = "Văn bản chưa được kiểm tra chữ ký số. Vui lòng thử lại sau."

# Tra cứu văn bản and saved searches.
MESSAGES.update({
    "invalid_search": "Điều kiện tra cứu chưa hợp lệ. Vui lòng kiểm tra các trường được đánh dấu.",
    "saved_search_name_invalid": "Vui lòng đặt tên cho điều kiện tra cứu (tối đa 100 ký tự).",
    "saved_search_not_found": "Không tìm thấy điều kiện tra cứu đã lưu. Vui lòng tải lại trang.",
    "too_many_saved_searches": "Bạn đã lưu đủ {limit} điều kiện tra cứu. Vui lòng xóa bớt trước khi lưu thêm.",
})

# Hộp thư thử nghiệm (the development mailbox).
MESSAGES["mail_not_found"] = "Không tìm thấy thư."

# signing
# Ký số văn bản đi: chữ ký của người có thẩm quyền và của cơ quan (models.signing).
MESSAGES.update({
    "certificate_expired": "Chứng thư số đã hết hạn ngày {expired_on}. Vui lòng gia hạn chứng thư số trước khi ký.",
    "certificate_not_yet_valid": "Chứng thư số chỉ có hiệu lực từ ngày {valid_from}. Vui lòng ký lại sau ngày đó.",
    "certificate_revoked": "Chứng thư số đã bị thu hồi. Vui lòng liên hệ tổ chức cấp chứng thư số để được cấp lại.",
    "certificate_untrusted": "Chứng thư số không do tổ chức được hệ thống tin cậy cấp. "
                             "Vui lòng liên hệ quản trị hệ thống.",
    "certificate_not_signers": "Chứng thư số mang tên {certificate_name}, không phải của người ký {signer_name}. "
                               "Vui lòng dùng đúng chứng thư số của người ký.",
    "certificate_wrong_usage": "Chứng thư số này không dùng để ký số. Vui lòng chọn chứng thư số ký số.",
    "certificate_status_unknown": "Chưa kiểm tra được chứng thư số còn hiệu lực hay đã bị thu hồi. "
                                  "Vui lòng thử lại sau hoặc liên hệ quản trị hệ thống.",
    "signing_key_unavailable": "Không mở được khóa ký số (thiết bị chưa cắm, sai mã PIN hoặc tệp khóa bị hỏng). "
                               "Vui lòng kiểm tra rồi thử lại.",
    "signature_field_missing": "Văn bản chưa có ô chữ ký cần thiết. Vui lòng tạo lại bản văn bản để ký.",
    "already_signed": "Văn bản đã được ký ở ô chữ ký này. Vui lòng tải lại trang.",
    "form_field_missing": "Văn bản chưa có ô ghi số hoặc ngày ban hành. Vui lòng tạo lại bản văn bản để ký.",
    "form_field_filled": "Số và ngày ban hành đã được ghi vào văn bản. Vui lòng tải lại trang.",
    "pdf_unreadable": "Không đọc được tệp văn bản. Vui lòng tạo lại tệp rồi thử lại.",
    "remote_signature_invalid": "Chữ ký nhận từ thiết bị ký số không khớp với văn bản. Vui lòng ký lại.",
})

# Số hóa văn bản giấy đến (QĐ44 Điều 10.2).
MESSAGES.update({
    "scan_not_image": "Tệp {filename} không phải ảnh quét (JPEG, PNG, TIFF) hoặc PDF. Vui lòng chọn lại tệp.",
    "scan_unreadable": "Tệp {filename} bị hỏng, có mật khẩu hoặc không đọc được. Vui lòng quét lại văn bản.",
    "scan_too_many_pages": "Bản quét vượt quá {limit} trang. Vui lòng chia thành nhiều lần tiếp nhận.",
    "scan_too_large": "Một trang của tệp {filename} quá lớn (tối đa {limit} triệu điểm ảnh). "
                      "Vui lòng quét lại ở độ phân giải 200–300 dpi.",
    "scan_low_resolution": "Tệp {filename} có độ phân giải {dpi} dpi, thấp hơn mức tối thiểu {limit} dpi. "
                           "Vui lòng quét lại văn bản.",
    "scan_dpi_unknown": "Ảnh quét không ghi độ phân giải; hệ thống đã căn theo khổ A4. Vui lòng kiểm tra bản số hóa.",
    "scan_unprocessable": "Không nhận dạng được bản quét. Văn bản được chuyển lại văn thư để quét lại.",
    "agency_certificate_missing": "Cơ quan chưa có chứng thư số để ký số văn bản số hóa. "
                                  "Vui lòng liên hệ quản trị hệ thống.",
})

# Văn bản đi: soạn, trình, ký (commands/drafting.py, commands/signing.py).
MESSAGES.update({
    "secret_draft": "Dự thảo có độ mật (Mật, Tối mật, Tuyệt mật) không được soạn trên hệ thống. "
                    "Vui lòng xử lý qua kênh văn bản mật theo quy định bảo vệ bí mật nhà nước.",
    "drafter_only": "Chỉ người soạn dự thảo mới thực hiện được thao tác này.",
    "document_signed": "Văn bản đã được ký, không thể sửa dự thảo.",
    "draft_not_editable": "Dự thảo đang được trình duyệt, chưa sửa được. Vui lòng chờ ý kiến người duyệt.",
    "draft_already_submitted": "Dự thảo đã được trình. Nếu bị trả lại, vui lòng sửa rồi trình lại tại bước "
                               "chỉnh sửa dự thảo.",
    "consultation_required": "Quy trình yêu cầu xin ý kiến trước khi trình. Vui lòng chọn đơn vị hoặc cơ quan "
                             "cần xin ý kiến.",
    "not_a_signing_task": "Đây không phải bước ký số của bạn.",
    "signature_image_missing": "Chưa có hình ảnh chữ ký của bạn. Vui lòng liên hệ quản trị hệ thống.",
    "certificate_unreadable": "Không đọc được chứng thư số. Vui lòng gửi chứng thư số định dạng PEM hoặc DER.",
    "remote_signing_not_found": "Không tìm thấy phiên ký số đang chờ. Vui lòng ký lại.",
    "remote_signing_completed": "Phiên ký số này đã hoàn tất.",
    "revision_not_found": "Không tìm thấy bản dự thảo cần so sánh.",
    "signed_file_missing": "Không tìm thấy tệp đã ký. Vui lòng ký lại.",
})

# edXML: packages from the national hub that cannot be read (models.exchange.edxml; EDXML §6, §8.1).
MESSAGES.update({
    "edxml_too_large": "Gói tin edXML vượt quá dung lượng cho phép. {detail}",
    "edxml_doctype": "Gói tin edXML bị từ chối vì có khai báo DOCTYPE hoặc thực thể (không an toàn).",
    "edxml_malformed": "Gói tin edXML bị lỗi cấu trúc nên không đọc được. {detail}",
    "edxml_too_deep": "Gói tin edXML bị từ chối vì lồng phần tử quá sâu. {detail}",
    "edxml_not_edxml": "Tệp không phải gói tin edXML theo QCVN 102:2016. {detail}",
    "edxml_bad_attachment": "Tệp đính kèm trong gói tin edXML không giải mã được. {detail}",
    "edxml_attachment_too_large": "Tệp đính kèm trong gói tin edXML vượt quá dung lượng cho phép. {detail}",
    "edxml_too_many_attachments": "Gói tin edXML có quá nhiều tệp đính kèm. {detail}",
    "edxml_zip_refused": "Tệp nén đính kèm trong gói tin edXML bị từ chối vì không an toàn. {detail}",
    "edxml_already_signed": "Gói tin edXML đã có chữ ký phong bì; không ký lại.",
})

# Nhật ký hệ thống: the administrator's search.
MESSAGES["invalid_audit_query"] = "Điều kiện tra cứu nhật ký không hợp lệ. {detail}"

# The configuration, records, điều hành and workspace areas keep their texts in modules of their own.
for _area in (messages_configuration, messages_records, messages_work, messages_workspace):
    MESSAGES.update(_area.MESSAGES)
    FIELD_ERROR_TEXT.update(_area.FIELD_ERROR_TEXT)
    STATUS_OVERRIDES.update(_area.STATUS_OVERRIDES)
