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

Each backend also places tenants (``b2bcore.application.tenants``): a
tenant of ``postgresql://…/db`` is the schema ``tenant_NAME`` of that
database (``SCHEMA_NAME`` below ``?schema=SCHEMA``), one of
``sqlite:///dir/book.db`` the file ``dir/book.NAME.db``, one of ``memory://``
a store of its own (``memory://NAME``); and it creates and drops a tenant's
storage.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit

import attrs

from b2bcore.application.storage import (
    CHAIN_VARIABLE,
    REACH_VARIABLE,
    VAULT_VARIABLE,
    shown,
)
from b2bcore.domain.aggregate import CONTROL_CHARACTERS
from b2bcore.domain.errors import ConfigurationError

if TYPE_CHECKING:
    import psycopg

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
    #: The URL of tenant ``name`` of the store at a URL (its directory's).
    tenant_url: Callable[[str, str], str]
    #: Makes room for a new tenant's log at its URL (a PostgreSQL schema).
    create: Callable[[str], None]
    #: Erases everything stored at a tenant's URL: every table, every key.
    drop: Callable[[str], None]
    #: Moves the store at a URL whole to another (``moving``).
    moved: Callable[[str, str], AbstractContextManager[None]]
    #: The stores the adapters keep beside the log, by what they keep
    #: (``IDEMPOTENCY_KEYS``, ``DELIVERY_LOG``), as topics.
    beside: Mapping[str, str] = attrs.field(factory=dict)
    #: How its SQL says what the tables beside the log write once: the topic
    #: of a function of the log's datastore to a ``sql_tables.Dialect``.
    dialect: str = ""

    def environment(self, url: str) -> dict[str, str]:
        """The ``eventsourcing`` settings that open the store at ``url``."""
        parts = urlsplit(url)
        env = {"PERSISTENCE_MODULE": self.module, **self.classes}
        env.update(self.settings(url, parts))
        env.update({f"{self.prefix}_{k.upper()}": v for k, v in parse_qsl(parts.query)})
        return env


def _memory(url: str, parts: SplitResult) -> dict[str, str]:
    """Nothing to open; the name (``memory://acme``) tells stores apart."""
    return {"POPO_STORE": unquote(parts.netloc)}


def _sqlite(url: str, parts: SplitResult) -> dict[str, str]:
    path = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    if parts.netloc or not path:
        raise ConfigurationError(
            f"database URL {shown(url)!r}: expected sqlite:///relative/path.db "
            "or sqlite:////absolute/path.db"
        )
    return {"SQLITE_DBNAME": path}


def sqlite_path(url: str) -> Path:
    """The file a ``sqlite:///…`` URL names."""
    return Path(_sqlite(url, urlsplit(url))["SQLITE_DBNAME"])


def _postgres(url: str, parts: SplitResult) -> dict[str, str]:
    dbname = unquote(parts.path.lstrip("/"))
    try:
        port = 5432 if parts.port is None else parts.port
    except ValueError:  # not a number, or out of range: refused below
        port = 0
    if not parts.hostname or not dbname or not port:
        raise ConfigurationError(
            f"database URL {shown(url)!r}: expected "
            "postgresql://user[:password]@host[:port]/dbname[?schema=name]"
        )
    schema = dict(parse_qsl(parts.query)).get("schema", "")
    if len(schema.encode()) > MAX_IDENTIFIER:
        # PostgreSQL would cut it, and two tenants would share one schema.
        raise ConfigurationError(
            f"database URL {shown(url)!r}: schema {schema!r} is longer than "
            f"PostgreSQL's {MAX_IDENTIFIER} bytes"
        )
    if CONTROL_CHARACTERS.search(schema):
        raise ConfigurationError(
            f"database URL {shown(url)!r}: schema: must not hold a control character"
        )
    return {
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }


def _with_query(parts: SplitResult, **changes: str) -> str:
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


def _memory_tenant(url: str, name: str) -> str:
    return f"memory://{name}"


def _nothing(url: str) -> None:
    pass


def _sqlite_tenant(url: str, name: str) -> str:
    path = sqlite_path(url)
    tenant = path.with_name(f"{path.stem}.{name}{path.suffix or '.db'}")
    prefix = "sqlite:////" if tenant.is_absolute() else "sqlite:///"
    return prefix + str(tenant).lstrip("/") + _query(url)


def _query(url: str) -> str:
    query = urlsplit(url).query
    return f"?{query}" if query else ""


def _drop_sqlite(url: str) -> None:
    """Every table emptied with ``secure_delete`` (the freed pages, the
    vault's keys among them, are overwritten with zeros) and dropped, so a
    process that still has the file open fails instead of writing into a
    deleted file; then the files removed."""
    path = sqlite_path(url)
    if path.exists():
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA secure_delete = ON")
            tables = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            for (table,) in tables:
                quoted = f'"{table.replace(chr(34), "")}"'
                connection.execute(f"DELETE FROM {quoted}")
                connection.execute(f"DROP TABLE {quoted}")
            connection.commit()
            connection.execute("VACUUM")
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


#: The longest PostgreSQL identifier, in bytes (longer ones are cut).
MAX_IDENTIFIER = 63


def _postgres_tenant(url: str, name: str) -> str:
    parts = urlsplit(url)
    schema = dict(parse_qsl(parts.query)).get("schema")
    return _with_query(parts, schema=f"{schema}_{name}" if schema else f"tenant_{name}")


@contextlib.contextmanager
def _postgres_schema(url: str) -> Iterator[tuple[psycopg.Connection[Any], str]]:
    """A connection to the server of ``url`` (autocommit) and its schema."""
    import psycopg  # noqa: PLC0415 (an optional extra)

    parts = urlsplit(url)
    env = _postgres(url, parts)
    schema = dict(parse_qsl(parts.query)).get("schema")
    if not schema:
        raise ConfigurationError(
            f"database URL {shown(url)!r}: a tenant's URL names a schema"
        )
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        dbname=env["POSTGRES_DBNAME"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        autocommit=True,
    ) as connection:
        yield connection, schema


def _create_postgres(url: str) -> None:
    from psycopg.sql import SQL, Identifier  # noqa: PLC0415

    with _postgres_schema(url) as (connection, schema):
        connection.execute(
            SQL("CREATE SCHEMA IF NOT EXISTS {0}").format(Identifier(schema))
        )


def _drop_postgres(url: str) -> None:
    from psycopg.sql import SQL, Identifier  # noqa: PLC0415

    with _postgres_schema(url) as (connection, schema):
        connection.execute(
            SQL("DROP SCHEMA IF EXISTS {0} CASCADE").format(Identifier(schema))
        )


def _moved(kind: str) -> Callable[[str, str], AbstractContextManager[None]]:
    """``moving``'s function for ``kind``, imported when a store moves."""

    def moved(source: str, target: str) -> AbstractContextManager[None]:
        from b2bcore_adapters.persistence import moving  # noqa: PLC0415

        return getattr(moving, kind)(source, target)  # type: ignore[no-any-return]

    return moved


#: The adapters' stores beside a log on SQLite or PostgreSQL: one class each
#: for both, in the one SQL text of ``sql_tables``.
SQL_BESIDE = {
    IDEMPOTENCY_KEYS: f"{HERE}.idempotency_keys:SQLIdempotencyStore",
    DELIVERY_LOG: f"{HERE}.delivery_log:SQLDeliveryLog",
}
MEMORY = Backend(
    module="eventsourcing.popo",
    prefix="POPO",
    classes={
        "TRACKING_RECORDER_TOPIC": f"{HERE}.memory_store:MemoryReadModelStore",
        VAULT_VARIABLE: "b2bcore.domain.personal_data:MemoryPersonalDataVault",
        CHAIN_VARIABLE: "b2bcore.audit.chainstore:MemoryChainLinkStore",
    },
    settings=_memory,
    tenant_url=_memory_tenant,
    create=_nothing,
    drop=_nothing,
    moved=_moved("cannot_move"),
    beside={
        IDEMPOTENCY_KEYS: f"{HERE}.idempotency_keys:MemoryIdempotencyStore",
        DELIVERY_LOG: f"{HERE}.delivery_log:MemoryDeliveryLog",
    },
)
SQLITE = Backend(
    # The library's, closed without closing a connection in use.
    module=f"{HERE}.sqlite_datastore",
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
    tenant_url=_sqlite_tenant,
    create=_nothing,
    drop=_drop_sqlite,
    moved=_moved("moved_sqlite"),
    beside=SQL_BESIDE,
    dialect=f"{HERE}.sqlite_tables:dialect",
)
POSTGRES = Backend(
    # The library's, refusing with StoreClosedError once closed.
    module=f"{HERE}.postgres_datastore",
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
    tenant_url=_postgres_tenant,
    create=_create_postgres,
    drop=_drop_postgres,
    moved=_moved("moved_postgres"),
    beside=SQL_BESIDE,
    dialect=f"{HERE}.postgres_tables:dialect",
)
#: The backends by persistence module.
BY_MODULE = {backend.module: backend for backend in (MEMORY, SQLITE, POSTGRES)}
