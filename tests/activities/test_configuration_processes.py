"""The process version an agency binds, on SQLite and PostgreSQL.

After an administrator binds a deployed version, the agency's new incoming documents (uploaded,
delivered from another agency) and its submitted drafts start their workflows pinned to it, while
other agencies keep the newest version; an unknown, undeployed, wrong-direction or foreign
version is refused in Vietnamese and changes nothing; every change is audited with before/after.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from commands import admin as admin_commands
from commands import configuration_processes as binding_commands
from commands.drafting import _submission
from commands.intake import _register_incoming, parse_metadata
from models.audit import AuditEvent
from models.db import reading, transaction, utcnow
from models.documents.tables import Document
from models.errors import DomainError, Forbidden
from models.outgoing.delivery import deliver
from models.processes import repo as definition_repo
from models.processes.schema import DEFAULT_INCOMING
from models.processes.tables import ProcessBinding, ProcessDefinition
from models.vocab import DefinitionStatus, DocumentSource
from tests.helpers import actor_of, agency_admin, make_settings, rows, sample_metadata, user_and_roles
from tests.outgoing_helpers import draft_document
from web.messages import field_errors, message_of

SNV = "000.00.02.H23"
OFFICE = "000.00.01.H23"

SHORT_OUTGOING = {"key": "outgoing-tat", "kind": "outgoing", "title": "Ký và ban hành ngay", "steps": [
    {"kind": "sign", "id": "ky_so", "return_to": "draft"},
    {"kind": "issue", "id": "ban_hanh", "candidate_role": "van_thu", "working_days": 0}]}


def _deploy(engine, body: dict) -> tuple[str, int]:
    key, version, _ = admin_commands.deploy_process(engine, **actor_of(engine, "admin"), body_text=json.dumps(body))
    return key, version


def _incoming_v2(engine) -> None:
    body = DEFAULT_INCOMING.model_dump(mode="json")
    body["steps"][2]["working_days"] = 3
    assert _deploy(engine, body) == ("incoming-standard", 2)


def _received_by(engine, clerk: str):
    user, _ = user_and_roles(engine, clerk)
    _, start = _register_incoming(engine, user, parse_metadata(sample_metadata()), "ab" * 32, 100, "cv.pdf", 1,
                                  DocumentSource.UPLOAD, False, "")
    return start.process_key, start.process_version


def _state(engine):
    with reading(engine) as session:
        bindings = sorted((b.agency_id, b.direction, b.key, b.version) for b in session.exec(select(ProcessBinding)))
        return bindings, len(session.exec(select(AuditEvent)).all())


def test_new_incoming_documents_of_an_agency_start_with_the_version_it_bound(seeded, tmp_path):
    engine = seeded
    _incoming_v2(engine)
    office_admin, snv_admin = agency_admin(engine, OFFICE, "admin.vp"), agency_admin(engine)
    view = binding_commands.bind_process(engine, **office_admin, agency_code=OFFICE, direction="incoming",
                                         key="incoming-standard", version=1)
    assert (view.bound, view.key, view.version) == (True, "incoming-standard", 1)
    assert _received_by(engine, "vanthu") == ("incoming-standard", 1)
    assert _received_by(engine, "vanthu.snv") == ("incoming-standard", 2)  # another agency: the newest

    # A document another agency delivers is pinned to the recipient's binding.
    binding_commands.bind_process(engine, **snv_admin, agency_code=SNV, direction="incoming",
                                  key="incoming-standard", version=1)
    draft = draft_document(engine, make_settings(tmp_path, "unused"))  # Văn phòng → Sở Nội vụ
    with transaction(engine) as session:
        delivered = deliver(session, session.get(Document, draft.id), utcnow()).received
        assert [(d.process_key, d.process_version) for d in delivered] == [("incoming-standard", 1)]

    # Unbound, the agency follows the newest version again.
    view = binding_commands.unbind_process(engine, **office_admin, agency_code=OFFICE, direction="incoming")
    assert (view.bound, view.key, view.version) == (False, "incoming-standard", 2)
    assert _received_by(engine, "vanthu") == ("incoming-standard", 2)
    events = sorted(rows(engine, AuditEvent, AuditEvent.code.like("config.process_%")), key=lambda e: e.id)
    assert [(e.code, e.data["agency"], e.data["before"], e.data["after"]) for e in events] == [
        ("config.process_bound", OFFICE, None, {"key": "incoming-standard", "version": 1}),
        ("config.process_bound", SNV, None, {"key": "incoming-standard", "version": 1}),
        ("config.process_unbound", OFFICE, {"key": "incoming-standard", "version": 1}, None)]


def test_submitted_drafts_start_with_the_bound_outgoing_version_when_it_serves_their_type(seeded, tmp_path):
    engine = seeded
    office_admin = agency_admin(engine, OFFICE, "admin.vp")
    assert _deploy(engine, SHORT_OUTGOING) == ("outgoing-tat", 1)
    listed = {b.direction: b for b in binding_commands.list_bindings(engine, **office_admin, agency_code=OFFICE)}
    assert {(c.key, c.version) for c in listed["outgoing"].choices} == {("outgoing-standard", 1),
                                                                         ("outgoing-tat", 1)}
    assert not listed["outgoing"].bound
    binding_commands.bind_process(engine, **office_admin, agency_code=OFFICE, direction="outgoing",
                                  key="outgoing-tat", version=1)
    drafter, roles = user_and_roles(engine, "chuyenvien")
    draft = draft_document(engine, make_settings(tmp_path, "unused"))
    start, _ = _submission(engine, drafter, roles, draft.id, [])
    assert (start.process_key, start.process_version) == ("outgoing-tat", 1)
    with reading(engine) as session:
        assert definition_repo.outgoing_process_for(session, SNV, "Công văn").key == "outgoing-standard"

    # A bound definition written for some types serves only those; the others follow the default
    # (the general definitions tie, and the first key in alphabetical order wins).
    assert _deploy(engine, {**SHORT_OUTGOING, "key": "outgoing-tat-quyet-dinh", "doc_types": ["Quyết định"]}) == (
        "outgoing-tat-quyet-dinh", 1)
    binding_commands.bind_process(engine, **office_admin, agency_code=OFFICE, direction="outgoing",
                                  key="outgoing-tat-quyet-dinh", version=1)
    with reading(engine) as session:
        assert definition_repo.outgoing_process_for(session, OFFICE, "Quyết định").key == "outgoing-tat-quyet-dinh"
        assert definition_repo.outgoing_process_for(session, OFFICE, "Công văn").key == "outgoing-standard"
    changed = rows(engine, AuditEvent, AuditEvent.code == "config.process_bound",
                   AuditEvent.subject_id == f"{OFFICE}:outgoing")
    assert sorted((e.data["before"] or {}).get("key", "") for e in changed) == ["", "outgoing-tat"]


def test_a_bound_version_retired_later_no_longer_starts_workflows(seeded):
    engine = seeded
    _incoming_v2(engine)
    office_admin = agency_admin(engine, OFFICE, "admin.vp")
    binding_commands.bind_process(engine, **office_admin, agency_code=OFFICE, direction="incoming",
                                  key="incoming-standard", version=1)
    with transaction(engine) as session:
        row = definition_repo.definition_version(session, "incoming-standard", 1)
        row.status = DefinitionStatus.RETIRED
        session.add(row)
    assert _received_by(engine, "vanthu") == ("incoming-standard", 2)


def test_unknown_undeployed_and_unsuitable_versions_are_refused_in_vietnamese_and_change_nothing(seeded):
    engine = seeded
    _incoming_v2(engine)
    office_admin, snv_admin = agency_admin(engine, OFFICE, "admin.vp"), agency_admin(engine)
    _deploy(engine, {**SHORT_OUTGOING, "key": "outgoing-tat-so-noi-vu", "agencies": [SNV]})
    with transaction(engine) as session:
        session.add(ProcessDefinition(key="incoming-nhap", version=1, status=DefinitionStatus.DRAFT,
                                      body=DEFAULT_INCOMING.model_dump(mode="json"), checksum="0" * 64))
    before = _state(engine)
    cases = [
        ("incoming", "incoming-standard", 99, "process_version_unknown",
         "Không có quy trình “incoming-standard” phiên bản 99"),
        ("incoming", "khong-co", 1, "process_version_unknown", "Không có quy trình “khong-co”"),
        ("incoming", "incoming-nhap", 1, "process_version_not_deployed", "chưa được ban hành"),
        ("incoming", "outgoing-standard", 1, "process_wrong_direction", "dành cho chiều văn bản khác"),
        ("outgoing", "incoming-standard", 2, "process_wrong_direction", "dành cho chiều văn bản khác"),
        ("outgoing", "outgoing-tat-so-noi-vu", 1, "process_not_for_agency", "không áp dụng cho Văn phòng"),
        ("ngang", "incoming-standard", 1, "invalid_fields", "Văn bản đến hay đi: giá trị không hợp lệ"),
        ("incoming", "  ", 1, "invalid_fields", "Mã quy trình: bắt buộc nhập"),
        ("incoming", "incoming-standard", 0, "invalid_fields", "Phiên bản quy trình: giá trị không hợp lệ"),
    ]
    for direction, key, version, code, words in cases:
        with pytest.raises(DomainError) as refused:
            binding_commands.bind_process(engine, **office_admin, agency_code=OFFICE, direction=direction, key=key,
                                          version=version)
        said = message_of(refused.value) + " " + " ".join(field_errors(refused.value).values())
        assert refused.value.code == code and words in said, said
    for call in (
        lambda: binding_commands.bind_process(engine, **snv_admin, agency_code=OFFICE, direction="incoming",
                                              key="incoming-standard", version=1),
        lambda: binding_commands.unbind_process(engine, **snv_admin, agency_code=OFFICE, direction="incoming"),
        lambda: binding_commands.list_bindings(engine, **snv_admin, agency_code=OFFICE),
        lambda: binding_commands.list_bindings(engine, **actor_of(engine, "lanhdao"), agency_code=OFFICE),
    ):
        with pytest.raises(Forbidden):
            call()
    # Binding what is already bound, or unbinding nothing, records nothing either.
    binding_commands.unbind_process(engine, **office_admin, agency_code=OFFICE, direction="incoming")
    assert _state(engine) == before
