"""What the ``b2b`` sub-command modules share: how they open the store and
where a document they render goes."""

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from b2bcore import B2BCore

__all__ = ["Opener", "Output", "write_output"]

#: Opens the store the global options name (the main CLI's ``opened``).
Opener = Callable[[], AbstractContextManager["B2BCore"]]

Output = Annotated[
    Path | None,
    typer.Option("--output", help="Write to this file (default: stdout)."),
]


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` as UTF-8 bytes to ``output``, or to stdout when None."""
    data = text.encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)
