"""API tokens: each names a subject (recorded as the actor of its commands)
and a role. Only SHA-256 hashes of the tokens are configured and kept."""

from __future__ import annotations

import hashlib
import hmac
from enum import Enum

import attrs

from b2bcore import ConfigurationError

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


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, as configured."""
    return hashlib.sha256(token.encode()).hexdigest()


def parse_tokens(text: str) -> tuple[Token, ...]:
    """Tokens from ``SUBJECT:ROLE:SHA256`` entries separated by commas or
    lines; blank lines and lines starting with ``#`` are skipped."""
    tokens = []
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        for entry in filter(None, (e.strip() for e in line.split(","))):
            parts = entry.rsplit(":", 2)
            if len(parts) != 3:
                raise ConfigurationError(
                    f"API token entry {entry!r}: expected SUBJECT:ROLE:SHA256"
                )
            subject, role, digest = parts
            roles = [r.value for r in Role]
            if role not in roles:
                raise ConfigurationError(
                    f"API token of {subject!r}: role must be one of {roles}"
                )
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ConfigurationError(
                    f"API token of {subject!r}: expected the token's hex SHA-256"
                )
            tokens.append(Token(subject.strip(), Role(role), digest))
    return tuple(tokens)


def authenticate(tokens: tuple[Token, ...], presented: str) -> Token | None:
    """The configured token whose hash matches ``presented``."""
    digest = hash_token(presented)
    found = None
    for token in tokens:
        if hmac.compare_digest(token.sha256, digest):
            found = token
    return found
