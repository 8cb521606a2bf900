"""Validation of document metadata at the input boundary (API JSON and web forms alike).

Field names are the snake_case of the ND30 Phụ lục VI tags; lengths are the decree's. Text is
normalised to NFC here, once, so equal-looking strings compare equal everywhere after.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from models.errors import DomainError
from models.text import normalised, text_problem
from models.vocab import Secrecy, Urgency

_URGENCY_ALIASES = {
    "0": Urgency.NORMAL, "thuong": Urgency.NORMAL, "thường": Urgency.NORMAL, "": Urgency.NORMAL,
    "1": Urgency.URGENT, "khan": Urgency.URGENT, "khẩn": Urgency.URGENT,
    "2": Urgency.VERY_URGENT, "thuong_khan": Urgency.VERY_URGENT, "thượng khẩn": Urgency.VERY_URGENT,
    "3": Urgency.FLASH, "hoa_toc": Urgency.FLASH, "hỏa tốc": Urgency.FLASH, "hoả tốc": Urgency.FLASH,
}
_SECRET_WORDS = ("mật", "mat", "tối mật", "toi_mat", "tuyệt mật", "tuyet_mat")


def _nfc(value: object) -> object:
    """NFC text, refused when it carries control or bidirectional override characters."""
    if not isinstance(value, str):
        return value
    problem = text_problem(value)
    if problem is not None:
        raise PydanticCustomError(problem, "unsafe character")
    return normalised(value)


class IncomingMetadata(BaseModel):
    """Metadata of an incoming document as the văn thư enters or confirms it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code_number: str = Field(min_length=1, max_length=11)
    code_notation: str = Field(default="", max_length=30)
    issued_date: date
    organ_name: str = Field(min_length=1, max_length=200)
    organ_id: str = Field(default="", max_length=35, pattern=r"^[0-9A-Z.]*$")
    type_name: str = Field(min_length=1, max_length=100)
    subject: str = Field(min_length=1, max_length=500)
    language: str = Field(default="Tiếng Việt", max_length=30)
    page_amount: int | None = Field(default=None, ge=1, le=999)
    description: str = Field(default="", max_length=500)
    signer_full_name: str = Field(default="", max_length=50)
    signer_position: str = Field(default="", max_length=100)
    priority: Urgency = Urgency.NORMAL
    secrecy: Secrecy = Secrecy.NONE
    due_date: date | None = None
    paper_copy: bool = False

    @field_validator("*", mode="before")
    @classmethod
    def _normalise_text(cls, value: object) -> object:
        return _nfc(value)

    @field_validator("priority", mode="before")
    @classmethod
    def _accept_urgency_spellings(cls, value: object) -> object:
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str):
            lowered = value.casefold()
            if any(word in lowered for word in _SECRET_WORDS):
                # A secrecy marking in the priority field is still a state secret.
                raise DomainError("secret_document")
            return _URGENCY_ALIASES.get(lowered, value)
        return value

    @field_validator("code_notation")
    @classmethod
    def _no_spaces(cls, value: str) -> str:
        return value.replace(" ", "").upper()


def refuse_state_secrets(metadata: IncomingMetadata) -> None:
    """QĐ44 Điều 1.2: documents marked Mật, Tối mật or Tuyệt mật never enter the system."""
    if metadata.secrecy != Secrecy.NONE:
        raise DomainError("secret_document")
