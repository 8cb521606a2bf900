"""Push notifications: which documents are pushed, what a push says (nothing personal), where it may go,
and the installation's VAPID key."""

from __future__ import annotations

import json
import stat

import pytest
from py_vapid.utils import b64urldecode

from config.settings import Settings
from models.errors import DomainError
from models.push import rules, vapid
from models.push.schema import SubscriptionForm

SERVICES = Settings().push_services


@pytest.mark.parametrize(("urgency", "pushed"), [("thuong", False), ("khan", True), ("thuong_khan", True),
                                                  ("hoa_toc", True), ("", False), ("la", False)])
def test_only_urgent_documents_are_pushed(urgency, pushed):
    assert rules.is_pushed(urgency) is pushed


def test_a_push_says_the_kind_the_urgency_and_the_number_only():
    message = rules.payload(41, "urgent_task", "hoa_toc", "318", "SNV-TCBM", "/documents/abc")
    assert message == {"title": "QLVB · Văn bản hỏa tốc", "body": "Văn bản KHẨN cần xử lý ngay: số 318/SNV-TCBM",
                       "url": "/documents/abc", "tag": "qlvb-41"}
    assert json.loads(rules.encoded(message)) == message


def test_a_draft_without_a_number_is_not_shown_as_a_bare_notation():
    message = rules.payload(7, "overdue", "khan", "", "UBND-VP", "/documents/x")
    assert message["body"] == "Văn bản quá hạn xử lý"
    assert "UBND-VP" not in rules.encoded(message)


@pytest.mark.parametrize("link", ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)"])
def test_a_push_opens_only_a_path_of_this_site(link):
    assert rules.payload(1, "overdue", "khan", "1", "X", link)["url"] == "/notifications"


@pytest.mark.parametrize(("endpoint", "accepted"), [
    ("https://fcm.googleapis.com/fcm/send/abc:def", True),
    ("https://updates.push.services.mozilla.com/wpush/v2/gAAA", True),
    ("https://web.push.apple.com/QGx", True),
    ("https://wns2-par02p.notify.windows.com/w/?token=x", True),
    ("http://fcm.googleapis.com/fcm/send/abc", False),  # not HTTPS
    ("https://fcm.googleapis.com:8443/fcm/send/abc", False),
    ("https://user@fcm.googleapis.com/fcm/send/abc", False),
    ("https://evilfcm.googleapis.com.example/x", False),
    ("https://notfcm.googleapis.com.attacker.net/x", False),
    ("https://127.0.0.1/push", False),
    ("https://[::1]/push", False),
    ("https://intranet.local/push", False),
    ("https://fcm.googleapis.com:99999/x", False),
    ("https://fcm.googleapis.com/" + "a" * 1000, False),
])
def test_only_the_browsers_push_services_are_accepted(endpoint, accepted):
    assert rules.acceptable_endpoint(endpoint, SERVICES) is accepted


def test_a_subscription_with_malformed_keys_is_refused():
    good = {"endpoint": "https://fcm.googleapis.com/fcm/send/a", "p256dh": "B" * 87, "auth": "a" * 22}
    assert SubscriptionForm.parse(good).auth == "a" * 22
    for field, value in (("p256dh", "B" * 20), ("auth", "a+b/" * 6), ("endpoint", "")):
        with pytest.raises(DomainError) as refused:
            SubscriptionForm.parse({**good, field: value})
        assert refused.value.code == "invalid_fields"
    with pytest.raises(DomainError):
        SubscriptionForm.parse({**good, "extra": "x"})


def test_the_vapid_key_is_made_once_private_to_the_installation(tmp_path):
    settings = Settings(var_dir=tmp_path)
    first = vapid.application_server_key(settings)
    path = vapid.key_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert vapid.application_server_key(settings) == first  # read back, never made again
    raw = b64urldecode(first.encode())
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point, as browsers take it
    assert vapid.application_server_key(Settings(var_dir=tmp_path / "other")) != first


def test_the_vapid_contact_defaults_to_the_mail_sender(tmp_path):
    assert Settings(var_dir=tmp_path, smtp_from="QLVB <vanthu@hanam.gov.vn>").effective_vapid_subject == \
        "mailto:vanthu@hanam.gov.vn"
    assert Settings(var_dir=tmp_path, vapid_subject="https://qlvb.hanam.gov.vn").effective_vapid_subject == \
        "https://qlvb.hanam.gov.vn"


def test_a_renewal_is_proven_only_by_the_stored_auth_secret():
    stored = "c2VjcmV0LWF1dGgtMTIzNA"
    assert rules.same_secret(stored, stored) and rules.same_secret(stored + "==", stored)
    assert rules.same_secret(stored, stored + "==")
    assert not rules.same_secret(stored, stored[:-1] + "B")
    assert not rules.same_secret(stored, "")
    assert not rules.same_secret(None, "") and not rules.same_secret("", "")
