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

    kind: Literal["register", "direct"]
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
        if self.kind == "incoming" and self.steps[0].kind != "register":
            raise ValueError("quy trình văn bản đến phải bắt đầu bằng bước 'register'")
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
        StepDefinition(kind="register"),
        StepDefinition(
            kind="direct",
            candidate_role=Role.AGENCY_LEADER,
            working_days=1,
            urgent_working_days=0,
            actions=["giao_xu_ly", "luu_tham_khao"],
        ),
    ],
)
