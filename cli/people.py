"""``qlvb people …`` and ``qlvb delegation …``: the operator on a server manages people and
delegations through the same commands as the pages and API v1 (``commands.people``,
``commands.delegation``), as the operator (``roles`` None: every agency, audited without a person).

Each handler opens its own engine, calls one command (its transaction and audit), and says what
happened in Vietnamese; a refusal is a ``DomainError`` that ``cli.main`` turns into exit status 2.
"""

from __future__ import annotations

import argparse

from cli.administration import engine_for
from cli.wording import say
from config.settings import Settings

# The operator on the server: every agency, no person named as the actor in the audit.
OPERATOR = {"actor_id": None, "roles": None}


def _run(settings: Settings, command, **arguments):
    """Call one command with the operator as its actor, on an engine disposed of afterwards."""
    engine = engine_for(settings)
    try:
        return command(engine, **OPERATOR, **arguments)
    finally:
        engine.dispose()


def _one_time_password(password: str, when: str) -> None:
    say(f"Mật khẩu dùng một lần: {password}")
    say(f"Người dùng phải đổi mật khẩu ở lần đăng nhập {when}.")


# --- people --------------------------------------------------------------------------------

def cmd_people_list(args, settings: Settings) -> int:
    from commands.people import list_people
    from web.labels import ROLE_LABELS

    people = [p for p in _run(settings, list_people) if not args.agency or p.agency_code == args.agency]
    say(f"{'Tên đăng nhập':<16} {'Họ và tên':<22} {'Cơ quan':<14} {'Đơn vị':<24} {'Trạng thái':<18} Vai trò")
    for person in people:
        state = "đã khóa" if person.disabled else ("chờ đổi mật khẩu" if person.must_change_password
                                                    else "đang hoạt động")
        roles = ", ".join(sorted(ROLE_LABELS.get(role, role) for role in person.roles))
        say(f"{person.username:<16} {person.full_name:<22} {person.agency_code:<14} {person.unit_name or '-':<24} "
            f"{state:<18} {roles}")
    say(f"Tổng cộng: {len(people)} người.")
    return 0


def cmd_people_create(args, settings: Settings) -> int:
    from commands.people import create_person

    person, password = _run(settings, create_person, username=args.username, full_name=args.full_name,
                            agency_code=args.agency, position=args.position, unit_abbreviation=args.unit,
                            account_roles=args.role, email=args.email)
    say(f"Đã tạo tài khoản «{person.username}» ({person.full_name}, {person.agency_name}).")
    _one_time_password(password, "đầu tiên")
    return 0


def cmd_people_lock(args, settings: Settings) -> int:
    from commands.people import lock_person

    _run(settings, lock_person, username=args.username, reason=args.reason)
    say(f"Đã khóa tài khoản «{args.username}»; mọi phiên đăng nhập của tài khoản đã kết thúc.")
    return 0


def cmd_people_unlock(args, settings: Settings) -> int:
    from commands.people import unlock_person

    _run(settings, unlock_person, username=args.username)
    say(f"Đã mở khóa tài khoản «{args.username}»; người dùng đăng nhập bằng mật khẩu của mình.")
    return 0


def cmd_people_reset(args, settings: Settings) -> int:
    from commands.people import reset_person

    password = _run(settings, reset_person, username=args.username)
    say(f"Đã đặt lại mật khẩu cho «{args.username}».")
    _one_time_password(password, "tiếp theo")
    return 0


def cmd_people_move(args, settings: Settings) -> int:
    from commands.people import move_person

    person, tasks, records = _run(settings, move_person, username=args.username, agency_code=args.agency,
                                  unit_id=None, unit_abbreviation=args.unit, position=args.position,
                                  successor_username=args.successor)
    say(f"Đã chuyển «{person.username}» sang {person.unit_name or 'cơ quan'} ({person.agency_name}).")
    if tasks or records:
        say(f"Đã bàn giao cho «{args.successor}»: {tasks} công việc đang xử lý, {records} hồ sơ đang mở.")
    say("Các ủy quyền người này đã giao hoặc được giao (nếu có) đã kết thúc.")
    return 0


# --- delegation ----------------------------------------------------------------------------

def cmd_delegation_list(args, settings: Settings) -> int:
    from commands.delegation import list_delegations
    from models.delegation.rules import KINDS, STATE_LABELS

    views = _run(settings, list_delegations)
    say(f"{'Mã':>4}  {'Người ủy quyền':<22} {'Người được ủy quyền':<22} {'Hình thức':<9} "
        f"{'Thời hạn':<23} {'Trạng thái':<15} Nội dung, phạm vi")
    for view in views:
        row = view.row
        scope = "; ".join(part for part in (", ".join(view.doc_types), ", ".join(view.units)) if part) or "toàn bộ"
        say(f"{row.id:>4}  {view.delegator:<22} {view.deputy:<22} {row.form:<9} "
            f"{row.starts_on:%d/%m/%Y} – {row.ends_on:%d/%m/%Y} {STATE_LABELS[view.state]:<15} "
            f"{KINDS[row.kind]} ({scope})")
    say(f"Tổng cộng: {len(views)} ủy quyền.")
    return 0


def cmd_delegation_create(args, settings: Settings) -> int:
    from commands.delegation import create_delegation
    from models.delegation.rules import KINDS

    row = _run(settings, create_delegation, delegator_username=args.leader, deputy_username=args.deputy,
               kind=args.kind, form=args.form, starts_on=args.starts_on, ends_on=args.ends_on,
               doc_type_ids=args.doc_type_id, unit_ids=args.unit_id, note=args.note)
    say(f"Đã ghi nhận ủy quyền số {row.id}: «{args.leader}» ủy quyền cho «{args.deputy}» "
        f"({KINDS[row.kind].lower()}, {row.form}) từ {row.starts_on:%d/%m/%Y} đến {row.ends_on:%d/%m/%Y}.")
    return 0


def cmd_delegation_revoke(args, settings: Settings) -> int:
    from commands.delegation import revoke_delegation

    _run(settings, revoke_delegation, delegation_id=args.delegation_id, reason=args.reason)
    say(f"Đã thu hồi ủy quyền số {args.delegation_id}; người được ủy quyền không còn xử lý thay từ nay.")
    return 0


# --- parser --------------------------------------------------------------------------------

def add_commands(commands, command) -> None:
    """Add ``people`` and ``delegation`` to the ``qlvb`` parser (``command`` makes one handler's parser)."""
    from models.delegation.rules import FORMS, KINDS

    people = commands.add_parser("people", help="quản lý người dùng (như trang Quản trị người dùng)",
                                 description="Quản lý người dùng của các cơ quan.")
    actions = people.add_subparsers(dest="action", required=True, metavar="THAO_TÁC", title="thao tác")
    listing = command(actions, "list", cmd_people_list, "liệt kê người dùng")
    listing.add_argument("--agency", metavar="MÃ", help="chỉ người của cơ quan có mã định danh này")
    person_arguments(command(actions, "create", cmd_people_create, "tạo người dùng với mật khẩu dùng một lần"))
    lock_arguments(command(actions, "lock", cmd_people_lock, "khóa tài khoản và kết thúc mọi phiên đăng nhập"))
    unlock = command(actions, "unlock", cmd_people_unlock, "mở khóa tài khoản (giữ mật khẩu của người dùng)")
    unlock.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    reset = command(actions, "reset", cmd_people_reset, "đặt lại mật khẩu (mật khẩu dùng một lần)")
    reset.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    move = command(actions, "move", cmd_people_move,
                   "chuyển công tác sang đơn vị khác, bàn giao công việc và hồ sơ đang mở cho người tiếp nhận")
    move.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    move.add_argument("--unit", metavar="VIẾT_TẮT", help="đơn vị mới (bỏ trống: không thuộc đơn vị nào)")
    move.add_argument("--agency", metavar="MÃ", help="cơ quan mới (mặc định: cơ quan hiện tại)")
    move.add_argument("--position", default="", metavar="CHỨC_VỤ", help="chức vụ mới (mặc định: giữ nguyên)")
    move.add_argument("--successor", metavar="TÊN_ĐĂNG_NHẬP", help="người tiếp nhận công việc, hồ sơ đang mở")

    delegation = commands.add_parser("delegation", help="ủy quyền ký, chỉ đạo (KT., TL., TUQ., Q.)",
                                     description="Ủy quyền ký, chỉ đạo văn bản của lãnh đạo cho cấp phó.")
    actions = delegation.add_subparsers(dest="action", required=True, metavar="THAO_TÁC", title="thao tác")
    command(actions, "list", cmd_delegation_list, "liệt kê các ủy quyền và trạng thái hôm nay")
    create = command(actions, "create", cmd_delegation_create, "ghi nhận ủy quyền theo văn bản của lãnh đạo")
    create.add_argument("--leader", required=True, metavar="TÊN_ĐĂNG_NHẬP", help="lãnh đạo ủy quyền")
    create.add_argument("--deputy", required=True, metavar="TÊN_ĐĂNG_NHẬP", help="người được ủy quyền")
    create.add_argument("--kind", required=True, choices=list(KINDS), metavar="LOẠI",
                        help="«ky» (ký văn bản) hoặc «chi_dao» (chỉ đạo, giao xử lý văn bản đến)")
    create.add_argument("--form", required=True, choices=list(FORMS), metavar="HÌNH_THỨC",
                        help="một trong %(choices)s")
    create.add_argument("--from", dest="starts_on", required=True, metavar="NGÀY", help="ngày bắt đầu, vd. 2026-12-01")
    create.add_argument("--to", dest="ends_on", required=True, metavar="NGÀY", help="ngày kết thúc, vd. 2026-12-07")
    create.add_argument("--doc-type-id", action="append", default=[], metavar="SỐ",
                        help="phạm vi: mã số loại văn bản (lặp lại được; bỏ trống: mọi loại)")
    create.add_argument("--unit-id", action="append", default=[], metavar="SỐ",
                        help="phạm vi: mã số đơn vị (lặp lại được; bỏ trống: mọi đơn vị)")
    create.add_argument("--note", default="", metavar="GHI_CHÚ", help="số, ngày văn bản ủy quyền")
    revoke = command(actions, "revoke", cmd_delegation_revoke, "thu hồi ủy quyền từ hôm nay")
    revoke.add_argument("delegation_id", type=_positive_id, metavar="MÃ")
    revoke.add_argument("--reason", default="", metavar="LÝ_DO", help="lý do thu hồi")


def person_arguments(parser: argparse.ArgumentParser, *, role_required: bool = False) -> None:
    """A new person's login name, name, agency, unit, roles, position and e-mail (``users create`` too)."""
    from models.vocab import Role

    parser.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    parser.add_argument("--full-name", required=True, metavar="HỌ_TÊN", help="họ và tên")
    parser.add_argument("--agency", required=True, metavar="MÃ", help="mã định danh cơ quan, vd. 000.00.01.H42")
    parser.add_argument("--unit", metavar="VIẾT_TẮT", help="tên viết tắt của đơn vị, vd. HCTC")
    parser.add_argument("--role", required=role_required, action="append", default=None if role_required else [],
                        choices=[r.value for r in Role], metavar="VAI_TRÒ",
                        help="một trong %(choices)s; lặp lại để gán nhiều vai trò")
    parser.add_argument("--position", default="", metavar="CHỨC_VỤ", help="chức vụ")
    parser.add_argument("--email", default="", metavar="EMAIL", help="thư điện tử")


def lock_arguments(parser: argparse.ArgumentParser) -> None:
    """The account to lock and why (``users lock`` too)."""
    parser.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
    parser.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do khóa (ghi vào nhật ký)")


def _positive_id(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise argparse.ArgumentTypeError(f"«{text}» không phải mã số")
    return int(text)
