"""The Danh mục hồ sơ pages: ``/record-plans`` (the agency's plans by year) and ``/record-plans/{id}``.

While a plan is a draft (or an issued plan takes later additions) its headings and entries are
edited in place with htmx: each form posts, the command runs, and the outline fragment comes back.
The head of the agency decides on the plan's open approval step from the same page. Routes only
parse, call ``commands.record_plans`` (or the task handshake) and render.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from commands import record_plans as commands
from commands import tasks as task_commands
from models.bounds import Id, parse_id
from models.db import reading, utcnow
from models.errors import DomainError
from models.org import repo as org_repo
from models.records import plan_repo
from models.records.plan_schema import EntryChange, EntryInput, HeadingInput, PlanInput
from models.records.plan_sheet import plan_sheet
from models.records.tables import EntryStatus, PlanStatus
from models.registers.numbering import vietnam_date
from models.tasks import repo as task_repo
from models.tasks.actions import ACTION_FIELDS
from web import flash
from web.deps import CsrfChecked, Principal, State, WebUser
from web.htmx import render, wants_fragment
from web.idempotency import RUN_AGAIN, IdempotentRoute, answers_retries_with
from web.labels import PLAN_ENTRY_STATUS_LABELS, PLAN_NUMBERING_LABELS, PLAN_STATUS_LABELS
from web.reports import record_plan as report

router = APIRouter(route_class=IdempotentRoute)

PAGE, OUTLINE = "records/plan_detail.html", "records/_plan_outline.html"
MOVES = {"up": -1, "down": 1}
START_GRACE = timedelta(minutes=1)
LABELS = {"PLAN_STATUS_LABELS": PLAN_STATUS_LABELS, "ENTRY_STATUS_LABELS": PLAN_ENTRY_STATUS_LABELS,
          "NUMBERING_LABELS": PLAN_NUMBERING_LABELS}


def _go(request: Request, target: str, said: str) -> Response:
    """After a change: the plan's page saying what happened (Post/Redirect/Get)."""
    return flash.done(request, target, said, trigger=None)


def _plan_page_again(request: Request, stored) -> Response:
    """A retried change whose first answer was lost: the plan's page (the change is in it)."""
    return _go(request, f"/record-plans/{stored.subject_id}", "Yêu cầu này đã được thực hiện trước đó.")


def build(model: type[BaseModel], values: dict[str, Any]) -> Any:
    """A command's input from form or JSON values; each value pydantic refuses is named."""
    try:
        return model(**values)
    except ValidationError as failure:
        fields = {str(item["loc"][0]) if item.get("loc") else "request": item.get("type", "invalid")
                  for item in failure.errors()}
        raise DomainError("invalid_fields", fields=fields) from None


def _form_values(form, names: tuple[str, ...], ids: tuple[str, ...] = ()) -> dict[str, Any]:
    """The named fields of a form; an id field left empty is None, one that is no id is refused."""
    values: dict[str, Any] = {}
    for name in names:
        if name in form:
            values[name] = str(form.get(name) or "")
    for name in ids:
        text = str(form.get(name) or "").strip()
        if not text:
            values[name] = None
        elif (value := parse_id(text)) is None:
            raise DomainError("invalid_fields", fields={name: "invalid"})
        else:
            values[name] = value
    return values


# --- reading --------------------------------------------------------------------------------


def _context(request: Request, principal: Principal, plan_id: int) -> dict[str, Any]:
    """Everything the page and its outline fragment show, read in one short transaction."""
    user, roles = principal.user, principal.roles
    with reading(request.app.state.qlvb.engine) as session:
        plan = commands.plan_for_user(session, user, plan_id)
        sheet = plan_sheet(session, plan)
        tasks = plan_repo.open_tasks_of(session, plan.id, task_repo.reach_of(session, user, roles).may_act)
        drafter = commands.may_draft(roles)
        history = plan_repo.history(session, plan.id)
        submitted_at = max((event.at for event, _ in history if event.code == "record_plan.submitted"), default=None)
        context = {
            "plan": plan, "sheet": sheet, "tasks": tasks, "drafter": drafter,
            "is_draft": drafter and plan.status == PlanStatus.DRAFT,
            "can_add": drafter and plan.status != PlanStatus.PENDING,
            "editable": {line.item.id for line in sheet.lines if line.kind == "entry" and drafter and (
                (plan.status == PlanStatus.DRAFT and line.item.status == EntryStatus.DRAFT)
                or (plan.status == PlanStatus.ISSUED and line.item.status == EntryStatus.PROPOSED))},
            "waiting": sum(1 for line in sheet.lines if line.kind == "entry" and line.item.status == (
                EntryStatus.DRAFT if plan.issued_at is None else EntryStatus.PROPOSED)),
            # Waiting, yet no step opened a while after the submission: the run never started.
            "stalled": (plan.status == PlanStatus.PENDING and not plan_repo.open_tasks_of(session, plan.id)
                        and submitted_at is not None and utcnow() - submitted_at > START_GRACE),
            "units": org_repo.units_of(session, plan.agency_id, current_only=True),
            "people": org_repo.people_of(session, plan.agency_id),
            "history": history,
            "action_fields": ACTION_FIELDS, "nonce": uuid.uuid4().hex,
            "pending": request.query_params.get("pending") == "1", **LABELS,
        }
        # The page renders after this read's rollback, which would expire every row it shows.
        session.expunge_all()
        return context


@router.get("/record-plans")
def plans_page(request: Request, principal: WebUser) -> Response:
    with reading(request.app.state.qlvb.engine) as session:
        plans = plan_repo.plans_of(session, principal.user.agency_id)
        entry_counts = {plan.id: len(plan_repo.entries_of(session, plan.id)) for plan in plans}
        session.expunge_all()  # shown after this read's rollback
    return render(request, "records/plan_list.html", plans=plans, entry_counts=entry_counts, **LABELS,
                  drafter=commands.may_draft(principal.roles), next_year=vietnam_date(utcnow()).year + 1)


@router.get("/record-plans/{plan_id}")
def plan_page(request: Request, plan_id: Id, principal: WebUser) -> Response:
    return render(request, PAGE, OUTLINE, **_context(request, principal, plan_id))


@router.get("/record-plans/{plan_id}/print.pdf")
def plan_pdf(plan_id: Id, principal: WebUser, state: State) -> Response:
    return report.pdf_response(state.engine, principal.user, plan_id)


@router.get("/record-plans/{plan_id}/export.xlsx")
def plan_xlsx(plan_id: Id, principal: WebUser, state: State) -> Response:
    return report.xlsx_response(state.engine, principal.user, plan_id)


# --- changes --------------------------------------------------------------------------------


async def _changed(request: Request, principal: Principal, plan_id: int, call) -> Response:
    """Run a command, then answer with the outline (htmx swaps it in place, the change in view) or
    the page again saying so (Post/Redirect/Get)."""
    await run_in_threadpool(call)
    if not wants_fragment(request):
        return _go(request, f"/record-plans/{plan_id}", "Đã lưu thay đổi của danh mục hồ sơ.")
    context = await run_in_threadpool(_context, request, principal, plan_id)
    return render(request, PAGE, OUTLINE, headers={"HX-Trigger": "plan-changed"}, **context)


def _who(principal: Principal, state: State) -> dict[str, Any]:
    return {"engine": state.engine, "user": principal.user, "roles": principal.roles}


@router.post("/record-plans")
@answers_retries_with(_plan_page_again)
async def create_plan(request: Request, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    form = await request.form()
    data = build(PlanInput, {**_form_values(form, ("year", "numbering")),
                             "from_previous": form.get("from_previous") == "1"})
    plan_id = await run_in_threadpool(partial(commands.create_plan, **_who(principal, state), data=data))
    return _go(request, f"/record-plans/{plan_id}", f"Đã lập dự thảo danh mục hồ sơ năm {data.year}.")


@router.post("/record-plans/{plan_id}/numbering")
@answers_retries_with(_plan_page_again)
async def set_numbering(request: Request, plan_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    numbering = str((await request.form()).get("numbering", ""))
    return await _changed(request, principal, plan_id, partial(
        commands.set_numbering, **_who(principal, state), plan_id=plan_id, numbering=numbering))


@router.post("/record-plans/{plan_id}/headings")
@answers_retries_with(_plan_page_again)
async def add_heading(request: Request, plan_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    data = build(HeadingInput, _form_values(await request.form(), ("title", "abbreviation"), ("parent_id", "unit_id")))
    return await _changed(request, principal, plan_id, partial(
        commands.add_heading, **_who(principal, state), plan_id=plan_id, data=data))


@dataclass(frozen=True)
class _Item:
    """What one line of the outline (a heading or an entry) offers: remove, move, change."""

    key: str
    remove: Callable
    move: Callable
    change: Callable
    schema: type[BaseModel]
    texts: tuple[str, ...]
    ids: tuple[str, ...]


HEADING = _Item("heading_id", commands.remove_heading, commands.move_heading, commands.change_heading, HeadingInput,
                ("title", "abbreviation"), ("unit_id",))


async def _on_item(request: Request, principal: Principal, state: State, plan_id: int, item: _Item,
                   item_id: int) -> Response:
    """The form of one line: ``action`` remove, up, down, or (anything else) its new values."""
    form = await request.form()
    action, target = str(form.get("action", "")), {**_who(principal, state), "plan_id": plan_id, item.key: item_id}
    if action == "remove":
        call = partial(item.remove, **target)
    elif action in MOVES:
        call = partial(item.move, **target, step=MOVES[action])
    else:
        call = partial(item.change, **target, data=build(item.schema, _form_values(form, item.texts, item.ids)))
    return await _changed(request, principal, plan_id, call)


@router.post("/record-plans/{plan_id}/headings/{heading_id}")
@answers_retries_with(_plan_page_again)
async def change_heading(request: Request, plan_id: Id, heading_id: Id, principal: WebUser, state: State,
                         _: CsrfChecked) -> Response:
    return await _on_item(request, principal, state, plan_id, HEADING, heading_id)


ENTRY_TEXTS = ("title", "maintenance", "description")
ENTRY_IDS = ("creator_unit_id", "creator_user_id")
ENTRY = _Item("entry_id", commands.remove_entry, commands.move_entry, commands.change_entry, EntryChange,
              ENTRY_TEXTS, ENTRY_IDS)


@router.post("/record-plans/{plan_id}/entries")
@answers_retries_with(_plan_page_again)
async def add_entry(request: Request, plan_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    data = build(EntryInput, _form_values(await request.form(), ENTRY_TEXTS, ("heading_id", *ENTRY_IDS)))
    return await _changed(request, principal, plan_id, partial(
        commands.add_entry, **_who(principal, state), plan_id=plan_id, data=data))


@router.post("/record-plans/{plan_id}/entries/{entry_id}")
@answers_retries_with(_plan_page_again)
async def change_entry(request: Request, plan_id: Id, entry_id: Id, principal: WebUser, state: State,
                       _: CsrfChecked) -> Response:
    return await _on_item(request, principal, state, plan_id, ENTRY, entry_id)


@router.post("/record-plans/{plan_id}/submit")
@answers_retries_with(_plan_page_again)
async def submit(request: Request, plan_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    await commands.submit_plan(state.engine, state.client, state.settings, user=principal.user,
                               roles=principal.roles, plan_id=plan_id)
    return _go(request, f"/record-plans/{plan_id}", "Đã trình người đứng đầu cơ quan phê duyệt danh mục hồ sơ.")


@router.post("/record-plans/{plan_id}/decision")
@answers_retries_with(RUN_AGAIN)
async def decide(request: Request, plan_id: Id, principal: WebUser, state: State, _: CsrfChecked) -> Response:
    """The head of the agency's decision on the plan's open step (the task handshake)."""
    form = await request.form()
    task_id, action = parse_id(form.get("task_id", "")), str(form.get("action", ""))
    if task_id is None:
        raise DomainError("task_not_found")
    fields = {spec.name: str(form.get(spec.name)) for spec in ACTION_FIELDS.get(action, ())
              if str(form.get(spec.name) or "").strip()}
    outcome = await task_commands.act_on_task(
        state.engine, state.client, task_id=task_id, user=principal.user, roles=principal.roles, action=action,
        fields=fields, nonce=str(form.get("nonce", "")) or uuid.uuid4().hex)
    return _go(request, f"/record-plans/{plan_id}" + ("" if outcome.applied else "?pending=1"),
               flash.decision_said(action, None, applied=outcome.applied))
