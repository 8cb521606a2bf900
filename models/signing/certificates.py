"""Is this certificate fit to sign for this person now? Checked before any signature is made.

Expiry, revocation (the CRL), the chain to a trust anchor, the holder's name against the account's
full name, and the key usage (digitalSignature or nonRepudiation).
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from models.errors import DomainError
from models.registers.numbering import VIETNAM
from models.signing.pades import (
    as_asn1_certificate,
    refuse_if_in_event_loop,
)


def check_signing_certificate(cert: Any, *, expected_full_name: str, at: datetime, trust_roots: Iterable[Any],
                              crl_der_list: Iterable[bytes] = (), intermediates: Iterable[Any] = ()) -> None:
    """Refuse a certificate the designated signer must not sign with; return None when it may.

    Checked in the order a person can best act on: whose certificate it is
    (``certificate_not_signers``: common name against the designated signer's full name, NFC,
    case-insensitive), what it may sign (``certificate_wrong_usage``: digitalSignature or
    nonRepudiation), when (``certificate_expired`` / ``certificate_not_yet_valid`` at ``at``),
    then the chain: ``certificate_untrusted`` when no path reaches ``trust_roots``,
    ``certificate_revoked`` when a given CRL lists it. Nothing is fetched. When a CRL of the
    certificate's issuer is given it must be usable (``certificate_status_unknown`` if it is
    stale or forged); without one, and for the CAs above (the demo root publishes no CRL), the
    status is checked only where the certificate names a distribution point.

    ``cert``, roots and intermediates: asn1crypto or ``cryptography`` certificates, or DER.
    Synchronous (certvalidator is async inside): do not call it from a coroutine.
    """
    leaf = as_asn1_certificate(cert)
    common_name = str(leaf.subject.native.get("common_name", ""))
    if _name_key(common_name) != _name_key(expected_full_name):
        raise DomainError("certificate_not_signers", certificate_name=common_name, signer_name=expected_full_name)
    usage = set(leaf.key_usage_value.native) if leaf.key_usage_value is not None else set()
    if not usage & {"digital_signature", "non_repudiation"}:
        raise DomainError("certificate_wrong_usage", certificate_name=common_name)
    not_before = leaf["tbs_certificate"]["validity"]["not_before"].native
    not_after = leaf["tbs_certificate"]["validity"]["not_after"].native
    if at > not_after:
        raise DomainError("certificate_expired", expired_on=_vn_date(not_after))
    if at < not_before:
        raise DomainError("certificate_not_yet_valid", valid_from=_vn_date(not_before))
    refuse_if_in_event_loop("check_signing_certificate")
    asyncio.run(_check_chain(leaf, at, [as_asn1_certificate(c) for c in trust_roots],
                             [as_asn1_certificate(c) for c in intermediates], list(crl_der_list)))


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _vn_date(instant: datetime) -> str:
    return instant.astimezone(VIETNAM).strftime("%d/%m/%Y")


async def _check_chain(leaf, at: datetime, roots, intermediates, crls: list[bytes]) -> None:
    from asn1crypto import crl as asn1_crl
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InsufficientRevinfoError,
        InvalidCertificateError,
        NotYetValidError,
        PathBuildingError,
        PathValidationError,
        RevokedError,
    )
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    # certvalidator's stock modes consult a CRL only when the certificate names a distribution
    # point, which the demo certificates (and some real ones) do not: demand the CRL for the
    # end-entity certificate exactly when its issuer's CRL was handed to us.
    lists = [asn1_crl.CertificateList.load(der) for der in crls]
    issuer_listed = any(item.issuer == leaf.issuer for item in lists)
    rule = RevocationCheckingRule.CRL_REQUIRED if issuer_listed else RevocationCheckingRule.CHECK_IF_DECLARED_SOFT
    policy = CertRevTrustPolicy(RevocationCheckingPolicy(
        ee_certificate_rule=rule, intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT))
    context = ValidationContext(trust_manager=SimpleTrustManager.build(trust_roots=roots),
                                other_certs=intermediates, crls=lists, allow_fetching=False,
                                revinfo_policy=policy, moment=at)
    validator = CertificateValidator(leaf, intermediate_certs=intermediates, validation_context=context)
    common_name = str(leaf.subject.native.get("common_name", ""))
    try:
        await validator.async_validate_path()
    except RevokedError as exc:
        raise DomainError("certificate_revoked", certificate_name=common_name) from exc
    except InsufficientRevinfoError as exc:
        raise DomainError("certificate_status_unknown", certificate_name=common_name) from exc
    except (ExpiredError, NotYetValidError) as exc:  # an expired CA in the chain
        raise DomainError("certificate_expired", expired_on=_vn_date(at)) from exc
    except PathBuildingError as exc:
        raise DomainError("certificate_untrusted", certificate_name=common_name) from exc
    except (PathValidationError, InvalidCertificateError) as exc:
        raise DomainError("certificate_untrusted", certificate_name=common_name) from exc
