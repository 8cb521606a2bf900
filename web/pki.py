"""Trust anchors and signature checks: the root certificates QLVB trusts, and a document's verdict.

The trust-anchor bundle is public information, but it is served to signed-in users only, like
everything else: integrators use the API (bearer token), officials the link on the document page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from models.documents.access import document_for_user
from models.errors import NotFound
from models.signing.pki import trust_anchors_pem
from models.signing.repo import current_check
from web.deps import ApiUser, DbSession, State, WebUser
from web.filters import iso_vn
from web.htmx import render, wants_fragment
from web.idempotency import IdempotentRoute

PEM_MEDIA_TYPE = "application/x-pem-file"
BUNDLE_NAME = "qlvb-trust-anchors.pem"

api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])
page_router = APIRouter(route_class=IdempotentRoute)
router = APIRouter(route_class=IdempotentRoute)


def _bundle_response(state: State) -> Response:
    bundle = trust_anchors_pem(state.settings)
    if not bundle:
        raise NotFound("trust_anchors_empty")
    return Response(bundle, media_type=PEM_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{BUNDLE_NAME}"'})


@api_router.get("/pki/trust-anchors")
def api_trust_anchors(principal: ApiUser, state: State) -> Response:
    """The trust anchors as one PEM bundle."""
    return _bundle_response(state)


@api_router.get("/documents/{document_id}/signature-check")
def api_signature_check(document_id: str, principal: ApiUser, session: DbSession) -> dict:
    """The signature check of the document's current file (404 until it has been checked)."""
    document = document_for_user(session, principal.user, document_id, principal.roles)
    check = current_check(session, document)
    if check is None:
        raise NotFound("signature_check_pending")
    return {"document_id": document.id, "file_sha256": check.file_sha256, "verdict": check.verdict,
            "for_reference_only": check.for_reference_only, "checked_at": iso_vn(check.checked_at),
            "report": check.report}


@page_router.get("/pki/trust-anchors.pem")
def page_trust_anchors(principal: WebUser, state: State) -> Response:
    """The trust anchors as one PEM bundle, for the link on the document page."""
    return _bundle_response(state)


@page_router.get("/documents/{document_id}/_signature")
def signature_fragment(request: Request, document_id: str, principal: WebUser, session: DbSession) -> Response:
    """The signature badge alone; the badge polls it until the check has run."""
    document = document_for_user(session, principal.user, document_id, principal.roles)
    if not wants_fragment(request):
        return RedirectResponse(f"/documents/{document.id}", status_code=303)
    return render(request, "documents/_signature_badge.html", document=document,
                  signature_check=current_check(session, document))


router.include_router(api_router)
router.include_router(page_router)
