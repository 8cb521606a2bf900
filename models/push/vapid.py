"""The installation's VAPID key pair (RFC 8292): push services accept our pushes only when signed by it.

The private key (P-256, PKCS#8 PEM, mode 0600) is made once by py_vapid into
``var/push/vapid-private.pem``, like the installation's other keys: the web server reads its public
half for the browsers' subscriptions, the worker signs each push with it, so both must share
``var/``. A new key makes every browser's subscription useless (the push services check the key it
was made for): the account page subscribes again when it sees another key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from py_vapid.utils import b64urlencode

if TYPE_CHECKING:  # models never import config at run time; callers pass the settings in
    from config.settings import Settings

KEY_FILE = "vapid-private.pem"


def key_path(settings: Settings) -> Path:
    """Where the installation's VAPID private key lives."""
    return settings.var_dir / "push" / KEY_FILE


def signing_key(settings: Settings) -> Vapid02:
    """The installation's VAPID key, generated the first time (a temporary file linked into place,
    so a web server and a worker starting together end up with the same key)."""
    path = key_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = Vapid02()
        fresh.generate_keys()
        draft = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(fresh.private_pem())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            draft.unlink()
    return Vapid02.from_pem(path.read_bytes())


def application_server_key(settings: Settings) -> str:
    """The public key as browsers take it (``applicationServerKey``): the uncompressed point, base64url."""
    raw = signing_key(settings).public_key.public_bytes(serialization.Encoding.X962,
                                                        serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(raw)
