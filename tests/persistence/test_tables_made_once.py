"""One open makes every table b2bcore uses; a process started with
``B2BCORE_CREATE_TABLE=no`` makes none. A role that may read and write the
tables but not create any then runs every part: commands, reports, the hash
chain, the API's idempotency keys and the alert delivery log
(docs/deployment.md)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID, uuid4

import psycopg
import pytest

from b2bcore import B2BCore, ConfigurationError
from b2bcore_adapters.alerts.delivery import delivery_log_for
from tests.conftest import POSTGRES_URL
from tests.entrypoints.http.http_api import ACCOUNT, WRITER, client


@pytest.fixture
def tables_only_role(postgres_url: str) -> Iterator[str]:
    """``postgres_url`` opened once by its owner (the deployment step), and
    the URL of a new role that may use its tables but create nothing."""
    B2BCore.open(postgres_url).close()
    schema = dict(parse_qsl(urlsplit(postgres_url).query))["schema"]
    role = f"b2b_tables_only_{uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN")
        connection.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        connection.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES"
            f" IN SCHEMA {schema} TO {role}"
        )
        connection.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
    try:
        yield postgres_url.replace("//postgres@", f"//{role}@", 1)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"DROP OWNED BY {role}")
            connection.execute(f"DROP ROLE {role}")


def test_the_role_cannot_create_tables(tables_only_role: str) -> None:
    with pytest.raises(
        ConfigurationError, match=r"permission denied for schema.*CREATE_TABLE=no"
    ):
        B2BCore.open(tables_only_role)


def test_a_process_that_creates_no_table_runs_every_part(
    tables_only_role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B2BCORE_CREATE_TABLE", "no")
    with B2BCore.open(tables_only_role) as core:
        api = client(core)
        headers = {**WRITER, "Idempotency-Key": "register-once"}
        first = api.post("/accounts", json=ACCOUNT, headers=headers)
        again = api.post("/accounts", json=ACCOUNT, headers=headers)
        account = UUID(first.json()["id"])
        deliveries = delivery_log_for(core)
        deliveries.record("crm", account)

        assert (first.status_code, again.json()) == (201, first.json())
        assert [a.id for a in core.accounts()] == [account]
        assert core.verify_log().ok
        assert deliveries.delivered("crm") == {account}
