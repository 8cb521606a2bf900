"""Jinja2 filters: dates in Vietnam time, số/ký hiệu, labels."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from models.registers.numbering import VIETNAM, format_number, so_ky_hieu
from web import labels

NOT_NUMBERED = "chưa cấp số"


def number_shown(number: str | None, notation: str | None) -> str:
    """Số/ký hiệu as pages show it. A draft has its ký hiệu but no số yet: it is shown as
    "…/VP-TH (chưa cấp số)", never as "/VP-TH", which reads like a number that was lost."""
    number, notation = (number or "").strip(), (notation or "").strip()
    if not number and notation:
        return f"…/{notation.replace(' ', '')} ({NOT_NUMBERED})"
    return so_ky_hieu(number, notation)


def vn_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy; datetimes are shown in Vietnam time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM)
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time (24-hour)."""
    if value is None:
        return ""
    return value.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def iso_vn(value: datetime | None) -> str:
    """ISO 8601 with the +07:00 offset (QĐ44 Điều 7.3), for machine-readable attributes."""
    return value.astimezone(VIETNAM).isoformat(timespec="seconds") if value else ""


def arrival_number(value: int | None) -> str:
    """Số đến as printed in the register."""
    return format_number(value) if value else ""


def task_link(task) -> str:
    """The page where a task is acted on: its document, hồ sơ or Danh mục hồ sơ."""
    if task.work_assignment_id is not None:
        return f"/assignments/{task.work_assignment_id}"
    if task.record_id is not None:
        return f"/records/{task.record_id}"
    if task.record_plan_id is not None:
        return f"/record-plans/{task.record_plan_id}"
    if task.schedule_id is not None:
        return f"/schedule/{task.schedule_id}"
    return f"/documents/{task.document_id}"


def task_subject(task) -> str:
    """What a task is about when it has no document (the inbox's Trích yếu column)."""
    if task.work_assignment_id is not None:
        return "Việc được giao"
    if task.record_id is not None:
        return "Hồ sơ"
    if task.record_plan_id is not None:
        return "Danh mục hồ sơ"
    if task.schedule_id is not None:
        return "Lịch công tác tuần"
    return ""


def register(env) -> None:
    """Install the filters and label tables on a Jinja2 environment."""
    env.filters.update(
        vn_date=vn_date, vn_datetime=vn_datetime, iso_vn=iso_vn, so_ky_hieu=number_shown,
        arrival_number=arrival_number,
    )
    env.globals.update(
        ROLE_LABELS=labels.ROLE_LABELS, URGENCY_LABELS=labels.URGENCY_LABELS,
        URGENCY_STAMPS=labels.URGENCY_STAMPS, STATUS_LABELS=labels.STATUS_LABELS,
        TASK_STATUS_LABELS=labels.TASK_STATUS_LABELS, STEP_LABELS=labels.STEP_LABELS,
        ACTION_LABELS=labels.ACTION_LABELS, FIELD_LABELS=labels.FIELD_LABELS,
        AUDIT_LABELS=labels.AUDIT_LABELS, ACTION_FIELD_LABELS=labels.ACTION_FIELD_LABELS, NOTIFICATION_LABELS=labels.NOTIFICATION_LABELS,
        # One Idempotency-Key per rendered form (web.idempotency): sending it twice acts once.
        new_request_key=lambda: uuid.uuid4().hex,
        task_link=task_link, task_subject=task_subject,
    )
