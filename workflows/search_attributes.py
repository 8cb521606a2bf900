"""The search attributes QLVB registers, and the typed keys workflows use.

The same set is registered wherever a server starts: the dev server flags in ``qlvb run``, the
test fixture, and ``docs/architecture.md`` for clusters. A test asserts they agree, because a
missing attribute leaves workflows stuck on BadSearchAttributes. No personal data, ever.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair

DOC_KIND = SearchAttributeKey.for_keyword("DocKind")
STAGE = SearchAttributeKey.for_keyword("Stage")
ORG_UNIT = SearchAttributeKey.for_keyword("OrgUnit")  # agency code, e.g. 000.00.01.H23
PROCESS_KEY = SearchAttributeKey.for_keyword("ProcessKey")
PROCESS_VERSION = SearchAttributeKey.for_int("ProcessVersion")
URGENCY_LEVEL = SearchAttributeKey.for_int("UrgencyLevel")  # 0 thường … 3 hỏa tốc
DUE_AT = SearchAttributeKey.for_datetime("DueAt")
OVERDUE = SearchAttributeKey.for_bool("Overdue")

ALL = [DOC_KIND, STAGE, ORG_UNIT, PROCESS_KEY, PROCESS_VERSION, URGENCY_LEVEL, DUE_AT, OVERDUE]


def document_attributes(kind: str, stage: str, agency_code: str, urgency_rank: int, process_key: str,
                        process_version: int) -> list[SearchAttributePair]:
    """The attributes a document workflow starts with, whoever starts it (client or parent workflow)."""
    return [SearchAttributePair(DOC_KIND, kind), SearchAttributePair(STAGE, stage),
            SearchAttributePair(ORG_UNIT, agency_code), SearchAttributePair(URGENCY_LEVEL, urgency_rank),
            SearchAttributePair(PROCESS_KEY, process_key), SearchAttributePair(PROCESS_VERSION, process_version)]

_CLI_TYPE = {
    "KEYWORD": "Keyword",
    "INT": "Int",
    "DATETIME": "Datetime",
    "BOOL": "Bool",
}


def dev_server_flags() -> list[str]:
    """``--search-attribute Name=Type`` flags for ``temporal server start-dev``."""
    flags = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={_CLI_TYPE[key.indexed_value_type.name.removeprefix('INDEXED_VALUE_TYPE_')]}"]
    return flags
