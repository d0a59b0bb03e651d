"""``b2b audit``: verify the tamper-evident log and sign checkpoints of it.

``b2b audit verify`` exits 0 when the log matches its hash chain and the
snapshots (with ``--deep`` the read models too) match the log, printing what
it proved and what it could not without a checkpoint; else
``EXIT_TAMPERED`` (4) naming the first bad position. Checkpoints are signed
with ``$B2BCORE_AUDIT_KEY``; without it, signing or checking one is refused
(exit 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from b2bcore.audit.verification import Checkpoint
from b2bcore.domain.errors import ValidationError
from b2bcore_adapters.render.plain import dumps

if TYPE_CHECKING:
    from b2bcore import B2BCore

#: The log does not match its chain (or the checkpoint).
EXIT_TAMPERED = 4
#: A deleted key's bytes are still in the database's files (a reader blocks).
EXIT_PENDING = 5

audit = typer.Typer(help="Verify the tamper-evident log; sign checkpoints.")


@contextmanager
def _opened() -> Iterator[B2BCore]:
    # The main CLI imports this module to register it: import it late.
    from b2bcore_adapters.entrypoints.cli.main import opened  # noqa: PLC0415

    with opened() as core:
        yield core


def read_checkpoint(path: Path) -> Checkpoint:
    """The checkpoint in the JSON file at ``path``."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(
            "checkpoint", str(path), f"is not a readable JSON file: {error}"
        ) from None
    if not isinstance(document, dict):
        raise ValidationError("checkpoint", str(path), "must hold a JSON object")
    return Checkpoint.from_dict(document)


@audit.command("verify")
def verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            exists=True,
            dir_okay=False,
            help="Also check the log still matches this signed checkpoint.",
        ),
    ] = None,
    deep: Annotated[
        bool,
        typer.Option(
            "--deep", help="Also compare the read models with a rebuild (slow)."
        ),
    ] = False,
) -> None:
    """Link new events, recompute the hash chain over the whole log, compare
    every snapshot with a replay, and name the first altered, deleted,
    inserted or reordered position, or the snapshot or read-model row that
    differs; then say what was proved and what needs a checkpoint."""
    expected = read_checkpoint(checkpoint) if checkpoint else None
    with _opened() as core:
        status = core.verify_log(expected, deep=deep)
    print("\n".join([status.describe(), *status.explain()]))
    if not status.ok:
        raise typer.Exit(EXIT_TAMPERED)


@audit.command("checkpoint")
def checkpoint(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write it to this file."),
    ] = None,
) -> None:
    """Verify the log and print its head as a JSON checkpoint signed with
    $B2BCORE_AUDIT_KEY (or write it to --output)."""
    with _opened() as core:
        signed = core.checkpoint()
    document = dumps(signed.as_dict())
    if output is None:
        print(document)
        return
    output.write_text(document + "\n", encoding="utf-8")
    print(
        f"checkpoint of {signed.count} events at position {signed.position}: {output}"
    )


@audit.command("overwrite-keys")
def overwrite_keys() -> None:
    """Overwrite what forgotten people's deleted keys left in the database's
    files, when a reader blocked it as they were forgotten (docs/audit.md)."""
    with _opened() as core:
        erased = core.overwrite_forgotten_keys()
    if not erased.complete:
        print(f"pending: {erased.pending}")
        raise typer.Exit(EXIT_PENDING)
    print("overwritten: the database's files hold no deleted key")
