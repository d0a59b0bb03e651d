"""What each document b2bcore writes can be written as. Declared apart from
the writers, so the command line can offer the choice without loading them."""

from __future__ import annotations

from enum import Enum


class ExportFormat(Enum):
    """An account's event history for auditors (``b2b export history``)."""

    JSONL = "jsonl"
    CSV = "csv"
    HTML = "html"


class ReportFormat(Enum):
    """The monthly asset report (``b2b report monthly``, HTTP)."""

    JSON = "json"
    HTML = "html"
