"""Document types and registers an administrator configures, on SQLite and PostgreSQL.

The province's administrator adds, renames and deactivates types (a deactivated type is no longer
offered for new drafts); an agency's administrator opens, renames and closes its own registers
only; bad input is refused in Vietnamese and changes nothing; every write is audited.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from commands import configuration as config_commands
from commands import configuration_types as type_commands
from commands.drafting import _plan_draft, parse_draft_form
from models.audit import AuditEvent
from models.db import reading, transaction, utcnow
from models.documents.types import DocumentType
from models.documents.types_repo import active_types
from models.errors import DomainError, Forbidden
from models.org.tables import User
from models.registers import repo as register_repo
from models.registers.numbering import register_year
from models.registers.tables import Register, RegisterCounter
from tests.helpers import actor_of, agency_admin, rows
from web.messages import field_errors, message_of

SNV = "000.00.02.H23"
OFFICE = "000.00.01.H23"


def _state(engine):
    with reading(engine) as session:
        types = sorted((t.id, t.name, t.code, t.active) for t in session.exec(select(DocumentType)))
        registers = sorted((r.id, r.name, tuple(r.doc_types), r.active) for r in session.exec(select(Register)))
        return types, registers, len(session.exec(select(AuditEvent)).all())


def _offered(engine) -> set[str]:
    with reading(engine) as session:
        return {t.name for t in active_types(session)}


def _plan(engine, type_id):
    with transaction(engine) as session:
        user = session.exec(select(User).where(User.username == "chuyenvien")).one()
        signer = session.exec(select(User).where(User.username == "lanhdao")).one()
        form = parse_draft_form({"doc_type_id": type_id, "subject": "Về việc thử", "signer_id": signer.id,
                                 "recipient_codes": ["000.00.00.G22"]})
        return _plan_draft(session, user, form)


def _codes(engine, prefix="config."):
    """The audit codes in the order they were recorded (a bare SELECT has no order on PostgreSQL)."""
    return [e.code for e in sorted(rows(engine, AuditEvent), key=lambda e: e.id) if e.code.startswith(prefix)]


def test_a_type_created_renamed_and_deactivated_is_offered_then_not_when_drafting(seeded):
    engine = seeded
    admin = actor_of(engine, "admin")
    created = type_commands.create_type(engine, **admin, name="Bản tin nội bộ", code="BTNB")
    assert "Bản tin nội bộ" in _offered(engine)
    renamed = type_commands.change_type(engine, **admin, type_id=created.id, name="Phương án ứng phó",
                                          code="PAUP")
    assert renamed.name == "Phương án ứng phó" and renamed.series_key == "PAUP"
    assert "Phương án ứng phó" in _offered(engine) and "Bản tin nội bộ" not in _offered(engine)
    type_commands.set_type_active(engine, **admin, type_id=created.id, active=False)
    assert "Phương án ứng phó" not in _offered(engine)
    with pytest.raises(DomainError) as refused:
        _plan(engine, created.id)
    assert refused.value.params["errors"] == [{"field": "doc_type_id", "type": "invalid", "ctx": {}}]
    with reading(engine) as session:
        assert session.get(DocumentType, created.id) is not None  # never deleted
    type_commands.set_type_active(engine, **admin, type_id=created.id, active=True)
    assert "Phương án ứng phó" in _offered(engine)
    assert _codes(engine) == ["config.type_created", "config.type_changed", "config.type_deactivated",
                              "config.type_activated"]
    changed = rows(engine, AuditEvent, AuditEvent.code == "config.type_changed")[0]
    assert changed.data["before"] == {"name": "Bản tin nội bộ", "code": "BTNB"}


def test_bad_type_input_is_refused_in_vietnamese_and_changes_nothing(seeded):
    engine = seeded
    admin = actor_of(engine, "admin")
    existing = type_commands.create_type(engine, **admin, name="Bản tin nội bộ", code="BTNB")
    before = _state(engine)
    cases = [
        ({"name": "Quyết định", "code": "QDX"}, "config_type_name_taken", "Đã có loại văn bản tên"),
        ({"name": "Loại mới", "code": "QĐ"}, "config_type_code_taken", "Ký hiệu “QĐ” đã được dùng"),
        ({"name": "Loại mới", "code": "q-1"}, "invalid_fields", "Ký hiệu tên loại: phải bắt đầu bằng chữ in hoa"),
        ({"name": "Loại\u202emới", "code": "LM"}, "invalid_fields", "Tên: chứa ký tự đảo chiều"),
        ({"name": "   ", "code": "LM"}, "invalid_fields", "Tên: bắt buộc nhập"),
    ]
    for values, code, text in cases:
        with pytest.raises(DomainError) as refused:
            type_commands.create_type(engine, **admin, **values)
        said = message_of(refused.value) + " " + " ".join(field_errors(refused.value).values())
        assert refused.value.code == code and text in said, said
    with pytest.raises(DomainError) as refused:
        type_commands.change_type(engine, **admin, type_id=existing.id, name="Kế hoạch")
    assert refused.value.code == "config_type_name_taken"
    assert _state(engine) == before


def test_an_agency_administrator_may_not_change_the_province_wide_types(seeded):
    engine = seeded
    snv_admin = agency_admin(engine)
    before = _state(engine)
    assert type_commands.list_types(engine, **snv_admin)  # reads them
    with pytest.raises(Forbidden) as refused:
        type_commands.create_type(engine, **snv_admin, name="Bản tin nội bộ", code="BTNB")
    assert "quản trị hệ thống cấp tỉnh" in message_of(refused.value)
    assert _state(engine) == before


def test_a_register_is_created_renamed_and_closed_and_keeps_its_numbers(seeded):
    engine = seeded
    snv_admin = agency_admin(engine)
    created = config_commands.create_register(engine, **snv_admin, agency_code=SNV, kind="outgoing",
                                              name="Sổ quyết định", doc_types=["QĐ"])
    assert created.doc_types == ["QĐ"] and created.active
    with transaction(engine) as session:
        qd = session.exec(select(DocumentType).where(DocumentType.name == "Quyết định")).one()
        assert register_repo.outgoing_register_for(session, created_agency(session), qd).id == created.id
        # numbers handed out this year
        session.add(RegisterCounter(register_id=created.id, year=register_year(utcnow()), last_number=3))
    renamed = config_commands.rename_register(engine, **snv_admin, register_id=created.id,
                                              name="Sổ quyết định cá biệt")
    assert renamed.name == "Sổ quyết định cá biệt"
    before = _state(engine)
    with pytest.raises(DomainError) as refused:
        config_commands.close_register(engine, **snv_admin, register_id=created.id)
    assert refused.value.code == "config_register_in_use"
    assert "Dãy số phải liên tục trong năm" in message_of(refused.value)
    assert _state(engine) == before
    config_commands.create_register(engine, **snv_admin, agency_code=SNV, kind="outgoing",
                                    name="Sổ quyết định (tiếp)", doc_types=["QĐ"])
    closed = config_commands.close_register(engine, **snv_admin, register_id=created.id)
    assert not closed.active
    with transaction(engine) as session:
        assert session.get(RegisterCounter, (created.id, register_year(utcnow()))).last_number == 3
        qd = session.exec(select(DocumentType).where(DocumentType.name == "Quyết định")).one()
        assert register_repo.outgoing_register_for(session, created_agency(session), qd).name == \
            "Sổ quyết định (tiếp)"
    names = [r.name for r in config_commands.list_registers(engine, **snv_admin, agency_code=SNV)]
    assert "Sổ quyết định cá biệt" in names  # closed, never deleted
    assert _codes(engine) == ["config.register_created", "config.register_renamed", "config.register_created",
                              "config.register_closed"]


def created_agency(session, code=SNV):
    from models.org import repo as account_repo
    return account_repo.agency_by_code(session, code).id


def test_an_agency_administrator_is_refused_on_another_agency_and_bad_registers_change_nothing(seeded):
    engine = seeded
    snv_admin = agency_admin(engine)
    office_register = config_commands.create_register(engine, **actor_of(engine, "admin"), agency_code=OFFICE,
                                                      kind="outgoing", name="Sổ kế hoạch", doc_types=["KH"])
    with transaction(engine) as session:
        incoming = register_repo.incoming_register(session, created_agency(session))
    before = _state(engine)
    for call in (
        lambda: config_commands.create_register(engine, **snv_admin, agency_code=OFFICE, kind="outgoing",
                                                name="Sổ lạ", doc_types=["KH"]),
        lambda: config_commands.rename_register(engine, **snv_admin, register_id=office_register.id, name="X"),
        lambda: config_commands.close_register(engine, **snv_admin, register_id=office_register.id),
        lambda: config_commands.list_registers(engine, **snv_admin, agency_code=OFFICE),
    ):
        with pytest.raises(Forbidden):
            call()
    refusals = [
        ({"kind": "outgoing", "name": "Sổ lạ", "doc_types": ["KHÔNGCÓ"]}, "invalid_fields"),
        ({"kind": "outgoing", "name": "Sổ lạ", "doc_types": []}, "invalid_fields"),
        ({"kind": "monthly", "name": "Sổ lạ", "doc_types": ["KH"]}, "invalid_fields"),
        ({"kind": "outgoing", "name": "Sổ\x07lạ", "doc_types": ["KH"]}, "invalid_fields"),
    ]
    for values, code in refusals:
        with pytest.raises(DomainError) as refused:
            config_commands.create_register(engine, **snv_admin, agency_code=SNV, **values)
        assert refused.value.code == code and field_errors(refused.value)
    with pytest.raises(DomainError) as refused:
        config_commands.close_register(engine, **snv_admin, register_id=incoming.id)
    assert refused.value.code == "config_register_default" and "sổ mặc định" in message_of(refused.value)
    assert _state(engine) == before


# --- an agency's own document types and its choices among the province's ----------------------

def _offered_to(engine, code) -> set[str]:
    with reading(engine) as session:
        return {t.name for t in active_types(session, created_agency(session, code))}


def _type_id(engine, name) -> int:
    with reading(engine) as session:
        return session.exec(select(DocumentType.id).where(DocumentType.name == name)).one()


def test_an_agency_turns_a_province_type_off_for_its_own_drafters_only(seeded):
    engine = seeded
    office_admin = agency_admin(engine, OFFICE, "admin.vp")
    plan = _type_id(engine, "Kế hoạch")
    turned = type_commands.set_type_offered(engine, **office_admin, agency_code=OFFICE, type_id=plan,
                                            offered=False)
    assert turned.offered is False and turned.active is True
    assert "Kế hoạch" not in _offered_to(engine, OFFICE) and "Kế hoạch" in _offered_to(engine, SNV)
    assert "Kế hoạch" in _offered(engine)  # the province's list itself is untouched
    with pytest.raises(DomainError) as refused:
        _plan(engine, plan)  # chuyenvien drafts for the Văn phòng
    assert refused.value.params["errors"] == [{"field": "doc_type_id", "type": "invalid", "ctx": {}}]
    listed = {t.name: t.offered for t in type_commands.list_types(engine, **office_admin, agency_code=OFFICE)}
    assert listed["Kế hoạch"] is False and listed["Quyết định"] is True
    # The same choice again records nothing; turning it on again offers it again.
    type_commands.set_type_offered(engine, **office_admin, agency_code=OFFICE, type_id=plan, offered=False)
    type_commands.set_type_offered(engine, **office_admin, agency_code=OFFICE, type_id=plan, offered=True)
    assert "Kế hoạch" in _offered_to(engine, OFFICE)
    assert _plan(engine, plan).notation.startswith("KH-")
    events = rows(engine, AuditEvent, AuditEvent.code.in_(["config.type_turned_off", "config.type_offered"]))
    assert [(e.code, e.data["agency"], e.data["before"], e.data["after"]) for e in sorted(events, key=lambda e: e.id)] == [
        ("config.type_turned_off", OFFICE, {"offered": True}, {"offered": False}),
        ("config.type_offered", OFFICE, {"offered": False}, {"offered": True})]


def test_an_agency_adds_a_type_of_its_own_numbered_in_its_own_series(seeded):
    engine = seeded
    office_admin, snv_admin = agency_admin(engine, OFFICE, "admin.vp"), agency_admin(engine)
    own = type_commands.create_type(engine, **office_admin, agency_code=OFFICE, name="Giấy phép hoạt động",
                                    code="GPHĐ", own_series=True)
    assert (own.agency_code, own.series_key, own.offered) == (OFFICE, "GPHĐ", True)
    assert "Giấy phép hoạt động" in _offered_to(engine, OFFICE) and "Giấy phép hoạt động" not in _offered_to(engine, SNV)
    assert "Giấy phép hoạt động" not in _offered(engine)  # not on the province's list
    assert _plan(engine, own.id).notation.startswith("GPHĐ-")
    with transaction(engine) as session:
        register = register_repo.outgoing_register_for(session, created_agency(session, OFFICE),
                                                       session.get(DocumentType, own.id))
        assert (register.name, register.doc_types) == ("Sổ đăng ký Giấy phép hoạt động", ["GPHĐ"])
    # Another agency may use the same abbreviation for a type of its own, never the same name.
    other = type_commands.create_type(engine, **snv_admin, agency_code=SNV, name="Giấy phép tổ chức hội",
                                      code="GPHĐ")
    assert other.series_key == "GPHĐ"
    assert "Giấy phép tổ chức hội" not in _offered_to(engine, OFFICE)
    renamed = type_commands.change_type(engine, **office_admin, type_id=own.id, name="Giấy phép hoạt động in ấn")
    assert renamed.name == "Giấy phép hoạt động in ấn"
    type_commands.set_type_active(engine, **office_admin, type_id=own.id, active=False)
    assert "Giấy phép hoạt động in ấn" not in _offered_to(engine, OFFICE)
    codes = _codes(engine)
    assert codes == ["config.type_created", "config.register_created", "config.type_created",
                     "config.type_changed", "config.type_deactivated"]
    created = rows(engine, AuditEvent, AuditEvent.code == "config.type_created")[0]
    assert created.data["agency"] == OFFICE and created.data["before"] is None
    assert created.data["after"] == {"name": "Giấy phép hoạt động", "code": "GPHĐ", "own_series": True}


def test_bad_agency_type_input_and_reaching_another_agency_are_refused_and_change_nothing(seeded):
    engine = seeded
    office_admin, snv_admin = agency_admin(engine, OFFICE, "admin.vp"), agency_admin(engine)
    own = type_commands.create_type(engine, **office_admin, agency_code=OFFICE, name="Giấy phép hoạt động",
                                    code="GPHĐ")
    before = _state(engine)
    cases = [
        (lambda: type_commands.create_type(engine, **office_admin, agency_code=OFFICE, name="Giấy phép hoạt động",
                                           code="GP"), "config_type_name_taken", "Đã có loại văn bản tên"),
        (lambda: type_commands.create_type(engine, **snv_admin, agency_code=SNV, name="Quyết định",
                                           code="QDX"), "config_type_name_taken", "tên không được trùng"),
        (lambda: type_commands.create_type(engine, **office_admin, agency_code=OFFICE, name="Giấy báo",
                                           code="KH"), "config_type_code_taken", "Ký hiệu “KH” đã được dùng"),
        (lambda: type_commands.create_type(engine, **office_admin, agency_code=OFFICE, name="Giấy báo",
                                           code="", own_series=True), "invalid_fields",
         "Ký hiệu tên loại: cần có để đánh số riêng"),
        (lambda: type_commands.create_type(engine, **office_admin, agency_code=OFFICE, name="Nghị quyết riêng",
                                           code="NQR", legal_normative=True), "invalid_fields",
         "Văn bản quy phạm pháp luật: giá trị không hợp lệ"),
        (lambda: type_commands.create_type(engine, **actor_of(engine, "admin"), agency_code="000.00.20.H23",
                                           name="Giấy báo", code="GB"), "config_agency_not_configurable",
         "đã thôi hoạt động"),
        (lambda: type_commands.create_type(engine, **actor_of(engine, "admin"), agency_code="000.00.00.G22",
                                           name="Giấy báo", code="GB"), "config_agency_not_configurable",
         "không thuộc hệ thống này"),
        (lambda: type_commands.set_type_offered(engine, **office_admin, agency_code=OFFICE, type_id=own.id,
                                                offered=False), "config_type_not_province", "loại văn bản riêng"),
        # The province cannot add a type whose abbreviation an agency's own type already numbers under.
        (lambda: type_commands.create_type(engine, **actor_of(engine, "admin"), name="Giấy phép", code="GPHĐ"),
         "config_type_code_taken", "Ký hiệu “GPHĐ” đã được dùng"),
    ]
    for call, code, words in cases:
        with pytest.raises(DomainError) as refused:
            call()
        said = message_of(refused.value) + " " + " ".join(field_errors(refused.value).values())
        assert refused.value.code == code and words in said, said
    plan = _type_id(engine, "Kế hoạch")
    for call in (
        lambda: type_commands.change_type(engine, **snv_admin, type_id=own.id, name="Của Sở"),
        lambda: type_commands.set_type_active(engine, **snv_admin, type_id=own.id, active=False),
        lambda: type_commands.set_type_offered(engine, **snv_admin, agency_code=OFFICE, type_id=plan,
                                               offered=False),
        lambda: type_commands.create_type(engine, **snv_admin, agency_code=OFFICE, name="Giấy báo", code="GB"),
        lambda: type_commands.list_types(engine, **snv_admin, agency_code=OFFICE),
        lambda: type_commands.change_type(engine, **office_admin, type_id=plan, name="Kế hoạch năm"),
    ):
        with pytest.raises(Forbidden) as refused:
            call()
        assert message_of(refused.value)
    assert _state(engine) == before
