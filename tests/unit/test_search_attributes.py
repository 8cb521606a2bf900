"""The search attributes in code are the ones every server registers (TEMPORAL-PATTERNS §6).

One missing attribute leaves workflows stuck on BadSearchAttributes, silently.
"""

from __future__ import annotations

from collections import Counter

from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey
from temporalio.testing import WorkflowEnvironment

from tests.conftest import TEMPORAL_BIN
from workflows import search_attributes

CLI_TYPES = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
    SearchAttributeIndexedValueType.TEXT: "Text",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
}
# SQL visibility allows this many custom attributes of each type per namespace.
SQL_VISIBILITY_LIMITS = {
    SearchAttributeIndexedValueType.KEYWORD: 10,
    SearchAttributeIndexedValueType.KEYWORD_LIST: 3,
    SearchAttributeIndexedValueType.DATETIME: 3,
    SearchAttributeIndexedValueType.BOOL: 3,
    SearchAttributeIndexedValueType.INT: 3,
    SearchAttributeIndexedValueType.DOUBLE: 3,
    SearchAttributeIndexedValueType.TEXT: 3,
}


def _flag_pairs(flags: list[str]) -> list[tuple[str, str]]:
    assert flags[0::2] == ["--search-attribute"] * (len(flags) // 2) and len(flags) % 2 == 0
    return [tuple(value.split("=", 1)) for value in flags[1::2]]


def _expected_types() -> dict[str, int]:
    return {key.name: int(key.indexed_value_type) for key in search_attributes.ALL}


def test_it_lists_every_key_once_in_the_dev_server_flags():
    pairs = _flag_pairs(search_attributes.dev_server_flags())
    names = [name for name, _ in pairs]
    assert Counter(names) == Counter(key.name for key in search_attributes.ALL)
    assert all(count == 1 for count in Counter(names).values())
    assert dict(pairs) == {key.name: CLI_TYPES[key.indexed_value_type] for key in search_attributes.ALL}


def test_it_puts_every_key_defined_in_the_module_into_all():
    defined = {
        value.name for value in vars(search_attributes).values() if isinstance(value, SearchAttributeKey)
    }
    assert defined == {key.name for key in search_attributes.ALL}
    assert len(search_attributes.ALL) == len(defined)


def test_it_stays_within_the_sql_visibility_budget_and_avoids_status():
    per_type = Counter(key.indexed_value_type for key in search_attributes.ALL)
    assert all(count <= SQL_VISIBILITY_LIMITS[kind] for kind, count in per_type.items())
    assert "Status" not in {key.name for key in search_attributes.ALL}


async def _registered(env: WorkflowEnvironment) -> dict[str, int]:
    response = await env.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace="default")
    )
    return dict(response.custom_attributes)


async def test_it_registers_every_key_with_its_type_on_the_test_server(temporal_env):
    registered = await _registered(temporal_env)
    expected = _expected_types()
    assert {name: registered.get(name) for name in expected} == expected


async def test_it_registers_every_key_with_its_type_from_the_cli_flags():
    """The flags ``qlvb run`` passes are accepted by the real binary and register the whole set."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_BIN),
        dev_server_extra_args=search_attributes.dev_server_flags(),
        ui=False,
    )
    try:
        registered = await _registered(env)
    finally:
        await env.shutdown()
    expected = _expected_types()
    assert {name: registered.get(name) for name in expected} == expected
