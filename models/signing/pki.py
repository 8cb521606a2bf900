"""Certificates QLVB trusts, and where the installation keeps its key files, CRL and stamp images.

**Trust anchors.** The root certificates QLVB trusts when it checks a signed document before
acceptance (QĐ44 Điều 10.1) are every certificate in one directory, ``settings.pki_trust_dir``
(default ``var/pki/trust/``). Administrators add the Vietnamese roots their agencies rely on
(for example the Ban Cơ yếu Chính phủ root) by dropping PEM files there; nothing needs a restart,
because the directory is read at every check. Only CA certificates are accepted as anchors.

**Key files.** In the embedded installation the agencies' and leaders' PKCS#12 files, the CRL
and the stamp images live under ``var/pki`` in the layout the demo PKI
(``models.signing.demo_pki``) creates; ``demo_pkcs12_path``, ``crl_path`` and the image paths
find them. A token or HSM replaces the files through ``models.signing.providers``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from models.seed.data import AGENCIES, USERS
from models.seed.ninh_binh import AGENCIES as NINH_BINH_AGENCIES
from models.seed.ninh_binh import USERS as NINH_BINH_USERS
from models.seed.profiles import MINISTRY_USERS
from models.vocab import Role

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger("qlvb.pki")

DEMO_ROOT_TRUST_FILE = "qlvb-demo-root-ca.pem"
TRUST_SUFFIXES = (".pem", ".crt", ".cer")
CRL_FILE = "issuing-ca.crl"


@dataclass(frozen=True)
class DemoIdentity:
    """A demo certificate holder: a person (leader) or an agency (its agency signature)."""

    slug: str  # username or agency code; names the files
    kind: str  # "person" | "agency"
    common_name: str
    organisation: str
    agency_code: str
    title: str = ""
    locality: str = ""  # the agency's place name (địa danh), the certificate's state or province

    @property
    def relative_path(self) -> str:
        """Where the PKCS#12 file lives under ``var/pki/demo``."""
        folder = "people" if self.kind == "person" else "agencies"
        return f"{folder}/{self.slug}.p12"


def demo_identities() -> list[DemoIdentity]:
    """Every agency leader of the demo seeds (the province's and the ministry's), and their agencies.

    One list whatever the installation seeds, so a second installation on the same machine (the
    ministry of docs/two-installations.md) can sign and seal its own documents too.
    """
    rows = {row[0]: row for row in (*AGENCIES, *NINH_BINH_AGENCIES)}
    people: dict[str, DemoIdentity] = {}
    agencies: dict[str, DemoIdentity] = {}
    # The Hà Nam 2024 and Ninh Bình profiles share usernames: a leader has one personal certificate
    # (the first profile's), each agency of either profile its own agency certificate.
    for username, full_name, code, _unit, position, roles in (*USERS, *NINH_BINH_USERS, *MINISTRY_USERS):
        if Role.AGENCY_LEADER not in roles:
            continue
        name, place = rows[code][1], rows[code][5]
        people.setdefault(username, DemoIdentity(username, "person", full_name, name, code, position, place))
        agencies.setdefault(code, DemoIdentity(code, "agency", name, name, code, locality=place))
    return list(people.values()) + list(agencies.values())


# --- locations ----------------------------------------------------------------------------


def pki_dir(settings: Settings) -> Path:
    """``var/pki``: the demo PKI and, by default, the trust anchors."""
    return settings.var_dir / "pki"


def demo_dir(settings: Settings) -> Path:
    """The generated demo PKI (keys, certificates, PKCS#12 files)."""
    return pki_dir(settings) / "demo"


def trust_dir(settings: Settings) -> Path:
    """The directory whose certificates are QLVB's trust anchors."""
    return settings.pki_trust_dir or pki_dir(settings) / "trust"


def demo_password(settings: Settings) -> bytes:
    """The password of the demo PKCS#12 files and CA keys."""
    if settings.pki_demo_password is not None and settings.pki_demo_password.get_secret_value():
        return settings.pki_demo_password.get_secret_value().encode()
    return (demo_dir(settings) / "password.txt").read_text(encoding="utf-8").strip().encode()


def demo_pkcs12_path(settings: Settings, slug: str) -> Path:
    """The PKCS#12 file of a demo identity (a username such as ``lanhdao``, or an agency code), or
    of a person issued a demo key after seeding (``demo_person_pkcs12_path``) when that file exists."""
    for identity in demo_identities():
        if identity.slug == slug:
            return demo_dir(settings) / identity.relative_path
    try:
        person = demo_person_pkcs12_path(settings, slug)
    except ValueError:
        raise KeyError(slug) from None
    if person.is_file():
        return person
    raise KeyError(slug)


def demo_person_pkcs12_path(settings: Settings, username: str) -> Path:
    """``people/<username>.p12``: the demo key of a person made after seeding (a new deputy)."""
    return demo_dir(settings) / "people" / f"{_safe_file_stem(username)}.p12"


def crl_path(settings: Settings) -> Path:
    """The demo issuing CA's CRL (DER): pass its bytes to signing-certificate checks."""
    return demo_dir(settings) / CRL_FILE


def images_dir(settings: Settings) -> Path:
    """``var/pki/images``: the stamp images of visible signatures (administrators may replace them)."""
    return pki_dir(settings) / "images"


def signature_image_path(settings: Settings, username: str) -> Path:
    """The PNG of a person's handwritten signature (blue, transparent); it may not exist."""
    return images_dir(settings) / "people" / f"{_safe_file_stem(username)}.png"


def seal_image_path(settings: Settings, agency_code: str) -> Path:
    """The PNG of an agency's seal (red, transparent, actual size); it may not exist."""
    return images_dir(settings) / "agencies" / f"{_safe_file_stem(agency_code)}.png"


def _safe_file_stem(name: str) -> str:
    # Usernames and agency codes name files: refuse anything that could leave the folder.
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        raise ValueError(f"not a usable file name: {name!r}")
    return name


# --- generation ---------------------------------------------------------------------------


def pem_bytes(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


# --- the demo CRL -------------------------------------------------------------------------


# --- stamp images ----------------------------------------------------------------------------


# --- trust anchors ------------------------------------------------------------------------


def trust_anchor_certificates(settings: Settings) -> list[x509.Certificate]:
    """The CA certificates in the trust directory, deduplicated, in file-name order.

    Files ending in .pem, .crt or .cer are read, PEM (one or more blocks) or DER. A file that
    does not parse, or a certificate that is not a CA, is skipped with a warning rather than
    failing every check: one bad file must not stop acceptance of correctly signed documents.
    """
    folder = trust_dir(settings)
    if not folder.is_dir():
        return []
    found: dict[bytes, x509.Certificate] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in TRUST_SUFFIXES or path.name.startswith("."):
            continue
        try:
            certs = _read_certificates(path.read_bytes())
        except (OSError, ValueError) as error:
            log.warning("trust anchor file %s skipped: %s", path.name, error)
            continue
        for cert in certs:
            if not _is_ca(cert):
                log.warning("trust anchor file %s: %s is not a CA certificate, skipped",
                            path.name, cert.subject.rfc4514_string())
                continue
            found.setdefault(cert.fingerprint(hashes.SHA256()), cert)
    return list(found.values())


def trust_anchors_pem(settings: Settings) -> bytes:
    """The trust anchors as one PEM bundle (what the download endpoints serve)."""
    return b"".join(pem_bytes(cert) for cert in trust_anchor_certificates(settings))


def _read_certificates(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False
