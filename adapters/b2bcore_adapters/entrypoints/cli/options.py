"""What the ``b2b`` sub-command modules share: how they open the store, how
they read dates, timestamps, ids and texts, how a declaration's docstring
reads as help, and where a document they render goes."""

import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import typer

from b2bcore.application.queries import PARAMETERS
from b2bcore_adapters.render.plain import from_plain, moment_of

if TYPE_CHECKING:
    from b2bcore import B2BCore

__all__ = [
    "AsOf",
    "Json",
    "KnownAt",
    "Opener",
    "Output",
    "help_text",
    "parse_date",
    "parse_id",
    "parse_moment",
    "parse_text",
    "write_output",
]

#: Opens the store the global options name (the main CLI's ``opened``).
Opener = Callable[[], AbstractContextManager["B2BCore"]]

Output = Annotated[
    Path | None,
    typer.Option("--output", help="Write to this file (default: stdout)."),
]


def write_output(
    text: str | bytes, output: Path | None, option: str = "--output"
) -> None:
    """Write ``text`` (as UTF-8 bytes) to ``output``, or to stdout when None;
    a file that cannot be written is a usage error naming ``option``."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise typer.BadParameter(
            f"{output}: {error.strerror or error}", param_hint=option
        ) from None


def parse_date(text: str | None) -> date | None:
    """A date written YYYY-MM-DD in ASCII digits, as in a JSON document
    (``plain.from_plain``): ``20241101`` and ``2024-W01`` are refused."""
    if text is None:
        return None
    try:
        return cast(date, from_plain(date, text))
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def parse_moment(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp with its time zone, as the HTTP API reads one
    (``plain.moment_of``); a naive one is refused rather than guessed."""
    if text is None:
        return None
    try:
        return moment_of(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def parse_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an id (a UUID)") from None


def parse_text(text: str) -> str:
    """A text as given; bytes that are not UTF-8 (a lone surrogate once
    decoded) are refused, as a command refuses them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise typer.BadParameter(f"{text!r} is not valid Unicode text") from None
    return text


def help_text(doc: str, options: Mapping[str, str]) -> str:
    """A declaration's docstring as its command's help: a parameter it names
    (````as_of````) as its option (``options``: ``--as-of``), other code
    as plain text."""
    for name, option in options.items():
        doc = doc.replace(f"``{name}``", option)
    return doc.replace("``", "")


AsOf = Annotated[
    date | None,
    typer.Option("--as-of", parser=parse_date, help=PARAMETERS["as_of"]),
]
KnownAt = Annotated[
    datetime | None,
    typer.Option(
        "--known-at",
        parser=parse_moment,
        help=PARAMETERS["known_at"],
    ),
]
Json = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
