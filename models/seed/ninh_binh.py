"""The organisation in force today: the merged province of Ninh Bình (DOMAIN §10.2).

NQ 202/2025 merged Hà Nam, Nam Định and Ninh Bình into one province named Ninh Bình from
1/7/2025, and the two-tier reform removed the district level the same day. The merged province
keeps Ninh Bình's level-1 code **H42**; Hà Nam's **H23** closes (QĐ 09/2025, [INFERRED] in
DOMAIN §10.2). This profile seeds:

* the province in force: UBND tỉnh ``000.00.00.H42``, its Văn phòng ``000.00.01.H42``, the sở, and
  communes and wards under the province (Phường Phủ Lý, Phường Hà Nam …);
* the former Hà Nam tree (``models.seed.data.AGENCIES``, H23) closed on 30/6/2025, as history:
  each old code stays valid until then and becomes from 1/7/2025 an alias of the agency that took
  the work over (``SUCCESSORS``), so packages and uploads naming an old code reach the successor;
* the same demo accounts (usernames) as the Hà Nam 2024 profile, in the agencies of today.

How level 2–4 codes were reassigned after the merger is [UNCONFIRMED] (DOMAIN §11.6): the H42
codes below are demo values of the right QCVN 102 shape, to be replaced by the hub's directory.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from models.audit import record
from models.documents.search_repo import index_document
from models.documents.tables import Document
from models.org.tables import Agency, User
from models.seed import data as ha_nam
from models.vocab import AgencyKind, Direction, DocumentSource, DocumentStatus, Role

MERGER_START = date(2025, 7, 1)
HA_NAM_END = date(2025, 6, 30)
PROVINCE_CODE = "000.00.00.H42"
OFFICE_CODE = "000.00.01.H42"
HOME_NOI_VU = "000.00.02.H42"
TAI_CHINH = "000.00.03.H42"

_DEPARTMENTS = [
    ("02", "Sở Nội vụ", "SNV"), ("03", "Sở Tài chính", "STC"), ("04", "Sở Tư pháp", "STP"),
    ("05", "Sở Công Thương", "SCT"), ("06", "Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("07", "Sở Xây dựng", "SXD"), ("08", "Sở Khoa học và Công nghệ", "SKHCN"),
    ("09", "Sở Giáo dục và Đào tạo", "SGDĐT"), ("10", "Sở Y tế", "SYT"),
    ("11", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"), ("12", "Sở Dân tộc và Tôn giáo", "SDTTG"),
    ("13", "Thanh tra", "TTr"),
]

# Communes and wards directly under the province from 1/7/2025: (code, name, place name).
_COMMUNES = [
    ("000.00.40.H42", "Ủy ban nhân dân phường Phủ Lý", "Phủ Lý"),
    ("000.00.41.H42", "Ủy ban nhân dân phường Hà Nam", "Hà Nam"),
    ("000.00.42.H42", "Ủy ban nhân dân xã Bình Lục", "Bình Lục"),
    ("000.00.43.H42", "Ủy ban nhân dân xã Lý Nhân", "Lý Nhân"),
    ("000.00.44.H42", "Ủy ban nhân dân phường Hoa Lư", "Hoa Lư"),
    ("000.00.45.H42", "Ủy ban nhân dân phường Nam Định", "Nam Định"),
]

# (code, name, abbreviation, kind, parent code, place name, valid_from, valid_to, hosted), as in data.py.
CURRENT: list[tuple] = [
    (PROVINCE_CODE, "Ủy ban nhân dân tỉnh Ninh Bình", "UBND", AgencyKind.PROVINCE, None, "Ninh Bình", None, None, True),
    (OFFICE_CODE, "Văn phòng Ủy ban nhân dân tỉnh Ninh Bình", "VP", AgencyKind.PROVINCE_OFFICE, PROVINCE_CODE,
     "Ninh Bình", None, None, True),
    *[(f"000.00.{level}.H42", f"{name} tỉnh Ninh Bình", abbr, AgencyKind.DEPARTMENT, PROVINCE_CODE, "Ninh Bình",
       None, None, True) for level, name, abbr in _DEPARTMENTS],
    *[(code, name, "UBND", AgencyKind.COMMUNE, PROVINCE_CODE, place, MERGER_START, None, True)
      for code, name, place in _COMMUNES],
]


def _former(row: tuple) -> tuple:
    code, name, abbr, kind, parent, place, start, end, hosted = row
    return code, name, abbr, kind, parent, place, start, end or HA_NAM_END, hosted


# The former Hà Nam tree, closed on 30/6/2025 (its two-tier communes of the 2024 profile never
# existed under H23 here: they are the H42 communes above), then the outside agencies.
HISTORY: list[tuple] = [_former(row) for row in ha_nam.AGENCIES
                        if row[0].endswith(".H23") and row[6] != ha_nam.TWO_TIER_START]
OUTSIDE: list[tuple] = [row for row in ha_nam.AGENCIES if not row[8]]
AGENCIES: list[tuple] = HISTORY + CURRENT + OUTSIDE

# Old code → the agency that received its work from 1/7/2025 (holds the old code as an alias).
SUCCESSORS: dict[str, str] = {
    "000.00.00.H23": PROVINCE_CODE,
    "000.00.01.H23": OFFICE_CODE,
    **{f"000.00.{level}.H23": f"000.00.{level}.H42" for level, _name, _abbr in _DEPARTMENTS},
    "000.00.20.H23": "000.00.40.H42",  # thành phố Phủ Lý → phường Phủ Lý
    "000.01.20.H23": "000.00.40.H42",  # phường Lương Khánh Thiện → phường Phủ Lý
    "000.00.24.H23": "000.00.42.H42",  # huyện Bình Lục → xã Bình Lục
    "000.00.25.H23": "000.00.43.H42",  # huyện Lý Nhân → xã Lý Nhân
}

UNITS: list[tuple[str, str, str]] = [
    (OFFICE_CODE, "HCTC", "Phòng Hành chính - Tổ chức"),
    (OFFICE_CODE, "TH", "Phòng Tổng hợp"),
    (OFFICE_CODE, "KT", "Phòng Kinh tế"),
    (OFFICE_CODE, "KGVX", "Phòng Khoa giáo - Văn xã"),
    (OFFICE_CODE, "NC", "Phòng Nội chính"),
    (HOME_NOI_VU, "VP", "Văn phòng Sở"),
    (HOME_NOI_VU, "TCBM", "Phòng Tổ chức, biên chế"),
    (TAI_CHINH, "VP", "Văn phòng Sở"),
    (TAI_CHINH, "NS", "Phòng Quản lý ngân sách"),
]

# The demo accounts of the Hà Nam 2024 profile, same usernames and people, in today's agencies.
_MOVED = {ha_nam.OFFICE_CODE: OFFICE_CODE, "000.00.02.H23": HOME_NOI_VU, "000.00.03.H23": TAI_CHINH}
USERS: list[tuple[str, str, str, str | None, str, list[Role]]] = [
    (username, full_name, _MOVED[code], unit, position, roles)
    for username, full_name, code, unit, position, roles in ha_nam.USERS
]

# A document received before the merger: it keeps the H23 codes it was issued under; its records
# were handed to the successor (the Văn phòng of the merged province).
PRE_MERGER_DOCUMENT = {
    "id": "6a3d2c1e-0b8f-4d52-9a71-2025a0520001",
    "holder": OFFICE_CODE,
    "organ_id": "000.00.03.H23",
    "organ_name": "Sở Tài chính tỉnh Hà Nam",
    "code_number": "45",
    "code_notation": "STC-NS",
    "issued_date": date(2025, 5, 20),
    "type_name": "Công văn",
    "subject": "V/v báo cáo tình hình thực hiện dự toán ngân sách 5 tháng đầu năm 2025",
    "signer_full_name": "Bùi Đức Long",
    "signer_position": "Giám đốc Sở",
    "description": "Văn bản tiếp nhận trước ngày hợp nhất tỉnh (01/7/2025), giữ nguyên mã định danh của "
                   "cơ quan ban hành tại thời điểm ban hành.",
    "received_by": "vanthu",
}


def seed_ninh_binh(session: Session, demo_password: str) -> list[str]:
    """Seed the merged province in force today, the closed Hà Nam tree as history, and the
    pre-merger document; return the usernames created now (idempotent)."""
    from models.seed.demo import seed_demo

    created = seed_demo(session, demo_password, units=UNITS, users=USERS, mail_domain="ninhbinh.example",
                        agencies=AGENCIES, successors=SUCCESSORS)
    _pre_merger_document(session)
    return created


def _pre_merger_document(session: Session) -> None:
    spec = PRE_MERGER_DOCUMENT
    if session.get(Document, spec["id"]) is not None:
        return
    holder = session.exec(select(Agency).where(Agency.code == spec["holder"])).one()
    clerk = session.exec(select(User).where(User.username == spec["received_by"])).one()
    issued = spec["issued_date"]
    document = Document(
        id=spec["id"], direction=Direction.INCOMING, agency_id=holder.id, status=DocumentStatus.DONE,
        source=DocumentSource.HUB, code_number=spec["code_number"], code_notation=spec["code_notation"],
        issued_date=issued, organ_name=spec["organ_name"], organ_id=spec["organ_id"],
        type_name=spec["type_name"], subject=spec["subject"], signer_full_name=spec["signer_full_name"],
        signer_position=spec["signer_position"], description=spec["description"],
        external_document_id=f"{spec['organ_id']},{issued:%Y/%m/%d},{spec['code_number']}/{spec['code_notation']}",
        arrival_date=datetime(2025, 5, 21, 1, 30, tzinfo=UTC), created_by=clerk.id,
        created_at=datetime(2025, 5, 21, 1, 30, tzinfo=UTC), process_key="incoming-standard", process_version=1,
    )
    session.add(document)
    session.flush()
    index_document(session, document)
    record(session, None, "system.seeded", "document", document.id, pre_merger=True, organ_id=spec["organ_id"])
