"""What the ``qlvb`` command says: Vietnamese sentences for refusals, and argparse in Vietnamese.

Operators read these on a server console; every refusal names what was wrong. Codes the command
does not phrase itself fall back on the sentences the web pages use (``web.messages``).
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from models.errors import DomainError

MESSAGES = {
    "username_taken": "Tên đăng nhập «{username}» đã có người dùng.",
    "agency_not_found": "Không tìm thấy cơ quan có mã định danh «{agency_code}».",
    "unit_not_found": "Cơ quan không có đơn vị viết tắt «{unit}».",
    "user_not_found": "Không tìm thấy tài khoản «{username}».",
    "weak_password": "Mật khẩu chưa đủ mạnh: {rules}.",
    "invalid_process": "Định nghĩa quy trình không hợp lệ: {detail}",
    "process_not_found": "Không tìm thấy quy trình «{key}».",
    "invalid_fields": "Thông tin chưa hợp lệ: {detail}.",
    "move_bad_successor": "Người này còn công việc hoặc hồ sơ đang mở: chỉ định người tiếp nhận bằng --successor "
                          "(một người khác, đang hoạt động, cùng cơ quan).",
    "delegation_not_found": "Không tìm thấy ủy quyền có mã này (xem «qlvb delegation list»).",
}
# The option an operator typed for each field a command refuses (``invalid_fields``).
OPTION_OF_FIELD = {
    "full_name": "--full-name", "agency_code": "--agency", "unit_id": "--unit", "position": "--position",
    "email": "--email", "roles": "--role", "reason": "--reason", "starts_on": "--from", "ends_on": "--to",
    "doc_type_ids": "--doc-type-id", "unit_ids": "--unit-id", "note": "--note", "username": "TÊN_ĐĂNG_NHẬP",
}
PASSWORD_RULES = {
    "too_short": "cần ít nhất 8 ký tự",
    "no_upper": "cần chữ hoa",
    "no_lower": "cần chữ thường",
    "no_digit": "cần chữ số",
    "no_special": "cần ký tự đặc biệt",
}
PYDANTIC_PROBLEMS = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "string_pattern_mismatch": "sai định dạng",
    "literal_error": "giá trị không được hỗ trợ",
    "enum": "giá trị không được hỗ trợ",
    "too_short": "quá ít phần tử",
    "string_too_long": "quá dài",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "string_type": "phải là chuỗi",
    "list_type": "phải là danh sách",
    "model_type": "phải là đối tượng",
    "dict_type": "phải là đối tượng",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
}
_ARGPARSE_WORDS = [  # argparse's own English, for the few errors an operator meets
    ("the following arguments are required", "thiếu tham số bắt buộc"),
    ("unrecognized arguments", "tham số không nhận ra"),
    ("invalid choice", "giá trị không hợp lệ"),
    ("choose from", "chọn một trong"),
    ("expected one argument", "cần một giá trị"),
    ("argument ", "tham số "),
]


def say(text: str = "") -> None:
    """Write a line to standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def complain(text: str) -> None:
    """Write a line to standard error."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def describe_error(error: DomainError) -> str:
    """Turn a domain error into a Vietnamese sentence."""
    params = dict(error.params)
    if "rules" in params:
        params["rules"] = ", ".join(PASSWORD_RULES.get(r, r) for r in params["rules"])
    if isinstance(error.__cause__, ValidationError):
        params["detail"] = "; ".join(_field_problem(e) for e in error.__cause__.errors())
    elif error.code == "invalid_fields":
        params["detail"] = _refused_fields(params.get("fields", {}))
    template = MESSAGES.get(error.code)
    if template is None:
        # The web pages' sentence, with each refused field named (e.g. a control character).
        from web.messages import field_errors, message_of

        return " ".join([message_of(error), *field_errors(error).values()])
    return template.format_map(_Blank(params))


def _field_problem(problem: dict) -> str:
    where = ".".join(str(part) for part in problem["loc"]) or "tệp"
    kind = problem["type"]
    if kind == "value_error":  # the schema's own validators already speak Vietnamese
        return f"{where}: {problem['msg'].removeprefix('Value error, ')}"
    return f"{where}: {PYDANTIC_PROBLEMS.get(kind, problem['msg'])}"


def _refused_fields(fields: dict[str, str]) -> str:
    """Each refused field as the option that carried it and what was wrong, in Vietnamese."""
    from web.labels import FIELD_LABELS
    from web.messages import field_error_text

    return "; ".join(f"{OPTION_OF_FIELD.get(name) or FIELD_LABELS.get(name, name)}: "
                     f"{field_error_text(kind)}" for name, kind in fields.items())


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose own words are Vietnamese."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.update(add_help=False, formatter_class=_Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")

    def error(self, message: str):
        for english, vietnamese in _ARGPARSE_WORDS:
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {message}\n")
