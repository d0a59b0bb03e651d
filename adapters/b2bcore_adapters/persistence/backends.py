"""The one registry of what stores a b2bcore log, by URL scheme:
``memory://``, ``sqlite:///…`` and ``postgresql://…`` each map to the
``eventsourcing`` persistence module and the classes that keep b2bcore's
tables beside the log (event recorder, read models, personal-data vault,
hash chain). The domain finds them through the ``b2bcore.backends`` entry
points (``pyproject.toml``) and names none of them; classes are given as
topics, so an optional driver (psycopg) is imported only when its database
is opened.

Query parameters other than the ones named pass through as the module's
settings (``?lock_timeout=10`` → ``SQLITE_LOCK_TIMEOUT=10``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

import attrs

from b2bcore.application.storage import CHAIN_VARIABLE, REACH_VARIABLE, VAULT_VARIABLE
from b2bcore.domain.errors import ConfigurationError

__all__ = [
    "DELIVERY_LOG",
    "IDEMPOTENCY_KEYS",
    "MEMORY",
    "POSTGRES",
    "SQLITE",
    "Backend",
]

#: Where the classes named below live.
HERE = "b2bcore_adapters.persistence"
HTTP = "b2bcore_adapters.entrypoints.http"
ALERTS = "b2bcore_adapters.alerts"
#: What the adapters' own stores beside the log keep (``Backend.beside``).
IDEMPOTENCY_KEYS = "idempotency keys"
DELIVERY_LOG = "delivery log"


@attrs.frozen
class Backend:
    """One kind of database: its persistence module, the classes beside the
    log (by topic), and how a URL becomes the module's settings."""

    module: str
    prefix: str
    classes: Mapping[str, str]
    settings: Callable[[str, SplitResult], dict[str, str]]
    #: The stores the adapters keep beside the log, by what they keep
    #: (``IDEMPOTENCY_KEYS``, ``DELIVERY_LOG``), as topics.
    beside: Mapping[str, str] = attrs.field(factory=dict)

    def environment(self, url: str) -> dict[str, str]:
        """The ``eventsourcing`` settings that open the store at ``url``."""
        parts = urlsplit(url)
        env = {"PERSISTENCE_MODULE": self.module, **self.classes}
        env.update(self.settings(url, parts))
        env.update({f"{self.prefix}_{k.upper()}": v for k, v in parse_qsl(parts.query)})
        return env


def _no_settings(url: str, parts: SplitResult) -> dict[str, str]:
    return {}


def _sqlite(url: str, parts: SplitResult) -> dict[str, str]:
    path = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    if parts.netloc or not path:
        raise ConfigurationError(
            f"database URL {url!r}: expected sqlite:///relative/path.db "
            "or sqlite:////absolute/path.db"
        )
    return {"SQLITE_DBNAME": path}


def _postgres(url: str, parts: SplitResult) -> dict[str, str]:
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname:
        raise ConfigurationError(
            f"database URL {url!r}: expected "
            "postgresql://user[:password]@host[:port]/dbname[?schema=name]"
        )
    return {
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }


MEMORY = Backend(
    module="eventsourcing.popo",
    prefix="POPO",
    classes={
        "TRACKING_RECORDER_TOPIC": f"{HERE}.memory_store:MemoryReadModelStore",
        VAULT_VARIABLE: "b2bcore.domain.personal_data:MemoryPersonalDataVault",
        CHAIN_VARIABLE: "b2bcore.audit.chainstore:MemoryChainLinkStore",
    },
    settings=_no_settings,
    beside={
        IDEMPOTENCY_KEYS: f"{HTTP}.idempotency:MemoryIdempotencyStore",
        DELIVERY_LOG: f"{ALERTS}.delivery:MemoryDeliveryLog",
    },
)
SQLITE = Backend(
    module="eventsourcing.sqlite",
    prefix="SQLITE",
    classes={
        # The library's recorder, plus a hook inside the transaction that
        # inserts a save's events (read rows, idempotency keys).
        "APPLICATION_RECORDER_TOPIC": f"{HERE}.sqlite_log:SQLiteLogRecorder",
        "TRACKING_RECORDER_TOPIC": f"{HERE}.sqlite_store:SQLiteReadModelStore",
        VAULT_VARIABLE: f"{HERE}.sqlite_vault:SQLitePersonalDataVault",
        CHAIN_VARIABLE: f"{HERE}.sqlite_chain:SQLiteChainLinkStore",
    },
    settings=_sqlite,
    beside={
        IDEMPOTENCY_KEYS: f"{HTTP}.idempotency:SQLiteIdempotencyStore",
        DELIVERY_LOG: f"{ALERTS}.delivery:SQLiteDeliveryLog",
    },
)
POSTGRES = Backend(
    module="eventsourcing.postgres",
    prefix="POSTGRES",
    classes={
        "APPLICATION_RECORDER_TOPIC": (f"{HERE}.postgres_log:PostgresLogRecorder"),
        "TRACKING_RECORDER_TOPIC": (f"{HERE}.postgres_store:PostgresReadModelStore"),
        VAULT_VARIABLE: f"{HERE}.postgres_vault:PostgresPersonalDataVault",
        CHAIN_VARIABLE: f"{HERE}.postgres_chain:PostgresChainLinkStore",
        # Connects once before anything opens: an unreachable server fails
        # in seconds, naming where it looked.
        REACH_VARIABLE: f"{HERE}.postgres_store:reach",
    },
    settings=_postgres,
    beside={
        IDEMPOTENCY_KEYS: (f"{HTTP}.idempotency_postgres:PostgresIdempotencyStore"),
        DELIVERY_LOG: f"{ALERTS}.delivery_postgres:PostgresDeliveryLog",
    },
)
#: The backends by persistence module.
BY_MODULE = {backend.module: backend for backend in (MEMORY, SQLITE, POSTGRES)}
