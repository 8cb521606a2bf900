"""The hub's HMAC-SHA256 request headers (EDXML.md §9.3) and the body digest ``hash-file`` (§9.2)."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from models.exchange.hub_auth import (
    VIETNAM,
    SignatureError,
    check_parameters,
    format_timestamp,
    hash_file,
    hash_file_matches,
    parse_timestamp,
    sign,
    verify,
)

SECRET = "s3cret-Khoa"
BODY = b"<edXML/>"
NOW = parse_timestamp("30102020T143005+0123")
PARAMS = {"from": "000.00.01.H23", "to": '["000.00.00.G09"]', "servicetype": "eDoc",
          "messagetype": "edoc", "hash-file": hash_file(BODY)}

# Known answer, checked independently: printf '%s' "$SIGN_HEADER" | openssl dgst -sha256 -hmac 's3cret-Khoa'
SIGN_HEADER = (
    '{"XroadVnpt-systemid":"qlvb-test","XroadVnpt-timestamp":"30102020T143005+0123",'
    '"XroadVnpt-Content-Type":"application/octet-stream","XroadVnpt-from":"000.00.01.H23",'
    '"XroadVnpt-to":"[\\"000.00.00.G09\\"]","XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"edoc",'
    '"XroadVnpt-hash-file":"8d55f6c7bf7cd534cf27a10e1bb5731c68279c3cb991cf4844774c685b3758"}'
)
HASH_HEADER = "37b88f025a7dd2167a2a761f020a0c30cef9b8c84050cf1848f510c87cf8349b"


def _signed(**overrides) -> httpx.Headers:
    headers = sign("qlvb-test", SECRET, PARAMS, content_type="application/octet-stream", now=NOW)
    headers.update(overrides)
    return httpx.Headers(headers)  # case-insensitive, like a server's view


def _secret_for(system_id: str) -> str | None:
    return SECRET if system_id == "qlvb-test" else None


def _refusal(headers, **kwargs) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verify(headers, _secret_for, now=kwargs.pop("now", NOW), **kwargs)
    return caught.value


def test_known_answer_for_a_send_request():
    headers = _signed()
    assert headers["XroadVnpt-sign-header-key"] == "systemid;timestamp;Content-Type;from;to;servicetype;messagetype;hash-file"
    assert headers["XroadVnpt-sign-header"] == SIGN_HEADER
    assert headers["XroadVnpt-hash-header"] == HASH_HEADER
    assert headers["XroadVnpt-version"] == "3.0.201608"
    assert headers["User-Agent"] == "JAVASDKAgent/1.0.0 XRoad/VPCP"
    assert headers["Content-Type"] == headers["XroadVnpt-Content-Type"] == "application/octet-stream"
    assert headers["XroadVnpt-from"] == "000.00.01.H23"


def test_a_correct_request_verifies_with_its_parameters():
    verified = verify(_signed(), _secret_for, now=NOW)
    assert verified.system_id == "qlvb-test"
    assert verified.params == PARAMS
    assert verified.timestamp == NOW


def test_timestamp_is_day_first_with_four_digit_milliseconds_in_vietnam_time():
    assert format_timestamp(NOW) == "30102020T143005+0123"
    assert format_timestamp(NOW.astimezone(VIETNAM) - timedelta(hours=7, milliseconds=123)) == "30102020T073005+0000"
    with pytest.raises(ValueError):
        parse_timestamp("2020-10-30T14:30:05+07:00")


def test_hash_file_drops_zero_padding_by_default_and_both_forms_match():
    unpadded, padded = hash_file(BODY), hash_file(BODY, padded=True)
    assert len(padded) == 64 and len(unpadded) == 62  # bytes 0x02 and 0x0f lose their leading zero
    assert hash_file_matches(BODY, unpadded) and hash_file_matches(BODY, padded)
    assert not hash_file_matches(BODY + b" ", unpadded)


def test_wrong_secret_is_refused():
    with pytest.raises(SignatureError) as caught:
        verify(_signed(), lambda _id: "another-secret", now=NOW)
    assert caught.value.code == "bad_signature"


def test_tampered_signed_json_is_refused():
    tampered = SIGN_HEADER.replace("000.00.00.G09", "000.00.00.G22")
    assert _refusal(_signed(**{"XroadVnpt-sign-header": tampered})).code == "bad_signature"


def test_a_parameter_header_changed_after_signing_is_refused():
    assert _refusal(_signed(**{"XroadVnpt-to": '["000.00.00.G22"]'})).code == "tampered"


def test_tampered_timestamp_is_refused():
    assert _refusal(_signed(**{"XroadVnpt-timestamp": "30102020T143006+0123"})).code == "tampered"
    later = json.loads(SIGN_HEADER) | {"XroadVnpt-timestamp": "30102020T143006+0123"}
    assert _refusal(_signed(**{"XroadVnpt-sign-header": json.dumps(later, separators=(",", ":")),
                               "XroadVnpt-timestamp": "30102020T143006+0123"})).code == "bad_signature"


def test_tampered_body_is_caught_by_the_signed_hash_file():
    verified = verify(_signed(), _secret_for, now=NOW)
    assert hash_file_matches(BODY, verified.params["hash-file"])
    assert not hash_file_matches(b"<edXML>changed</edXML>", verified.params["hash-file"])


def test_a_signature_made_for_another_operation_is_refused():
    """The path is not signed (§9.3); the operation's parameter set is what binds a signature to it."""
    verified = verify(_signed(), _secret_for, now=NOW)
    check_parameters(verified, _signed().keys(), required={"from", "servicetype", "messagetype", "hash-file"},
                     optional={"to", "idempotency-key"})
    with pytest.raises(SignatureError) as caught:
        check_parameters(verified, _signed().keys(), required={"docid", "status"}, optional={"description"})
    assert caught.value.code == "wrong_parameters"


def test_unsigned_hub_headers_are_refused():
    headers = _signed(**{"XroadVnpt-idempotency-key": "smuggled"})
    verified = verify(headers, _secret_for, now=NOW)
    with pytest.raises(SignatureError) as caught:
        check_parameters(verified, headers.keys(), required=set(PARAMS), optional={"idempotency-key"})
    assert caught.value.code == "unsigned_header"


def test_clock_skew_window():
    window = timedelta(minutes=5)
    assert verify(_signed(), _secret_for, now=NOW + window, max_skew=window)
    assert verify(_signed(), _secret_for, now=NOW - window, max_skew=window)
    assert _refusal(_signed(), now=NOW + window + timedelta(seconds=1), max_skew=window).code == "stale"
    assert _refusal(_signed(), now=NOW - window - timedelta(seconds=1), max_skew=window).code == "stale"


def test_unknown_system_and_missing_headers_are_refused_in_vietnamese():
    headers = sign("he-thong-la", SECRET, PARAMS, content_type="application/octet-stream", now=NOW)
    error = _refusal(httpx.Headers(headers))
    assert error.code == "unknown_system" and "chưa được đăng ký" in error.message
    error = _refusal(httpx.Headers({"Content-Type": "application/json"}))
    assert error.code == "unsigned" and "thiếu chữ ký" in error.message


def test_non_ascii_header_values_are_refused_when_signing():
    with pytest.raises(ValueError):
        sign("qlvb-test", SECRET, {"description": "Sai chữ ký"}, content_type="application/json", now=NOW)
