"""The approval of a Danh mục hồ sơ by the head of the agency (ND30 Điều 28; DOMAIN §9).

One run per approval round (``danhmuc-<plan id>-<round>``): the first list, or a later batch of
additions to an issued plan. The văn thư or the archivist submits; the head of the agency
(``lanh_dao_co_quan``) approves, and the plan (or its additions) is issued, or sends it back with
a reason, and the drafters change it and submit again, which is a new round and a new run. The
run ends with the decision; the decision's effect is the activity
``apply_record_plan_decision`` (``activities/record_plans.py``).

Protocol: the ``decide`` update and the step queries of ``workflows.human_steps.HumanSteps``.
Search attributes: ``Stage`` (``approve_plan``, then ``closed``), ``DueAt``, ``Overdue``.
Timers: the step's deadline (``APPROVAL_DAYS`` working days) with its reminder and escalation.
Open patches: none.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName
    from workflows.record_contracts import RecordPlanApprovalInput
    from workflows.search_attributes import OVERDUE, STAGE
    from workflows.vocabulary import Action, Role

from workflows.human_steps import HumanStep, HumanSteps

APPROVAL_DAYS = 5  # working days for the head of the agency to decide


@workflow.defn(name="RecordPlanApproval")
class RecordPlanApprovalWorkflow(HumanSteps):
    """The head of the agency approves a Danh mục hồ sơ (or its later additions) or sends it back."""

    APPLY_DECISION = ActivityName.APPLY_RECORD_PLAN_DECISION

    @workflow.run
    async def run(self, start: RecordPlanApprovalInput) -> str:
        decision, _ = await self._human_step(start, HumanStep(
            "approve_plan", Role.AGENCY_LEADER, [Action.APPROVE_PLAN, Action.SEND_BACK_PLAN], APPROVAL_DAYS,
            record_plan_id=start.record_plan_id))
        workflow.upsert_search_attributes([STAGE.value_set("closed"), OVERDUE.value_set(False)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return decision.action
