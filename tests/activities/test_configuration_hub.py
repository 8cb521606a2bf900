"""Hub settings, on SQLite and PostgreSQL: the installation's connection is shown without its secret;
an agency's administrator sets the agency's identity on the hub, which the packages it sends from
then on carry; bad input is refused in Vietnamese and changes nothing; every change is audited."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from pydantic import SecretStr
from sqlmodel import select

from commands import configuration_hub as hub_commands
from models.audit import AuditEvent
from models.db import reading, transaction
from models.documents.file_store import FileStore
from models.documents.tables import Document
from models.errors import DomainError, Forbidden
from models.exchange import outbox as hub_outbox
from models.exchange.edxml.parse import parse_package
from models.exchange.edxml.validate import check
from models.exchange.tables import HubIdentity, HubOutbox
from models.outgoing import repo as outgoing_repo
from tests.helpers import actor_of, agency_admin, make_settings, rows
from tests.outgoing_helpers import draft_document
from web.messages import field_errors, message_of

OFFICE = "000.00.01.H23"
OUTSIDE = "000.00.00.G22"  # Văn phòng Chính phủ, reached through the hub
IDENTITY = {"organization_in_charge": "Ủy ban nhân dân tỉnh Hà Nam", "organ_add": "Số 1 đường Trần Phú, Phủ Lý",
            "email": "vanthu@hanam.gov.vn", "telephone": "(0226) 3852 701", "fax": "0226 3852 702",
            "website": "https://hanam.gov.vn"}


def _state(engine):
    with reading(engine) as session:
        identities = [(i.agency_id, i.email, i.telephone, i.website) for i in session.exec(select(HubIdentity))]
        return identities, len(session.exec(select(AuditEvent)).all())


def test_the_connection_is_shown_and_its_secret_never(tmp_path):
    secret = "bi-mat-cua-truc-123"
    shown = hub_commands.connection(make_settings(tmp_path, "q").model_copy(update={
        "hub_secret": SecretStr(secret), "hub_url": "https://truc.example.gov.vn/vdxp", "hub_system_id": "tinh-ha-nam"}))
    assert (shown.endpoint, shown.simulator, shown.system_id, shown.secret_source) == (
        "https://truc.example.gov.vn/vdxp", False, "tinh-ha-nam", "environment")
    assert secret not in json.dumps(asdict(shown), ensure_ascii=False)
    unset = hub_commands.connection(make_settings(tmp_path, "q"))
    assert (unset.simulator, unset.secret_source) == (True, "missing")
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "systems.json").write_text('{"systems": []}')
    assert hub_commands.connection(make_settings(tmp_path, "q")).secret_source == "simulator"


def test_the_packages_an_agency_sends_carry_the_identity_its_administrator_set(seeded, tmp_path):
    engine = seeded
    office_admin = agency_admin(engine, OFFICE, "admin.vp")
    assert hub_commands.hub_identity(engine, **office_admin, agency_code=OFFICE).email == ""
    view = hub_commands.change_hub_identity(engine, **office_admin, agency_code=OFFICE,
                                            values={**IDENTITY, "email": "  vanthu@hanam.gov.vn "})
    assert (view.agency_code, view.email, view.qd20_code) == (OFFICE, "vanthu@hanam.gov.vn", "H23.01")

    # A status package (03) to an agency outside; it answers no stored document here, so only its
    # ResponseFor is incomplete: the From the identity fills must be valid.
    with transaction(engine) as session:
        row = HubOutbox(message_type="status", dedup_key="status:thu", from_code=OFFICE, to_code=OUTSIDE,
                        status_code="03", description="Đã tiếp nhận", staff_name="Nguyễn Thị Thu")
        session.add(row)
        session.flush()
        report = check(hub_outbox.status_package(session, row), outgoing=True)
    assert report.package is not None and not [p for p in report.errors if p.path.startswith("From")], report.errors
    sender = report.package.sender
    assert (sender.organ_id, sender.organization_in_charge, sender.organ_add, sender.email, sender.telephone,
            sender.fax, sender.website) == (OFFICE, *IDENTITY.values())

    settings = make_settings(tmp_path, "unused")  # an issued document's package to the same agency
    draft = draft_document(engine, settings, outside_codes=(OUTSIDE,))
    with transaction(engine) as session:
        outside = [r for r in outgoing_repo.recipients_of(session, draft.id) if r.organ_id == OUTSIDE]
        package = hub_outbox.document_package(session, session.get(Document, draft.id), outside,
                                              FileStore(settings.files_dir).read)
    assert parse_package(package).package.sender.email == "vanthu@hanam.gov.vn"

    # The same values again record nothing; a change records the fields that changed.
    hub_commands.change_hub_identity(engine, **office_admin, agency_code=OFFICE, values=IDENTITY)
    hub_commands.change_hub_identity(engine, **office_admin, agency_code=OFFICE, values={**IDENTITY, "fax": ""})
    events = sorted(rows(engine, AuditEvent, AuditEvent.code == "config.hub_identity_changed"), key=lambda e: e.id)
    assert [e.data["fields"] for e in events] == [sorted(IDENTITY), ["fax"]]
    assert events[0].data["before"]["email"] == "" and events[0].data["after"]["email"] == "vanthu@hanam.gov.vn"
    assert (events[1].data["before"], events[1].data["after"]) == ({"fax": "0226 3852 702"}, {"fax": ""})


def test_bad_identities_and_other_agencies_are_refused_and_change_nothing(seeded):
    engine = seeded
    office_admin, snv_admin = agency_admin(engine, OFFICE, "admin.vp"), agency_admin(engine)
    hub_commands.change_hub_identity(engine, **office_admin, agency_code=OFFICE, values=IDENTITY)
    before = _state(engine)
    cases = [
        ({"email": "vanthu.hanam.gov.vn"}, "email", "Thư điện tử: không đúng dạng địa chỉ thư điện tử"),
        ({"telephone": "gọi văn thư"}, "telephone", "Điện thoại: chỉ gồm chữ số"),
        ({"fax": "0226\n3852"}, "fax", "Fax: chứa ký tự điều khiển"),
        ({"website": "hanam.gov.vn"}, "website", "Trang thông tin điện tử: phải bắt đầu bằng http://"),
        ({"organ_add": "x" * 501}, "organ_add", "Địa chỉ: quá dài"),
        ({"organization_in_charge": "UBND\u202etỉnh"}, "organization_in_charge", "Cơ quan chủ quản: chứa ký tự đảo"),
    ]
    for change, field, words in cases:
        with pytest.raises(DomainError) as refused:
            hub_commands.change_hub_identity(engine, **office_admin, agency_code=OFFICE,
                                             values={**IDENTITY, "email": "moi@hanam.gov.vn", **change})
        errors = field_errors(refused.value)
        assert refused.value.code == "invalid_fields" and list(errors) == [field] and words in errors[field], errors
    with pytest.raises(DomainError) as refused:
        hub_commands.change_hub_identity(engine, **actor_of(engine, "admin"), agency_code=OUTSIDE, values=IDENTITY)
    assert "không thuộc hệ thống này" in message_of(refused.value)
    for call in (
        lambda: hub_commands.change_hub_identity(engine, **snv_admin, agency_code=OFFICE, values={}),
        lambda: hub_commands.hub_identity(engine, **snv_admin, agency_code=OFFICE),
        lambda: hub_commands.hub_identity(engine, **actor_of(engine, "vanthu"), agency_code=OFFICE),
    ):
        with pytest.raises(Forbidden):
            call()
    assert _state(engine) == before
