"""A reorganisation (DOMAIN §10.3): a merger or split applied as one reviewed change set, all or nothing.

Successors are created when their code is new, predecessors closed the day before the change's date
with their codes kept as the successor's aliases, and their open work, people, units and registers
handed over (``models.org.handover_repo``). A dry run reports the same lines and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from commands.admin import require_admin
from commands.organisation import check_scope, end_agency, new_agency
from models.db import transaction
from models.errors import DomainError, NotFound
from models.org import handover_repo, repo
from models.org.rules import check_qcvn102, parse_day
from models.org.schema import AgencyInput
from models.org.tables import Agency
from models.registers.repo import incoming_register
from models.vocab import Role


class _DryRun(Exception):
    """Rolls the reorganisation's transaction back once its plan is written."""


def reorganise(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, change_set: object,
               dry_run: bool) -> list[str]:
    """Apply a change set (DOMAIN §10.3): each successor is created if its code is new, each predecessor
    closed the day before ``effective`` with its codes as the successor's aliases, its people moved to
    the successor, its units closed, its registers closed and the successor's incoming series opened.

    ``roles`` None is the operator on the server (``qlvb org reorganise``). Everything or nothing. Open
    work is handed over with its provenance (``handover_repo.hand_over_work``): open tasks go to the successor
    (to the unit the change's ``units`` map names, ``{"<predecessor code>": {"<old unit abbreviation>":
    "<successor unit abbreviation>"}}``, else to the role across the successor), documents in progress
    answer to the successor, open hồ sơ change owner; later steps of running processes open for the
    successor (``dated_repo.answering_agency``). The events name the change set by its ``id`` (else a digest of
    it). ``dry_run`` returns what would happen and changes nothing. Returns the report, in Vietnamese.
    """
    if roles is not None:
        require_admin(roles)
    if not isinstance(change_set, dict) or not isinstance(change_set.get("changes"), list) \
            or not change_set["changes"]:
        raise DomainError("org_bad_change_set", detail="cần «effective» và danh sách «changes» không rỗng")
    effective = parse_day(str(change_set.get("effective", "")), "effective", required=True)
    end = effective - timedelta(days=1)
    change_set_id = _change_set_id(change_set)
    lines: list[str] = [f"Bộ thay đổi {change_set_id}."]
    try:
        with transaction(engine) as session:
            if roles is not None and actor_id is not None:
                check_scope(session, actor_id, roles, None)
            for number, change in enumerate(change_set["changes"], start=1):
                lines += _apply_change(session, actor_id, number, change, effective, end, change_set_id)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return ["Chạy thử: không có thay đổi nào được lưu.", *lines]
    return lines


def _change_set_id(change_set: dict) -> str:
    given = change_set.get("id")
    if given is not None:
        if isinstance(given, dict | list) or not str(given).strip() or len(str(given)) > 80:
            raise DomainError("org_bad_change_set", detail="«id» phải là một chuỗi ngắn")
        return str(given).strip()
    digest = hashlib.sha256(json.dumps(change_set, sort_keys=True, default=str).encode()).hexdigest()
    return f"{change_set.get('effective', '')}-{digest[:12]}"


def _unit_map(session: Session, number: int, change: dict, old: Agency, successor: Agency) -> dict[int, int | None]:
    """The change's ``units`` map for one predecessor, as unit ids (old → successor's)."""
    wanted = change.get("units") or {}
    if not isinstance(wanted, dict) or not all(isinstance(v, dict) for v in wanted.values()):
        raise DomainError("org_bad_change_set", detail=f"«units» của thay đổi thứ {number} không hợp lệ")
    pairs = wanted.get(old.code) or {}
    if not pairs:
        return {}
    olds = {unit.abbreviation: unit.id for unit in repo.units_of(session, old.id)}
    news = {unit.abbreviation: unit.id for unit in repo.units_of(session, successor.id, current_only=True)}
    mapped: dict[int, int | None] = {}
    for before, after in pairs.items():
        if before not in olds or after not in news:
            raise DomainError("org_bad_change_set", detail=f"thay đổi thứ {number}: không có đơn vị «{before}» "
                                                          f"ở {old.name} hoặc «{after}» ở {successor.name}"[:300])
        mapped[olds[before]] = news[after]
    return mapped


def _apply_change(session: Session, actor_id: int | None, number: int, change: object, effective: date,
                  end: date, change_set_id: str) -> list[str]:
    spec = change.get("successor") if isinstance(change, dict) else None
    olds = change.get("predecessors") if isinstance(change, dict) else None
    if not isinstance(spec, dict) or not isinstance(olds, list) or not olds \
            or not all(isinstance(code, str) for code in olds):
        raise DomainError("org_bad_change_set", detail=f"thay đổi thứ {number} cần «successor» và «predecessors»")
    code = check_qcvn102(str(spec.get("code", "")))
    successor = repo.agency_by_code(session, code)
    lines = []
    if successor is None:
        parent = repo.agency_by_code(session, str(spec.get("parent", ""))) if spec.get("parent") else None
        if spec.get("parent") and parent is None:
            raise NotFound("agency_not_found", agency_code=str(spec.get("parent"))[:40])
        try:
            form = AgencyInput(code=code, qd20_code=str(spec.get("qd20_code", "")), name=str(spec.get("name", "")),
                               abbreviation=str(spec.get("abbreviation", "")), kind=str(spec.get("kind", "")),
                               parent_id=parent.id if parent else None, place_name=str(spec.get("place_name", "")),
                               valid_from=effective.isoformat())
        except ValidationError:
            raise DomainError("org_bad_change_set", detail=f"cơ quan mới {code} thiếu tên, tên viết tắt hoặc "
                                                          "loại cơ quan hợp lệ") from None
        successor = new_agency(session, actor_id, form)
        lines.append(f"Thêm {successor.name} ({code}) từ ngày {effective:%d/%m/%Y}.")
    elif successor.valid_to is not None:
        raise DomainError("org_bad_successor")
    for old_code in olds:
        old = repo.agency_by_code(session, old_code.strip())
        if old is None:
            raise NotFound("agency_not_found", agency_code=old_code[:40])
        handed = handover_repo.hand_over_work(session, old, successor, _unit_map(session, number, change, old, successor),
                                     change_set_id, actor_id)
        people = handover_repo.move_people(session, old.id, successor.id, actor_id)
        units = handover_repo.close_open_units(session, old.id, end, actor_id)
        registers = handover_repo.close_registers(session, old.id, actor_id)
        end_agency(session, actor_id, old, end, successor)
        lines.append(f"Đóng {old.name} ({old.code}) sau ngày {end:%d/%m/%Y}; mã cũ chuyển thành mã của "
                     f"{successor.name} từ ngày {effective:%d/%m/%Y}.")
        if handed.tasks or handed.documents or handed.records:
            lines.append(f"  Bàn giao cho {successor.name}: {handed.tasks} việc đang xử lý, {handed.documents} văn bản "
                         f"đang giải quyết, {len(handed.records)} hồ sơ đang mở"
                         + (f" ({', '.join(handed.records)})" if handed.records else "") + ".")
        if people:
            lines.append(f"  Chuyển {len(people)} tài khoản sang {successor.name}: {', '.join(people)}.")
        if units:
            lines.append(f"  Đóng {len(units)} đơn vị: {', '.join(units)}.")
        if registers:
            lines.append(f"  Khóa sổ: {', '.join(registers)}.")
    if successor.hosted:
        incoming_register(session, successor.id)
        lines.append(f"  {successor.name} mở sổ văn bản đến; số văn bản đi mở theo từng sổ khi cấp số đầu tiên.")
    return lines
