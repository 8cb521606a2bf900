"""What an agency's identity on the hub may say: the contact fields of the ``From`` of its packages.

Each field has the length the edXML validator allows (EDXML §2.2; ``edxml.validate``), and the
address forms a receiving system can use: an e-mail address, a telephone or fax number, an
http(s) address for the website. A refusal names every bad field and changes nothing.
"""

from __future__ import annotations

import re

from models.errors import DomainError
from models.text import normalised, text_problem

# field -> the longest value the column (and the receiving hub's validator) takes
IDENTITY_LIMITS = {"organization_in_charge": 200, "organ_add": 500, "email": 100, "telephone": 20, "fax": 20,
                   "website": 100}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ().-]*[0-9][0-9 ().-]*$")
WEBSITE = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
FORMS = {"email": EMAIL, "telephone": PHONE, "fax": PHONE, "website": WEBSITE}


def clean_identity(values: dict[str, str]) -> dict[str, str]:
    """The identity fields normalised (NFC, no surrounding blanks), or ``invalid_fields`` naming
    each field that is too long, holds control characters or is not in its form; an empty field
    is allowed (the package then leaves the element out)."""
    cleaned: dict[str, str] = {}
    problems: dict[str, str] = {}
    for field, limit in IDENTITY_LIMITS.items():
        value = normalised(str(values.get(field) or ""))
        problem = text_problem(value, multiline=False)
        if problem:
            problems[field] = problem
        elif len(value) > limit:
            problems[field] = "too_long"
        elif value and field in FORMS and not FORMS[field].match(value):
            problems[field] = f"{field}_form"
        cleaned[field] = value
    if problems:
        raise DomainError("invalid_fields", fields=problems)
    return cleaned
