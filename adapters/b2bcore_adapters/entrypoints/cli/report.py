"""``b2b report monthly``: an account's monthly asset report as JSON or one
self-contained HTML page, on stdout or into a file."""

from datetime import date
from typing import Annotated, cast
from uuid import UUID

import typer

from b2bcore_adapters.entrypoints.cli.options import (
    Opener,
    Output,
    parse_date,
    parse_id,
    write_output,
)
from b2bcore_adapters.render.formats import ReportFormat

__all__ = ["parse_month", "report_commands"]


def parse_month(text: str) -> date:
    """A month written YYYY-MM in ASCII digits, as its first day."""
    try:
        return cast(date, parse_date(f"{text}-01"))
    except typer.BadParameter:
        raise typer.BadParameter(f"{text!r} is not a month (YYYY-MM)") from None


def report_commands(opened: Opener) -> typer.Typer:
    """The ``report`` commands, reading the store ``opened`` gives."""
    report = typer.Typer(help="Reports for customers.")

    @report.command("monthly")
    def monthly(
        account_id: Annotated[UUID, typer.Argument(metavar="ACCOUNT", parser=parse_id)],
        month: Annotated[
            date,
            typer.Option(
                "--month", metavar="YYYY-MM", parser=parse_month, help="The month."
            ),
        ],
        output_format: Annotated[
            ReportFormat, typer.Option("--format", help="json or html.")
        ] = ReportFormat.JSON,
        output: Output = None,
    ) -> None:
        """The monthly asset report of the account: usage and trend,
        inspections and recommendations, renewal date, payment status."""
        from b2bcore_adapters.render.monthly_report import to_html, to_json  # noqa: PLC0415

        with opened() as core:
            found = core.monthly_report(account_id, month=month)
        render = to_html if output_format is ReportFormat.HTML else to_json
        write_output(render(found), output)

    return report
