"""Numbers, ids and JSON from outside are bounded: a refusal in Vietnamese, never an internal error.

Every integer a route accepts (path, query, form, JSON) must stop at what the database holds,
and JSON bodies are refused when too large or nested too deep before anything parses them.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest

from app import create_app
from models.bounds import DB_INT_MAX, json_too_deep, loads, parse_id, parse_int, require_ids
from models.errors import DomainError
from tests.helpers import make_settings
from tests.web.conftest import api_token

# Too large for the database, too long for ``int``, and digits to ``str.isdigit`` that ``int`` refuses.
HUGE = [str(2**70), "99999999999999999999", str(2**63), str(DB_INT_MAX + 1), "9" * 5000, "²"]


@pytest.fixture
async def client(seeded_sqlite, temporal_env, tmp_path, task_queue):
    """The app without a worker: every request here is refused before any workflow is involved."""
    app = create_app(make_settings(tmp_path, task_queue), engine=seeded_sqlite, client=temporal_env.client,
                     strict_templates=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.app = app
            yield client


async def _browser(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    await client.post("/login", data={"username": username, "password": "Demo@2026pass", "csrf_token": token})
    inbox = await client.get("/")
    return {"X-CSRF-Token": re.search(r'"X-CSRF-Token": "([^"]+)"', inbox.text).group(1)}


# (method, url with {n} where the number goes, form fields or None) for pages
PAGE_ROUTES = [
    ("GET", "/?page={n}", None),
    ("GET", "/registers/{n}", None),
    ("GET", "/registers/1?year={n}", None),
    ("GET", "/registers/{n}/print.pdf", None),
    ("GET", "/registers/{n}/export.xlsx", None),
    ("GET", "/outgoing/x/revisions/{n}/file", None),
    ("GET", "/outgoing/x/compare?a={n}&b=1", None),
    ("POST", "/tasks/{n}/claim", None),
    ("POST", "/tasks/{n}/release", None),
    ("POST", "/tasks/{n}/act", {"action": "tiep_nhan"}),
    ("POST", "/tasks/{n}/progress", {"progress": "Đang xử lý"}),
    ("POST", "/account/sessions/{n}/revoke", None),
    ("POST", "/search/saved/{n}/delete", None),
    ("POST", "/outgoing/tasks/{n}/sign", None),
    ("POST", "/documents/x/reroute", {"unit_id": "{n}", "new_unit_id": "1", "reason": "Chuyển"}),
    ("POST", "/documents/x/reroute", {"unit_id": "1", "new_unit_id": "{n}", "reason": "Chuyển"}),
    ("POST", "/outgoing/x/submit", {"consult_unit_ids": "{n}"}),
    ("POST", "/outgoing/x/submit", {"consult_agency_ids": "{n}"}),
    ("POST", "/outgoing/x/recipients", {"recipient_agency_ids": "{n}"}),
    ("POST", "/outgoing/x/recipients", {"recipient_unit_ids": "{n}"}),
]

# (method, url, JSON body or None) for API v1
API_ROUTES = [
    ("GET", "/api/v1/tasks?page={n}", None),
    ("GET", "/api/v1/tasks?per_page={n}", None),
    ("POST", "/api/v1/tasks/{n}/actions", {"action": "tiep_nhan", "fields": {}}),
    ("POST", "/api/v1/tasks/1/actions", {"action": "phan_cong", "fields": {"nguoi_xu_ly": "{n}"}}),
    ("POST", "/api/v1/tasks/1/actions", {"action": "giao_xu_ly", "fields": {"don_vi_chu_tri": "{n}"}}),
    ("GET", "/api/v1/registers?year={n}", None),
    ("GET", "/api/v1/registers/{n}/entries", None),
    ("GET", "/api/v1/registers/1/entries?year={n}", None),
    ("GET", "/api/v1/registers/{n}/print.pdf", None),
    ("GET", "/api/v1/registers/{n}/export.xlsx", None),
    ("POST", "/api/v1/tasks/{n}/sign", {}),
    ("POST", "/api/v1/tasks/{n}/sign/remote", {"certificate_pem": "x"}),
    ("POST", "/api/v1/remote-signing/{n}/complete", {"signature": "AAAA"}),
    ("GET", "/api/v1/search?page={n}", None),
    ("GET", "/api/v1/search?unit_id={n}", None),
    ("GET", "/api/v1/outgoing/x/revisions/{n}/file", None),
    ("GET", "/api/v1/outgoing/x/compare?a=1&b={n}", None),
    ("POST", "/api/v1/outgoing/x/submit", {"consultations": [{"unit_id": "{n}"}]}),
    ("POST", "/api/v1/outgoing/x/submit", {"consultations": [{"agency_id": "{n}"}]}),
    ("POST", "/api/v1/outgoing/x/recipients", {"recipient_agency_ids": ["{n}"]}),
    ("POST", "/api/v1/outgoing/x/recipients", {"recipient_unit_ids": ["{n}"]}),
]


def _fill(value, number: str):
    """Put the number in: as text in URLs and forms, as a JSON integer in bodies."""
    if isinstance(value, str):
        return int(number) if value == "{n}" else value.replace("{n}", number)
    if isinstance(value, dict):
        return {key: _fill(item, number) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, number) for item in value]
    return value


def _fill_fields(value, number: str):
    """The same for task fields, which are text."""
    return {key: str(_fill(item, number)) for key, item in value.items()}


@pytest.mark.parametrize(("method", "url", "form"), PAGE_ROUTES, ids=[f"{m} {u} {f}" for m, u, f in PAGE_ROUTES])
async def test_pages_refuse_out_of_range_numbers(client, method, url, form):
    headers = await _browser(client, "vanthu")
    for number in HUGE + ["-1", "0"]:
        data = {key: value.replace("{n}", number) for key, value in (form or {}).items()}
        response = await client.request(method, url.replace("{n}", number), headers=headers,
                                        data=data or None)
        assert 400 <= response.status_code < 500, (number, response.status_code, response.text[:300])
        assert "Hệ thống gặp lỗi ngoài dự kiến" not in response.text


@pytest.mark.parametrize(("method", "url", "body"), API_ROUTES, ids=[f"{m} {u} {b}" for m, u, b in API_ROUTES])
async def test_api_refuses_out_of_range_numbers(client, method, url, body):
    headers = await api_token(client, "vanthu")
    for number in HUGE + ["-1"]:
        if body is not None and (not number.isascii() or len(number) > 100):
            continue  # a JSON body carries numbers, not superscripts (nor 5,000-digit ones Python will not read)
        payload = None
        if body is not None:
            payload = {**_fill(body, number)}
            if "fields" in body:
                payload["fields"] = _fill_fields(body["fields"], number)
        response = await client.request(method, url.replace("{n}", number), headers=headers, json=payload)
        assert 400 <= response.status_code < 500, (number, response.status_code, response.text[:300])
        answer = response.json()
        assert answer["code"] != "internal_error" and answer["detail"], answer


async def test_an_upload_metadata_field_with_an_out_of_range_id_is_refused(client):
    headers = await api_token(client, "chuyenvien")
    for field in ("doc_type_id", "signer_id"):
        metadata = {"doc_type_id": 1, "signer_id": 1, "subject": "Về việc thử", field: 2**70}
        response = await client.post("/api/v1/outgoing", headers=headers, data={"metadata": json.dumps(metadata)})
        assert response.status_code == 422, response.text
        assert field in response.json()["errors"], response.json()


def test_every_integer_input_of_every_route_is_bounded(client):
    """The class, not the examples: each integer in the OpenAPI description has a maximum the
    database can hold (a route added later without a bounded type fails here)."""
    spec = client.app.openapi()
    components = spec.get("components", {}).get("schemas", {})
    unbounded = []

    def walk(schema, where, seen=()):
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            if name not in seen:
                walk(components[name], where, (*seen, name))
            return
        if schema.get("type") == "integer" and not (schema.get("maximum", DB_INT_MAX + 1) <= DB_INT_MAX):
            unbounded.append(where)
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, []):
                walk(option, where, seen)
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], f"{where}[]", seen)
        for name, item in schema.get("properties", {}).items():
            walk(item, f"{where}.{name}", seen)

    count = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                walk(parameter["schema"], f"{method} {path} {parameter['name']}")
                count += 1
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], f"{method} {path} body")
    assert count > 20
    assert unbounded == []


JSON_ROUTES = ["/api/v1/tasks/1/actions", "/api/v1/outgoing/x/submit", "/api/v1/outgoing/x/recipients",
               "/api/v1/outgoing/x/comments", "/api/v1/tasks/1/sign", "/api/v1/remote-signing/1/complete"]


@pytest.mark.parametrize("url", JSON_ROUTES)
async def test_json_bodies_nested_too_deep_are_refused_before_parsing(client, url):
    headers = await api_token(client, "vanthu")
    for depth in (33, 100_000):
        body = '{"fields": ' + "[" * depth + "]" * depth + "}"
        for content_type in ("application/json", "application/merge-patch+json", None):
            sent = {**headers, **({"Content-Type": content_type} if content_type else {})}
            response = await client.post(url, content=body.encode(), headers=sent)
            assert response.status_code == 422, (depth, content_type, response.text[:200])
            assert response.json()["code"] == "json_too_deep"
            assert "lồng nhau quá sâu (tối đa 32 cấp)" in response.json()["detail"]
            assert response.headers["content-security-policy"] and "server" not in response.headers
    # Brackets inside strings are text, not nesting; depth 32 is allowed through to the route.
    fine = json.dumps({"fields": {"y_kien": "[" * 5000}, "nested": json.loads("[" * 31 + "]" * 31)})
    response = await client.post(url, content=fine, headers={**headers, "Content-Type": "application/json"})
    assert response.json().get("code") != "json_too_deep"


async def test_json_bodies_too_large_are_refused(client):
    headers = await api_token(client, "vanthu")
    big = json.dumps({"action": "tiep_nhan", "fields": {"y_kien": "x" * (1024 * 1024)}})
    response = await client.post("/api/v1/tasks/1/actions", content=big,
                                 headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "json_too_large"
    assert "1024 KB" in response.json()["detail"]

    async def trickle():  # no declared length: counted as it arrives
        for _ in range(20):
            yield b" " * 65536
    response = await client.post("/api/v1/tasks/1/actions", content=trickle(),
                                 headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413


async def test_a_deep_json_form_field_is_refused_with_its_name(client):
    headers = await api_token(client, "vanthu")
    metadata = '{"subject": ' + "[" * 5000 + "]" * 5000 + "}"
    response = await client.post("/api/v1/incoming", headers=headers, data={"metadata": metadata},
                                 files={"file": ("a.pdf", b"%PDF-1.7\n", "application/pdf")})
    assert response.status_code == 422
    assert response.json()["errors"]["metadata"] == "dữ liệu JSON lồng nhau quá sâu"


async def test_a_register_volume_that_is_not_a_number_is_refused(client):
    headers = await api_token(client, "vanthu")
    register_id = (await client.get("/api/v1/registers", headers=headers)).json()[0]["id"]
    for volume in ("²", "9" * 5000, "0", "-1", "x"):
        response = await client.get(f"/api/v1/registers/{register_id}/print.pdf", headers=headers,
                                    params={"volume": volume})
        assert response.status_code == 422 and response.json()["code"] == "invalid_volume", (volume, response.text)


def test_parse_id_accepts_only_database_ids():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(str(DB_INT_MAX)) == DB_INT_MAX
    for text in ("", "0", "-3", str(DB_INT_MAX + 1), "9" * 5000, "²", "١٢", "1e3", "12a", "+5"):
        assert parse_id(text) is None, text
    assert parse_int("12", 0, 12) == 12 and parse_int("13", 0, 12) is None and parse_int("٣", 0, 12) is None
    assert require_ids("unit_ids", ["1", " ", "2"]) == [1, 2]
    with pytest.raises(DomainError) as refused:
        require_ids("unit_ids", ["1", str(2**70)])
    assert refused.value.params == {"fields": {"unit_ids": "invalid"}}


def test_json_depth_is_measured_without_parsing():
    assert not json_too_deep("[" * 32 + "]" * 32)
    assert json_too_deep("[" * 33 + "]" * 33)
    assert not json_too_deep(json.dumps({"a": "[[[[{{{{" * 100, "b": '\\"[['}), limit=2)
    assert json_too_deep(b'{"a": {"b": {"c": 1}}}', limit=2)
    with pytest.raises(DomainError) as refused:
        loads("[" * 100_000)
    assert refused.value.code == "json_too_deep"
    assert loads('{"a": [1, 2]}') == {"a": [1, 2]}


def test_a_signer_page_of_unusual_digits_is_refused():
    from models.outgoing.upload import _page_index

    assert _page_index("2", 3) == 1 and _page_index("last", 3) == 2
    for page in ("²", "٣", "0", "4", "9" * 5000):
        with pytest.raises(DomainError) as refused:
            _page_index(page, 3)
        assert refused.value.code == "invalid_signer_page"
