"""Importers: real exports (Maven CRM, RavenStack) and b2bcore's own CSV
formats, each validating every row and recording the good ones
(docs/importers.md, docs/csv-formats.md)."""

from b2bcore_adapters.importers.csv_formats import import_csv
from b2bcore_adapters.importers.maven_crm import import_maven_crm
from b2bcore_adapters.importers.ravenstack import import_ravenstack
from b2bcore_adapters.importers.report import (
    FileSummary,
    ImportFileError,
    ImportReport,
    ImportUsageError,
    RowProblem,
    WarningKind,
)

__all__ = [
    "FileSummary",
    "ImportFileError",
    "ImportReport",
    "ImportUsageError",
    "RowProblem",
    "WarningKind",
    "import_csv",
    "import_maven_crm",
    "import_ravenstack",
]
