"""The ``qlvb`` command: migrate, seed, run the web app and the worker, administer accounts.

``qlvb run`` starts the whole embedded installation (see ``devservers/launcher.py``); the other
commands are the building blocks it uses and the tools an administrator needs on a server.
Every message is in Vietnamese; domain errors exit with status 2.

This module holds the parser and the commands that start or prepare the installation;
``wording`` what the command says, ``administration`` the accounts, process and audit commands,
``people`` people and delegations through the product's commands, ``edxml`` the package checker. Handlers import heavy modules locally, so ``qlvb --help`` starts fast.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from cli.administration import (
    cmd_audit_sign_days,
    cmd_audit_verify,
    cmd_org_reorganise,
    cmd_processes_deploy,
    cmd_processes_list,
    cmd_users_create,
    cmd_users_list,
    cmd_users_lock,
    cmd_users_reset,
    cmd_users_reset_two_factor,
    engine_for,
)
from cli.backup import cmd_backup, cmd_restore
from cli.edxml import cmd_edxml_validate
from cli.people import add_commands as add_people_commands
from cli.people import lock_arguments, person_arguments
from cli.wording import Parser, complain, describe_error, say
from config.settings import Settings, get_settings
from devservers.launcher import migrate, seed
from models.errors import DomainError


def account_lines(profile: str | None = None) -> list[str]:
    """One line per demo account: username, full name, agency and role."""
    from models.seed.profiles import DEFAULT_PROFILE, profile_agencies, profile_users
    from web.labels import ROLE_LABELS

    profile = profile or DEFAULT_PROFILE
    agency_names = {row[0]: row[1] for row in profile_agencies(profile)}
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
    profile = getattr(args, "profile", None)
    created, password = seed(settings, profile)
    say(f"Đã tạo {len(created)} tài khoản mẫu." if created else "Dữ liệu mẫu đã có từ trước.")
    say("Tài khoản mẫu:")
    for line in account_lines(profile):
        say(line)
    say(f"Mật khẩu chung của tài khoản mẫu: {password}")
    return 0


def cmd_search_index_text(args, settings: Settings) -> int:
    """Read the text layer of every document not yet in the full-text index, round after round."""
    from activities.search_index import index_pending_text
    from models.db import transaction
    from models.documents import search_repo
    from models.documents.file_store import FileStore

    engine = engine_for(settings)
    try:
        with transaction(engine) as session:
            search_repo.index_missing(session)
            if args.all:
                search_repo.mark_all_text_pending(session)
        store, stored = FileStore(settings.files_dir), 0
        while True:
            with transaction(engine) as session:
                waiting = search_repo.pending_text_count(session)
            if not waiting:
                break
            done = index_pending_text(engine, store)
            stored += done
            say(f"Đã lập chỉ mục nội dung {stored} văn bản, còn {max(waiting - done, 0)} văn bản chờ.")
            if not done:  # the rest cannot be read now (logged): a later round retries them
                break
    finally:
        engine.dispose()
    say(f"Xong: nội dung của {stored} văn bản đã vào chỉ mục tra cứu toàn văn.")
    return 0


def cmd_web(args, settings: Settings) -> int:
    import uvicorn

    workers = getattr(args, "workers", None) or settings.web_workers
    if workers > 1:
        share_latency_histogram(settings)
    # Several workers: uvicorn's supervisor starts that many processes, each calling the factory
    # (its own engine, pool and Temporal client) and restarts one that dies. No "server: uvicorn"
    # header: responses do not name the software behind them.
    uvicorn.run("app:create_app", factory=True, host=settings.web_host, port=settings.web_port,
                workers=workers, server_header=False)
    return 0


def share_latency_histogram(settings: Settings) -> Path:
    """The directory where the web processes keep /metrics' latency histogram, summed at each scrape.

    ``PROMETHEUS_MULTIPROC_DIR`` when the operator set it; otherwise ``var/metrics/web-<port>``,
    emptied now, before the processes start (what prometheus-client's multiprocess mode asks).
    """
    import os

    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        return Path(configured)
    directory = settings.var_dir / "metrics" / f"web-{settings.web_port}"
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)  # the processes inherit it
    return directory


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


# --- parser ------------------------------------------------------------------------------

def positive_count(text: str) -> int:
    """A whole number of processes, at least 1 (argparse prints the Vietnamese refusal)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"«{text}» không phải số nguyên dương")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The whole ``qlvb`` command tree."""
    from models.seed.profiles import DEFAULT_PROFILE, PROFILES

    parser = Parser(prog="qlvb", description="Hệ thống quản lý văn bản và điều hành (QLVB).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="LỆNH", title="các lệnh")

    def command(group, name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    command(commands, "migrate", cmd_migrate, "cập nhật lược đồ cơ sở dữ liệu lên phiên bản mới nhất")
    seed_command = command(commands, "seed", cmd_seed, "nạp dữ liệu mẫu (cơ quan, đơn vị, tài khoản, quy trình)")
    seed_command.add_argument("--profile", choices=list(PROFILES), default=DEFAULT_PROFILE,
                              help="dữ liệu được nạp: «ninhbinh» (tỉnh Ninh Bình sau hợp nhất, tổ chức hiện hành, "
                                   "mặc định), «province» (cây tổ chức tỉnh Hà Nam năm 2024 của các ví dụ trong quy "
                                   "định) hoặc «ministry» (Bộ Nội vụ, một hệ thống thứ hai kết nối qua trục liên thông)")
    web = command(commands, "web", cmd_web, "chạy ứng dụng web")
    web.add_argument("--workers", type=positive_count, metavar="N",
                     help="số tiến trình web (mặc định QLVB_WEB_WORKERS, 1); mỗi tiến trình có kết nối cơ sở "
                          "dữ liệu và Temporal riêng")
    command(commands, "worker", cmd_worker, "chạy worker Temporal")
    command(commands, "run", cmd_run, "chạy toàn bộ hệ thống trên máy này (Temporal, worker, web, trục mô phỏng)")
    from devservers.hub import command as hub_command

    hub_command.add_arguments(command(commands, "hub", cmd_hub, hub_command.HELP))

    users = commands.add_parser("users", help="quản lý tài khoản", description="Quản lý tài khoản.")
    user_commands = users.add_subparsers(dest="action", required=True, metavar="THAO_TÁC", title="thao tác")
    person_arguments(command(user_commands, "create", cmd_users_create, "tạo tài khoản với mật khẩu dùng một lần"),
                     role_required=True)
    lock_arguments(command(user_commands, "lock", cmd_users_lock, "khóa tài khoản và kết thúc mọi phiên"))
    reset = command(user_commands, "reset", cmd_users_reset, "mở khóa và cấp mật khẩu dùng một lần mới")
    reset.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    reset_two_factor = command(user_commands, "reset-two-factor", cmd_users_reset_two_factor,
                               "tắt xác thực hai bước của một tài khoản (mất điện thoại và mã khôi phục)")
    reset_two_factor.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    command(user_commands, "list", cmd_users_list, "liệt kê tài khoản")

    add_people_commands(commands, command)

    org = commands.add_parser("org", help="cơ cấu tổ chức", description="Cơ cấu tổ chức.")
    org_commands = org.add_subparsers(dest="action", required=True, metavar="THAO_TÁC", title="thao tác")
    reorganise = command(org_commands, "reorganise", cmd_org_reorganise,
                         "sắp xếp lại tổ chức theo tệp thay đổi (JSON hoặc YAML): thêm cơ quan kế thừa, đóng cơ "
                         "quan cũ từ một ngày, mã cũ thành mã của cơ quan kế thừa, chuyển tài khoản, khóa sổ")
    reorganise.add_argument("file", metavar="TỆP")
    reorganise.add_argument("--dry-run", action="store_true", help="chỉ liệt kê thay đổi, không lưu")

    processes = commands.add_parser("processes", help="quản lý quy trình", description="Quản lý quy trình.")
    process_commands = processes.add_subparsers(dest="action", required=True, metavar="THAO_TÁC",
                                                title="thao tác")
    deploy = command(process_commands, "deploy", cmd_processes_deploy,
                     "triển khai định nghĩa quy trình từ tệp JSON (phiên bản mới nếu có thay đổi)")
    deploy.add_argument("file", metavar="TỆP_JSON")
    command(process_commands, "list", cmd_processes_list, "liệt kê các phiên bản quy trình")

    search = commands.add_parser("search", help="chỉ mục tra cứu toàn văn",
                                 description="Chỉ mục tra cứu toàn văn.")
    search_commands = search.add_subparsers(dest="action", required=True, metavar="THAO_TÁC", title="thao tác")
    index_text = command(search_commands, "index-text", cmd_search_index_text,
                         "đọc lớp văn bản (text layer) của các tệp PDF chưa có trong chỉ mục toàn văn, "
                         "đến khi không còn văn bản nào chờ")
    index_text.add_argument("--all", action="store_true",
                            help="đọc lại nội dung của mọi văn bản (ví dụ sau khi khôi phục kho tệp)")

    backup = command(commands, "backup", cmd_backup,
                     "sao lưu cơ sở dữ liệu và kho tệp vào THƯ_MỤC (kèm bản kê tổng kiểm SHA-256); "
                     "«qlvb backup verify THƯ_MỤC» kiểm tra lại một bản sao lưu")
    backup.usage = "qlvb backup [verify] THƯ_MỤC"
    backup.add_argument("words", nargs="+", metavar="THƯ_MỤC", help="thư mục sao lưu (mới hoặc trống)")
    restore = command(commands, "restore", cmd_restore,
                      "phục hồi một bản sao lưu vào hệ thống trống (cơ sở dữ liệu và kho tệp chưa có dữ liệu)")
    restore.add_argument("source", metavar="THƯ_MỤC")

    audit = commands.add_parser("audit", help="nhật ký hệ thống", description="Nhật ký hệ thống.")
    audit_commands = audit.add_subparsers(dest="action", required=True, metavar="THAO_TÁC", title="thao tác")
    command(audit_commands, "verify", cmd_audit_verify,
            "kiểm tra tính toàn vẹn của nhật ký (chuỗi băm và chữ ký đầu chuỗi từng ngày); "
            "chỉ ra mắt xích hỏng đầu tiên")
    command(audit_commands, "sign-days", cmd_audit_sign_days,
            "ký đầu chuỗi nhật ký của các ngày đã qua chưa được ký")

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
