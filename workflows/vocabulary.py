"""The words workflows and the database share: roles and the decisions of human steps.

Defined once, here, because workflow code may import only the standard library, temporalio and
this package (tests/unit/test_workflow_imports.py); ``models.vocab`` re-exports the same objects
for the rest of the code. Values are stored in rows, workflow histories and process definitions,
so a value never changes: add a member, never rename one.

What each decision takes and does (its fields, the document status after it, the status code
reported to the sender, its Vietnamese label) is its entry in ``models.tasks.actions.ACTIONS``.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Roles a person holds in their agency (DOMAIN §7)."""

    CLERK = "van_thu"
    AGENCY_LEADER = "lanh_dao_co_quan"
    UNIT_LEADER = "lanh_dao_don_vi"
    OFFICER = "chuyen_vien"
    ADMIN = "quan_tri"
    # The province's (installation's) administrator: manages every agency's people; an ADMIN
    # alone manages only the people of their own agency (DOMAIN §7).
    SYSTEM_ADMIN = "quan_tri_he_thong"
    # The agency's archivist (lưu trữ cơ quan): drafts the Danh mục hồ sơ with the văn thư, checks
    # and accepts hồ sơ transferred to the archive, keeps them (ND30 Điều 28–31; DOMAIN §9).
    ARCHIVIST = "luu_tru"
    # An officer of the văn phòng designated to draft the weekly work schedule besides the văn thư
    # (QĐ44 Điều 21.1.e).
    SCHEDULER = "lap_lich"
    # The supervisor of the Văn phòng UBND tỉnh (giám sát): reads the province-wide figures of every
    # agency of the installation, drills down to an agency, a unit and the overdue documents, and
    # publishes a period's figures (QĐ44 Điều 16.2; DOMAIN §7). Granted by the province's
    # administrator only; it never acts on a document.
    SUPERVISOR = "giam_sat"


class Action(StrEnum):
    """The decisions a human step offers."""

    # Incoming documents: direction, assignment, handling, extensions (Phiếu giải quyết, ND30 PL IV VII).
    DIRECT = "giao_xu_ly"
    FILE_FOR_REFERENCE = "luu_tham_khao"
    ASSIGN = "phan_cong"
    FINISH = "hoan_thanh"
    SEND_OPINION = "gui_y_kien"
    ASK_EXTENSION = "xin_gia_han"
    GRANT_EXTENSION = "dong_y_gia_han"
    REFUSE_EXTENSION = "tu_choi_gia_han"
    # The văn thư's acceptance of a received or doubtful document, and quarantined scans.
    ACCEPT_FOR_REFERENCE = "tiep_nhan"
    REGISTER = "vao_so"
    RETRY_DIGITISING = "thu_lai"
    RETURN_TO_SENDER = "tra_lai"
    # Outgoing drafts: consultation, review, signing, issuing.
    GIVE_OPINION = "gop_y"
    APPROVE = "duyet"
    SEND_BACK = "tra_lai_du_thao"
    RESUBMIT = "trinh_lai"
    SIGN = "ky_so"
    ISSUE = "ban_hanh"
    # A recipient's answer to a recall (QĐ44 Điều 13.4.d).
    AGREE_TO_RECALL = "dong_y_thu_hoi"
    REFUSE_RECALL = "tu_choi_thu_hoi"
    # Work assigned without a document (giao việc): a lead unit's head names the lead person, the
    # lead reports the result, the assigner accepts it with a rating or sends it back. Requests
    # for more time and supporting contributions are ASK_EXTENSION, GRANT_EXTENSION,
    # REFUSE_EXTENSION and SEND_OPINION.
    NAME_LEAD = "cu_nguoi_chu_tri"
    REPORT_RESULT = "bao_cao_ket_qua"
    ACCEPT_RESULT = "nghiem_thu_ket_qua"
    RETURN_RESULT = "tra_lai_ket_qua"
    # The head of the agency on a Danh mục hồ sơ (ND30 Điều 28): approve and issue it (or its later
    # additions), or send it back to the văn thư / lưu trữ with a reason.
    APPROVE_PLAN = "duyet_danh_muc"
    SEND_BACK_PLAN = "tra_lai_danh_muc"
    # A hồ sơ (ND30 Điều 29–31): its creator closes it after review or goes on collecting; the unit
    # head lets the unit keep it past its transfer date or not; the archive accepts it or returns
    # it; the head of the agency, for the council, destroys it when its retention ended or keeps it
    # longer, and grants or refuses a request to read a restricted hồ sơ.
    CLOSE_RECORD = "dong_ho_so"
    KEEP_COLLECTING = "tiep_tuc_lap"
    ALLOW_KEEPING = "dong_y_giu_lai"
    REFUSE_KEEPING = "khong_dong_y_giu_lai"
    ACCEPT_RECORD = "tiep_nhan_luu_tru"
    RETURN_RECORD = "tra_lai_ho_so"
    DISPOSE_RECORD = "huy_ho_so"
    EXTEND_RETENTION = "keo_dai_bao_quan"
    GRANT_ACCESS = "dong_y_khai_thac"
    REFUSE_ACCESS = "tu_choi_khai_thac"
    # The head of the agency on a weekly work schedule (or a change to it): publish, or send it
    # back to the văn phòng with a reason.
    APPROVE_SCHEDULE = "duyet_lich"
    RETURN_SCHEDULE = "tra_lai_lich"
