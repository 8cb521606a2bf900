"""Schema of process definition bodies, drawn from the step kinds the workflow code implements.

Administrators change who, how long and which actions; they cannot invent a step kind the
interpreter does not know (TEMPORAL-PATTERNS §10).
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.vocab import Role

DIRECT_ACTIONS = {"giao_xu_ly", "luu_tham_khao"}


class StepDefinition(BaseModel):
    """One step of a process."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["verify_signature", "register", "direct", "handle"]
    candidate_role: Role | None = None
    working_days: int = Field(default=1, ge=0, le=60)
    urgent_working_days: int = Field(default=0, ge=0, le=60)
    actions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _human_steps_need_a_group(self) -> StepDefinition:
        if self.kind == "direct":
            if self.candidate_role is None:
                raise ValueError("bước 'direct' cần candidate_role")
            unknown = set(self.actions) - DIRECT_ACTIONS
            if not self.actions or unknown:
                raise ValueError(f"actions phải thuộc {sorted(DIRECT_ACTIONS)}")
        if self.kind == "handle" and (self.candidate_role is not None or self.actions):
            # Who acts in a handling branch is fixed by the routing itself: unit heads of the
            # routed units, the handler they name, the agency leader for extensions.
            raise ValueError("bước 'handle' không khai báo candidate_role hay actions")
        return self


class ProcessBody(BaseModel):
    """A whole process definition body."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9-]{2,49}$")
    kind: Literal["incoming"]
    title: str = Field(max_length=200)
    steps: list[StepDefinition] = Field(min_length=1)

    @model_validator(mode="after")
    def _register_first(self) -> ProcessBody:
        kinds = [step.kind for step in self.steps]
        starts = kinds[1:] if kinds[0] == "verify_signature" else kinds
        if self.kind == "incoming" and (not starts or starts[0] != "register"):
            raise ValueError("quy trình văn bản đến phải bắt đầu bằng bước 'register' "
                             "(có thể đứng sau bước 'verify_signature')")
        if "handle" in kinds and ("direct" not in kinds or kinds.index("handle") < kinds.index("direct")):
            raise ValueError("bước 'handle' phải đứng sau bước 'direct'")
        return self

    def checksum(self) -> str:
        """SHA-256 of the canonical JSON form: identical bodies are not redeployed."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


DEFAULT_INCOMING = ProcessBody(
    key="incoming-standard",
    kind="incoming",
    title="Tiếp nhận, đăng ký và trình văn bản đến",
    steps=[
        StepDefinition(kind="verify_signature"),
        StepDefinition(kind="register"),
        StepDefinition(
            kind="direct",
            candidate_role=Role.AGENCY_LEADER,
            working_days=1,
            urgent_working_days=0,
            actions=["giao_xu_ly", "luu_tham_khao"],
        ),
        # Default handling time when the leader gives no date.
        StepDefinition(kind="handle", working_days=10, urgent_working_days=2),
    ],
)
