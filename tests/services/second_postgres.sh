#!/usr/bin/env bash
# A second local PostgreSQL server for the tests of tenants on two servers
# (tests/persistence/test_tenant_moves.py): the cluster
# "b2b_second" on port $1 (default 5433), trust authentication, database
# "test". Made with Debian's pg_createcluster when this machine can (root and
# postgresql-common); otherwise it says why and those tests skip (under
# CI=true they fail). Running it again does nothing more.
set -euo pipefail
port="${1:-5433}"
if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
    exit 0
fi
if ! command -v pg_createcluster >/dev/null || [ "$(id -u)" != 0 ]; then
    echo "second PostgreSQL: needs root and pg_createcluster; its tests will skip" >&2
    exit 0
fi
version=$(pg_lsclusters --no-header | awk 'NR == 1 {print $1}')
if ! pg_lsclusters --no-header | awk '{print $2}' | grep -qx b2b_second; then
    pg_createcluster "$version" b2b_second --port "$port" -- --auth=trust >/dev/null
fi
pg_ctlcluster "$version" b2b_second start
for _ in $(seq 50); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.1
done
if ! psql -h 127.0.0.1 -p "$port" -U postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
    createdb -h 127.0.0.1 -p "$port" -U postgres test
fi
