"""Which notifications are pushed, what a push says, and where a push may be sent.

A push passes through a push service run by the browser's maker (Google, Mozilla, Apple,
Microsoft) and shows on a locked phone's screen, so its payload says only what kind of
notification it is, the document's urgency and số/ký hiệu, and the path to open: never the
trích yếu, the issuing organ, a person's name or anything else of the document. The page it
opens asks for the login as any page does.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from urllib.parse import urlsplit

from models.registers.numbering import so_ky_hieu
from models.vocab import URGENCY_RANK, Urgency
from models.wording import NOTIFICATION_LABELS, URGENCY_LABELS

# A push is worth showing for a day; after that the notification page is where it is read.
TIME_TO_LIVE_SECONDS = 24 * 60 * 60
ENDPOINT_MAX_LENGTH = 1000


def same_secret(stored: str | None, given: str) -> bool:
    """Whether ``given`` is a subscription's stored auth secret (base64url, padded or not), compared
    in constant time. The secret is the browser's own (16 random bytes): only the browser that made
    the subscription knows it, so it proves a renewal comes from there. Nothing stored proves nothing."""
    matches = hmac.compare_digest((stored or "").rstrip("=").encode(), given.rstrip("=").encode())
    return bool(stored) and matches


def is_pushed(urgency: str | None) -> bool:
    """Whether a notification about a document of this urgency is pushed: khẩn, thượng khẩn, hỏa tốc."""
    try:
        return URGENCY_RANK[Urgency(urgency)] > 0
    except ValueError:
        return False


def payload(notification_id: int, code: str, urgency: str, number: str, notation: str, link: str) -> dict[str, str]:
    """What the service worker shows: a title, one line, the path it opens and a tag (a second push
    of the same notification replaces the first instead of showing twice)."""
    title = f"Văn bản {URGENCY_LABELS.get(urgency, '').lower()}".strip()
    label = NOTIFICATION_LABELS.get(code, "Thông báo mới")
    printed = so_ky_hieu(number, notation) if number.strip() else ""
    return {"title": f"QLVB · {title}", "body": f"{label}: số {printed}" if printed else label,
            "url": link if link.startswith("/") and not link.startswith("//") else "/notifications",
            "tag": f"qlvb-{notification_id}"}


def encoded(message: dict[str, str]) -> str:
    """The payload as sent (encrypted for the browser by pywebpush)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def acceptable_endpoint(endpoint: str, services: tuple[str, ...]) -> bool:
    """Whether the server may post to this endpoint: HTTPS on the default port, at one of the push
    services (a host name or a subdomain of it), never an address inside the agency's network."""
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        return False
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme != "https" or port not in (None, 443) or parts.username or parts.password or not host:
        return False
    try:
        ipaddress.ip_address(host)
        return False  # a push service is named, never an address
    except ValueError:
        pass
    return service_of(endpoint, services) is not None


def service_of(endpoint: str, services: tuple[str, ...]) -> str | None:
    """Which of the push services an endpoint belongs to (its host or a subdomain of it), if any."""
    try:
        host = (urlsplit(endpoint).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    return next((service for service in services
                 if host == service.lower() or host.endswith("." + service.lower())), None)
