"""Where the log and what is kept beside it live: the one registry of
backends by URL scheme (``backends``), the event recorders, read-model
stores, personal-data vaults and hash-chain stores of memory, SQLite and
PostgreSQL, the report tables' SQL (``fact_sql``), the stores beside the
log (``beside``) and what every table beside it shares (``sql_tables``)."""
