"""The demo PKI: generated once, chains that verify, the key usages signing needs; trust anchors."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from config.settings import Settings
from models.signing import demo_pki, pki


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    """One demo PKI for the module: RSA key generation costs about half a second."""
    settings = Settings(var_dir=tmp_path_factory.mktemp("var"))
    assert demo_pki.ensure_demo_pki(settings) is True
    return settings


def _cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _cn(cert: x509.Certificate) -> str:
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def _ext(cert: x509.Certificate, kind):
    return cert.extensions.get_extension_for_class(kind)


def _load_p12(settings: Settings, slug: str):
    return pkcs12.load_key_and_certificates(pki.demo_pkcs12_path(settings, slug).read_bytes(),
                                            pki.demo_password(settings))


def test_it_generates_once_and_then_does_nothing(settings):
    root_before = (pki.demo_dir(settings) / "root-ca.pem").read_bytes()
    p12_before = pki.demo_pkcs12_path(settings, "lanhdao").read_bytes()

    assert demo_pki.ensure_demo_pki(settings) is False

    assert (pki.demo_dir(settings) / "root-ca.pem").read_bytes() == root_before
    assert pki.demo_pkcs12_path(settings, "lanhdao").read_bytes() == p12_before
    assert not [p for p in pki.pki_dir(settings).iterdir() if p.name.startswith(".demo-")]


def test_it_generates_nothing_when_the_demo_is_disabled(tmp_path):
    settings = Settings(var_dir=tmp_path, pki_demo_enabled=False)

    assert demo_pki.ensure_demo_pki(settings) is False
    assert not pki.pki_dir(settings).exists()


def test_the_root_is_a_clearly_marked_demo_ca(settings):
    root = _cert(pki.demo_dir(settings) / "root-ca.pem")

    assert _cn(root) == "QLVB Demo Root CA"
    assert "DEMO" in root.subject.rfc4514_string()
    assert root.subject == root.issuer
    constraints = _ext(root, x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 1
    usage = _ext(root, x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not usage.value.digital_signature


def test_every_certificate_is_issued_by_the_one_above_it(settings):
    root = _cert(pki.demo_dir(settings) / "root-ca.pem")
    issuing = _cert(pki.demo_dir(settings) / "issuing-ca.pem")

    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    assert _ext(issuing, x509.BasicConstraints).value.path_length == 0
    for identity in pki.demo_identities():
        _key, cert, chain = _load_p12(settings, identity.slug)
        cert.verify_directly_issued_by(issuing)
        assert [c.fingerprint(hashes.SHA256()) for c in chain] == [
            issuing.fingerprint(hashes.SHA256()), root.fingerprint(hashes.SHA256())]


def test_key_identifiers_link_each_certificate_to_its_issuer(settings):
    root = _cert(pki.demo_dir(settings) / "root-ca.pem")
    issuing = _cert(pki.demo_dir(settings) / "issuing-ca.pem")
    leaf = _cert(pki.demo_pkcs12_path(settings, "lanhdao").with_suffix(".pem"))

    def ski(cert):
        return _ext(cert, x509.SubjectKeyIdentifier).value.digest

    def aki(cert):
        return _ext(cert, x509.AuthorityKeyIdentifier).value.key_identifier

    assert aki(root) == ski(root)
    assert aki(issuing) == ski(root)
    assert aki(leaf) == ski(issuing)


def test_end_entity_certificates_are_for_signing_only(settings):
    for identity in pki.demo_identities():
        _key, cert, _chain = _load_p12(settings, identity.slug)
        usage = _ext(cert, x509.KeyUsage)
        assert usage.critical
        assert usage.value.digital_signature and usage.value.content_commitment
        assert not usage.value.key_cert_sign and not usage.value.key_encipherment
        constraints = _ext(cert, x509.BasicConstraints)
        assert constraints.critical and not constraints.value.ca
        assert cert.not_valid_before_utc <= dt.datetime.now(dt.UTC) < cert.not_valid_after_utc


async def test_a_leader_chain_validates_for_non_repudiation_against_the_trust_anchors(settings):
    _key, cert, chain = _load_p12(settings, "lanhdao.stc")
    as_asn1 = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in [cert, *chain]]
    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
             for c in pki.trust_anchor_certificates(settings)]
    validator = CertificateValidator(as_asn1[0], intermediate_certs=as_asn1[1:2],
                                     validation_context=ValidationContext(trust_roots=roots))

    path = await validator.async_validate_usage({"non_repudiation", "digital_signature"})

    assert path.first.subject.native["common_name"] == "QLVB Demo Root CA"


@pytest.mark.parametrize(("slug", "common_name", "organisation"), [
    ("lanhdao", "Trần Văn Minh", "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"),
    ("lanhdao.stc", "Bùi Đức Long", "Sở Tài chính tỉnh Hà Nam"),
    ("000.00.01.H23", "Văn phòng Ủy ban nhân dân tỉnh Hà Nam", "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"),
    ("000.00.03.H23", "Sở Tài chính tỉnh Hà Nam", "Sở Tài chính tỉnh Hà Nam"),
])
def test_the_demo_people_and_agencies_have_certificates(settings, slug, common_name, organisation):
    key, cert, _chain = _load_p12(settings, slug)

    assert key is not None
    assert _cn(cert) == common_name
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == organisation
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"


def test_secrets_are_readable_by_the_owner_only(settings):
    folder = pki.demo_dir(settings)
    for path in [folder / "password.txt", folder / "root-ca.key.pem", folder / "issuing-ca.key.pem",
                 pki.demo_pkcs12_path(settings, "lanhdao")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    root_key = (folder / "root-ca.key.pem").read_bytes()
    assert b"ENCRYPTED" in root_key


def test_a_configured_password_protects_the_pkcs12_files(tmp_path):
    settings = Settings(var_dir=tmp_path, pki_demo_password="Mật-khẩu-demo-2026")
    demo_pki.ensure_demo_pki(settings)

    assert not (pki.demo_dir(settings) / "password.txt").exists()
    key, _cert, _chain = pkcs12.load_key_and_certificates(
        pki.demo_pkcs12_path(settings, "lanhdao").read_bytes(), "Mật-khẩu-demo-2026".encode())
    assert key is not None


def test_the_demo_root_is_the_trust_anchor(settings):
    anchors = pki.trust_anchor_certificates(settings)

    assert [_cn(cert) for cert in anchors] == ["QLVB Demo Root CA"]
    assert (pki.trust_dir(settings) / pki.DEMO_ROOT_TRUST_FILE).exists()
    assert x509.load_pem_x509_certificates(pki.trust_anchors_pem(settings)) == anchors


def _self_signed(common_name: str, *, ca: bool) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))


def test_administrators_add_roots_by_dropping_files_and_bad_files_are_skipped(tmp_path):
    folder = tmp_path / "anchors"
    folder.mkdir()
    settings = Settings(var_dir=tmp_path, pki_trust_dir=folder, pki_demo_enabled=False)
    national = _self_signed("Vietnam National Root CA (test)", ca=True)
    government = _self_signed("Vietnam Government Root CA (test)", ca=True)
    (folder / "national.pem").write_bytes(national.public_bytes(serialization.Encoding.PEM))
    (folder / "government.cer").write_bytes(government.public_bytes(serialization.Encoding.DER))
    (folder / "copy-of-national.crt").write_bytes(national.public_bytes(serialization.Encoding.PEM))
    (folder / "leaf.pem").write_bytes(_self_signed("Not a CA", ca=False).public_bytes(serialization.Encoding.PEM))
    (folder / "broken.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    (folder / "README.txt").write_text("Đặt chứng thư gốc tại đây.", encoding="utf-8")

    anchors = pki.trust_anchor_certificates(settings)

    assert sorted(_cn(cert) for cert in anchors) == ["Vietnam Government Root CA (test)",
                                                     "Vietnam National Root CA (test)"]
    assert len(x509.load_pem_x509_certificates(pki.trust_anchors_pem(settings))) == 2


def test_a_missing_trust_directory_means_no_anchors(tmp_path):
    settings = Settings(var_dir=tmp_path, pki_demo_enabled=False)

    assert pki.trust_anchor_certificates(settings) == []
    assert pki.trust_anchors_pem(settings) == b""
