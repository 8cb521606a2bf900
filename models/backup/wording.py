"""What backup and restore say, in Vietnamese: refusals and the problems ``verify`` finds.

The ``qlvb`` command prints these and the daily backup puts them in the administrators'
notification, so both read the same sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.errors import DomainError

if TYPE_CHECKING:
    from models.backup.archive import Problem

MESSAGES = {
    "backup_destination_not_empty": "Thư mục đích «{path}» đã có dữ liệu: hãy chọn một thư mục mới hoặc trống.",
    "backup_database_missing": "Không tìm thấy tệp cơ sở dữ liệu «{path}».",
    "backup_tool_missing": "Không tìm thấy chương trình {tool}: hãy cài gói Debian {package}.",
    "backup_tool_too_old": "{tool} phiên bản {client} không dùng được với PostgreSQL {server}: "
                           "hãy cài gói {package} (hoặc mới hơn).",
    "backup_tool_failed": "{tool} không thành công: {detail}",
    "backup_blob_corrupt": "Tệp {digest} trong kho tệp bị hỏng (nội dung không khớp mã SHA-256 của nó): "
                           "không tạo bản sao lưu; cần khôi phục tệp này từ một bản sao lưu trước.",
    "backup_blobs_missing": "Kho tệp thiếu {count} tệp mà cơ sở dữ liệu tham chiếu (đầu tiên: {first}): "
                            "bản sao lưu sẽ không đầy đủ nên không được tạo.",
    "backup_keep_invalid": "Số bản sao lưu giữ lại phải từ 1 trở lên (đang đặt {keep}).",
    "backup_dir_not_configured": "Chưa cấu hình thư mục sao lưu (QLVB_BACKUP_DIR).",
    "restore_backup_invalid": "Bản sao lưu «{path}» không hợp lệ ({count} lỗi), không phục hồi. Lỗi đầu tiên: {first}",
    "restore_schema_newer": "Bản sao lưu có lược đồ cơ sở dữ liệu «{revision}», mới hơn phiên bản QLVB này "
                            "(mới nhất: «{head}»): hãy cập nhật QLVB rồi phục hồi lại.",
    "restore_backend_mismatch": "Bản sao lưu của cơ sở dữ liệu {backup} không phục hồi được vào cơ sở dữ liệu "
                                "{target}.",
    "restore_target_not_empty": "Cơ sở dữ liệu đích đã có dữ liệu ({documents} văn bản, {users} tài khoản): "
                                "chỉ phục hồi vào một hệ thống trống. Không có gì bị thay đổi.",
    "restore_files_not_empty": "Kho tệp đích «{path}» không trống ({count} tệp): chỉ phục hồi vào một hệ thống "
                               "trống. Không có gì bị thay đổi.",
}

PROBLEMS = {
    "manifest_missing": "Không có bản kê {subject}: đây không phải một bản sao lưu QLVB (hoặc chưa hoàn tất).",
    "manifest_invalid": "Bản kê {subject} không đọc được hoặc sai định dạng ({detail}).",
    "file_missing": "Thiếu tệp «{subject}» (có trong bản kê).",
    "checksum_mismatch": "Tệp «{subject}» bị hỏng: tổng kiểm SHA-256 không khớp bản kê.",
    "blob_misnamed": "Tệp «{subject}» có nội dung khác mã SHA-256 ở tên tệp.",
    "file_unlisted": "Tệp «{subject}» không có trong bản kê.",
    "database_unreadable": "Không đọc được bản sao cơ sở dữ liệu «{subject}»: {detail}",
    "row_without_blob": "Cơ sở dữ liệu tham chiếu tệp {subject} nhưng bản sao lưu không có tệp này.",
    "revision_mismatch": "Phiên bản lược đồ trong «{subject}» ({detail}) khác phiên bản ghi trong bản kê.",
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(error: DomainError) -> str:
    """A backup or restore refusal as a Vietnamese sentence."""
    template = MESSAGES.get(error.code, "Lỗi sao lưu/phục hồi: {code}")
    return template.format_map(_Blank({"code": error.code, **error.params}))


def describe_problem(problem: Problem) -> str:
    """One problem ``verify`` found, as a Vietnamese sentence."""
    template = PROBLEMS.get(problem.kind, "{subject}: {detail}")
    return template.format_map(_Blank(subject=problem.subject, detail=problem.detail))
