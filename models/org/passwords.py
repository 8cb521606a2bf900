"""Password policy and hashing (QĐ44 Điều 21.2.b).

Policy: at least 8 characters with an upper-case letter, a lower-case letter, a digit and a
special character. Hashes are argon2id with the library's current parameters; ``needs_rehash``
lets login upgrade old hashes transparently.
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models.errors import DomainError

_hasher = PasswordHasher()

MIN_LENGTH = 8
_SPECIALS = set(string.punctuation)


def policy_violations(password: str) -> list[str]:
    """Return the codes of every rule the password breaks (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if not any(ch.isupper() for ch in password):
        problems.append("no_upper")
    if not any(ch.islower() for ch in password):
        problems.append("no_lower")
    if not any(ch.isdigit() for ch in password):
        problems.append("no_digit")
    if not any(ch in _SPECIALS or not (ch.isalnum() or ch.isspace()) for ch in password):
        problems.append("no_special")
    return problems


def check_policy(password: str) -> None:
    """Raise ``DomainError("weak_password")`` listing the broken rules."""
    problems = policy_violations(password)
    if problems:
        raise DomainError("weak_password", rules=problems)


def hash_password(password: str) -> str:
    """Hash with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash without leaking why it failed."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def generate_password() -> str:
    """Make a random password that satisfies the policy (demo accounts, administrator resets).

    Its special characters are ones that need no quoting in a shell or escaping in HTML.
    """
    alphabet = string.ascii_letters + string.digits
    while True:
        core = "".join(secrets.choice(alphabet) for _ in range(12))
        candidate = core + secrets.choice("@#%+=-_") + secrets.choice(string.digits)
        if not policy_violations(candidate):
            return candidate
