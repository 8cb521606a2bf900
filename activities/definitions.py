"""Loading pinned process definitions into workflow history."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity

from models.db import reading
from models.processes import repo as definition_repo
from models.processes.schema import DRAFT, REVIEW_KINDS, OutgoingStep, ProcessBody
from workflows.contracts import LoadDefinitionInput, ProcessPlan, StepSpec


class DefinitionActivities:
    """Reads process definitions (read-only, so trivially idempotent)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name="load_definition")
    def load_definition(self, request: LoadDefinitionInput) -> ProcessPlan:
        """Return the steps of one pinned definition version; its result lands in history."""
        with reading(self.engine) as session:  # a read: it never waits for SQLite's one writer
            row = definition_repo.get_version(session, request.key, request.version)
            key, version, body = row.key, row.version, ProcessBody.model_validate(row.body)
        if body.kind == "outgoing":
            return ProcessPlan(key=key, version=version, steps=_outgoing_steps(body.steps))
        return ProcessPlan(
            key=key,
            version=version,
            steps=[
                StepSpec(kind=step.kind, candidate_role=str(step.candidate_role or ""),
                         working_days=step.working_days, urgent_working_days=step.urgent_working_days,
                         actions=list(step.actions))
                for step in body.steps
            ],
        )


def _outgoing_steps(steps: list[OutgoingStep]) -> list[StepSpec]:
    """Outgoing steps with every link explicit: the next step ("" after issuing), the send-back."""
    specs = []
    for position, step in enumerate(steps):
        following = step.next if step.next is not None else (
            steps[position + 1].id if position + 1 < len(steps) else "")
        specs.append(StepSpec(
            kind=step.kind, candidate_role=str(step.candidate_role or ""), working_days=step.working_days,
            urgent_working_days=step.urgent_working_days, id=step.id, next=following,
            return_to=(step.return_to or DRAFT) if step.kind in REVIEW_KINDS else ""))
    return specs
