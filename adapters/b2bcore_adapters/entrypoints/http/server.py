"""``b2b serve``: the HTTP API on uvicorn, over the store at a URL."""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn

from b2bcore import B2BCore, ConfigurationError, Consistency
from b2bcore.application.settings import Settings
from b2bcore.application.tenants import Tenants
from b2bcore_adapters.entrypoints.http.app import create_app
from b2bcore_adapters.entrypoints.http.auth import TOKENS_VARIABLE, Token, parse_tokens
from b2bcore_adapters.entrypoints.http.body_limit import MAX_BODY_BYTES


def load_tokens(path: Path | None) -> tuple[Token, ...]:
    """The tokens in the file at ``path``, else in ``$B2BCORE_API_TOKENS``;
    at least one is required."""
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path
            else os.environ.get(TOKENS_VARIABLE, "")
        )
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigurationError(f"tokens file {path}: {reason or error}") from None
    tokens = parse_tokens(text)
    if not tokens:
        raise ConfigurationError(
            f"no API tokens: set ${TOKENS_VARIABLE} or pass --tokens FILE "
            "(see docs/http.md)"
        )
    return tokens


def serve(
    url: str,
    *,
    host: str,
    port: int,
    tokens_file: Path | None,
    consistency: Consistency = Consistency.LOG_HEAD,
    max_body_bytes: int = MAX_BODY_BYTES,
    tenants: bool = False,
    tenant: str | None = None,
    settings: Settings | None = None,
) -> None:
    """Serve the API on ``host:port`` until interrupted: the store at
    ``url``, or with ``tenants`` the tenants of the directory there, or its
    ``tenant`` (followed where it moves), with ``settings`` (else the
    defaults)."""
    tokens = load_tokens(tokens_file)
    opener = Tenants.open if tenants or tenant else B2BCore.open
    with opener(url, actor="http", consistency=consistency, settings=settings) as store:
        if isinstance(store, Tenants) and tenant is not None:
            store.entry(tenant)  # there: else NotFoundError, before serving
        uvicorn.run(
            create_app(store, tokens, max_body_bytes=max_body_bytes, tenant=tenant),
            host=host,
            port=port,
            access_log=False,
            log_level="info",
        )
