"""Login throttling that slows guessing without letting anyone lock a person out (QĐ44 Điều 21.2.b).

Failed logins are counted under three keys:

* ``client``: the client's address, whatever names it tries (one machine guessing many accounts);
* ``account``: the login name as typed, whether or not such an account exists (many machines
  guessing one account);
* ``pair``: the client (or the known device) together with the login name.

After ``free`` failures under a key, each further failure blocks that key for a delay that
doubles, up to a ceiling; an attempt made while blocked is refused unchecked and counts as a
failure too. A count starts afresh once ``window`` has passed since the last failure.

A *known device* is a browser that has logged into the account before: at each successful login
it receives a cookie signed with the installation's key and the account's password hash (so a
password reset forgets every device). A known device is exempt from the ``client`` and
``account`` keys, so an attacker guessing the account from elsewhere cannot keep its owner out,
but its own ``pair`` key still slows a stolen laptop. A refused login says the same thing and
costs the same for an unknown name, a wrong password and an account an administrator disabled.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.bounds import parse_int

SCOPES = ("client", "account", "pair")
DEVICE_COOKIE = "qlvb_device"
DEVICE_LIFETIME = timedelta(days=180)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are free under each key, and how the delays grow."""

    free_per_account: int = 5
    free_per_client: int = 20
    free_per_pair: int = 5
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(hours=1)

    def free(self, scope: str) -> int:
        return {"client": self.free_per_client, "account": self.free_per_account,
                "pair": self.free_per_pair}[scope]

    def delay(self, scope: str, failures: int) -> timedelta | None:
        """The block after the ``failures``-th failure under a key: None while still free, then
        ``base_delay`` doubling with each failure, never above ``max_delay``."""
        beyond = failures - self.free(scope)
        if beyond < 0:
            return None
        if beyond >= 32:  # 2**32 base delays is far past any ceiling
            return self.max_delay
        return min(self.base_delay * (2 ** beyond), self.max_delay)


def throttle_key(scope: str, identity: str) -> str:
    """The stored key of an identity in a scope (a hash: no names or addresses in clear)."""
    return hashlib.sha256(f"{scope}\x00{identity}".encode()).hexdigest()


def account_identity(username: str) -> str:
    """The account name as the login looks it up (``User.username == username.strip()``)."""
    return username.strip()


def seconds_left(until: datetime, now: datetime) -> int:
    """Whole seconds to wait, at least one."""
    return max(1, math.ceil((until - now).total_seconds()))


def _device_mac(key: bytes, user_id: int, password_hash: str, device_id: str, expires: int) -> str:
    message = f"{user_id}.{device_id}.{expires}".encode()
    mac_key = hmac.new(key, password_hash.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(hmac.new(mac_key, message, hashlib.sha256).digest()).decode().rstrip("=")


def device_token(key: bytes, user_id: int, password_hash: str, device_id: str, now: datetime) -> str:
    """The signed known-device cookie for one account: ``<user>.<device>.<expiry>.<mac>``."""
    expires = int((now + DEVICE_LIFETIME).timestamp())
    return f"{user_id}.{device_id}.{expires}.{_device_mac(key, user_id, password_hash, device_id, expires)}"


def device_id_of(token: str) -> str | None:
    """The device part of a well-formed cookie (not yet verified), or None."""
    parts = token.split(".")
    if len(parts) != 4 or not (parts[1].isascii() and parts[1].isalnum()) or len(parts[1]) > 64:
        return None
    return parts[1]


def verified_device(key: bytes, token: str, user_id: int, password_hash: str, now: datetime) -> str | None:
    """The device id when ``token`` is a live cookie this installation signed for this account and
    password, else None (wrong account, forged, expired, or the password was changed since)."""
    parts = token.split(".")
    if len(parts) != 4 or len(token) > 300:
        return None
    user_part, device_id, expires_part, mac = parts
    expires = parse_int(expires_part, 0, 10**12)
    if user_part != str(user_id) or device_id_of(token) is None or expires is None:
        return None
    expected = _device_mac(key, user_id, password_hash, device_id, expires)
    if not hmac.compare_digest(mac, expected) or expires < now.timestamp():
        return None
    return device_id
