"""The JSON HTTP API over ``B2BCore`` (extra ``http``): see docs/http.md."""

from b2bcore_adapters.entrypoints.http.app import create_app
from b2bcore_adapters.entrypoints.http.auth import Role, Token, hash_token, parse_tokens

__all__ = ["Role", "Token", "create_app", "hash_token", "parse_tokens"]
