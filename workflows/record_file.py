"""A hồ sơ's life as a durable workflow ``hoso-<uuid>`` (ND30 Điều 29–31; DOMAIN §9).

Started when the hồ sơ is opened. Each round reads the hồ sơ afresh (``load_record``: its status,
who acts, when its timers fall) and runs the phase its status names, so a correction, a handover
or a reorganisation is followed without the workflow keeping copies:

* ``dang_lap`` (collecting; documents are filed by ``commands.records``, not here): waits for a
  ``request`` of kind ``review``, then the creator's ``record_review`` step closes the hồ sơ
  (``dong_ho_so``: the listing is done by the apply activity) or goes on collecting.
* ``da_dong`` (kept by the unit): a timer warns the creator and the archive 30 days before the
  transfer date, counted from the archive's collection list (``warn_record_transfer``); a
  ``transfer`` request hands it to the archive; a ``keep`` request opens the unit head's
  ``record_keep`` step (up to 2 more years).
* ``dang_nop``: the archive's ``record_accept`` step takes it (``luu_tru``) or returns it.
* ``luu_tru`` and ``da_dong``: when a fixed retention ends (a timer), the head of the agency's
  ``record_dispose`` step, for the council, destroys it (files removed by
  ``remove_disposed_files``, metadata kept) or keeps it longer. A permanent hồ sơ waits for ever.
* ``da_huy``: the workflow ends.

Beside the phases, each request to read the hồ sơ (``access_requested`` signal, or found waiting
when the hồ sơ is read) is a ``record_access`` step of the head of the agency, run concurrently.

Protocol: the ``decide`` update and the step queries of ``workflows.human_steps.HumanSteps``;
update ``request(RecordRequest) -> RecordRequestResult``; update ``correct(CorrectRecordInput)``;
signals ``access_requested(int)`` and ``facts_changed()`` (re-read the hồ sơ). Search attributes:
DocKind ``record``, OrgUnit at start; Stage (the open step, or the status between steps), DueAt,
Overdue. Open patches: ``record-package`` (below).

Once the hồ sơ is closed, and again after each correction, its export package is prepared in
the background (``prepare_record_package``, a side task: the phases go on meanwhile), so an
export only writes stored files into a zip (``models.records.package_repo``). Histories from
before the patch ``record-package`` do not prepare it; their exports prepare it when asked.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName
    from workflows.record_contracts import (
        CorrectRecordInput,
        LoadRecordInput,
        PrepareRecordPackageInput,
        RecordFileInput,
        RecordRequest,
        RecordRequestInput,
        RecordRequestResult,
        RecordState,
        RemoveFilesInput,
        WarnTransferInput,
    )
    from workflows.search_attributes import STAGE
    from workflows.vocabulary import Action, Role

from workflows.human_steps import DB_RETRY, SHORT, HumanStep, HumanSteps

OPEN, CLOSED, TRANSFERRING, ARCHIVED, DISPOSED = "dang_lap", "da_dong", "dang_nop", "luu_tru", "da_huy"
# Working days each step is given (the creator's review, the unit head, the archive's check, the
# council's review, a read request).
REVIEW_DAYS, KEEP_DAYS, ACCEPT_DAYS, DISPOSE_DAYS, ACCESS_DAYS = 5, 5, 10, 20, 3
FILE_REMOVAL_TIMEOUT = timedelta(minutes=10)
# Preparing the package of a large hồ sơ makes a PDF/A copy of each document (minutes for 1,000).
PACKAGE_PATCH = "record-package"
PACKAGE_TIMEOUT = timedelta(hours=6)
PACKAGE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=30), backoff_coefficient=2.0, maximum_attempts=3)
# What each request kind needs the hồ sơ to be, and the refusal when it is not.
REQUEST_NEEDS = {"review": (OPEN, "record_closed"), "transfer": (CLOSED, "record_not_closed"),
                 "keep": (CLOSED, "record_not_closed")}


@workflow.defn(name="RecordFile")
class RecordFileWorkflow(HumanSteps):
    """One hồ sơ from opening to the archive, and to disposal when its retention ends."""

    APPLY_DECISION = ActivityName.APPLY_RECORD_DECISION

    def __init__(self) -> None:
        super().__init__()
        self._status = OPEN
        self._asks: list[RecordRequest] = []
        self._answers: dict[str, RecordRequestResult] = {}
        self._refused: dict[str, str] = {}  # request id -> why the state no longer allows it
        self._woken = 0
        self._access_started: set[int] = set()
        self._side_tasks: list[asyncio.Task] = []
        self._package_due = True  # prepare the package when (again) closed: at start and after a correction

    @workflow.run
    async def run(self, start: RecordFileInput) -> str:
        while True:
            state = await workflow.execute_activity(
                ActivityName.LOAD_RECORD, LoadRecordInput(start.record_id), result_type=RecordState,
                start_to_close_timeout=SHORT, retry_policy=DB_RETRY)
            self._status = state.status
            self._refuse_stale_asks()
            if state.status == DISPOSED:
                break
            self._start_side_tasks(start, state)
            if state.status in (CLOSED, TRANSFERRING, ARCHIVED) and self._package_due \
                    and workflow.patched(PACKAGE_PATCH):
                self._package_due = False
                self._side_tasks.append(asyncio.create_task(self._prepare_package(start)))
            if not self._open:
                workflow.upsert_search_attributes([STAGE.value_set(state.status)])
            if state.status == OPEN:
                await self._collecting(start, state)
            elif state.status == CLOSED:
                await self._kept_by_unit(start, state)
            elif state.status == TRANSFERRING:
                await self._archive_check(start, state)
            else:
                await self._in_archive(start, state)
        for step in self._side_tasks:
            step.cancel()  # a destroyed hồ sơ is read by nobody; the rows were closed on disposal
        workflow.upsert_search_attributes([STAGE.value_set(DISPOSED)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return DISPOSED

    # --- phases ---------------------------------------------------------------------------

    async def _collecting(self, start: RecordFileInput, state: RecordState) -> None:
        seen = self._woken
        await workflow.wait_condition(lambda: self._woken != seen or self._has_ask("review"))
        ask = self._take_ask("review")
        if ask is None:
            return
        await self._note(start, ask)
        _, self._status = await self._human_step(start, self._step(
            start, state, "record_review", Role.OFFICER, [Action.CLOSE_RECORD, Action.KEEP_COLLECTING], REVIEW_DAYS,
            unit_id=state.unit_id, assignee_id=state.creator_id))

    async def _kept_by_unit(self, start: RecordFileInput, state: RecordState) -> None:
        seen = self._woken
        timers = [at for at in (state.warn_at if state.must_transfer else None, state.retention_ends_at) if at]
        woke = await self._wait_until(min(timers) if timers else None,
                                      lambda: self._woken != seen or self._has_ask("transfer") or self._has_ask("keep"))
        if not woke:
            if state.retention_ends_at and workflow.now() >= state.retention_ends_at:
                await self._review_disposal(start, state)
            else:
                await workflow.execute_activity(
                    ActivityName.WARN_RECORD_TRANSFER, WarnTransferInput(start.record_id, workflow.info().workflow_id),
                    start_to_close_timeout=SHORT, retry_policy=DB_RETRY)
            return
        ask = self._take_ask("transfer")
        if ask is not None:
            await self._note(start, ask)
            return
        ask = self._take_ask("keep")
        if ask is not None:
            await self._note(start, ask)
            await self._human_step(start, self._step(
                start, state, "record_keep", Role.UNIT_LEADER, [Action.ALLOW_KEEPING, Action.REFUSE_KEEPING],
                KEEP_DAYS, unit_id=state.unit_id,
                context={"until": ask.until, "keep_reason": ask.reason, "asked_by": str(ask.actor_id)}))

    async def _archive_check(self, start: RecordFileInput, state: RecordState) -> None:
        await self._human_step(start, self._step(start, state, "record_accept", Role.ARCHIVIST,
                                                 [Action.ACCEPT_RECORD, Action.RETURN_RECORD], ACCEPT_DAYS))

    async def _in_archive(self, start: RecordFileInput, state: RecordState) -> None:
        seen = self._woken
        if not await self._wait_until(state.retention_ends_at, lambda: self._woken != seen):
            await self._review_disposal(start, state)

    async def _review_disposal(self, start: RecordFileInput, state: RecordState) -> None:
        """The council's review when a fixed retention ended (the head of the agency acts for it)."""
        decision, _ = await self._human_step(start, self._step(
            start, state, "record_dispose", Role.AGENCY_LEADER, [Action.DISPOSE_RECORD, Action.EXTEND_RETENTION],
            DISPOSE_DAYS))
        if decision.action == Action.DISPOSE_RECORD:
            # The decision is recorded first; the files go after, retried until they are gone.
            await workflow.execute_activity(
                ActivityName.REMOVE_DISPOSED_FILES, RemoveFilesInput(start.record_id),
                start_to_close_timeout=FILE_REMOVAL_TIMEOUT, retry_policy=DB_RETRY)

    async def _prepare_package(self, start: RecordFileInput) -> None:
        """The export package of the hồ sơ as it is now (idempotent on its state)."""
        try:
            await workflow.execute_activity(
                ActivityName.PREPARE_RECORD_PACKAGE, PrepareRecordPackageInput(start.record_id), result_type=bool,
                start_to_close_timeout=PACKAGE_TIMEOUT, heartbeat_timeout=timedelta(minutes=2),
                retry_policy=PACKAGE_RETRY)
        except (ActivityError, asyncio.CancelledError):
            return  # an export prepares what is missing when asked, and says why when it cannot

    # --- requests to read the hồ sơ ------------------------------------------------------------

    def _start_side_tasks(self, start: RecordFileInput, state: RecordState) -> None:
        for access_id in state.pending_access:
            if access_id not in self._access_started:
                self._access_started.add(access_id)
                self._side_tasks.append(asyncio.create_task(self._access_step(start, state, access_id)))

    async def _access_step(self, start: RecordFileInput, state: RecordState, access_id: int) -> None:
        try:
            await self._human_step(start, self._step(
                start, state, "record_access", Role.AGENCY_LEADER, [Action.GRANT_ACCESS, Action.REFUSE_ACCESS],
                ACCESS_DAYS, context={"access_id": str(access_id)}))
        except asyncio.CancelledError:
            return

    # --- messages ------------------------------------------------------------------------------

    @workflow.update
    async def request(self, ask: RecordRequest) -> RecordRequestResult:
        """Queue a request for the phase loop; answer once it is recorded and its step is open."""
        self._asks.append(ask)
        self._woken += 1
        await workflow.wait_condition(lambda: ask.request_id in self._answers or ask.request_id in self._refused)
        if ask.request_id in self._refused:
            refusal = self._refused[ask.request_id]
            raise ApplicationError(refusal, type=refusal)
        return self._answers[ask.request_id]

    @request.validator
    def _validate_request(self, ask: RecordRequest) -> None:
        """Refuse a request the hồ sơ's state does not allow, or one already waiting."""
        if ask.kind not in REQUEST_NEEDS:
            raise ApplicationError("unknown_request", type="unknown_request")
        refusal = self._refusal(ask)
        if refusal:
            raise ApplicationError(refusal, type=refusal)
        if self._asks or any(kind in ("record_review", "record_keep") for kind in self._kind_of.values()):
            raise ApplicationError("record_step_waiting", type="record_step_waiting")

    @workflow.update
    async def correct(self, change: CorrectRecordInput) -> bool:
        """Apply a correction (one audited activity), then re-read the hồ sơ's timers."""
        changed = await workflow.execute_activity(
            ActivityName.CORRECT_RECORD, change, result_type=bool, start_to_close_timeout=SHORT, retry_policy=DB_RETRY)
        self._package_due = self._package_due or changed  # the package of the old state no longer holds
        self._woken += 1
        return changed

    @correct.validator
    def _validate_correct(self, change: CorrectRecordInput) -> None:
        """A destroyed hồ sơ keeps its metadata as it was decided."""
        if self._status == DISPOSED:
            raise ApplicationError("record_disposed", type="record_disposed")

    @workflow.signal
    def access_requested(self, access_id: int) -> None:
        """A person asked to read the hồ sơ; the row is read back on the next round."""
        self._woken += 1

    @workflow.signal
    def facts_changed(self) -> None:
        """Something the timers count from changed (a collection list announced, a handover)."""
        self._woken += 1

    # --- helpers ---------------------------------------------------------------------------------

    def _step(self, start: RecordFileInput, state: RecordState, kind: str, role: str, actions: list[str],
              days: int, **extra) -> HumanStep:
        return HumanStep(kind, role, list(actions), days, agency_id=state.agency_id, record_id=start.record_id,
                         **extra)

    def _refusal(self, ask: RecordRequest) -> str:
        """Why the hồ sơ's status does not allow the request now ("" when it does)."""
        needed, refusal = REQUEST_NEEDS[ask.kind]
        if self._status == needed:
            return ""
        return "record_already_transferred" if self._status in (TRANSFERRING, ARCHIVED) else refusal

    def _refuse_stale_asks(self) -> None:
        """A request accepted just before a decision changed the status is answered with a refusal."""
        for ask in list(self._asks):
            refusal = self._refusal(ask)
            if refusal:
                self._asks.remove(ask)
                self._refused[ask.request_id] = refusal

    def _has_ask(self, kind: str) -> bool:
        return any(ask.kind == kind for ask in self._asks)

    def _take_ask(self, kind: str) -> RecordRequest | None:
        for index, ask in enumerate(self._asks):
            if ask.kind == kind:
                return self._asks.pop(index)
        return None

    async def _note(self, start: RecordFileInput, ask: RecordRequest) -> None:
        """Record the request (a transfer also moves the hồ sơ to the archive's check), then answer
        the caller once the step it leads to has its row (or at once when it leads to none)."""
        result = await workflow.execute_activity(
            ActivityName.RECORD_REQUESTED, RecordRequestInput(start.record_id, workflow.info().workflow_id, ask),
            result_type=RecordRequestResult, start_to_close_timeout=SHORT, retry_policy=DB_RETRY)
        if ask.kind == "transfer":
            self._answers[ask.request_id] = result
            return
        kind = "record_review" if ask.kind == "review" else "record_keep"
        workflow_task = asyncio.create_task(self._answer_when_open(ask.request_id, kind, result.status))
        self._side_tasks.append(workflow_task)

    async def _answer_when_open(self, request_id: str, kind: str, status: str) -> None:
        def opened() -> str:
            return next((key for key, step in self._kind_of.items() if step == kind and key in self._due_at), "")
        await workflow.wait_condition(lambda: bool(opened()))
        self._answers[request_id] = RecordRequestResult(task_key=opened(), status=status)

    async def _wait_until(self, at: datetime | None, woken) -> bool:
        """Wait for ``woken`` until ``at`` (for ever when None); False when the time came first."""
        if at is None:
            await workflow.wait_condition(woken)
            return True
        remaining = (at - workflow.now()).total_seconds()
        if remaining <= 0:
            return bool(woken())
        try:
            await workflow.wait_condition(woken, timeout=timedelta(seconds=remaining))
        except TimeoutError:
            return False
        return True
