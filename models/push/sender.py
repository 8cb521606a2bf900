"""One push sent with pywebpush, and what the push service's answer means for the subscription.

pywebpush encrypts the payload for the browser (``Content-Encoding: aes128gcm``, RFC 8291) and
signs a VAPID token for the push service (``Authorization: vapid t=…, k=…``, RFC 8292). A 404 or
410 means the browser dropped the subscription: it is revoked. Anything else (the service down,
refusing, slow) is a failure to count and retry; it never fails the round that sends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import requests
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from models.errors import INTERRUPTIONS
from models.push.rules import TIME_TO_LIVE_SECONDS

log = logging.getLogger("qlvb.push")

TIMEOUT_SECONDS = 10
GONE_STATUSES = {404, 410}


class Outcome(StrEnum):
    SENT = "sent"
    GONE = "expired"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    detail: str = ""  # why it failed, for the operator: a status code or an exception's name, never the payload


def send(endpoint: str, p256dh: str, auth: str, data: str, key: Vapid02, subject: str) -> Delivery:
    """Push ``data`` to one browser through its push service."""
    try:
        webpush({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}, data=data,
                vapid_private_key=key, vapid_claims={"sub": subject},  # a fresh dict: webpush fills aud and exp
                ttl=TIME_TO_LIVE_SECONDS, timeout=TIMEOUT_SECONDS, headers={"Urgency": "high"})
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in GONE_STATUSES:
            return Delivery(Outcome.GONE, f"HTTP {status}")
        return Delivery(Outcome.FAILED, f"HTTP {status}" if status else type(error).__name__)
    except requests.RequestException as error:  # unreachable, TLS, too slow
        return Delivery(Outcome.FAILED, type(error).__name__)
    except INTERRUPTIONS:
        raise
    except Exception as error:  # keys the browser sent that do not encrypt: this device's failure, not the round's
        log.warning("push to subscription failed: %s", type(error).__name__, exc_info=True)
        return Delivery(Outcome.FAILED, type(error).__name__)
    return Delivery(Outcome.SENT)
