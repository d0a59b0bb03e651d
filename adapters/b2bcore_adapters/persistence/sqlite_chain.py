"""The chain-link store on SQLite (``sql_chain``): the links beside the
event log in the same file."""

from __future__ import annotations

from b2bcore_adapters.persistence.sql_chain import SQLChainLinks
from b2bcore_adapters.persistence.sqlite_tables import SQLiteTracked


class SQLiteChainLinkStore(SQLChainLinks, SQLiteTracked):
    pass
