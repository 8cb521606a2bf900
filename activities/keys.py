"""Keys the worker signs with on an agency's behalf (digitised copies, issued documents)."""

from __future__ import annotations

from cryptography.hazmat.primitives.serialization import pkcs12
from temporalio.exceptions import ApplicationError

from config.settings import Settings
from models.errors import DomainError
from models.signing.providers import agency_key


def agency_signing_key(settings: Settings, agency_code: str):
    """The agency's signing key, or a non-retryable failure: an administrator must install it first."""
    try:
        return agency_key(settings, agency_code)
    except DomainError as error:
        raise ApplicationError(f"agency_certificate_missing: {agency_code}", type="agency_certificate_missing",
                               non_retryable=True) from error


def envelope_key(settings: Settings, agency_code: str):
    """The agency's key and certificate chain (leaf first) for XML-DSig envelope signatures, or None
    when the agency has no key installed (its packages then go unsigned: the signature is optional)."""
    try:
        provider = agency_key(settings, agency_code)
    except DomainError:
        return None
    key, certificate, chain = pkcs12.load_key_and_certificates(provider.path.read_bytes(), provider.passphrase)
    return key, [certificate, *chain]
