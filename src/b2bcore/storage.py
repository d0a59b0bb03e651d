"""Database URLs mapped onto ``eventsourcing``'s persistence modules.

``memory://``, ``sqlite:///relative.db``, ``sqlite:////absolute.db`` and
``postgresql://user:password@host:port/dbname?schema=name``. Other query
parameters pass through as the module's settings
(``?lock_timeout=10`` → ``POSTGRES_LOCK_TIMEOUT=10``). Each URL also names
the read-model store that keeps projections in the same database.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

from b2bcore.errors import ConfigurationError

DEFAULT_URL = "sqlite:///b2bcore.db"
#: The read-model store of each kind of database, by topic: resolved by
#: ``eventsourcing`` when the store is opened, never imported here.
MEMORY_STORE = "b2bcore_adapters.memory_store:MemoryReadModelStore"
SQLITE_STORE = "b2bcore_adapters.sqlite_store:SQLiteReadModelStore"
#: The event log's recorder on SQLite and PostgreSQL: the library's, plus a
#: hook inside the transaction that inserts a save's events.
SQLITE_LOG = "b2bcore_adapters.sqlite_log:SQLiteLogRecorder"
POSTGRES_LOG = "b2bcore_adapters.postgres_log:PostgresLogRecorder"
POSTGRES_STORE = "b2bcore_adapters.postgres_store:PostgresReadModelStore"
#: Called with the settings before anything is opened: a server that cannot
#: be reached fails in seconds, naming where it looked, instead of waiting in
#: the connection pool's retries.
POSTGRES_REACH = "b2bcore_adapters.postgres_store:reach"
REACH_VARIABLE = "B2BCORE_REACH_TOPIC"
URL_VARIABLE = "B2BCORE_DATABASE_URL"


def environment_for(url: str) -> dict[str, str]:
    """The ``eventsourcing`` settings that open the store at ``url``."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "memory":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "TRACKING_RECORDER_TOPIC": MEMORY_STORE,
        }
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
        if parts.netloc or not path:
            raise ConfigurationError(
                f"database URL {url!r}: expected sqlite:///relative/path.db "
                "or sqlite:////absolute/path.db"
            )
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "APPLICATION_RECORDER_TOPIC": SQLITE_LOG,
            "TRACKING_RECORDER_TOPIC": SQLITE_STORE,
            "SQLITE_DBNAME": path,
        }
        env.update({f"SQLITE_{k.upper()}": v for k, v in options.items()})
        return env
    if parts.scheme in ("postgresql", "postgres"):
        dbname = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not dbname:
            raise ConfigurationError(
                f"database URL {url!r}: expected "
                "postgresql://user[:password]@host[:port]/dbname[?schema=name]"
            )
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": POSTGRES_LOG,
            "TRACKING_RECORDER_TOPIC": POSTGRES_STORE,
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            REACH_VARIABLE: POSTGRES_REACH,
        }
        env.update({f"POSTGRES_{k.upper()}": v for k, v in options.items()})
        return env
    raise ConfigurationError(
        f"database URL {url!r}: unknown scheme {parts.scheme!r} "
        "(use memory://, sqlite:/// or postgresql://)"
    )
