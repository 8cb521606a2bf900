"""Request authentication of the national hub: the ``XroadVnpt-*`` HMAC-SHA256 headers (EDXML.md §9.3).

Shared by the client (``sign``) and the simulator (``verify``), so both sides agree on one
implementation of the string to sign.

The scheme, step by step:

1. The *logical headers* of a call are ``systemid``, ``timestamp``, ``Content-Type`` and the
   per-call parameters of §9.2 (``from``, ``messagetype``, ``docId`` …), in that order.
2. Each is sent as ``XroadVnpt-<name>: <value>``; ``Content-Type`` also as the normal header.
3. ``XroadVnpt-sign-header-key`` is the logical names joined with ``;``.
4. ``XroadVnpt-sign-header`` is the compact JSON object ``{"XroadVnpt-<name>": "<value>", …}``:
   this exact string is the **string to sign**.
5. ``XroadVnpt-hash-header`` is the lower-case hex HMAC-SHA256 of that string (UTF-8), keyed with
   the shared secret (UTF-8).
6. ``XroadVnpt-version: 3.0.201608`` and the reference library's ``User-Agent`` go along.

What the HMAC does *not* cover, by the scheme's design: the URL path and the body. The body of
``sendEdoc`` is bound through the signed ``hash-file`` parameter (SHA-256 of the body), which
``hash_file_matches`` checks. The path is bound only indirectly: the verifier requires the signed
parameter set to be exactly the operation's (``check_parameters``), so a signature made for one
operation is refused by an operation with other parameters.

The timestamp is ``ddMMyyyy'T'HHmmss+SSSS`` (a literal ``+`` and four digits of milliseconds, not a
zone offset), read as Vietnam time [INFERRED]. §9.3 gives no allowed clock skew; QLVB allows
``DEFAULT_MAX_SKEW`` either way (the ``hub_max_skew_seconds`` setting).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

PREFIX = "XroadVnpt-"
SIGN_KEY_HEADER = PREFIX + "sign-header-key"
SIGN_HEADER = PREFIX + "sign-header"
HASH_HEADER = PREFIX + "hash-header"
VERSION_HEADER = PREFIX + "version"
VERSION = "3.0.201608"
USER_AGENT = "JAVASDKAgent/1.0.0 XRoad/VPCP"  # what the reference library sends (§9.3 step 6)
META_HEADERS = frozenset(h.lower() for h in (SIGN_KEY_HEADER, SIGN_HEADER, HASH_HEADER, VERSION_HEADER))

# The three logical headers every call carries, before its own parameters.
SYSTEM_ID = "systemid"
TIMESTAMP = "timestamp"
CONTENT_TYPE = "Content-Type"
BASE_NAMES = (SYSTEM_ID, TIMESTAMP, CONTENT_TYPE)

VIETNAM = timezone(timedelta(hours=7), "ICT")
DEFAULT_MAX_SKEW = timedelta(minutes=5)
_TIMESTAMP = re.compile(r"^(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+(\d{4})$")


class SignatureError(Exception):
    """A request whose ``XroadVnpt-*`` headers do not authenticate it; ``message`` is Vietnamese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- timestamp ---------------------------------------------------------------------------

def format_timestamp(moment: datetime) -> str:
    """``ddMMyyyy'T'HHmmss+SSSS`` in Vietnam time, e.g. ``30102020T143005+0123``."""
    local = moment.astimezone(VIETNAM)
    return local.strftime("%d%m%YT%H%M%S") + f"+{local.microsecond // 1000:04d}"


def parse_timestamp(text: str) -> datetime:
    """The aware instant of a ``format_timestamp`` string; ``ValueError`` when it is not one."""
    match = _TIMESTAMP.match(text)
    if not match:
        raise ValueError(text)
    day, month, year, hour, minute, second, millis = map(int, match.groups())
    if millis > 999:
        raise ValueError(text)
    return datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=VIETNAM)


# --- body digest (hash-file, §9.2) -------------------------------------------------------

def hash_file(body: bytes, *, padded: bool = False) -> str:
    """SHA-256 of the body as hex; unpadded (``0x0a`` → ``a``) like the reference library by default."""
    digest = hashlib.sha256(body).digest()
    if padded:
        return digest.hex()
    return "".join(format(byte, "x") for byte in digest)


def hash_file_matches(body: bytes, value: str) -> bool:
    """Whether ``value`` is the body's digest in either form (the hub's accepted form is unconfirmed)."""
    value = value.strip().lower().encode("ascii", "replace")
    return any(hmac.compare_digest(value, hash_file(body, padded=p).encode()) for p in (False, True))


# --- signing -----------------------------------------------------------------------------

def string_to_sign(logical: Mapping[str, str]) -> str:
    """The ``XroadVnpt-sign-header`` value: compact JSON of the prefixed headers, in the given order."""
    return json.dumps({PREFIX + name: value for name, value in logical.items()},
                      separators=(",", ":"), ensure_ascii=True)


def hmac_hex(secret: str, message: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` keyed with ``secret``, both UTF-8."""
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def sign(system_id: str, secret: str, params: Mapping[str, str], *, content_type: str,
         now: datetime | None = None) -> dict[str, str]:
    """Every header a hub request needs, signed; ``params`` are the call's parameters of §9.2."""
    logical = {SYSTEM_ID: system_id,
               TIMESTAMP: format_timestamp(now or datetime.now(UTC)),
               CONTENT_TYPE: content_type,
               **params}
    for name, value in logical.items():
        if not value.isascii():  # §9.3: header values stay ASCII; callers percent-encode text
            raise ValueError(f"hub header {name!r} must be ASCII")
    signed = string_to_sign(logical)
    headers = {PREFIX + name: value for name, value in logical.items()}
    headers.update({
        CONTENT_TYPE: content_type,
        SIGN_KEY_HEADER: ";".join(logical),
        SIGN_HEADER: signed,
        HASH_HEADER: hmac_hex(secret, signed),
        VERSION_HEADER: VERSION,
        "User-Agent": USER_AGENT,
    })
    return headers


# --- verifying ---------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifiedRequest:
    """What a correctly signed request says: who sent it, when, and its signed parameters."""

    system_id: str
    timestamp: datetime
    content_type: str
    params: dict[str, str] = field(default_factory=dict)


def verify(headers: Mapping[str, str], secret_for: Callable[[str], str | None], *,
           now: datetime | None = None, max_skew: timedelta = DEFAULT_MAX_SKEW) -> VerifiedRequest:
    """Check a request's signature; raise ``SignatureError`` with a Vietnamese message when it fails.

    ``headers`` must look names up case-insensitively (Starlette's ``Headers`` and httpx's do).
    ``secret_for`` returns the shared secret of a system id, or None for an unknown system.
    """
    key_list, signed, given_hash = (headers.get(h) for h in (SIGN_KEY_HEADER, SIGN_HEADER, HASH_HEADER))
    if not key_list or not signed or not given_hash:
        raise SignatureError("unsigned", "Yêu cầu thiếu chữ ký HMAC (các tiêu đề XroadVnpt-sign-header-key, "
                                         "XroadVnpt-sign-header, XroadVnpt-hash-header).")
    names = key_list.split(";")
    try:
        logical_json = json.loads(signed)
    except ValueError:
        raise SignatureError("malformed", "Tiêu đề XroadVnpt-sign-header không phải JSON hợp lệ.") from None
    expected_keys = [PREFIX + name for name in names]
    if (not isinstance(logical_json, dict) or sorted(logical_json) != sorted(expected_keys)
            or len(set(names)) != len(names)
            or not all(isinstance(v, str) for v in logical_json.values())):
        raise SignatureError("malformed", "XroadVnpt-sign-header không khớp danh sách XroadVnpt-sign-header-key.")
    logical = {name: logical_json[PREFIX + name] for name in names}
    missing = [n for n in BASE_NAMES if n not in logical]
    if missing:
        raise SignatureError("malformed", "Chữ ký thiếu tiêu đề bắt buộc: " + ", ".join(missing) + ".")

    system_id = logical[SYSTEM_ID]
    secret = secret_for(system_id)
    if secret is None:
        raise SignatureError("unknown_system", f"Hệ thống «{system_id}» chưa được đăng ký với trục.")
    expected_hash = hmac_hex(secret, signed)
    if not hmac.compare_digest(expected_hash.encode(), given_hash.strip().lower().encode("ascii", "replace")):
        raise SignatureError("bad_signature", "Chữ ký HMAC không đúng (sai khóa bí mật hoặc tiêu đề đã bị sửa).")

    # The signature covers the JSON; the headers actually sent must say the same thing.
    for name, value in logical.items():
        if headers.get(PREFIX + name) != value:
            raise SignatureError("tampered", f"Tiêu đề XroadVnpt-{name} khác giá trị đã ký.")
    if headers.get(CONTENT_TYPE, "").split(";")[0].strip() != logical[CONTENT_TYPE].split(";")[0].strip():
        raise SignatureError("tampered", "Tiêu đề Content-Type khác giá trị đã ký.")

    try:
        stamped = parse_timestamp(logical[TIMESTAMP])
    except ValueError:
        raise SignatureError("bad_timestamp", "Dấu thời gian phải có dạng ddMMyyyyTHHmmss+SSSS.") from None
    current = now or datetime.now(UTC)
    if abs(current - stamped) > max_skew:
        raise SignatureError("stale", f"Dấu thời gian lệch quá {int(max_skew.total_seconds())} giây so với "
                                      "đồng hồ của trục; kiểm tra đồng hồ máy chủ.")
    params = {n: v for n, v in logical.items() if n not in BASE_NAMES}
    return VerifiedRequest(system_id, stamped, logical[CONTENT_TYPE], params)


def check_parameters(request: VerifiedRequest, headers: Iterable[str], *, required: Iterable[str],
                     optional: Iterable[str] = ()) -> None:
    """Refuse a signed parameter set that is not the operation's, or unsigned ``XroadVnpt-*`` headers.

    This is what ties a signature to its operation: a signature made for ``sendEdoc`` (``from``,
    ``hash-file`` …) cannot be replayed on ``updateStatus`` (``docid``, ``status``).
    """
    required, allowed = set(required), set(required) | set(optional)
    given = set(request.params)
    if not required <= given or not given <= allowed:
        wanted = ", ".join(sorted(required)) or "không có"
        raise SignatureError("wrong_parameters", f"Tham số đã ký không đúng với thao tác này (cần: {wanted}).")
    signed = {(PREFIX + n).lower() for n in (*BASE_NAMES, *given)}
    extra = [h for h in headers if h.lower().startswith(PREFIX.lower())
             and h.lower() not in signed and h.lower() not in META_HEADERS]
    if extra:
        raise SignatureError("unsigned_header", "Tiêu đề chưa được ký: " + ", ".join(sorted(extra)) + ".")
