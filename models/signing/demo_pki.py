"""The demo PKI: a development-only certificate authority that makes signatures testable without a real CA.

In development ``ensure_demo_pki`` generates, once, under ``var/pki/demo/``:

1. a root CA "QLVB Demo Root CA", named as a demo so nobody mistakes it for a real one,
   self-signed, 20 years, ``basicConstraints CA:TRUE, pathlen:1``;
2. an issuing CA signed by it, 10 years, ``pathlen:0``;
3. one end-entity certificate per demo agency leader and per leader's agency (the agency
   signature of ND30 Điều 32), 3 years, ``keyUsage digitalSignature, nonRepudiation``, each with
   its key and chain in a PKCS#12 file ``people/<username>.p12`` or ``agencies/<code>.p12``;
4. a copy of the root in the trust directory, so signatures made with the demo keys validate;
5. a CRL of the issuing CA (``issuing-ca.crl``, empty at first; ``revoke_demo_certificate`` adds
   to it), re-signed by ``ensure_demo_pki`` before it goes stale;
6. stamp images under ``var/pki/images/``: ``people/<username>.png`` (the blue signature) and
   ``agencies/<code>.png`` (the red seal). They live outside ``demo/`` because administrators
   replace them with real scans, which must survive a regenerated demo; a missing image is drawn
   again at the next ``ensure_demo_pki``, an existing one is never overwritten.

Every certificate carries SKI and AKI, as path builders expect. The PKCS#12 files and the CA
keys are encrypted with ``settings.pki_demo_password`` or, when it is unset, a generated password
stored in ``var/pki/demo/password.txt`` (0600). Generation happens in a temporary directory that is
renamed into place, so a crash or a second process never leaves a half-made PKI.

A production installation sets ``QLVB_PKI_DEMO_ENABLED=false`` and installs its own agency keys
and trust anchors; nothing else in QLVB generates keys.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from models.signing.demo_stamps import seal_image_png, signature_image_png
from models.signing.pki import (
    CRL_FILE,
    DEMO_ROOT_TRUST_FILE,
    crl_path,
    demo_dir,
    demo_identities,
    demo_password,
    demo_person_pkcs12_path,
    demo_pkcs12_path,
    pem_bytes,
    seal_image_path,
    signature_image_path,
    trust_dir,
)

if TYPE_CHECKING:  # models never import config at run time
    from config.settings import Settings

log = logging.getLogger("qlvb.pki")


DEMO_ROOT_NAME = "QLVB Demo Root CA"


DEMO_ISSUING_NAME = "QLVB Demo Issuing CA"


DEMO_MARKER = "QLVB DEMO - KHÔNG DÙNG CHO VĂN BẢN THẬT"


KEY_SIZE = 2048


# A demo CRL is valid this long and re-signed when less than CRL_RENEW_BEFORE is left, so a
# development machine never validates against a stale list (stale CRLs count as no CRL).
CRL_LIFETIME = timedelta(days=90)


CRL_RENEW_BEFORE = timedelta(days=30)


def ensure_demo_pki(settings: Settings) -> bool:
    """Generate the demo PKI when it is enabled and absent; return True when it was made now.

    Idempotent: when ``var/pki/demo`` exists its keys are kept, so restarting keeps the same
    keys, and a trust directory an administrator edited stays as they left it. Only what a
    PKI made by an older version lacks is added: the CRL (re-signed when it nears its next
    update) and any missing stamp image.
    """
    if not settings.pki_demo_enabled:
        return False
    made = False
    if not demo_dir(settings).exists():
        made = _generate_demo(settings)
    if demo_dir(settings).exists():
        _ensure_fresh_crl(settings)
        _ensure_stamp_images(settings)
    return made


def _generate_demo(settings: Settings) -> bool:
    target = demo_dir(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=target.parent))  # 0700: it holds keys
    try:
        if settings.pki_demo_password is not None and settings.pki_demo_password.get_secret_value():
            password = settings.pki_demo_password.get_secret_value().encode()
        else:
            password = secrets.token_urlsafe(18).encode()
            _write_private(staging / "password.txt", password + b"\n")
        root_pem = _generate_into(staging, password)
        try:
            os.rename(staging, target)
        except OSError:
            # Another process finished first; its PKI is as good as ours.
            if target.exists():
                return False
            raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    anchors = trust_dir(settings)
    anchors.mkdir(parents=True, exist_ok=True)
    _write_atomic(anchors / DEMO_ROOT_TRUST_FILE, root_pem, 0o644)
    log.info("demo PKI generated in %s; its root is trusted via %s", target, anchors)
    return True


def _generate_into(folder: Path, password: bytes) -> bytes:
    now = datetime.now(UTC).replace(microsecond=0)
    # Backdated a day so a clock a little behind still accepts fresh certificates.
    start = now - timedelta(days=1)
    encryption = serialization.BestAvailableEncryption(password)

    root_key = _new_key()
    root_name = _name(common_name=DEMO_ROOT_NAME, organisation="QLVB Demo", unit=DEMO_MARKER)
    root = _certificate(root_name, root_key, root_name, root_key, start, now + timedelta(days=20 * 365),
                        ca_path_length=1)
    issuing_key = _new_key()
    issuing_name = _name(common_name=DEMO_ISSUING_NAME, organisation="QLVB Demo", unit=DEMO_MARKER)
    issuing = _certificate(issuing_name, issuing_key, root_name, root_key, start,
                           now + timedelta(days=10 * 365), ca_path_length=0, issuer_cert=root)

    _write_public(folder / "root-ca.pem", pem_bytes(root))
    _write_private(folder / "root-ca.key.pem", _key_pem(root_key, encryption))
    _write_public(folder / "issuing-ca.pem", pem_bytes(issuing))
    _write_private(folder / "issuing-ca.key.pem", _key_pem(issuing_key, encryption))

    manifest = []
    for identity in demo_identities():
        key = _new_key()
        subject = _name(common_name=identity.common_name, organisation=identity.organisation,
                        title=identity.title, agency_code=identity.agency_code,
                        locality=identity.locality)
        cert = _certificate(subject, key, issuing_name, issuing_key, start, now + timedelta(days=3 * 365),
                            issuer_cert=issuing)
        p12_path = folder / identity.relative_path
        p12_path.parent.mkdir(exist_ok=True)
        _write_private(p12_path, pkcs12.serialize_key_and_certificates(
            identity.slug.encode(), key, cert, [issuing, root], encryption))
        _write_public(p12_path.with_suffix(".pem"), pem_bytes(cert))
        manifest.append({**asdict(identity), "pkcs12": identity.relative_path,
                         "serial": format(cert.serial_number, "x")})
    _write_public(folder / "identities.json",
                  json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    _write_public(folder / CRL_FILE, _sign_crl(issuing, issuing_key, revoked=[]))
    return pem_bytes(root)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _name(*, common_name: str, organisation: str, unit: str = "", title: str = "",
          agency_code: str = "", locality: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if locality:
        attributes.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, locality))
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    if agency_code:
        # Mã định danh of the agency (QCVN 102), where real Vietnamese certificates put a UID.
        attributes.append(x509.NameAttribute(NameOID.USER_ID, agency_code))
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _certificate(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name,
                 issuer_key: rsa.RSAPrivateKey, not_before: datetime, not_after: datetime, *,
                 ca_path_length: int | None = None,
                 issuer_cert: x509.Certificate | None = None) -> x509.Certificate:
    is_ca = ca_path_length is not None
    public = key.public_key()
    if issuer_cert is None:
        authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
    else:
        authority = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
            issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=ca_path_length), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=not is_ca, content_commitment=not is_ca, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=is_ca, crl_sign=is_ca,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(authority, critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _key_pem(key: rsa.RSAPrivateKey, encryption) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _write_public(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o644)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def revoke_demo_certificate(settings: Settings, slug: str, *, at: datetime | None = None) -> None:
    """Add a demo identity's certificate to the issuing CA's CRL (tests, and admins' drills).

    Revoking twice keeps one entry. The lock file serialises two revocations at once, which
    would otherwise each re-sign the list without the other's entry.
    """
    import fcntl

    cert = x509.load_pem_x509_certificate(demo_pkcs12_path(settings, slug).with_suffix(".pem").read_bytes())
    when = (at or datetime.now(UTC)).replace(microsecond=0)
    with open(demo_dir(settings) / ".crl.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        issuing, issuing_key = _issuing_ca(settings)
        revoked = _revoked_entries(settings)
        if any(entry.serial_number == cert.serial_number for entry in revoked):
            return
        entry = (x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
                 .revocation_date(when).build())
        _write_atomic(crl_path(settings), _sign_crl(issuing, issuing_key, [*revoked, entry]), 0o644)
    log.info("demo certificate %s (serial %x) revoked", slug, cert.serial_number)


def _ensure_fresh_crl(settings: Settings) -> None:
    path = crl_path(settings)
    if path.exists():
        crl = x509.load_der_x509_crl(path.read_bytes())
        if crl.next_update_utc is not None and crl.next_update_utc - datetime.now(UTC) > CRL_RENEW_BEFORE:
            return
    issuing, issuing_key = _issuing_ca(settings)
    _write_atomic(path, _sign_crl(issuing, issuing_key, _revoked_entries(settings)), 0o644)


def _revoked_entries(settings: Settings) -> list[x509.RevokedCertificate]:
    path = crl_path(settings)
    return list(x509.load_der_x509_crl(path.read_bytes())) if path.exists() else []


def _issuing_ca(settings: Settings) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    folder = demo_dir(settings)
    cert = x509.load_pem_x509_certificate((folder / "issuing-ca.pem").read_bytes())
    key = serialization.load_pem_private_key((folder / "issuing-ca.key.pem").read_bytes(),
                                             demo_password(settings))
    return cert, key


def _sign_crl(issuing: x509.Certificate, issuing_key: rsa.RSAPrivateKey,
              revoked: list[x509.RevokedCertificate]) -> bytes:
    now = datetime.now(UTC).replace(microsecond=0)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(issuing.subject)
               .last_update(now - timedelta(minutes=5)).next_update(now + CRL_LIFETIME)
               # CRL numbers must grow; seconds since the epoch do without keeping state.
               .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                   issuing.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value),
                   critical=False))
    for entry in revoked:
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuing_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _ensure_stamp_images(settings: Settings) -> None:
    for identity in demo_identities():
        if identity.kind == "person":
            path, draw = signature_image_path(settings, identity.slug), signature_image_png
        else:
            path, draw = seal_image_path(settings, identity.slug), seal_image_png
        if path.exists():
            continue  # generated earlier, or a real scan an administrator put there
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, draw(identity.common_name), 0o644)


def issue_demo_person(settings: Settings, *, username: str, full_name: str, organisation: str, title: str,
                      agency_code: str, locality: str = "") -> Path:
    """A demo certificate and signature image for one more person (a deputy made after seeding).

    The key is issued by the demo issuing CA like the seeded leaders'; returns its PKCS#12 file
    (``people/<username>.p12``, opened with the demo password). Development and tests only.
    """
    issuing, issuing_key = _issuing_ca(settings)
    root = x509.load_pem_x509_certificate((demo_dir(settings) / "root-ca.pem").read_bytes())
    now = datetime.now(UTC).replace(microsecond=0)
    key = _new_key()
    subject = _name(common_name=full_name, organisation=organisation, title=title, agency_code=agency_code,
                    locality=locality)  # the agency's place name, never a fixed province
    cert = _certificate(subject, key, issuing.subject, issuing_key, now - timedelta(days=1),
                        now + timedelta(days=3 * 365), issuer_cert=issuing)
    path = demo_person_pkcs12_path(settings, username)
    path.parent.mkdir(exist_ok=True)
    _write_private(path, pkcs12.serialize_key_and_certificates(
        username.encode(), key, cert, [issuing, root],
        serialization.BestAvailableEncryption(demo_password(settings))))
    image = signature_image_path(settings, username)
    image.parent.mkdir(parents=True, exist_ok=True)
    _write_public(image, signature_image_png(full_name))
    return path
