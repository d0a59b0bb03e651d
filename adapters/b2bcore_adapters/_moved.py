"""Where modules were before the folders (b2bcore 0.x): ``import
b2bcore_adapters.cli`` still works for one release, as a module whose names
are those of ``b2bcore_adapters.entrypoints.cli.main``, with a
DeprecationWarning on import."""

from __future__ import annotations

from b2bcore._moved import Moved

#: Each old module path (below ``b2bcore_adapters``) and where it is now.
_MAP = {
    **{
        name: f"persistence.{name}"
        for name in [
            "backends",
            "beside",
            "fact_sql",
            "memory_store",
            "sqlite_log",
            "sqlite_store",
            "sqlite_vault",
            "sqlite_chain",
            "postgres_log",
            "postgres_store",
            "postgres_vault",
            "postgres_chain",
        ]
    },
    **{
        name: f"render.{name}"
        for name in [
            "plain",
            "cells",
            "html",
            "charts",
            "exports",
            "monthly_report",
            "postmortem",
            "formats",
        ]
    },
    **{
        f"http{name}": f"entrypoints.http{name}"
        for name in (
            "",
            ".app",
            ".auth",
            ".body_limit",
            ".errors",
            ".idempotency",
            ".models",
            ".schema",
            ".server",
        )
    },
    **{
        f"story{name}": f"demo.story{name}"
        for name in (
            "",
            ".assets",
            ".calendar",
            ".deals",
            ".hyowon",
            ".leads",
            ".parties",
            ".vocabulary",
        )
    },
    # One class now serves both databases, in the module of its port.
    "http.idempotency_postgres": "entrypoints.http.idempotency",
    "alert_delivery_postgres": "alerts.delivery",
    "runner": "entrypoints.runner",
    "cli": "entrypoints.cli.main",
    "cli_audit": "entrypoints.cli.audit",
    "cli_deliver": "entrypoints.cli.deliver",
    "cli_export": "entrypoints.cli.export",
    "cli_output": "entrypoints.cli.options",
    "cli_record": "entrypoints.cli.record",
    "cli_report": "entrypoints.cli.report",
    "alert_delivery": "alerts.delivery",
    "alert_sinks": "alerts.sinks",
    "webhook_signatures": "alerts.webhook_signatures",
    "generator": "demo.generator",
}
MOVED = {
    f"b2bcore_adapters.{old}": f"b2bcore_adapters.{new}" for old, new in _MAP.items()
}


def install() -> None:
    """Serve the old paths (once per process)."""
    Moved.serve(MOVED)
