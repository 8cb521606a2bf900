"""The ``qlvb`` command: migrate, seed, run the web app and the worker, administer accounts.

``qlvb run`` starts the whole embedded installation (see ``devservers/launcher.py``); the other
commands are the building blocks it uses and the tools an administrator needs on a server.
Every message is in Vietnamese; domain errors exit with status 2.

It stays one module (over 400 lines) on purpose: it is a flat list of argparse subcommands whose
handlers import what they need locally, so ``qlvb --help`` starts fast, and splitting them would
only scatter that list.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

from pydantic import ValidationError

from config.settings import Settings, get_settings
from devservers.launcher import migrate, seed
from models.errors import DomainError

MESSAGES = {
    "username_taken": "Tên đăng nhập «{username}» đã có người dùng.",
    "agency_not_found": "Không tìm thấy cơ quan có mã định danh «{agency_code}».",
    "unit_not_found": "Cơ quan không có đơn vị viết tắt «{unit}».",
    "user_not_found": "Không tìm thấy tài khoản «{username}».",
    "weak_password": "Mật khẩu chưa đủ mạnh: {rules}.",
    "invalid_process": "Định nghĩa quy trình không hợp lệ: {detail}",
    "process_not_found": "Không tìm thấy quy trình «{key}».",
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
ROLE_LABELS = {
    "van_thu": "Văn thư",
    "lanh_dao_co_quan": "Lãnh đạo cơ quan",
    "lanh_dao_don_vi": "Lãnh đạo đơn vị",
    "chuyen_vien": "Chuyên viên",
    "quan_tri": "Quản trị hệ thống",
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
    template = MESSAGES.get(error.code)
    if template is None:
        return f"Thao tác bị từ chối ({error.code})."
    return template.format_map(_Blank(params))


def _field_problem(problem: dict) -> str:
    where = ".".join(str(part) for part in problem["loc"]) or "tệp"
    kind = problem["type"]
    if kind == "value_error":  # the schema's own validators already speak Vietnamese
        return f"{where}: {problem['msg'].removeprefix('Value error, ')}"
    return f"{where}: {PYDANTIC_PROBLEMS.get(kind, problem['msg'])}"


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


# --- database ----------------------------------------------------------------------------

def _engine(settings: Settings):
    import models.all  # noqa: F401  (every table on the metadata, for foreign keys)
    from models.db import make_engine

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.effective_database_url)


def account_lines(profile: str = "province") -> list[str]:
    """One line per demo account: username, full name, agency and role."""
    from models.seed.data import AGENCIES
    from models.seed.profiles import profile_users

    agency_names = {row[0]: row[1] for row in AGENCIES}
    return [f"  {username:<13} {full_name:<16} {agency_names[code]} ({code}) · "
            + ", ".join(ROLE_LABELS[str(r)] for r in roles)
            for username, full_name, code, _unit, _position, roles in profile_users(profile)]


def summary_line(password: str) -> str:
    """The line ``qlvb run`` always prints: who can log in, with which password."""
    from models.seed.data import USERS

    return f"Tài khoản mẫu: {', '.join(u[0] for u in USERS)} · mật khẩu: {password}"


# --- commands ----------------------------------------------------------------------------

def cmd_migrate(args, settings: Settings) -> int:
    from sqlalchemy.engine import make_url

    migrate(settings)
    url = make_url(settings.effective_database_url).render_as_string(hide_password=True)
    say(f"Cơ sở dữ liệu đã ở phiên bản mới nhất: {url}")
    return 0


def cmd_seed(args, settings: Settings) -> int:
    migrate(settings)
    profile = getattr(args, "profile", "province")
    created, password = seed(settings) if profile == "province" else _seed_ministry(settings)
    say(f"Đã tạo {len(created)} tài khoản mẫu." if created else "Dữ liệu mẫu đã có từ trước.")
    say("Tài khoản mẫu:")
    for line in account_lines(profile):
        say(line)
    say(f"Mật khẩu chung của tài khoản mẫu: {password}")
    return 0


def _seed_ministry(settings: Settings) -> tuple[list[str], str]:
    """The Bộ Nội vụ installation (``models.seed.profiles``), with the same demo password rules."""
    from devservers.launcher import demo_password
    from models.db import transaction
    from models.seed.profiles import seed_ministry

    password = demo_password(settings)
    engine = _engine(settings)
    try:
        with transaction(engine) as session:
            created = seed_ministry(session, password)
    finally:
        engine.dispose()
    return created, password


def cmd_web(args, settings: Settings) -> int:
    import uvicorn

    # No "server: uvicorn" header: responses do not name the software behind them.
    uvicorn.run("app:create_app", factory=True, host=settings.web_host, port=settings.web_port,
                server_header=False)
    return 0


def cmd_worker(args, settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The hub receive loop calls the hub every minute: its HTTP requests are not news.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(_worker_until_signal())
    return 0


async def _worker_until_signal() -> None:
    import worker

    runner = asyncio.create_task(worker.run_worker())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, runner.cancel)
    try:
        await runner
    except asyncio.CancelledError:
        logging.getLogger("qlvb.worker").info("worker stopped")


def cmd_hub(args, settings: Settings) -> int:
    from devservers.hub.command import run

    return run(args, settings)


def cmd_run(args, settings: Settings) -> int:
    from devservers.launcher import busy_ports, launch

    busy = busy_ports(settings)
    if busy:
        complain(f"Lỗi: cổng {', '.join(map(str, busy))} đang được dùng (có thể «qlvb run» khác đang chạy).")
        return 1
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    say("Đang cập nhật cơ sở dữ liệu…")
    migrate(settings)
    created, password = seed(settings)
    if created:
        say("Đã tạo các tài khoản mẫu:")
        for line in account_lines():
            say(line)
    return launch(settings, summary_line(password))


def cmd_users_create(args, settings: Settings) -> int:
    from models.db import transaction
    from models.org.repo import create_user
    from models.vocab import Role

    engine = _engine(settings)
    with transaction(engine) as session:
        _check_agency_and_unit(session, args.agency, args.unit)
        user, password = create_user(
            session, username=args.username, full_name=args.full_name, agency_code=args.agency,
            unit_abbreviation=args.unit, roles=[Role(r) for r in args.role], position=args.position,
            email=args.email, must_change_password=True)
    engine.dispose()
    say(f"Đã tạo tài khoản «{user.username}».")
    say(f"Mật khẩu dùng một lần: {password}")
    say("Người dùng phải đổi mật khẩu ở lần đăng nhập đầu tiên.")
    return 0


def _check_agency_and_unit(session, agency_code: str, unit: str | None) -> None:
    """Refuse an unknown agency or unit up front, with the names the messages use."""
    from sqlmodel import select

    from models.errors import NotFound
    from models.org.tables import Agency, OrgUnit

    agency = session.exec(select(Agency).where(Agency.code == agency_code)).first()
    if agency is None:
        raise NotFound("agency_not_found", agency_code=agency_code)
    if unit and session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency.id,
                                                   OrgUnit.abbreviation == unit)).first() is None:
        raise NotFound("unit_not_found", agency_code=agency_code, unit=unit)


def cmd_users_lock(args, settings: Settings) -> int:
    from models.db import transaction
    from models.org.repo import get_by_username, lock_user

    engine = _engine(settings)
    with transaction(engine) as session:
        lock_user(session, get_by_username(session, args.username), None, args.reason)
    engine.dispose()
    say(f"Đã khóa tài khoản «{args.username}» và kết thúc mọi phiên đăng nhập của tài khoản này.")
    return 0


def cmd_users_reset(args, settings: Settings) -> int:
    from models.db import transaction
    from models.org.repo import get_by_username, reset_user

    engine = _engine(settings)
    with transaction(engine) as session:
        password = reset_user(session, get_by_username(session, args.username), None)
    engine.dispose()
    say(f"Đã mở khóa và đặt lại mật khẩu cho «{args.username}».")
    say(f"Mật khẩu dùng một lần: {password}")
    say("Người dùng phải đổi mật khẩu ở lần đăng nhập tiếp theo.")
    return 0


def cmd_users_list(args, settings: Settings) -> int:
    from sqlmodel import select

    from models.db import transaction
    from models.org.tables import Agency, OrgUnit, User, UserRole

    engine = _engine(settings)
    with transaction(engine) as session:
        agencies = {a.id: a.code for a in session.exec(select(Agency))}
        units = {u.id: u.abbreviation for u in session.exec(select(OrgUnit))}
        roles: dict[int, list[str]] = {}
        for row in session.exec(select(UserRole)):
            roles.setdefault(row.user_id, []).append(ROLE_LABELS.get(str(row.role), str(row.role)))
        users = list(session.exec(select(User).order_by(User.username)))
    engine.dispose()
    say(f"{'Tên đăng nhập':<16} {'Họ và tên':<22} {'Cơ quan':<14} {'Đơn vị':<7} {'Trạng thái':<14} Vai trò")
    for user in users:
        state = "đã khóa" if user.disabled else ("phải đổi mật khẩu" if user.must_change_password
                                                  else "hoạt động")
        say(f"{user.username:<16} {user.full_name:<22} {agencies.get(user.agency_id, '?'):<14} "
            f"{units.get(user.unit_id, '-'):<7} {state:<14} {', '.join(sorted(roles.get(user.id, [])))}")
    say(f"Tổng cộng: {len(users)} tài khoản.")
    return 0


def cmd_processes_deploy(args, settings: Settings) -> int:
    from models.db import transaction
    from models.processes.repo import parse_body, publish

    try:
        raw = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except OSError as error:
        complain(f"Lỗi: không đọc được tệp «{args.file}» ({error.strerror}).")
        return 2
    except ValueError as error:
        raise DomainError("invalid_process", detail=f"tệp không phải JSON hợp lệ ({error})") from error
    if not isinstance(raw, dict):
        raise DomainError("invalid_process", detail="tệp phải chứa một đối tượng JSON")
    body = parse_body(raw)
    engine = _engine(settings)
    with transaction(engine) as session:
        row, created = publish(session, body, actor_id=None)
    engine.dispose()
    if created:
        say(f"Đã triển khai quy trình «{row.key}» phiên bản {row.version}.")
    else:
        say(f"Quy trình «{row.key}» không thay đổi (vẫn là phiên bản {row.version}).")
    return 0


def cmd_processes_list(args, settings: Settings) -> int:
    from sqlmodel import select

    from models.db import transaction
    from models.processes.tables import ProcessDefinition

    engine = _engine(settings)
    with transaction(engine) as session:
        rows = list(session.exec(select(ProcessDefinition)
                                 .order_by(ProcessDefinition.key, ProcessDefinition.version)))
    engine.dispose()
    say(f"{'Mã quy trình':<24} {'Phiên bản':>9}  {'Trạng thái':<10} {'Ngày ban hành':<13} Tên")
    for row in rows:
        say(f"{row.key:<24} {row.version:>9}  {row.status:<10} {row.published_at:%d/%m/%Y}    "
            f"{row.body.get('title', '')}")
    return 0


def cmd_edxml_validate(args, settings: Settings) -> int:
    """Check edXML packages (EDXML §8.1–8.3): fields as JSON, or the errors; warnings always."""
    from models.exchange.edxml.envelope_signature import verify
    from models.exchange.edxml.summary import package_as_json
    from models.exchange.edxml.validate import check

    status = 0
    for name in args.files:
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            complain(f"Lỗi: không đọc được tệp «{name}» ({error.strerror}).")
            status = 2
            continue
        report = check(data, outgoing=args.outgoing)
        say(f"Tệp «{name}»: " + ("hợp lệ" if report.ok else f"KHÔNG hợp lệ ({len(report.errors)} lỗi)")
            + (f", gói {report.kind}" if report.kind else ""))
        if report.ok:
            say(json.dumps(package_as_json(report.package), ensure_ascii=False, indent=2))
        if report.package is not None:
            signature = verify(data)
            say(f"  Chữ ký phong bì: {signature.state.value} — {signature.reason}")
        for problem in report.errors:
            say(f"  Lỗi: {problem.message_vi}")
        for problem in report.warnings:
            say(f"  Cảnh báo: {problem.message_vi}")
        if not report.ok:
            status = max(status, 1)
    return status


# --- parser ------------------------------------------------------------------------------

class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
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


def build_parser() -> argparse.ArgumentParser:
    """The whole ``qlvb`` command tree."""
    from models.vocab import Role

    parser = _Parser(prog="qlvb", description="Hệ thống quản lý văn bản và điều hành (QLVB).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="LỆNH", title="các lệnh")

    def command(group, name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    command(commands, "migrate", cmd_migrate, "cập nhật lược đồ cơ sở dữ liệu lên phiên bản mới nhất")
    seed_command = command(commands, "seed", cmd_seed, "nạp dữ liệu mẫu (cơ quan, đơn vị, tài khoản, quy trình)")
    seed_command.add_argument("--profile", choices=["province", "ministry"], default="province",
                              help="hệ thống được nạp: «province» (UBND tỉnh Hà Nam, mặc định) hoặc "
                                   "«ministry» (Bộ Nội vụ, một hệ thống thứ hai kết nối qua trục liên thông)")
    command(commands, "web", cmd_web, "chạy ứng dụng web")
    command(commands, "worker", cmd_worker, "chạy worker Temporal")
    command(commands, "run", cmd_run, "chạy toàn bộ hệ thống trên máy này (Temporal, worker, web, trục mô phỏng)")
    from devservers.hub import command as hub_command

    hub_command.add_arguments(command(commands, "hub", cmd_hub, hub_command.HELP))

    users = commands.add_parser("users", help="quản lý tài khoản", description="Quản lý tài khoản.")
    user_commands = users.add_subparsers(dest="action", required=True, metavar="THAO_TÁC", title="thao tác")
    create = command(user_commands, "create", cmd_users_create, "tạo tài khoản với mật khẩu dùng một lần")
    create.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    create.add_argument("--full-name", required=True, metavar="HỌ_TÊN", help="họ và tên")
    create.add_argument("--agency", required=True, metavar="MÃ", help="mã định danh cơ quan, vd. 000.00.01.H23")
    create.add_argument("--unit", metavar="VIẾT_TẮT", help="tên viết tắt của đơn vị, vd. HCTC")
    create.add_argument("--role", required=True, action="append", choices=[r.value for r in Role],
                        metavar="VAI_TRÒ", help="một trong %(choices)s; lặp lại để gán nhiều vai trò")
    create.add_argument("--position", default="", metavar="CHỨC_VỤ", help="chức vụ")
    create.add_argument("--email", default="", metavar="EMAIL", help="thư điện tử")
    lock = command(user_commands, "lock", cmd_users_lock, "khóa tài khoản và kết thúc mọi phiên")
    lock.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    lock.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do khóa (ghi vào nhật ký)")
    reset = command(user_commands, "reset", cmd_users_reset, "mở khóa và cấp mật khẩu dùng một lần mới")
    reset.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    command(user_commands, "list", cmd_users_list, "liệt kê tài khoản")

    processes = commands.add_parser("processes", help="quản lý quy trình", description="Quản lý quy trình.")
    process_commands = processes.add_subparsers(dest="action", required=True, metavar="THAO_TÁC",
                                                title="thao tác")
    deploy = command(process_commands, "deploy", cmd_processes_deploy,
                     "triển khai định nghĩa quy trình từ tệp JSON (phiên bản mới nếu có thay đổi)")
    deploy.add_argument("file", metavar="TỆP_JSON")
    command(process_commands, "list", cmd_processes_list, "liệt kê các phiên bản quy trình")

    edxml = commands.add_parser("edxml", help="gói tin edXML (QCVN 102:2016)", description="Gói tin edXML.")
    edxml_commands = edxml.add_subparsers(dest="action", required=True, metavar="THAO_TÁC", title="thao tác")
    edxml_validate = command(edxml_commands, "validate", cmd_edxml_validate,
                             "kiểm tra gói tin edXML: in các trường (JSON) hoặc danh sách lỗi")
    edxml_validate.add_argument("files", nargs="+", metavar="TỆP")
    edxml_validate.add_argument("--outgoing", action="store_true",
                                help="kiểm tra chặt như gói tin QLVB gửi đi (độ dài là lỗi, mã định danh đầy đủ)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``qlvb`` script; returns the exit status."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args, get_settings())
    except DomainError as error:
        complain(f"Lỗi: {describe_error(error)}")
        return 2
    except (OperationalError, ProgrammingError) as error:
        complain(f"Lỗi cơ sở dữ liệu: {error.orig} (đã chạy «qlvb migrate» chưa?)")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
