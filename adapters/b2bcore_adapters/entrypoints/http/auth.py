"""API tokens: each names a subject (recorded as the actor of its commands),
a role and, on a server of many tenants, the tenants it may read and write.
Only SHA-256 hashes of the tokens are configured and kept."""

from __future__ import annotations

import hashlib
import hmac
from enum import Enum

import attrs

from b2bcore import ConfigurationError, ValidationError
from b2bcore.domain.tenant import check_name

TOKENS_VARIABLE = "B2BCORE_API_TOKENS"


class Role(Enum):
    #: Queries only: auditors.
    READ = "read"
    #: Queries and commands: services.
    WRITE = "write"


@attrs.frozen
class Token:
    subject: str
    role: Role
    sha256: str
    #: The tenants the token may reach (none: a server of one store).
    tenants: frozenset[str] = frozenset()


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, as configured."""
    return hashlib.sha256(token.encode()).hexdigest()


def parse_tokens(text: str) -> tuple[Token, ...]:
    """Tokens from ``SUBJECT:ROLE:SHA256[:TENANT+TENANT…]`` entries separated
    by commas or lines; blank lines and lines starting with ``#`` are
    skipped."""
    tokens = []
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        for entry in filter(None, (e.strip() for e in line.split(","))):
            tokens.append(_token(entry))
    return tuple(tokens)


def _token(entry: str) -> Token:
    head, _, last = entry.rpartition(":")
    tenants: frozenset[str] = frozenset()
    if head.count(":") >= 2 and not _is_digest(last):
        entry, tenants = head, _tenants(head.rsplit(":", 2)[0], last)
    parts = entry.rsplit(":", 2)
    if len(parts) != 3:
        raise ConfigurationError(
            f"API token entry {entry!r}: expected SUBJECT:ROLE:SHA256[:TENANTS]"
        )
    subject, role, digest = parts
    roles = [r.value for r in Role]
    if role not in roles:
        raise ConfigurationError(
            f"API token of {subject!r}: role must be one of {roles}"
        )
    if not _is_digest(digest):
        raise ConfigurationError(
            f"API token of {subject!r}: expected the token's hex SHA-256"
        )
    return Token(subject.strip(), Role(role), digest, tenants)


def _is_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _tenants(subject: str, text: str) -> frozenset[str]:
    try:
        return frozenset(check_name(name.strip()) for name in text.split("+"))
    except ValidationError as error:
        raise ConfigurationError(f"API token of {subject!r}: {error}") from None


def authenticate(tokens: tuple[Token, ...], presented: str) -> Token | None:
    """The configured token whose hash matches ``presented``."""
    digest = hash_token(presented)
    found = None
    for token in tokens:
        if hmac.compare_digest(token.sha256, digest):
            found = token
    return found
