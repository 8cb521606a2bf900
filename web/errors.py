"""One place that turns errors into responses: JSON for API v1, pages or toasts for the browser."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.errors import DomainError
from web.deps import LoginRequired, PasswordChangeRequired, TwoFactorRequired
from web.htmx import is_background_poll, render, wants_fragment
from web.messages import MESSAGES, field_error_text, field_errors, message_of, retry_after, status_of

log = logging.getLogger("qlvb.web")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def domain_error_response(request: Request, error: DomainError) -> Response:
    """Render a refused operation; nothing was changed by the request."""
    status = status_of(error)
    message = message_of(error)
    fields = field_errors(error)
    if _is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else retry_after(error)
        return JSONResponse({"detail": message, "code": error.code, "errors": fields},
                            status_code=status, headers=headers)
    if is_background_poll(request):
        return Response(status_code=204)
    if isinstance(error, LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if wants_fragment(request):
            return Response(status_code=204, headers={"HX-Redirect": f"/login?next={quote(target)}"})
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    if isinstance(error, PasswordChangeRequired):
        if wants_fragment(request):
            return Response(status_code=204, headers={"HX-Redirect": "/account/password"})
        return RedirectResponse("/account/password", status_code=303)
    if isinstance(error, TwoFactorRequired):
        if wants_fragment(request):
            return Response(status_code=204, headers={"HX-Redirect": "/account/two-factor"})
        return RedirectResponse("/account/two-factor", status_code=303)
    if wants_fragment(request):
        return render(request, "_toast.html", status_code=status,
                      headers={"HX-Retarget": "#toast", "HX-Reswap": "innerHTML"},
                      message=message, field_messages=list(fields.values()), level="error")
    return render(request, "error.html", status_code=status, status=status, message=message,
                  field_messages=list(fields.values()))


def unexpected_error_response(request: Request, error: Exception) -> Response:
    """An error nobody foresaw: logged with its trace under a short id the person can quote.

    Answered like every refusal (JSON for API v1, a toast for htmx, the error page otherwise), so
    the response passes through the security-header middleware and never shows a trace.
    """
    error_id = uuid.uuid4().hex[:12]
    log.error("unexpected error %s on %s %s", error_id, request.method, request.url.path, exc_info=error)
    failure = DomainError("internal_error", error_id=error_id)
    if _is_api(request):
        response: Response = JSONResponse({"detail": message_of(failure), "code": "internal_error",
                                           "errors": {}, "error_id": error_id}, status_code=500)
    else:
        try:
            response = domain_error_response(request, failure)
        except Exception:  # the page itself cannot be drawn: plain Vietnamese text still answers
            log.exception("error page for %s failed", error_id)
            response = Response(message_of(failure), status_code=500, media_type="text/plain; charset=utf-8")
    response.headers["X-Error-Id"] = error_id
    return response


def install(app: FastAPI) -> None:
    """Register the handlers on the application."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> Response:
        return domain_error_response(request, error)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        fields = {}
        for item in error.errors():
            loc = [str(part) for part in item.get("loc", []) if part not in ("body", "query", "path", "form")]
            name = loc[0] if loc else "request"
            fields[name] = field_error_text(item.get("type", ""), item.get("ctx"))
        wrapped = DomainError("invalid_request")
        if _is_api(request):
            return JSONResponse({"detail": MESSAGES["invalid_request"], "code": "invalid_request",
                                 "errors": fields}, status_code=422)
        return domain_error_response(request, wrapped)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, error: Exception) -> Response:
        """A value too large for the database (SQLite's 64 bits, PostgreSQL's ``integer``): the
        request's fault, so a refusal. A safety net behind the bounded types of ``models.bounds``."""
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, error)
        return domain_error_response(request, DomainError("invalid_request"))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_unreachable(request: Request, error: Exception) -> Response:
        """The database could not answer (a restart, a failover, a cut connection, SQLite busy past
        its timeout): the transaction rolled back, so nothing changed and the same request may be
        sent again. 503 with Retry-After says so to clients and load balancers; the trace is logged."""
        log.error("database unavailable on %s %s", request.method, request.url.path, exc_info=error)
        return domain_error_response(request, DomainError("database_unavailable"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        code = "not_found" if error.status_code == 404 else "invalid_request"
        if is_background_poll(request):
            return Response(status_code=204)
        if _is_api(request):
            return JSONResponse({"detail": MESSAGES[code], "code": code, "errors": {}},
                                status_code=error.status_code)
        return render(request, "error.html", status_code=error.status_code, status=error.status_code,
                      message=MESSAGES[code], field_messages=[])
