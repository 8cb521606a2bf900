"""Validation of an outgoing draft's metadata at the input boundary (web form and API alike).

Lengths are those of ND30 Phụ lục VI Mục I. Recipients are references the server resolves
(agency ids of this installation, outside agency codes, own unit ids), never free text that
could name a recipient nobody can deliver to.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.bounds import Id
from models.documents.schema import _SECRET_WORDS, _URGENCY_ALIASES, _nfc
from models.errors import DomainError
from models.vocab import Secrecy, Urgency

COMPETENCES = ("", "TM.", "KT.", "TL.", "TUQ.", "Q.")


class DraftForm(BaseModel):
    """What the drafter submits for an outgoing document (content aside)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    doc_type_id: Id
    subject: str = Field(min_length=1, max_length=500)
    body: str = Field(default="", max_length=50_000)  # the form's content; empty for an upload
    urgency: Urgency = Urgency.NORMAL
    secrecy: Secrecy = Secrecy.NONE
    signer_id: Id
    # "KT." and the head's title, e.g. competence "KT." + competence_title "CHỦ TỊCH".
    competence: str = ""
    competence_title: str = Field(default="", max_length=45)
    recipient_agency_ids: list[Id] = Field(default_factory=list, max_length=500)  # inside the installation
    recipient_codes: list[str] = Field(default_factory=list, max_length=500)  # outside, by QCVN 102 code
    recipient_unit_ids: list[Id] = Field(default_factory=list, max_length=500)  # own units, for information
    # Which recipient agencies are also addressed in "Kính gửi" (empty: all of them).
    kinh_gui_agency_ids: list[Id] = Field(default_factory=list, max_length=500)
    due_date: date | None = None  # Hạn trả lời, when a reply is requested
    issued_amount: int | None = Field(default=None, ge=1, le=999)
    description: str = Field(default="", max_length=500)
    in_reply_to_id: str | None = Field(default=None, max_length=36)
    # A paper original is also sent (QĐ44 Điều 5.5): the văn thư prints and stamps the signed file.
    paper_copy: bool = False

    @field_validator("*", mode="before")
    @classmethod
    def _normalise_text(cls, value: object) -> object:
        return _nfc(value)

    @field_validator("urgency", mode="before")
    @classmethod
    def _urgency_spellings(cls, value: object) -> object:
        if isinstance(value, str):
            lowered = value.casefold()
            if any(word in lowered for word in _SECRET_WORDS):
                raise DomainError("secret_draft")
            return _URGENCY_ALIASES.get(lowered, value)
        return value

    @field_validator("secrecy", mode="before")
    @classmethod
    def _no_secrets(cls, value: object) -> object:
        # QĐ44 Điều 1.2: a draft marked Mật, Tối mật or Tuyệt mật never enters the system.
        if value not in (None, "", Secrecy.NONE, Secrecy.NONE.value):
            raise DomainError("secret_draft")
        return Secrecy.NONE

    @field_validator("competence")
    @classmethod
    def _known_competence(cls, value: str) -> str:
        value = value.upper()
        if value and not value.endswith("."):
            value += "."
        if value not in COMPETENCES:
            raise ValueError("competence")
        return value

    @field_validator("recipient_codes", mode="before")
    @classmethod
    def _codes(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").replace("\n", ",").split(",")]
        if isinstance(value, list):
            return [str(part).strip().upper() for part in value if str(part).strip()]
        return value

    @field_validator("due_date")
    @classmethod
    def _not_past(cls, value: date | None) -> date | None:
        if value is not None and value < date.today():
            raise ValueError("past_date")
        return value

    @property
    def signer_competence(self) -> str:
        """The line above the signer's title, e.g. "KT. CHỦ TỊCH" (ND30 PL I II.7.b)."""
        return f"{self.competence} {self.competence_title}".strip().upper() if self.competence else ""
