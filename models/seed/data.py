"""The demo organisation: the Hà Nam tree the founding regulation describes, plus two outside agencies.

Codes: UBND tỉnh ``000.00.00.H23`` and Văn phòng UBND tỉnh ``000.00.01.H23`` follow DOMAIN §10.1
(H23 itself is inferred there); the level-2 and level-3 codes of the other agencies are demo
values in the right QCVN 102 shape, to be replaced by the hub's agency directory. District-level
units close on 30/6/2025 (Luật 72/2025, two-tier local government); the communes that exist
from 1/7/2025 hang directly under the province, and two pre-reform communes stay in the tree,
closed, so documents issued under them remain attributable.
"""

from __future__ import annotations

from datetime import date

from models.vocab import AgencyKind, Role

TWO_TIER_START = date(2025, 7, 1)
DISTRICT_END = date(2025, 6, 30)
PROVINCE_CODE = "000.00.00.H23"
OFFICE_CODE = "000.00.01.H23"

# (code, name, abbreviation, kind, parent code, place name, valid_from, valid_to, hosted)
AGENCIES: list[tuple] = [
    (PROVINCE_CODE, "Ủy ban nhân dân tỉnh Hà Nam", "UBND", AgencyKind.PROVINCE, None, "Hà Nam", None, None, True),
    (OFFICE_CODE, "Văn phòng Ủy ban nhân dân tỉnh Hà Nam", "VP", AgencyKind.PROVINCE_OFFICE, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.02.H23", "Sở Nội vụ tỉnh Hà Nam", "SNV", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.03.H23", "Sở Tài chính tỉnh Hà Nam", "STC", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.04.H23", "Sở Tư pháp tỉnh Hà Nam", "STP", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.05.H23", "Sở Công Thương tỉnh Hà Nam", "SCT", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.06.H23", "Sở Nông nghiệp và Môi trường tỉnh Hà Nam", "SNNMT", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.07.H23", "Sở Xây dựng tỉnh Hà Nam", "SXD", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.08.H23", "Sở Khoa học và Công nghệ tỉnh Hà Nam", "SKHCN", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.09.H23", "Sở Giáo dục và Đào tạo tỉnh Hà Nam", "SGDĐT", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.10.H23", "Sở Y tế tỉnh Hà Nam", "SYT", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.11.H23", "Sở Văn hóa, Thể thao và Du lịch tỉnh Hà Nam", "SVHTTDL", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.12.H23", "Sở Dân tộc và Tôn giáo tỉnh Hà Nam", "SDTTG", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    ("000.00.13.H23", "Thanh tra tỉnh Hà Nam", "TTr", AgencyKind.DEPARTMENT, PROVINCE_CODE, "Hà Nam", None, None, True),
    # District level (closed 30/6/2025).
    ("000.00.20.H23", "Ủy ban nhân dân thành phố Phủ Lý", "UBND", AgencyKind.DISTRICT, PROVINCE_CODE, "Phủ Lý", None, DISTRICT_END, True),
    ("000.00.21.H23", "Ủy ban nhân dân thị xã Duy Tiên", "UBND", AgencyKind.DISTRICT, PROVINCE_CODE, "Duy Tiên", None, DISTRICT_END, True),
    ("000.00.22.H23", "Ủy ban nhân dân thị xã Kim Bảng", "UBND", AgencyKind.DISTRICT, PROVINCE_CODE, "Kim Bảng", None, DISTRICT_END, True),
    ("000.00.23.H23", "Ủy ban nhân dân huyện Thanh Liêm", "UBND", AgencyKind.DISTRICT, PROVINCE_CODE, "Thanh Liêm", None, DISTRICT_END, True),
    ("000.00.24.H23", "Ủy ban nhân dân huyện Bình Lục", "UBND", AgencyKind.DISTRICT, PROVINCE_CODE, "Bình Lục", None, DISTRICT_END, True),
    ("000.00.25.H23", "Ủy ban nhân dân huyện Lý Nhân", "UBND", AgencyKind.DISTRICT, PROVINCE_CODE, "Lý Nhân", None, DISTRICT_END, True),
    # Communes under the former districts (closed with them).
    ("000.01.20.H23", "Ủy ban nhân dân phường Lương Khánh Thiện", "UBND", AgencyKind.COMMUNE, "000.00.20.H23", "Phủ Lý", None, DISTRICT_END, True),
    ("000.01.23.H23", "Ủy ban nhân dân xã Thanh Hà", "UBND", AgencyKind.COMMUNE, "000.00.23.H23", "Thanh Liêm", None, DISTRICT_END, True),
    # Two-tier communes, directly under the province from 1/7/2025.
    ("000.00.40.H23", "Ủy ban nhân dân phường Phủ Lý", "UBND", AgencyKind.COMMUNE, PROVINCE_CODE, "Phủ Lý", TWO_TIER_START, None, True),
    ("000.00.41.H23", "Ủy ban nhân dân phường Hà Nam", "UBND", AgencyKind.COMMUNE, PROVINCE_CODE, "Hà Nam", TWO_TIER_START, None, True),
    ("000.00.42.H23", "Ủy ban nhân dân xã Bình Lục", "UBND", AgencyKind.COMMUNE, PROVINCE_CODE, "Bình Lục", TWO_TIER_START, None, True),
    ("000.00.43.H23", "Ủy ban nhân dân xã Lý Nhân", "UBND", AgencyKind.COMMUNE, PROVINCE_CODE, "Lý Nhân", TWO_TIER_START, None, True),
    # Outside the installation, reached through the national hub.
    ("000.00.00.G22", "Văn phòng Chính phủ", "VPCP", AgencyKind.CENTRAL, None, "Hà Nội", None, None, False),
    ("000.00.00.G09", "Bộ Nội vụ", "BNV", AgencyKind.CENTRAL, None, "Hà Nội", None, None, False),
]

# Internal units: (agency code, abbreviation, name)
UNITS: list[tuple[str, str, str]] = [
    (OFFICE_CODE, "HCTC", "Phòng Hành chính - Tổ chức"),
    (OFFICE_CODE, "TH", "Phòng Tổng hợp"),
    (OFFICE_CODE, "KT", "Phòng Kinh tế"),
    (OFFICE_CODE, "KGVX", "Phòng Khoa giáo - Văn xã"),
    (OFFICE_CODE, "NC", "Phòng Nội chính"),
    ("000.00.02.H23", "VP", "Văn phòng Sở"),
    ("000.00.02.H23", "TCBM", "Phòng Tổ chức, biên chế"),
    ("000.00.03.H23", "VP", "Văn phòng Sở"),
    ("000.00.03.H23", "NS", "Phòng Quản lý ngân sách"),
]

# Demo accounts: (username, full name, agency code, unit, position, roles)
USERS: list[tuple[str, str, str, str | None, str, list[Role]]] = [
    ("admin", "Quản trị hệ thống", OFFICE_CODE, "HCTC", "Quản trị viên", [Role.ADMIN, Role.SYSTEM_ADMIN]),
    ("vanthu", "Nguyễn Thị Thu", OFFICE_CODE, "HCTC", "Văn thư", [Role.CLERK]),
    ("lanhdao", "Trần Văn Minh", OFFICE_CODE, None, "Chánh Văn phòng", [Role.AGENCY_LEADER]),
    ("truongphong", "Lê Thị Hồng", OFFICE_CODE, "TH", "Trưởng phòng Tổng hợp", [Role.UNIT_LEADER]),
    ("chuyenvien", "Phạm Quốc Hùng", OFFICE_CODE, "TH", "Chuyên viên", [Role.OFFICER]),
    ("luutru", "Hà Thị Ngọc Anh", OFFICE_CODE, "HCTC", "Lưu trữ viên", [Role.ARCHIVIST]),
    # The Văn phòng's supervisor of the province's figures (QĐ44 Điều 16.2): reads every agency's.
    ("giamsat", "Đinh Thị Phương", OFFICE_CODE, None, "Chuyên viên giám sát", [Role.SUPERVISOR]),
    ("vanthu.snv", "Đỗ Thị Lan", "000.00.02.H23", "VP", "Văn thư", [Role.CLERK]),
    ("lanhdao.snv", "Hoàng Văn Nam", "000.00.02.H23", None, "Giám đốc Sở", [Role.AGENCY_LEADER]),
    ("vanthu.stc", "Vũ Thị Mai", "000.00.03.H23", "VP", "Văn thư", [Role.CLERK]),
    ("lanhdao.stc", "Bùi Đức Long", "000.00.03.H23", None, "Giám đốc Sở", [Role.AGENCY_LEADER]),
]

# Document types (DOMAIN §4.1): (abbreviation, name, legal normative, copy form), in the order
# of ND30 Điều 7. Công văn has no abbreviation (its ký hiệu starts with the agency's) and Phụ lục
# III lists none for Thư công.
DOCUMENT_TYPES: list[tuple[str, str, bool, bool]] = [
    ("NQ", "Nghị quyết", False, False),
    ("QĐ", "Quyết định", False, False),
    ("CT", "Chỉ thị", False, False),
    ("QC", "Quy chế", False, False),
    ("QyĐ", "Quy định", False, False),
    ("TC", "Thông cáo", False, False),
    ("TB", "Thông báo", False, False),
    ("HD", "Hướng dẫn", False, False),
    ("CTr", "Chương trình", False, False),
    ("KH", "Kế hoạch", False, False),
    ("PA", "Phương án", False, False),
    ("ĐA", "Đề án", False, False),
    ("DA", "Dự án", False, False),
    ("BC", "Báo cáo", False, False),
    ("BB", "Biên bản", False, False),
    ("TTr", "Tờ trình", False, False),
    ("HĐ", "Hợp đồng", False, False),
    ("", "Công văn", False, False),
    ("CĐ", "Công điện", False, False),
    ("BGN", "Bản ghi nhớ", False, False),
    ("BTT", "Bản thỏa thuận", False, False),
    ("GUQ", "Giấy ủy quyền", False, False),
    ("GM", "Giấy mời", False, False),
    ("GGT", "Giấy giới thiệu", False, False),
    ("GNP", "Giấy nghỉ phép", False, False),
    ("PG", "Phiếu gửi", False, False),
    ("PC", "Phiếu chuyển", False, False),
    ("PB", "Phiếu báo", False, False),
    ("", "Thư công", False, False),
    # Legal normative documents of the province (Luật Ban hành văn bản quy phạm pháp luật):
    # the People's Council's resolutions and the People's Committee's decisions.
    ("NQ", "Nghị quyết (quy phạm pháp luật)", True, False),
    ("QĐ", "Quyết định (quy phạm pháp luật)", True, False),
    # Copies (ND30 PL I Phần II II.1.c).
    ("SY", "Bản sao y", False, True),
    ("TrS", "Bản trích sao", False, True),
    ("SL", "Bản sao lục", False, True),
]
