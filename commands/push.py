"""A person turns push notifications on or off for the browser they are using (audited).

The browser makes the subscription (its push service's endpoint and keys) with the installation's
VAPID public key; these commands record or revoke it. Only the browsers' own push services are
accepted (``Settings.push_services``): the worker posts to the endpoint, so an address inside the
agency's network is refused. Bad input changes nothing.

When the browser renews a subscription by itself, the service worker reports it (``renew``) without
the page's CSRF token, which it cannot read: the session cookie says who asks, and the old
subscription's endpoint with its auth secret, which only that browser holds, proves the device is
theirs. Anything else is refused with one message, whichever part failed, and changes nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from config.settings import Settings
from models.audit import record
from models.db import transaction
from models.errors import DomainError, NotFound
from models.push import repo as push_repo
from models.push.rules import acceptable_endpoint, same_secret
from models.push.schema import EndpointForm, RenewalForm, SubscriptionForm


def _parsed(form_type, raw: dict):
    try:
        return form_type.parse(raw)
    except DomainError as error:
        # The browser, not the person, wrote these fields: one message, no field names to correct.
        raise DomainError("push_subscription_invalid") from error


def _accepted(settings: Settings, form_type, raw: dict):
    """A browser's subscription, read, if pushes are on and it names a push service we send to."""
    if not settings.push_enabled:
        raise DomainError("push_disabled")
    form = _parsed(form_type, raw)
    if not acceptable_endpoint(form.endpoint, settings.push_services):
        raise DomainError("push_service_refused")
    return form


def subscribe(engine: Engine, settings: Settings, user_id: int, raw: dict) -> bool:
    """Turn pushes on for this browser; True when that changed anything (False: it already was)."""
    form = _accepted(settings, SubscriptionForm, raw)
    with transaction(engine) as session:
        row, previous_user_id, changed = push_repo.subscribe(session, user_id, form.endpoint, form.p256dh, form.auth)
        if changed:
            # The push service's host only: the endpoint itself is a capability of that browser.
            record(session, user_id, "push.subscribed", "user", user_id, subscription_id=row.id,
                   service=urlsplit(form.endpoint).hostname,
                   **({"previous_user_id": previous_user_id} if previous_user_id not in (None, user_id) else {}))
    return changed


def unsubscribe(engine: Engine, user_id: int, raw: dict) -> bool:
    """Turn pushes off for this browser; True when it was on for this person (turning off twice is fine)."""
    form = _parsed(EndpointForm, raw)
    with transaction(engine) as session:
        row = push_repo.unsubscribe(session, user_id, form.endpoint)
        if row is not None:
            record(session, user_id, "push.unsubscribed", "user", user_id, subscription_id=row.id)
    return row is not None


def turn_off_device(engine: Engine, user_id: int, subscription_id: int) -> None:
    """Turn pushes off for one of the person's devices from their list; another's device is not found."""
    with transaction(engine) as session:
        row = push_repo.turn_off_device(session, user_id, subscription_id)
        if row is None:
            raise NotFound("push_device_not_found")
        record(session, user_id, "push.unsubscribed", "user", user_id, subscription_id=row.id, from_list=True)


def renew(engine: Engine, settings: Settings, user_id: int, raw: dict) -> None:
    """Replace one of the person's devices' subscription by the one its browser renewed, proven by
    the old subscription's endpoint and auth secret (audited); refused with ``push_renewal_refused``
    for an unknown endpoint, a wrong secret, another person's device or one they turned off."""
    form = _accepted(settings, RenewalForm, raw)
    with transaction(engine) as session:
        old = push_repo.by_endpoint(session, form.old_endpoint)
        proven = same_secret(old.auth if old is not None else None, form.old_auth)
        if old is None or not proven or old.user_id != user_id or old.revoked_reason == push_repo.REVOKED_BY_PERSON:
            raise DomainError("push_renewal_refused")
        old_id = old.id
        row = push_repo.renew(session, old, form.endpoint, form.p256dh, form.auth)
        if row is None:
            raise DomainError("push_renewal_refused")
        record(session, user_id, "push.renewed", "user", user_id, subscription_id=row.id,
               service=urlsplit(form.endpoint).hostname,
               **({"previous_subscription_id": old_id} if old_id != row.id else {}))
