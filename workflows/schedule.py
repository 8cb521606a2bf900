"""The approval of a weekly work schedule (lịch công tác tuần) by the head of the agency (QĐ44 Điều 21.1.e).

One run per approval round (``lichtuan-<schedule id>-<round>-<salt>``): the schedule's first publication,
or a change to a published schedule. The văn phòng (văn thư or the designated officer) submits; the
head of the agency (``lanh_dao_co_quan``) approves, and the round is published (a change also tells
everyone it concerns what changed), or sends it back with a reason, and the văn phòng edits and
submits again, which is a new round and a new run. The run ends with the decision; the decision's
effect is the activity ``apply_schedule_decision`` (``activities/schedule.py``).

Protocol: the ``decide`` update and the step queries of ``workflows.human_steps.HumanSteps``.
Search attributes: ``DocKind`` ``schedule`` and ``OrgUnit`` (at start), ``Stage``
(``approve_schedule``, then ``closed``), ``DueAt``, ``Overdue``.
Timers: the step's deadline (``APPROVAL_DAYS`` working days) with its reminder and escalation.
Open patches: none.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName
    from workflows.search_attributes import OVERDUE, STAGE
    from workflows.vocabulary import Action, Role
    from workflows.work_contracts import ScheduleApprovalInput

from workflows.human_steps import HumanStep, HumanSteps

# A week's schedule is approved in the days before the week starts: one working day to decide.
APPROVAL_DAYS = 1


@workflow.defn(name="ScheduleApproval")
class ScheduleApprovalWorkflow(HumanSteps):
    """The head of the agency publishes a week's schedule (or a change to it) or sends it back."""

    @workflow.run
    async def run(self, start: ScheduleApprovalInput) -> str:
        decision, _ = await self._human_step(start, HumanStep(
            "approve_schedule", Role.AGENCY_LEADER, [Action.APPROVE_SCHEDULE, Action.RETURN_SCHEDULE],
            APPROVAL_DAYS, apply_activity=ActivityName.APPLY_SCHEDULE_DECISION, schedule_id=start.schedule_id))
        workflow.upsert_search_attributes([STAGE.value_set("closed"), OVERDUE.value_set(False)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return decision.action
