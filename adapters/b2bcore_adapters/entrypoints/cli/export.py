"""``b2b export``: an account's event history for auditors, as JSON lines,
CSV or one HTML page, on stdout or into a file."""

from typing import Annotated
from uuid import UUID

import typer

from b2bcore_adapters.entrypoints.cli.options import (
    Opener,
    Output,
    parse_id,
    write_output,
)
from b2bcore_adapters.render.formats import ExportFormat

__all__ = ["export_commands"]


def export_commands(opened: Opener) -> typer.Typer:
    """The ``export`` commands, reading the store ``opened`` gives."""
    export = typer.Typer(help="Export an account's history for auditors.")

    @export.command("history")
    def history(
        account_id: Annotated[UUID, typer.Argument(metavar="ACCOUNT", parser=parse_id)],
        output_format: Annotated[
            ExportFormat, typer.Option("--format", help="jsonl, csv or html.")
        ] = ExportFormat.JSONL,
        output: Output = None,
    ) -> None:
        """Every event of the account, its assets, deals and leads, in log order:
        the same log always gives the same bytes."""
        from b2bcore_adapters.render.exports import WRITERS, to_html  # noqa: PLC0415

        with opened() as core:
            entries = core.account_events(account_id)
            if output_format is ExportFormat.HTML:
                text = to_html(
                    account_id,
                    core.account(account_id).name,
                    entries,
                    chain_status=core.verify_log().describe(),
                )
            else:
                text = WRITERS[output_format](entries)
        write_output(text, output)

    return export
