"""Schema of process definition bodies, drawn from the step kinds the workflow code implements.

Administrators change who, how long and which actions; they cannot invent a step kind the
interpreter does not know (TEMPORAL-PATTERNS §10).

Incoming processes are a fixed sequence of ``StepDefinition``. Outgoing processes (issue 4) are
a small graph of ``OutgoingStep``: each step names the one that follows (``next``, by default the
next in the list) and, for review steps, where a send-back goes (``return_to``: the drafter, or an
earlier review). A definition is refused at deploy, with a Vietnamese message and nothing
changed, when it names an unknown role, a step that does not exist, or loops forever.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from models.vocab import Action, Role

DIRECT_ACTIONS = {Action.DIRECT, Action.FILE_FOR_REFERENCE}


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


DRAFT = "draft"  # the pseudo-step a send-back returns to: the drafter revises and resubmits
REVIEW_KINDS = {"review", "format_check", "approve", "sign"}  # steps that can send the draft back
ROLE_STEPS = {"review", "format_check", "issue"}  # steps whose actors are a role's holders
SIGNER_STEPS = {"approve", "sign"}  # steps for the signer designated on the draft
ROLE_NAMES = {role.value for role in Role}


class OutgoingStep(BaseModel):
    """One step of an outgoing process (drafting → consultation → reviews → sign → issue).

    ``consult``: the units or agencies the drafter chose give their opinions, in parallel.
    ``review``: a check with a candidate role; a ``lanh_dao_don_vi`` review goes to the head of
    the drafting unit. ``format_check``: the thể thức check, shown the automatic checks.
    ``approve`` and ``sign``: the signer designated on the draft. ``issue``: the văn thư numbers,
    seals and sends it.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["consult", "review", "format_check", "approve", "sign", "issue"]
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    next: str | None = None
    return_to: str | None = None
    candidate_role: str | None = None
    working_days: int = Field(default=1, ge=0, le=60)
    urgent_working_days: int = Field(default=0, ge=0, le=60)
    # consult: the drafter must consult at least one unit or agency before review.
    required: bool = False

    @field_validator("candidate_role")
    @classmethod
    def _known_role(cls, value: str | None) -> str | None:
        if value is not None and value not in ROLE_NAMES:
            raise ValueError(f"vai trò '{value}' không tồn tại (các vai trò: {', '.join(sorted(ROLE_NAMES))})")
        return value

    @model_validator(mode="after")
    def _actors(self) -> OutgoingStep:
        if self.kind in ROLE_STEPS and self.candidate_role is None:
            raise ValueError(f"bước '{self.id}' ({self.kind}) cần candidate_role")
        if self.kind not in ROLE_STEPS and self.candidate_role is not None:
            raise ValueError(f"bước '{self.id}' ({self.kind}) không khai báo candidate_role: "
                             "người thực hiện do văn bản xác định")
        if self.return_to is not None and self.kind not in REVIEW_KINDS:
            raise ValueError(f"bước '{self.id}' ({self.kind}) không thể trả lại dự thảo")
        return self


def _outgoing_path(steps: list[OutgoingStep]) -> list[OutgoingStep]:
    """Follow ``next`` from the first step; refuse unknown targets, loops and unreachable steps."""
    by_id: dict[str, OutgoingStep] = {}
    for step in steps:
        if step.id in by_id or step.id == DRAFT:
            raise ValueError(f"mã bước '{step.id}' bị trùng hoặc không được phép")
        by_id[step.id] = step
    following = {step.id: (step.next if step.next is not None else
                           (steps[i + 1].id if i + 1 < len(steps) else None))
                 for i, step in enumerate(steps)}
    path: list[OutgoingStep] = []
    seen: list[str] = []
    current: str | None = steps[0].id
    while current is not None:
        if current not in by_id:
            raise ValueError(f"bước '{seen[-1]}' chuyển tới bước '{current}' không tồn tại")
        if current in seen:
            loop = " → ".join(seen[seen.index(current):] + [current])
            raise ValueError(f"quy trình có vòng lặp: {loop}")
        seen.append(current)
        path.append(by_id[current])
        current = following[current]
    unreachable = [step.id for step in steps if step.id not in seen]
    if unreachable:
        raise ValueError(f"không bao giờ tới được bước: {', '.join(unreachable)}")
    return path


def _check_outgoing(steps: list[OutgoingStep]) -> None:
    path = _outgoing_path(steps)
    kinds = [step.kind for step in path]
    if kinds[-2:] != ["sign", "issue"] or kinds.count("sign") != 1 or kinds.count("issue") != 1:
        raise ValueError("quy trình văn bản đi phải kết thúc bằng một bước 'sign' rồi một bước 'issue'")
    if kinds.count("consult") > 1 or ("consult" in kinds and kinds.index("consult") != 0):
        raise ValueError("bước 'consult' (xin ý kiến) chỉ có một và phải đứng đầu")
    earlier: set[str] = set()
    for step in path:
        if step.return_to not in (None, DRAFT) and step.return_to not in earlier:
            raise ValueError(f"bước '{step.id}' chỉ có thể trả lại người soạn thảo ('{DRAFT}') "
                             f"hoặc một bước đứng trước nó, không phải '{step.return_to}'")
        earlier.add(step.id)


INCOMING_KINDS = {"verify_signature", "register", "direct", "handle"}


def _step_family(step) -> str:
    """Pick the step model by its kind, so a bad step gets one error message, not one per model."""
    kind = step.get("kind") if isinstance(step, dict) else getattr(step, "kind", None)
    return "incoming" if kind in INCOMING_KINDS else "outgoing"


AnyStep = Annotated[
    Annotated[StepDefinition, Tag("incoming")] | Annotated[OutgoingStep, Tag("outgoing")],
    Discriminator(_step_family),
]


class ProcessBody(BaseModel):
    """A whole process definition body."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9-]{2,49}$")
    kind: Literal["incoming", "outgoing"]
    title: str = Field(max_length=200)
    steps: list[AnyStep] = Field(min_length=1)
    # Outgoing: which agencies (codes) and document types (names, e.g. "Quyết định") this process
    # serves; absent means all. The most specific current process wins when a draft is submitted.
    agencies: list[str] | None = None
    doc_types: list[str] | None = None

    @model_validator(mode="after")
    def _shape_of_kind(self) -> ProcessBody:
        wanted = OutgoingStep if self.kind == "outgoing" else StepDefinition
        wrong = [getattr(step, "id", step.kind) for step in self.steps if not isinstance(step, wanted)]
        if wrong:
            raise ValueError(f"bước không hợp với quy trình '{self.kind}': {', '.join(wrong)}")
        if self.kind == "outgoing":
            _check_outgoing(self.steps)  # type: ignore[arg-type]
            return self
        if self.agencies is not None or self.doc_types is not None:
            raise ValueError("quy trình văn bản đến không khai báo agencies hay doc_types")
        kinds = [step.kind for step in self.steps]
        starts = kinds[1:] if kinds[0] == "verify_signature" else kinds
        if self.kind == "incoming" and (not starts or starts[0] != "register"):
            raise ValueError("quy trình văn bản đến phải bắt đầu bằng bước 'register' "
                             "(có thể đứng sau bước 'verify_signature')")
        if "handle" in kinds and ("direct" not in kinds or kinds.index("handle") < kinds.index("direct")):
            raise ValueError("bước 'handle' phải đứng sau bước 'direct'")
        return self

    def checksum(self) -> str:
        """SHA-256 of the canonical JSON form: identical bodies are not redeployed.

        Unset optional top-level parts are left out, so bodies published before they existed keep
        their checksum.
        """
        data = {name: value for name, value in self.model_dump(mode="json").items() if value is not None}
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
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


DEFAULT_OUTGOING = ProcessBody(
    key="outgoing-standard",
    kind="outgoing",
    title="Soạn thảo, trình ký và ban hành văn bản đi",
    steps=[
        OutgoingStep(kind="consult", id="xin_y_kien", working_days=3, urgent_working_days=1),
        OutgoingStep(kind="review", id="kiem_tra_noi_dung", candidate_role=Role.UNIT_LEADER,
                     working_days=2, urgent_working_days=0, return_to=DRAFT),
        OutgoingStep(kind="format_check", id="kiem_tra_the_thuc", candidate_role=Role.CLERK,
                     working_days=1, urgent_working_days=0, return_to=DRAFT),
        OutgoingStep(kind="approve", id="lanh_dao_duyet", working_days=2, urgent_working_days=0,
                     return_to=DRAFT),
        OutgoingStep(kind="sign", id="ky_so", working_days=1, urgent_working_days=0, return_to=DRAFT),
        # Issued the day it is signed, at the latest the next morning (QĐ44 Điều 6.2).
        OutgoingStep(kind="issue", id="ban_hanh", candidate_role=Role.CLERK, working_days=0),
    ],
)
