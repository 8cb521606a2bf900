"""Every HTML form post answers a success with 303 to a GET page and a message (Post/Redirect/Get).

The rule for which routes count: every POST route of the app outside ``/api/`` (API v1 answers
JSON) and outside ``HTMX_ONLY`` (endpoints only htmx calls, which swap a fragment in place and are
no page to refresh). New routes join the walk automatically; the walk fails until the route is
classified.

Each route is checked twice:

* statically, over its handler's code: every ``return`` that is not a refusal (inside an
  ``except``, or a page rendered with ``error=``) nor an htmx-only answer (under an ``if`` on
  ``wants_fragment``/``hx-request``) ends in a redirect: ``flash.done``, a 303 ``RedirectResponse``,
  an ``HX-Redirect``, or one of the module's helpers that itself only ends so (followed down);
* by a real request with the demo data for the routes in ``DRIVEN`` below (the configuration,
  organisation, process, two-factor, schedule, search, hồ sơ pages this rule was extended to), which
  must answer 303 and show the message on the page it leads to, once.
"""

from __future__ import annotations

import ast
import html
import inspect
import json
import re
import textwrap
from types import FunctionType, ModuleType

import pytest

from app import create_app
from models.processes.schema import DEFAULT_INCOMING
from tests.conftest import DEMO_PASSWORD
from tests.helpers import make_settings
from tests.routes import post_routes
from tests.web.conftest import browser_login, enrol_two_factor, next_code

# Endpoints only htmx calls; each answers a fragment or an HX-Redirect and has no plain form.
HTMX_ONLY = {
    "/tasks/{task_id}/claim": "inbox row button (hx-post), answers 204 + HX-Trigger; the row refreshes",
    "/tasks/{task_id}/release": "inbox row button (hx-post), answers 204 + HX-Trigger; the row refreshes",
    "/notifications/read": "hx-post button, answers HX-Redirect to the notifications",
    "/documents/suggest": "metadata suggestions while the intake form is filled; changes nothing",
    "/documents/duplicates": "probable-duplicate check while the intake form is filled; changes nothing",
    "/account/sessions/{session_id}/revoke": "hx-post button on the sessions table, swaps the table",
    "/admin/organisation/reorganise/preview": "a dry run that changes nothing: the page shows what would change "
                                              "and carries the apply form (which redirects)",
    # Called by static/push.js with the browser's push subscription (JSON); the page shows the answer in place.
    "/account/notifications/subscribe": "push.js JSON call, answers whether pushes are on for this browser",
    "/account/notifications/unsubscribe": "push.js JSON call, answers whether pushes are on for this browser",
    # Called by static/sw.js when the browser renewed a subscription; no page is there to redirect.
    "/push/renew": "sw.js JSON call (pushsubscriptionchange), answers whether the renewal was recorded",
}


def _post_routes():
    """Every POST route of the app, included routers walked (FastAPI keeps them nested)."""
    app = create_app(make_settings(__import__("pathlib").Path("/nonexistent"), "q"), engine=None, client=None)
    return post_routes(app)


def _form_routes():
    """The routes HTML forms post to (the rule of the module docstring)."""
    return [route for route in _post_routes()
            if not route.path.startswith("/api/") and route.path not in HTMX_ONLY]


# --- the static walk ------------------------------------------------------------------------------

REDIRECTS = {"flash.done", "flash.show_once", "done"}


def _call_name(node: ast.AST) -> str:
    return ast.unparse(node.func) if isinstance(node, ast.Call) else ""


def _is_redirect(node: ast.AST) -> bool:
    """A terminal answer that sends the browser to a GET page."""
    if not isinstance(node, ast.Call):
        return False
    name = _call_name(node)
    if name in REDIRECTS:
        return True
    keywords = {k.arg: ast.unparse(k.value) for k in node.keywords}
    if name == "RedirectResponse":
        return keywords.get("status_code") == "303"
    if name == "Response":
        return "HX-Redirect" in keywords.get("headers", "")
    return False


def _is_refusal(node: ast.AST) -> bool:
    """A page shown again with what went wrong (422 and the like), not a success."""
    return isinstance(node, ast.Call) and any(k.arg == "error" for k in node.keywords)


def _htmx_test(node: ast.AST) -> bool:
    text = ast.unparse(node)
    return "wants_fragment" in text or "hx-request" in text


def _negated(test: ast.AST) -> bool:
    """``if not wants_fragment(...)`` / ``!= "true"``: the body answers the plain form."""
    return (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)) or (
        isinstance(test, ast.Compare) and any(isinstance(op, ast.NotEq) for op in test.ops))


def _unwrap(node: ast.AST, assigned: dict[str, ast.AST]) -> ast.AST:
    """``await f(...)``, ``await run_in_threadpool(f, ...)``, a variable → the call that decides the answer."""
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Name) and node.id in assigned:
        return _unwrap(assigned[node.id], {})
    if isinstance(node, ast.Call) and _call_name(node) in ("run_in_threadpool", "asyncio.to_thread") and node.args:
        inner = node.args[0]
        return inner if isinstance(inner, ast.Call) else ast.Call(func=inner, args=node.args[1:],
                                                                   keywords=node.keywords)
    return node


def _success_returns(function: ast.AST):
    """The returns of a function that are neither in an ``except`` nor htmx-only answers."""
    def block(statements, excused):
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(statement, ast.If) and _htmx_test(statement.test):
                plain, htmx = ((statement.body, statement.orelse) if _negated(statement.test)
                               else (statement.orelse, statement.body))
                yield from block(plain, excused)
                yield from block(htmx, True)
                if _negated(statement.test):
                    excused = True  # what follows answers htmx only
                continue
            if isinstance(statement, ast.Return):
                if not excused:
                    yield statement
                continue
            if isinstance(statement, ast.Try):
                yield from block(statement.body + statement.orelse + statement.finalbody, excused)
                for handler in statement.handlers:
                    yield from block(handler.body, True)
                continue
            for name in ("body", "orelse"):
                inner = getattr(statement, name, None)
                if isinstance(inner, list):
                    yield from block(inner, excused)
    yield from block(function.body, False)


def _assignments(function: ast.AST) -> dict[str, ast.AST]:
    return {target.id: node.value for node in ast.walk(function) if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def _problems(function: FunctionType, module: ModuleType, seen: set) -> list[str]:
    """Why ``function`` may answer a plain form post without a redirect (empty: it never does)."""
    if function in seen:
        return []
    seen.add(function)
    tree = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
    assigned = _assignments(tree)
    problems = []
    for returned in _success_returns(tree):
        value = _unwrap(returned.value, assigned) if returned.value is not None else None
        if value is None or _is_redirect(value) or _is_refusal(value):
            continue
        helper = getattr(module, _call_name(value), None) if isinstance(value, ast.Call) else None
        helper = inspect.unwrap(helper) if isinstance(helper, FunctionType) else None
        if helper is not None and helper.__module__.startswith("web."):
            problems += _problems(helper, inspect.getmodule(helper), seen)
            continue
        problems.append(f"{function.__name__}: return {ast.unparse(returned.value)[:90]}")
    return problems


def test_the_walk_finds_the_form_routes_and_the_htmx_list_names_real_routes():
    paths = {route.path for route in _post_routes()}
    assert len([p for p in paths if not p.startswith("/api/")]) > 60
    assert set(HTMX_ONLY) <= paths  # a stale entry is removed with its route


@pytest.mark.parametrize("route", _form_routes(), ids=lambda route: route.path)
def test_every_form_post_ends_in_a_redirect(route):
    endpoint = inspect.unwrap(route.endpoint)
    module = inspect.getmodule(endpoint)
    assert _problems(endpoint, module, set()) == []


def test_the_static_walk_catches_a_page_rendered_on_success():
    """The check can fail: a handler rendering its page after the change is reported."""
    import web.records as module

    source = textwrap.dedent('''
        async def handler(request):
            try:
                await change()
            except DomainError as failure:
                return page(request, error=failure)
            if wants_fragment(request):
                return render(request, "fragment.html")
            return page(request, notice="Đã lưu.")
    ''')
    namespace: dict = {}
    exec(compile(source, "<handler>", "exec"), namespace)  # noqa: S102 - a fixed snippet
    handler = namespace["handler"]
    tree = ast.parse(source)
    returns = [ast.unparse(r.value) for r in _success_returns(tree.body[0])]
    assert returns == ["page(request, notice='Đã lưu.')"]
    assert not _is_redirect(_unwrap(ast.parse("page(request)").body[0].value, {}))
    assert _is_redirect(ast.parse("flash.done(request, '/', 'x')").body[0].value)
    assert module and handler


# --- real requests ------------------------------------------------------------------------------------


def _flash(page: str) -> str:
    found = re.search(r'<div id="flash"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


async def _redirects_saying(web, path: str, data: dict, said: str) -> str:
    """Post ``data`` like a plain form; it must answer 303 and the page after it say ``said``."""
    posted = await web.post(path, data=data)
    assert posted.status_code == 303, (path, posted.status_code, re.findall(r'role="alert">(.*?)</', posted.text))
    page = await web.get(posted.headers["location"], follow_redirects=True)
    assert page.status_code == 200
    shown = _flash(page.text)
    assert said in shown, (path, shown)
    await web.post("/flash/dismiss", data={"csrf_token": data.get("csrf_token", ""), "back": "/"})
    return posted.headers["location"]


DRIVEN = {
    "/admin/configuration/types", "/admin/configuration/types/{type_id}", "/admin/configuration/registers",
    "/admin/configuration/registers/{register_id}", "/admin/calendar", "/admin/configuration/hub",
    "/admin/configuration/processes", "/admin/processes", "/admin/organisation/agencies",
    "/admin/organisation/agencies/{agency_id}/{operation}", "/admin/organisation/units/{unit_id}/{operation}",
    "/account/two-factor/recovery-codes", "/account/two-factor/disable", "/schedule", "/schedule/feeds",
    "/search/saved", "/search/saved/{saved_id}/delete", "/record-plans",
}


def test_the_driven_routes_exist():
    assert DRIVEN <= {route.path for route in _form_routes()}


async def test_the_administrator_s_forms_redirect_and_say_what_they_did(web):
    csrf = await browser_login(web, "admin")
    form = {"csrf_token": csrf}
    await _redirects_saying(web, "/admin/configuration/types", {**form, "name": "Bản tin nội bộ", "code": "BTNB"},
                            "Đã thêm loại văn bản “Bản tin nội bộ”")
    page = (await web.get("/admin/configuration")).text
    type_id = re.search(r'action="/admin/configuration/types/(\d+)"', page).group(1)
    await _redirects_saying(web, f"/admin/configuration/types/{type_id}", {**form, "action": "deactivate"},
                            "Đã ngừng dùng loại văn bản")
    await _redirects_saying(web, "/admin/configuration/registers", {**form, "kind": "incoming", "name": "Sổ đến mật"},
                            "Đã mở sổ “Sổ đến mật”")
    page = (await web.get("/admin/configuration")).text
    register_ids = re.findall(r'action="/admin/configuration/registers/(\d+)" data-confirm=', page)
    assert register_ids, "closing a register asks first"
    await _redirects_saying(web, f"/admin/configuration/registers/{register_ids[-1]}", {**form, "action": "close"},
                            "Đã đóng sổ")
    await _redirects_saying(web, "/admin/calendar", {**form, "day": "2026-12-31", "working": "0"},
                            "Ngày 31/12/2026 được đặt là ngày nghỉ")
    await _redirects_saying(web, "/admin/configuration/hub", {**form, "email": "vanthu@hanam.gov.vn"},
                            "Đã lưu thông tin cơ quan trên trục liên thông")
    await _redirects_saying(web, "/admin/configuration/processes",
                            {**form, "direction": "incoming", "version": "incoming-standard:1"},
                            "Đã áp dụng phiên bản quy trình")
    body = DEFAULT_INCOMING.model_dump(mode="json")
    await _redirects_saying(web, "/admin/processes", {**form, "body": json.dumps(body)}, "phiên bản")

    target = await _redirects_saying(web, "/admin/organisation/agencies", {
        **form, "code": "000.00.77.H23", "name": "Sở Thử nghiệm", "abbreviation": "STN", "kind": "so_nganh",
        "valid_from": "2026-01-01"}, "Đã thêm cơ quan Sở Thử nghiệm")
    agency_id = target.rsplit("/", 1)[1]
    await _redirects_saying(web, f"/admin/organisation/agencies/{agency_id}/units", {
        **form, "name": "Phòng Thử", "abbreviation": "PT", "valid_from": "2026-01-01"}, "Đã thêm đơn vị")
    page = (await web.get(f"/admin/organisation/agencies/{agency_id}")).text
    unit_id = re.search(r'action="/admin/organisation/units/(\d+)/rename"', page).group(1)
    assert f'action="/admin/organisation/units/{unit_id}/close" class="inline" data-confirm=' in page
    await _redirects_saying(web, f"/admin/organisation/units/{unit_id}/rename", {**form, "name": "Phòng Thử hai"},
                            "Đã đổi tên đơn vị")

    # A refusal shows the form again with the error (422), no redirect.
    refused = await web.post("/admin/configuration/types", data={**form, "name": "Bản tin khác", "code": "BTNB"})
    assert refused.status_code == 422


async def test_two_factor_forms_redirect_and_recovery_codes_are_shown_once(web):
    csrf = await browser_login(web, "chuyenvien")
    codes = await enrol_two_factor(web, "chuyenvien")
    assert len(codes) == 10
    again = await web.get("/account/two-factor")
    assert "<li><code>" not in again.text  # shown once, a reload shows them no more
    posted = await web.post("/account/two-factor/recovery-codes",
                            data={"csrf_token": csrf, "code": next_code(web, "chuyenvien")})
    assert posted.status_code == 303
    page = await web.get(posted.headers["location"])
    fresh = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page.text)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert "Đã tạo mã khôi phục mới" in _flash(page.text)


async def test_turning_two_factor_off_redirects_and_says_so(web):
    csrf = await browser_login(web, "chuyenvien")
    await enrol_two_factor(web, "chuyenvien")
    await _redirects_saying(web, "/account/two-factor/disable", {
        "csrf_token": csrf, "password": DEMO_PASSWORD, "code": next_code(web, "chuyenvien")},
        "Đã tắt xác thực hai bước")

    # A message waiting at logout is the person's own: the next one at this browser never reads it.
    assert (await web.post("/account/two-factor/disable", data={"csrf_token": csrf})).status_code >= 400
    assert (await web.post("/schedule/feeds", data={"csrf_token": csrf})).status_code == 303
    assert "qlvb_flash" in web.cookies and "qlvb_once" in web.cookies
    assert (await web.post("/logout", data={"csrf_token": csrf})).status_code == 303
    assert "qlvb_flash" not in web.cookies and "qlvb_once" not in web.cookies
    assert 'id="flash"' not in (await web.get("/login")).text


async def test_schedule_search_and_plan_forms_redirect_and_say_what_they_did(web):
    csrf = await browser_login(web, "vanthu")
    form = {"csrf_token": csrf}
    await _redirects_saying(web, "/schedule", {**form, "week": "2026-W50"}, "Đã mở lịch công tác tuần 2026-W50")
    posted = await web.post("/schedule/feeds", data=form)
    assert posted.status_code == 303
    page = await web.get(posted.headers["location"])
    assert "/calendar/" in page.text and ".ics" in page.text and "Đã tạo địa chỉ lịch riêng" in _flash(page.text)
    assert "/calendar/" not in (await web.get("/schedule/feeds")).text  # the secret address is shown once

    await _redirects_saying(web, "/search/saved", {**form, "name": "Công văn khẩn", "q": "khẩn"}, "Đã lưu tìm kiếm")
    page = (await web.get("/search")).text
    saved_id = re.search(r'action="/search/saved/(\d+)/delete"', page).group(1)
    await _redirects_saying(web, f"/search/saved/{saved_id}/delete", form, "Đã xóa tìm kiếm đã lưu")

    await _redirects_saying(web, "/record-plans", {**form, "year": "2027", "numbering": "lien_tuc"},
                            "Đã lập dự thảo danh mục hồ sơ năm 2027")
