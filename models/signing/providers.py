"""Where a signing key lives: the one interface the issuing steps and the web's signing requests use.

``Pkcs12Provider`` (a PKCS#12 file: the agency keys of the embedded installation and the demo
people), ``Pkcs11Provider`` (a token or HSM, PIN typed at signing; tested on SoftHSM2); remote
signing, where the key never reaches the server, is ``models.signing.remote``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from asn1crypto import x509 as asn1_x509

from models.errors import INTERRUPTIONS, DomainError
from models.signing.pades import (
    as_asn1_certificate,
)


@runtime_checkable
class SigningProvider(Protocol):
    """Where a signing key lives. The certificate is known without signing (for the checks);
    ``open_signer`` yields a pyHanko ``Signer`` for one signing and releases the key after it
    (a token session is closed, a PIN forgotten)."""

    @property
    def certificate(self) -> asn1_x509.Certificate: ...

    @property
    def ca_chain(self) -> list[asn1_x509.Certificate]: ...

    def open_signer(self) -> Any: ...  # a context manager yielding a pyhanko Signer


class Pkcs12Provider:
    """A key in a PKCS#12 file (the demo PKI's ``people/<username>.p12``, ``agencies/<code>.p12``)."""

    def __init__(self, path: str | Path, passphrase: str | bytes | None) -> None:
        self.path = Path(path)
        self.passphrase = passphrase.encode() if isinstance(passphrase, str) else passphrase
        self._signer = None

    def _load(self):
        from pyhanko.sign import signers

        if self._signer is None:
            self._signer = signers.SimpleSigner.load_pkcs12(str(self.path), passphrase=self.passphrase)
            if self._signer is None:  # pyHanko logs the reason and returns None
                raise DomainError("signing_key_unavailable")
        return self._signer

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._load().signing_cert

    @property
    def ca_chain(self) -> list[asn1_x509.Certificate]:
        leaf = self.certificate
        return [cert for cert in self._load().cert_registry if cert.dump() != leaf.dump()]

    @contextmanager
    def open_signer(self) -> Iterator[Any]:
        yield self._load()


def agency_key(settings, agency_code: str) -> Pkcs12Provider:
    """The agency's own signing key (the agency signature of ND30 Điều 32.2): its PKCS#12 file.

    Raises ``DomainError("agency_certificate_missing")`` when the agency has none, which a caller
    must not retry: an administrator has to install the key first.
    """
    from models.signing import pki

    try:
        path = pki.demo_pkcs12_path(settings, agency_code)
    except KeyError:
        path = None
    if path is None or not path.exists():
        raise DomainError("agency_certificate_missing", agency_code=agency_code)
    return Pkcs12Provider(path, pki.demo_password(settings))


class Pkcs11Provider:
    """A key on a PKCS#11 token or HSM; the session is opened per signing and always closed."""

    def __init__(self, module_path: str | Path, token_label: str, pin: str, key_label: str,
                 cert_label: str | None = None, ca_chain: Iterable[Any] = ()) -> None:
        self.module_path = str(module_path)
        self.token_label = token_label
        self.pin = pin
        self.key_label = key_label
        self.cert_label = cert_label or key_label
        self._ca_chain = [as_asn1_certificate(cert) for cert in ca_chain]
        self._certificate: asn1_x509.Certificate | None = None

    @property
    def certificate(self) -> asn1_x509.Certificate:
        if self._certificate is None:
            with self.open_signer() as signer:
                self._certificate = signer.signing_cert
        return self._certificate

    @property
    def ca_chain(self) -> list[asn1_x509.Certificate]:
        return list(self._ca_chain)

    @contextmanager
    def open_signer(self) -> Iterator[Any]:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        try:
            session = open_pkcs11_session(self.module_path, token_criteria=TokenCriteria(label=self.token_label),
                                          user_pin=self.pin)
        except INTERRUPTIONS:  # a cancellation or worker stop passes through
            raise
        except Exception as exc:  # no token, wrong PIN, module missing: the user can act on it
            raise DomainError("signing_key_unavailable") from exc
        try:
            yield PKCS11Signer(session, key_label=self.key_label, cert_label=self.cert_label,
                               ca_chain=self._ca_chain)
        finally:
            session.close()


@contextmanager
def opened_signer(provider_or_signer: Any) -> Iterator[Any]:
    """A provider's signer for one signing, or a pyHanko ``Signer`` given directly."""
    if isinstance(provider_or_signer, SigningProvider):
        with provider_or_signer.open_signer() as signer:
            yield signer
    else:
        yield provider_or_signer
