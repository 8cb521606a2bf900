"""The administrator's commands on a server: accounts and process definitions (``qlvb users``,
``qlvb processes``). Each opens its own engine and transaction, like the commands of the web app."""

from __future__ import annotations

import json
from pathlib import Path

from cli.wording import complain, say
from config.settings import Settings
from models.errors import DomainError


def engine_for(settings: Settings):
    """An engine on the configured database, every table known (the commands dispose of it)."""
    import models.all  # noqa: F401  (every table on the metadata, for foreign keys)
    from models.db import make_engine

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.effective_database_url)


def cmd_users_create(args, settings: Settings) -> int:
    from models.db import transaction
    from models.org.repo import create_user
    from models.vocab import Role

    engine = engine_for(settings)
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

    engine = engine_for(settings)
    with transaction(engine) as session:
        lock_user(session, get_by_username(session, args.username), None, args.reason)
    engine.dispose()
    say(f"Đã khóa tài khoản «{args.username}» và kết thúc mọi phiên đăng nhập của tài khoản này.")
    return 0


def cmd_users_reset(args, settings: Settings) -> int:
    from models.db import transaction
    from models.org.repo import get_by_username, reset_user

    engine = engine_for(settings)
    with transaction(engine) as session:
        password = reset_user(session, get_by_username(session, args.username), None)
    engine.dispose()
    say(f"Đã mở khóa và đặt lại mật khẩu cho «{args.username}».")
    say(f"Mật khẩu dùng một lần: {password}")
    say("Người dùng phải đổi mật khẩu ở lần đăng nhập tiếp theo.")
    return 0


def cmd_users_reset_two_factor(args, settings: Settings) -> int:
    from commands.two_factor import reset_by_operator

    engine = engine_for(settings)
    reset_by_operator(engine, args.username)
    engine.dispose()
    say(f"Đã tắt xác thực hai bước của «{args.username}» và kết thúc mọi phiên đăng nhập của tài khoản này.")
    say("Người dùng đăng nhập bằng mật khẩu rồi bật lại xác thực hai bước (bắt buộc với quản trị hệ thống).")
    return 0


def cmd_users_list(args, settings: Settings) -> int:
    from models.db import reading
    from models.org.repo import accounts_overview
    from web.labels import ROLE_LABELS

    engine = engine_for(settings)
    with reading(engine) as session:  # read and print in the session: it expires its rows at the end
        overview = accounts_overview(session)
        units = {unit.id: unit.abbreviation for unit in overview.units}
        say(f"{'Tên đăng nhập':<16} {'Họ và tên':<22} {'Cơ quan':<14} {'Đơn vị':<7} {'Trạng thái':<14} Vai trò")
        for user in overview.users:
            state = "đã khóa" if user.disabled else ("phải đổi mật khẩu" if user.must_change_password
                                                      else "hoạt động")
            roles = sorted(ROLE_LABELS.get(str(role), str(role)) for role in overview.user_roles.get(user.id, []))
            agency = overview.agencies.get(user.agency_id)
            say(f"{user.username:<16} {user.full_name:<22} {agency.code if agency else '?':<14} "
                f"{units.get(user.unit_id, '-'):<7} {state:<14} {', '.join(roles)}")
    engine.dispose()
    say(f"Tổng cộng: {len(overview.users)} tài khoản.")
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
    engine = engine_for(settings)
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

    engine = engine_for(settings)
    with transaction(engine) as session:
        rows = list(session.exec(select(ProcessDefinition)
                                 .order_by(ProcessDefinition.key, ProcessDefinition.version)))
    engine.dispose()
    say(f"{'Mã quy trình':<24} {'Phiên bản':>9}  {'Trạng thái':<10} {'Ngày ban hành':<13} Tên")
    for row in rows:
        say(f"{row.key:<24} {row.version:>9}  {row.status:<10} {row.published_at:%d/%m/%Y}    "
            f"{row.body.get('title', '')}")
    return 0


def cmd_audit_verify(args, settings: Settings) -> int:
    """Check the audit chain and the signed day heads; exit 1 and name the first broken link if any."""
    from models.audit_trail.verify import verify
    from models.db import reading

    engine = engine_for(settings)
    try:
        with reading(engine) as session:
            report = verify(session, settings)
    finally:
        engine.dispose()
    if report.intact:
        say(report.summary())
        return 0
    complain(report.summary())
    for problem in [*report.problems, *report.day_problems][1:]:
        complain(f"  - {problem.message}")
    return 1


def cmd_audit_sign_days(args, settings: Settings) -> int:
    """Sign the heads of the finished days not signed yet (what each Reconcile round does)."""
    from activities.audit import sign_pending_days

    engine = engine_for(settings)
    try:
        signed = sign_pending_days(engine, settings)
    finally:
        engine.dispose()
    say(f"Đã ký đầu chuỗi nhật ký của {signed} ngày." if signed else "Không có ngày nào cần ký đầu chuỗi nhật ký.")
    return 0


def cmd_org_reorganise(args, settings: Settings) -> int:
    """``qlvb org reorganise FILE [--dry-run]``: a change set in JSON or YAML, applied all at once."""
    from commands.reorganisation import reorganise
    from models.org.schema import MAX_CHANGE_SET_CHARS, parse_change_set

    try:
        # Read one character's worth past the limit (UTF-8 takes up to 4 bytes): enough to know it is too big.
        raw = Path(args.file).read_bytes()[:MAX_CHANGE_SET_CHARS * 4 + 1]
    except OSError as error:
        complain(f"Lỗi: không đọc được tệp «{args.file}» ({error.strerror}).")
        return 2
    if len(raw) > MAX_CHANGE_SET_CHARS * 4:
        raise DomainError("org_bad_change_set", detail="bộ thay đổi quá lớn")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError("org_bad_change_set", detail="tệp phải là văn bản UTF-8") from None
    change_set = parse_change_set(text)
    engine = engine_for(settings)
    try:
        lines = reorganise(engine, actor_id=None, roles=None, change_set=change_set, dry_run=args.dry_run)
    finally:
        engine.dispose()
    for line in lines:
        say(line)
    return 0
