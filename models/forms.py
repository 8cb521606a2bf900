"""The base of the input forms of the domain packages (page forms and API v1 alike).

A form is a pydantic model that refuses unknown fields, strips and NFC-normalises text, refuses
control and bidi characters, and turns pydantic's errors into one ``invalid_fields`` refusal that
names each field with a kind ``web/messages.py`` words, so bad input changes nothing anywhere.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from models.errors import DomainError
from models.text import normalised, refuse_unsafe_text

# pydantic's error types, as the field error kinds the pages and the API word.
FIELD_ERROR_KINDS = {"missing": "required", "string_too_short": "required", "string_too_long": "too_long",
                     "too_long": "too_long", "list_too_long": "too_long"}


class BoundaryForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value: object) -> object:
        return normalised(value) if isinstance(value, str) else value

    @classmethod
    def parse(cls, raw: dict):
        """Validate ``raw``; ``invalid_fields`` naming each field that does not fit, nothing else happens.

        An empty text for an optional field that is not text (a date, a number, an id left blank in
        a page form) counts as left out.
        """
        cleaned = {name: value for name, value in raw.items()
                   if not (value in ("", None) and name in cls.model_fields and not cls.model_fields[name].is_required()
                           and cls.model_fields[name].annotation is not str)}
        try:
            form = cls.model_validate(cleaned)
        except ValidationError as error:
            fields: dict[str, str] = {}
            for item in error.errors():
                name = str(item["loc"][0]) if item["loc"] else "request"
                fields.setdefault(name, FIELD_ERROR_KINDS.get(item["type"], "invalid"))
            raise DomainError("invalid_fields", fields=fields) from None
        refuse_unsafe_text(**{name: value for name, value in form.model_dump().items() if isinstance(value, str)})
        return form
