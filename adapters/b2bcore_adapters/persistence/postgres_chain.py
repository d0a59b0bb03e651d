"""The chain-link store on PostgreSQL (``sql_chain``): the links beside the
event log in its schema."""

from __future__ import annotations

from b2bcore_adapters.persistence.postgres_tables import PostgresTracked
from b2bcore_adapters.persistence.sql_chain import SQLChainLinks


class PostgresChainLinkStore(SQLChainLinks, PostgresTracked):
    pass
