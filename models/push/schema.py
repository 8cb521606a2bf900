"""A browser's push subscription as the page sends it (``PushSubscription.toJSON()`` flattened), and a
renewed one as the service worker reports it."""

from __future__ import annotations

from pydantic import Field

from models.forms import BoundaryForm
from models.push.rules import ENDPOINT_MAX_LENGTH

# base64url, with or without padding: the browser's P-256 public key (65 bytes) and auth secret (16 bytes).
_BASE64URL = r"^[A-Za-z0-9_-]+={0,2}$"


class SubscriptionForm(BoundaryForm):
    endpoint: str = Field(min_length=1, max_length=ENDPOINT_MAX_LENGTH)
    p256dh: str = Field(min_length=86, max_length=88, pattern=_BASE64URL)
    auth: str = Field(min_length=22, max_length=24, pattern=_BASE64URL)


class EndpointForm(BoundaryForm):
    endpoint: str = Field(min_length=1, max_length=ENDPOINT_MAX_LENGTH)


class RenewalForm(BoundaryForm):
    """What the service worker posts when the browser renewed its subscription
    (``pushsubscriptionchange``): the old subscription's endpoint and auth secret, which prove it,
    and the new subscription."""

    old_endpoint: str = Field(min_length=1, max_length=ENDPOINT_MAX_LENGTH)
    old_auth: str = Field(min_length=22, max_length=24, pattern=_BASE64URL)
    endpoint: str = Field(min_length=1, max_length=ENDPOINT_MAX_LENGTH)
    p256dh: str = Field(min_length=86, max_length=88, pattern=_BASE64URL)
    auth: str = Field(min_length=22, max_length=24, pattern=_BASE64URL)
