"""A reorganisation (DOMAIN §10.3): a merger or split applied as one reviewed change set, all or nothing.

Successors are created when their code is new (with the units the change set lists), predecessors
closed the day before the change's date with their codes kept as the successor's aliases, and their
open work, people, units, delegations and registers handed over or ended (``models.org.handover_repo``).
A dry run reports the same lines and changes nothing. The change set (JSON or YAML)::

    id: QĐ 1234/QĐ-UBND                  # named by every event (else a digest of the file)
    effective: 2025-07-01                # the successor's first day; predecessors end the day before
    changes:
      - successor:
          code: 000.00.02.H42            # an agency in force, or a new one with these fields:
          name: Sở Nội vụ tỉnh Ninh Bình
          abbreviation: SNV
          kind: so_nganh
          qd20_code: H42.02              # optional, like parent (a code) and place_name
          units:                         # optional: units created in the successor
            - {name: Văn phòng Sở, abbreviation: VP}
            - {name: "Phòng Tổ chức, biên chế", abbreviation: TCBM, parent: VP}
        predecessors: [000.00.02.H23, 000.00.19.H40]
        units:                           # optional: predecessor unit → successor unit (null: none)
          000.00.19.H40: {TCCB: TCBM, TTra: null}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from commands.admin import require_admin
from commands.organisation import check_scope, end_agency, new_agency, new_unit
from models.db import transaction
from models.errors import DomainError, NotFound
from models.org import handover_repo, repo
from models.org.rules import check_qcvn102, parse_day
from models.org.schema import AgencyInput, UnitInput
from models.org.tables import Agency
from models.registers.repo import incoming_register
from models.vocab import Role


class _DryRun(Exception):
    """Rolls the reorganisation's transaction back once its plan is written."""


def reorganise(engine: Engine, *, actor_id: int | None, roles: set[Role] | None, change_set: object,
               dry_run: bool) -> list[str]:
    """Apply a change set (DOMAIN §10.3); return the report, in Vietnamese.

    For each change, in one transaction for the whole set (everything or nothing):

    1. The successor: an agency in force, or created from ``effective`` if its code is new; the units
       its ``units`` list names are created in it.
    2. The unit map of each predecessor: each of its units in force goes to the successor unit the
       change's ``units`` map names (``null``: none), else to the successor's unit with the same
       abbreviation, else to none (its work is offered to the role across the successor).
    3. Open work handed over with its provenance (``handover_repo.hand_over_work``): open tasks to the
       mapped unit, documents in progress to the successor (drafts not yet issued take the successor's
       abbreviation in their ký hiệu; issued documents keep theirs), open hồ sơ change owner.
    4. People moved into their mapped unit; delegations of the predecessor's people ended
       (``handover_repo.end_delegations``: the powers they pass end with the agency).
    5. Units closed the day before ``effective``, each closing event keeping its successor unit, so
       later steps of running processes open in it (``dated_repo.answering_unit``) as they open in the
       successor (``dated_repo.answering_agency``); registers closed; the predecessor closed with its
       codes as the successor's aliases; the successor's incoming series opened.

    ``roles`` None is the operator on the server (``qlvb org reorganise``). The events name the change
    set by its ``id`` (else a digest of it). ``dry_run`` reports what would happen and changes nothing.
    """
    if roles is not None:
        require_admin(roles)
    if not isinstance(change_set, dict) or not isinstance(change_set.get("changes"), list) \
            or not change_set["changes"]:
        raise DomainError("org_bad_change_set", detail="cần «effective» và danh sách «changes» không rỗng")
    effective = parse_day(str(change_set.get("effective", "")), "effective", required=True)
    change_set_id = _change_set_id(change_set)
    lines: list[str] = [f"Bộ thay đổi {change_set_id}."]
    try:
        with transaction(engine) as session:
            if roles is not None and actor_id is not None:
                check_scope(session, actor_id, roles, None)
            for number, change in enumerate(change_set["changes"], start=1):
                lines += _apply_change(session, actor_id, _Change(number, change_set_id, effective), change)
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


@dataclass(frozen=True)
class _Change:
    """Which change of the set this is, and the set's facts every step needs."""

    number: int
    change_set_id: str
    effective: date

    @property
    def end(self) -> date:
        """The predecessors' last day."""
        return self.effective - timedelta(days=1)

    def refuse(self, detail: str) -> DomainError:
        """The refusal of a badly written change, naming it."""
        return DomainError("org_bad_change_set", detail=f"thay đổi thứ {self.number}: {detail}"[:400])


def _apply_change(session: Session, actor_id: int | None, change: _Change, raw: object) -> list[str]:
    spec = raw.get("successor") if isinstance(raw, dict) else None
    codes = raw.get("predecessors") if isinstance(raw, dict) else None
    if not isinstance(spec, dict) or not isinstance(codes, list) or not codes \
            or not all(isinstance(code, str) for code in codes):
        raise change.refuse("cần «successor» và «predecessors»")
    successor, lines = _successor(session, actor_id, change, spec)
    predecessors = []
    for code in codes:
        old = repo.agency_by_code(session, code.strip())
        if old is None:
            raise NotFound("agency_not_found", agency_code=code[:40])
        if old.id == successor.id:
            raise DomainError("org_bad_successor")
        predecessors.append(old)
    unit_maps = _unit_maps(session, change, raw.get("units"), predecessors, successor)
    for old in predecessors:
        lines += _hand_over(session, actor_id, change, old, successor, unit_maps[old.id])
    if successor.hosted:
        incoming_register(session, successor.id)
        lines.append(f"  {successor.name} mở sổ văn bản đến; số văn bản đi mở theo từng sổ khi cấp số đầu tiên.")
    return lines


def _successor(session: Session, actor_id: int | None, change: _Change, spec: dict) -> tuple[Agency, list[str]]:
    """The agency in force the change names, or the one it creates; with the units it lists."""
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
                               valid_from=change.effective.isoformat())
        except ValidationError:
            raise change.refuse(f"cơ quan mới {code} thiếu tên, tên viết tắt hoặc loại cơ quan hợp lệ") from None
        successor = new_agency(session, actor_id, form)
        lines.append(f"Thêm {successor.name} ({code}) từ ngày {change.effective:%d/%m/%Y}.")
    elif successor.valid_to is not None:
        raise DomainError("org_bad_successor")
    units = _successor_units(session, actor_id, change, successor, spec.get("units"))
    if units:
        lines.append(f"  Thêm {len(units)} đơn vị của {successor.name} từ ngày {change.effective:%d/%m/%Y}: "
                     f"{', '.join(units)}.")
    return successor, lines


_UNIT_FIELDS = {"name", "abbreviation", "parent"}


def _successor_units(session: Session, actor_id: int | None, change: _Change, successor: Agency,
                     wanted: object) -> list[str]:
    """Create the units the successor's ``units`` list names, in order (a ``parent`` is the abbreviation
    of a unit of the successor, listed earlier or already in force); audited with the change set."""
    if wanted is None:
        return []
    if not isinstance(wanted, list) or not all(isinstance(item, dict) and set(item) <= _UNIT_FIELDS
                                               for item in wanted):
        raise change.refuse("«units» của cơ quan tiếp nhận phải là danh sách đơn vị, mỗi đơn vị có «name», "
                            "«abbreviation» và có thể có «parent»")
    created = []
    for item in wanted:
        parent_id = None
        if item.get("parent") is not None:
            parents = {unit.abbreviation: unit.id for unit in repo.units_of(session, successor.id, current_only=True)}
            parent_id = parents.get(str(item["parent"]))
            if parent_id is None:
                raise change.refuse(f"không có đơn vị cấp trên «{str(item['parent'])[:40]}» ở {successor.name}")
        try:
            form = UnitInput(name=str(item.get("name", "")), abbreviation=str(item.get("abbreviation", "")),
                             parent_id=parent_id, valid_from=change.effective.isoformat())
        except ValidationError:
            raise change.refuse(f"đơn vị mới của {successor.name} có tên hoặc tên viết tắt quá dài") from None
        unit = new_unit(session, actor_id, successor, form, via="reorganisation", change_set=change.change_set_id)
        created.append(f"{unit.name} ({unit.abbreviation})")
    return created


def _unit_maps(session: Session, change: _Change, wanted: object, predecessors: list[Agency],
               successor: Agency) -> dict[int, dict[int, int | None]]:
    """Each predecessor's units in force → the successor unit taking their work (None: the successor as a
    whole): the one the change's ``units`` map names, else the successor's unit with the same abbreviation."""
    wanted = wanted or {}
    if not isinstance(wanted, dict) or not all(
            isinstance(pairs, dict) and all(isinstance(before, str) and (after is None or isinstance(after, str))
                                            for before, after in pairs.items()) for pairs in wanted.values()):
        raise change.refuse("«units» ghi theo mã từng cơ quan bị sắp xếp: {tên viết tắt đơn vị cũ: tên viết tắt "
                            "đơn vị mới, hoặc null}; đặt tên viết tắt trong dấu nháy nếu cần")
    by_code = {old.code: old for old in predecessors}
    for code in wanted:
        if code not in by_code:
            raise change.refuse(f"«units» nhắc tới mã {str(code)[:40]}, không phải cơ quan bị sắp xếp của thay đổi này")
    news = {unit.abbreviation: unit.id for unit in repo.units_of(session, successor.id, current_only=True)}
    maps = {}
    for old in predecessors:
        pairs = wanted.get(old.code) or {}
        olds = {unit.abbreviation: unit.id for unit in repo.units_of(session, old.id, current_only=True)}
        for before, after in pairs.items():
            if before not in olds:
                raise change.refuse(f"không có đơn vị «{before[:40]}» đang hoạt động ở {old.name}")
            if after is not None and after not in news:
                raise change.refuse(f"không có đơn vị «{after[:40]}» ở {successor.name}")
        maps[old.id] = {unit_id: news.get(pairs[abbreviation]) if abbreviation in pairs else news.get(abbreviation)
                        for abbreviation, unit_id in olds.items()}
    return maps


def _hand_over(session: Session, actor_id: int | None, change: _Change, old: Agency, successor: Agency,
               unit_map: dict[int, int | None]) -> list[str]:
    """Hand one predecessor over to the successor and close it; the report's lines for it."""
    mapped = _describe_unit_map(session, unit_map)
    handed = handover_repo.hand_over_work(session, old, successor, unit_map, change.change_set_id, actor_id)
    people = handover_repo.move_people(session, old.id, successor.id, unit_map, actor_id)
    delegations = handover_repo.end_delegations(session, old, successor, change.change_set_id, actor_id)
    units = handover_repo.close_open_units(session, old.id, change.end, unit_map, change.change_set_id, actor_id)
    registers = handover_repo.close_registers(session, old.id, actor_id)
    end_agency(session, actor_id, old, change.end, successor)
    lines = [f"Đóng {old.name} ({old.code}) sau ngày {change.end:%d/%m/%Y}; mã cũ chuyển thành mã của "
             f"{successor.name} từ ngày {change.effective:%d/%m/%Y}."]
    if mapped:
        lines.append(f"  Đơn vị nhận công việc: {'; '.join(mapped)}.")
    if handed.tasks or handed.documents or handed.records:
        lines.append(f"  Bàn giao cho {successor.name}: {handed.tasks} việc đang xử lý, {handed.documents} văn bản "
                     f"đang giải quyết, {len(handed.records)} hồ sơ đang mở"
                     + (f" ({', '.join(handed.records)})" if handed.records else "") + ".")
    if handed.notations:
        lines.append("  Dự thảo chưa ban hành mang ký hiệu của cơ quan tiếp nhận: "
                     + ", ".join(f"{before} → {after}" for before, after in sorted(handed.notations.items())) + ".")
    if people:
        lines.append(f"  Chuyển {len(people)} tài khoản sang {successor.name}: {', '.join(people)}.")
    if delegations:
        lines.append(f"  Chấm dứt {len(delegations)} ủy quyền (thẩm quyền ủy quyền chấm dứt cùng {old.name}; "
                     f"lãnh đạo {successor.name} ủy quyền lại nếu cần): {'; '.join(delegations)}.")
    if units:
        lines.append(f"  Đóng {len(units)} đơn vị: {', '.join(units)}.")
    if registers:
        lines.append(f"  Khóa sổ: {', '.join(registers)}.")
    return lines


def _describe_unit_map(session: Session, unit_map: dict[int, int | None]) -> list[str]:
    """``Văn phòng Sở (VP) → Văn phòng (VP)`` for each unit of the map, in Vietnamese."""
    described = []
    for old_id, new_id in unit_map.items():
        old = repo.unit_by_id(session, old_id)
        new = repo.unit_by_id(session, new_id) if new_id is not None else None
        described.append(f"{old.name} ({old.abbreviation}) → "
                         + (f"{new.name} ({new.abbreviation})" if new else "cả cơ quan (không có đơn vị tương ứng)"))
    return sorted(described)
