"""Signing with a key on a PKCS#11 token (SoftHSM2 stands in for a USB token or an HSM)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from models.errors import DomainError
from models.signing import issuing as signing
from models.signing import pki
from models.signing import providers as signing_providers
from models.signing.tables import SignatureVerdict
from models.signing.verification import check_pdf_signatures
from tests.unit.signing_fixtures import demo_settings, outgoing_pdf

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN, PIN = "qlvb-test", "1234"
pytestmark = pytest.mark.skipif(not MODULE.exists(), reason="SoftHSM2 is not installed (Debian package softhsm2)")


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    """A fresh token holding the demo leader's key and certificate, as an agency would load it."""
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    settings = demo_settings(tmp_path_factory.mktemp("var"))
    key, cert, chain = pkcs12.load_key_and_certificates(
        pki.demo_pkcs12_path(settings, "lanhdao").read_bytes(), pki.demo_password(settings))
    (folder / "key.der").write_bytes(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (folder / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "5678"],
                   check=True, capture_output=True)
    for kind, path in (("privkey", "key.der"), ("cert", "cert.der")):
        subprocess.run(["pkcs11-tool", "--module", str(MODULE), "--token-label", TOKEN, "--login", "--pin", PIN,
                        "--write-object", str(folder / path), "--type", kind, "--id", "01", "--label", "signer"],
                       check=True, capture_output=True)
    # The module reads its configuration once per process: make it see this token directory.
    import pkcs11

    pkcs11.lib(str(MODULE)).reinitialize()
    yield settings, chain
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def test_a_token_signature_is_valid_and_trusted(token):
    settings, chain = token
    provider = signing_providers.Pkcs11Provider(MODULE, TOKEN, PIN, key_label="signer", cert_label="signer", ca_chain=chain)
    assert provider.certificate.subject.native["common_name"] == "Trần Văn Minh"

    signed = signing.sign_as_official(
        outgoing_pdf(), provider, signature_image_png=pki.signature_image_path(settings, "lanhdao").read_bytes(),
        signer_name="Trần Văn Minh", reason="Ký ban hành văn bản")

    report = check_pdf_signatures(signed, pki.trust_anchor_certificates(settings))
    assert report.verdict == SignatureVerdict.VALID, report.explanations
    assert report.signatures[0].signer_common_name == "Trần Văn Minh"


def test_a_wrong_pin_is_a_clear_refusal(token):
    provider = signing_providers.Pkcs11Provider(MODULE, TOKEN, "0000", key_label="signer")

    with pytest.raises(DomainError) as error:
        provider.certificate  # noqa: B018 - reading it opens the token
    assert error.value.code == "signing_key_unavailable"
