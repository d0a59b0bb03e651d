"""The ``b2b`` command line: import data, read renewals, KPIs and the tier
report as tables or JSON, run the projections.

Errors print one line and exit non-zero (1 refused, 2 usage, 3 rows
rejected by an import, 4 a log that fails ``audit verify``); ``--debug``
shows the traceback.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast
from uuid import UUID

import attrs
import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console

import b2bcore
from b2bcore.application import settings as rules
from b2bcore.application.storage import DEFAULT_URL, TENANT_VARIABLE, URL_VARIABLE
from b2bcore.domain.errors import B2BCoreError
from b2bcore.domain.values import Grade
from b2bcore.readmodels.readmodel import Consistency
from b2bcore.reports.dimensions import Dimension
from b2bcore_adapters.entrypoints.cli.audit import audit
from b2bcore_adapters.entrypoints.cli.deliver import deliver_command
from b2bcore_adapters.entrypoints.cli.export import export_commands
from b2bcore_adapters.entrypoints.cli.options import (
    AsOf,
    Json,
    KnownAt,
    parse_date,
    parse_id,
)
from b2bcore_adapters.entrypoints.cli.record import command_groups
from b2bcore_adapters.entrypoints.cli.report import report_commands
from b2bcore_adapters.entrypoints.cli.tenant import tenant_commands
from b2bcore_adapters.extras import install_hint
from b2bcore_adapters.lazy import lazy
from b2bcore_adapters.render.cells import whole
from b2bcore_adapters.render.plain import (
    ACCOUNT_FIELDS,
    DEAL_FIELDS,
    JSON,
    Fields,
    dumps,
    from_plain,
    listing,
    plain,
)

if TYPE_CHECKING:
    from b2bcore import B2BCore
    from b2bcore.application import tenants as tenancy
    from b2bcore.reports.tiers import TierCell
    from b2bcore_adapters import importers
    from b2bcore_adapters.demo import book as story
    from b2bcore_adapters.importers.report import ImportReport
    from b2bcore_adapters.render import charts, postmortem
else:
    # What only some commands need loads when they first use it.
    charts = lazy("b2bcore_adapters.render.charts")
    importers = lazy("b2bcore_adapters.importers")
    postmortem = lazy("b2bcore_adapters.render.postmortem")
    story = lazy("b2bcore_adapters.demo.book")
    tenancy = lazy("b2bcore.application.tenants")

app = typer.Typer(
    name="b2b",
    help="b2bcore: accounts, assets and the sales pipeline, from one event log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain usage errors: "Error: …" on one line, not a box.
    rich_markup_mode=None,
)
imports = typer.Typer(help="Import real exports and b2bcore's own CSV formats.")
projections = typer.Typer(help="Inspect and rebuild the read models.")
app.add_typer(imports, name="import")
app.add_typer(projections, name="projections")
app.add_typer(audit, name="audit")

#: Tables keep their columns when the output is a file or a pipe.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)

EXIT_REFUSED, EXIT_USAGE = 1, 2
#: Where ``b2b demo`` records unless told (what ``make demo`` runs).
DEMO_URL = "sqlite:///b2bcore-demo.db"


class Settings:
    """The global options, for every command."""

    url: str = DEFAULT_URL
    #: ``--db`` as given on the command line (not from the environment).
    chosen: str | None = None
    #: ``--tenant``: the commands work on this tenant of the directory at url.
    tenant: str | None = None
    #: ``--settings``: the reports' thresholds and the rules (else defaults).
    settings: rules.Settings | None = None
    debug: bool = False


#: The settings file the commands read unless ``--settings`` names one.
SETTINGS_VARIABLE = "B2BCORE_SETTINGS"


def settings_file(path: Path) -> rules.Settings:
    """The settings in the JSON file at ``path``: any of ``b2b settings``'s
    fields, the others at their defaults."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return cast(rules.Settings, from_plain(rules.Settings, document))
    except OSError as error:
        raise typer.BadParameter(
            f"settings file {path}: {error.strerror or error}"
        ) from None
    except (ValueError, TypeError) as error:
        raise typer.BadParameter(f"settings file {path}: {error}") from None


By = Annotated[Dimension | None, typer.Option("--by", help="Cut by a dimension.")]
RankCurrency = Annotated[str | None, typer.Option(help="Rank in this currency.")]


class Format(Enum):
    TEXT = "text"
    JSON = "json"
    HTML = "html"


FormatOption = Annotated[
    Format,
    typer.Option("--format", help="Tables, one JSON document or an HTML page."),
]
Chart = Annotated[
    Path | None,
    typer.Option("--chart", help="Also write the chart to this .png or .svg file."),
]


def chosen(format: Format, as_json: bool) -> Format:
    """The output format: ``--json`` is ``--format json``."""
    if as_json and format is Format.HTML:
        raise typer.BadParameter("--json and --format html: choose one")
    return Format.JSON if as_json else format


def chart_format(path: Path | None) -> charts.ChartFormat | None:
    """The format ``--chart``'s file name asks for; checked before any work."""
    if path is None:
        return None
    try:
        return charts.ChartFormat.of(path.name)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"Database URL (else ${URL_VARIABLE}, else {DEFAULT_URL}).",
            show_default=False,
        ),
    ] = None,
    settings: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help=f"The reports' and rules' settings, a JSON file (else "
            f"${SETTINGS_VARIABLE}; `b2b settings` prints them).",
            show_default=False,
        ),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option(
            "--tenant",
            help=f"A tenant of the directory at --db (else ${TENANT_VARIABLE}).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide", help="Tables at full width, whatever the terminal's width."
        ),
    ] = False,
) -> None:
    if wide:
        out.width = UNLIMITED
    Settings.url = db or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    Settings.chosen = db
    Settings.tenant = tenant or os.environ.get(TENANT_VARIABLE) or None
    Settings.debug = debug
    chosen = settings or os.environ.get(SETTINGS_VARIABLE)
    Settings.settings = None if not chosen else settings_file(Path(chosen))


def actor() -> str:
    return f"cli:{os.environ.get('USER', 'user')}"


def store_url() -> str:
    """The URL of the store the commands work on: ``--db``'s, or its tenant's."""
    if Settings.tenant is None:
        return Settings.url
    with tenancy.Tenants.open(Settings.url, actor=actor()) as directory:
        return directory.entry(Settings.tenant).url


@contextmanager
def opened() -> Iterator[B2BCore]:
    with b2bcore.B2BCore.open(
        store_url(), actor=actor(), settings=Settings.settings
    ) as core:
        yield core


@app.command("settings")
def show_settings() -> None:
    """The settings in force (the file's, else the defaults) as JSON: the
    reports' thresholds, the review board's rules, the scores' points and
    the customers' saving rates (docs/kpis.md). Save it, edit it, pass it
    with --settings."""
    emit(plain(Settings.settings or rules.Settings()))


for _name, _group in command_groups(opened):
    app.add_typer(_group, name=_name)
app.add_typer(export_commands(opened), name="export")
app.add_typer(report_commands(opened), name="report")
app.add_typer(
    tenant_commands(lambda: tenancy.Tenants.open(Settings.url, actor=actor())),
    name="tenant",
)
app.command("deliver")(deliver_command(opened))


def emit(document: JSON) -> None:
    print(dumps(document))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr fed with (done, total)."""
    from rich.progress import (  # noqa: PLC0415 (for the commands with a bar)
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
    )

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


#: The fewest characters a wrapped text column is given before columns are
#: left out instead.
NARROWEST_TEXT = 12
LONGEST_WORD = 24
#: The width ``--wide`` prints at: every column at its full width.
UNLIMITED = 100_000


def narrowest(lines: Sequence[str], *, fixed: bool) -> int:
    """The width a column cannot go below: every line of a fixed column; a
    text column wraps between words, its longest word kept whole up to
    ``LONGEST_WORD``."""
    if fixed:
        return max(map(cell_len, lines), default=0)
    words = [cell_len(word) for line in lines for word in line.split()]
    natural = max(map(cell_len, lines), default=0)
    return min(natural, max(NARROWEST_TEXT, min(max(words, default=0), LONGEST_WORD)))


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a table that fits the terminal without cutting a number: columns
    of numbers, amounts and dates keep their full width, text and headings
    wrap, and when even that does not fit, columns are left out from the
    right and named under the table (``--wide``, a pipe or ``--json`` shows
    every column)."""
    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    lines = [
        [line for row in cells for line in row[i].splitlines()]
        for i in range(len(columns))
    ]
    fixed = [all(map(whole, column)) for column in lines]
    widths = [
        max(
            narrowest(column, fixed=fixed[i]),
            *map(cell_len, columns[i].split() or [""]),
        )
        for i, column in enumerate(lines)
    ]
    shown = list(range(len(columns)))
    # Each column's padding and rule take 3 characters, the edge one more.
    while len(shown) > 1 and sum(widths[i] + 3 for i in shown) + 1 > out.width:
        text = [i for i in shown[1:] if not fixed[i]]
        shown.remove(text[-1] if text else shown[-1])
    # Text columns share what is left, up to their natural width; every
    # width is set, so the table is never squeezed further.
    natural = [max([widths[i], *map(cell_len, lines[i])]) for i in shown]
    spare = max(0, out.width - 1 - sum(widths[i] + 3 for i in shown))
    for n, i in enumerate(shown):
        grow = min(spare, natural[n] - widths[i])
        widths[i] += grow
        spare -= grow
    from rich.table import Table  # noqa: PLC0415 (not for --help)

    drawn = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for i in shown:
        drawn.add_column(columns[i], overflow="fold", width=widths[i])
    for row in cells:
        drawn.add_row(*(row[i] for i in shown))
    out.print(drawn)
    left_out = [columns[i] for i in range(len(columns)) if i not in shown]
    if left_out:
        out.print(
            f"not shown at {out.width} columns: {', '.join(left_out)} "
            "(--wide or --json shows them)",
            markup=False,
            highlight=False,
        )


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def per_currency(rates: Mapping[str, float]) -> str:
    """``{"KRW": 0.943, "USD": 1.02}`` as ``KRW 94%, USD 102%``."""
    return ", ".join(f"{c} {percent(r)}" for c, r in sorted(rates.items())) or "n/a"


def days_early_or_late(days: float | None) -> str:
    """The mean time to renewal as words: negative is early (docs/kpis.md)."""
    if days is None:
        return "n/a (no renewals)"
    if days == 0:
        return "on the usage end day, on average"
    side = "before" if days < 0 else "after"
    return f"{abs(days):.1f} days {side} usage end, on average"


# -- the demo -----------------------------------------------------------------


@app.command()
def demo(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"Where to record it (else b2b's own --db, else {DEMO_URL}).",
            show_default=False,
        ),
    ] = None,
    accounts: Annotated[int, typer.Option(min=1, help="Accounts to generate.")] = 50,
    seed: Annotated[int, typer.Option(help="Random seed of the story.")] = 2024,
    overwrite: Annotated[
        bool,
        typer.Option(help="Replace a database that holds more than a demo book."),
    ] = False,
) -> None:
    """Record a generated book (a demo book there is replaced; anything else
    is refused) and print its renewal queue, pipeline KPIs and tier report."""
    tenant = store_url() if Settings.tenant else None
    Settings.url = story.demo_url(db or tenant or Settings.chosen or DEMO_URL)
    Settings.tenant = None
    as_of = story.run(
        Settings.url, accounts=accounts, seed=seed, overwrite=overwrite, out=out.print
    )
    renewals(as_of=as_of, within=90, owner=None, grade=None, as_json=False)
    pipeline_kpis(as_of=as_of, by=None, as_json=False)
    tiers(as_of=as_of, by=Dimension.OWNER, as_json=False)


@app.command()
def serve(
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (else as for b2b).")
    ] = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    tokens: Annotated[
        Path | None,
        typer.Option(help="API tokens file (else $B2BCORE_API_TOKENS)."),
    ] = None,
    consistency: Annotated[
        Consistency,
        typer.Option(
            help="log-head: reads include every event recorded before them "
            "(the server catches up after its own writes); available: reads "
            "answer from the read models as a runner left them."
        ),
    ] = Consistency.LOG_HEAD,
    max_body_bytes: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Refuse larger request bodies (413); default 1 MiB.",
            show_default=False,
        ),
    ] = None,
    tenants: Annotated[
        bool,
        typer.Option(
            "--tenants",
            help="Serve every tenant of the directory at --db, each token "
            "bound to its tenants (docs/http.md).",
        ),
    ] = False,
) -> None:
    """Serve the JSON HTTP API (docs/http.md) until interrupted."""
    from b2bcore_adapters.entrypoints.http.server import serve as run_server  # noqa: PLC0415

    if tenants and Settings.tenant:
        raise typer.BadParameter("--tenants serves them all: leave out --tenant")
    if db and Settings.tenant:
        raise typer.BadParameter(
            "serve --db names the store itself: leave out --tenant, or give "
            "the directory as b2b --db URL --tenant NAME serve"
        )
    run_server(
        db or (Settings.url if tenants else store_url()),
        host=host,
        port=port,
        tokens_file=tokens,
        consistency=consistency,
        tenants=tenants,
        settings=Settings.settings,
        **({} if max_body_bytes is None else {"max_body_bytes": max_body_bytes}),
    )


# -- imports ------------------------------------------------------------------


class WarningDetail(Enum):
    SUMMARY = "summary"
    ALL = "all"


Warnings = Annotated[
    WarningDetail,
    typer.Option(
        "--warnings",
        help="summary: each kind of warning once, with the first and how many "
        "more; all: every warning.",
    ),
]


def finish_import(report: ImportReport, warnings: WarningDetail) -> None:
    """Print an import's warnings (``warnings``: by kind or every one), every
    rejected row and the summary; exit 3 if rows were rejected."""
    if warnings is WarningDetail.ALL:
        shown: Sequence[object] = report.warnings
    else:
        shown = report.warning_kinds()
    for warning in shown:
        err.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    if len(shown) < len(report.warnings):
        err.print("(every warning: --warnings all)")
    for problem in report.rejected:
        err.print(f"rejected: {problem}", markup=False, highlight=False, soft_wrap=True)
    out.print(report.summary(), markup=False, highlight=False)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


@imports.command("maven-crm")
def import_maven_crm(
    directory: Annotated[Path, typer.Argument(help="The export's folder.")],
    as_of: Annotated[
        date | None,
        typer.Option(
            "--as-of",
            parser=parse_date,
            help="The import's date: open deals open on it (default: the latest "
            "date in sales_pipeline.csv).",
        ),
    ] = None,
    warnings: Warnings = WarningDetail.SUMMARY,
) -> None:
    """The Maven CRM export: accounts, sales teams, products and pipeline."""
    with opened() as core, progress_bar("importing") as progress:
        report = importers.import_maven_crm(
            core, directory, as_of=as_of, progress=progress
        )
    finish_import(report, warnings)


@imports.command("ravenstack")
def import_ravenstack(
    path: Annotated[Path, typer.Argument(help="ravenstack_subscriptions.csv")],
    warnings: Warnings = WarningDetail.SUMMARY,
) -> None:
    """The RavenStack subscription table: one asset per subscription."""
    with opened() as core, progress_bar("importing") as progress:
        report = importers.import_ravenstack(core, path, progress=progress)
    finish_import(report, warnings)


@imports.command("csv")
def import_csv(
    kind: Annotated[
        str,
        typer.Argument(
            help="accounts, assets, opportunities, asset-events or opportunity-events"
        ),
    ],
    path: Annotated[Path, typer.Argument(help="The CSV file (docs/csv-formats.md).")],
    warnings: Warnings = WarningDetail.SUMMARY,
) -> None:
    """b2bcore's own CSV formats (docs/csv-formats.md)."""
    with opened() as core, progress_bar("importing") as progress:
        report = importers.import_csv(core, kind, path, progress=progress)
    finish_import(report, warnings)


# -- the installed base -------------------------------------------------------


@app.command()
def renewals(
    as_of: AsOf = None,
    known_at: KnownAt = None,
    within: Annotated[int, typer.Option(min=0, help="Days ahead.")] = 90,
    owner: Annotated[str | None, typer.Option(help="Only this owner's.")] = None,
    grade: Annotated[Grade | None, typer.Option(help="Only this grade.")] = None,
    as_json: Json = False,
    chart: Chart = None,
) -> None:
    """Installed assets whose usage ends within N days, soonest first;
    ``--chart``: how many (and what value) fall in each renewal window."""
    drawn = chart_format(chart)
    with opened() as core:
        items = core.renewal_queue(
            as_of=as_of, within=within, owner=owner, grade=grade, known_at=known_at
        )
        windows = core.settings.renewal_windows
    if chart is not None and drawn is not None:
        chart.write_bytes(
            charts.renewal_buckets_chart(
                items, as_of=as_of or date.today(), windows=windows, format=drawn
            )
        )
    if as_json:
        emit(plain(items))
        return
    table(
        f"Renewals within {within} days",
        [
            "usage end",
            "days",
            "bucket",
            "account",
            "grade",
            "product",
            "owner",
            "value",
            "risks",
            "deal",
            "health",
            "renewal",
        ],
        [
            (
                i.usage_end_on,
                i.days_left,
                i.bucket,
                i.account,
                i.grade.value,
                i.product,
                i.owner,
                i.value,
                ", ".join(sorted(r.value for r in i.risks)),
                "" if i.deal_id is None else f"tier {i.deal_tier} {i.deal_id}",
                i.health.score,
                i.health.likelihood.value,
            )
            for i in items
        ],
    )


@app.command()
def alerts(
    as_of: AsOf = None,
    known_at: KnownAt = None,
    unacknowledged: Annotated[
        bool, typer.Option(help="Leave out acknowledged alerts.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Renewal thresholds, dissatisfaction, usage anomalies, competitor
    contacts and stagnant deals."""
    with opened() as core:
        found = core.alerts(
            as_of=as_of, unacknowledged=unacknowledged, known_at=known_at
        )
    if as_json:
        emit(plain(found))
        return
    table(
        "Alerts",
        ["dated", "kind", "subject", "owner", "detail", "ack", "id"],
        [
            (
                a.dated_on,
                a.kind.value,
                a.subject,
                a.owner,
                a.detail,
                "yes" if a.acknowledged else "",
                a.id,
            )
            for a in found
        ],
    )


@app.command("forget-contact")
def forget_contact(
    contact_id: Annotated[
        UUID, typer.Argument(parser=parse_id, help="The contact's id.")
    ],
    reason: Annotated[str, typer.Option(help="Why (e.g. the erasure request).")],
    on: AsOf = None,
) -> None:
    """Forget a person: their name, email and phone read [erased] from now on."""
    with opened() as core:
        erased = core.forget_contact(contact_id, reason=reason, on=on)
    out.print(f"forgot {contact_id}")
    if not erased.complete:
        err.print(f"warning: {erased.pending}", markup=False)


@app.command("asset-kpis")
def asset_kpis(
    start: Annotated[
        date, typer.Option("--from", parser=parse_date, help="First day (included).")
    ],
    end: Annotated[
        date, typer.Option("--to", parser=parse_date, help="Last day (included).")
    ],
    known_at: KnownAt = None,
    as_json: Json = False,
) -> None:
    """Retention, renewals, revenue retention, upsell, churn, lifetime value,
    payment compliance and receivables over a period."""
    with opened() as core:
        kpis = core.asset_kpis(start=start, end=end, known_at=known_at)
    if as_json:
        emit(plain(kpis))
        return
    rows = [
        ("active at start / end", f"{kpis.start_active} / {kpis.end_active}"),
        ("retained", kpis.retained),
        ("base retention", percent(kpis.base_retention)),
        ("due / renewed", f"{kpis.due} / {kpis.renewed}"),
        ("renewal rate", percent(kpis.renewal_rate)),
        ("gross revenue retention", per_currency(kpis.gross_revenue_retention)),
        ("net revenue retention", per_currency(kpis.net_revenue_retention)),
        ("upsell rate", percent(kpis.upsell_rate)),
        ("churned", kpis.churned),
        (
            "churned by reason",
            ", ".join(f"{r.value} {n}" for r, n in kpis.churned_by_reason.items() if n),
        ),
        ("time to renewal", days_early_or_late(kpis.time_to_renewal_days)),
        ("customer lifetime value", kpis.customer_lifetime_value),
        ("payment compliance", percent(kpis.payment_compliance)),
        ("receivables outstanding", kpis.receivables_outstanding),
        ("receivables overdue", kpis.receivables_overdue),
    ]
    table(f"Asset KPIs {start} – {end}", ["figure", "value"], rows)


@app.command()
def dashboard(
    owner: Annotated[str | None, typer.Option(help="One rep's assets.")] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    as_json: Json = False,
) -> None:
    """A rep's dashboard: assets by status, renewals due, top assets, risks."""
    with opened() as core:
        board = core.rep_dashboard(owner=owner, as_of=as_of, known_at=known_at)
    if as_json:
        emit(plain(board))
        return
    table(
        f"Dashboard {owner or 'all owners'} on {board.as_of}",
        [
            "assets by status",
            "renewals due 30/60/90",
            "overdue / lapsed",
            "at risk",
            "health",
            "renewal high/medium/low",
        ],
        [
            (
                ", ".join(f"{s.value} {n}" for s, n in board.by_status.items()),
                " / ".join(str(n) for n in board.renewals_due.values()),
                f"{board.overdue} / {board.lapsed}",
                len(board.at_risk),
                board.average_health,
                " / ".join(str(n) for n in board.by_likelihood.values()),
            )
        ],
    )
    for currency, top in board.top_assets.items():
        table(
            f"Top assets ({currency})",
            ["account", "product", "owner", "value", "usage end"],
            [(a.account, a.product, a.owner, a.value, a.usage_end_on) for a in top],
        )


@app.command()
def health(
    as_of: AsOf = None,
    known_at: KnownAt = None,
    account: Annotated[
        UUID | None,
        typer.Option(parser=parse_id, help="Only this account's assets."),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner's.")] = None,
    as_json: Json = False,
) -> None:
    """Each installed asset's health score (0–100) and renewal likelihood,
    lowest first, with the points of each input: usage trend, satisfaction,
    open complaints, payments, competitor contact; then each account's."""
    with opened() as core:
        found = core.health(
            as_of=as_of, account_id=account, owner=owner, known_at=known_at
        )
    if as_json:
        emit(plain(found))
        return
    table(
        f"Health on {found.as_of}",
        [
            "account",
            "score",
            "renewal",
            "usage",
            "satis",
            "compl",
            "pay",
            "comp",
            "product",
            "owner",
        ],
        [
            (
                a.account,
                a.health.score,
                a.health.likelihood.value,
                a.health.points.usage,
                a.health.points.satisfaction,
                a.health.points.complaints,
                a.health.points.payments,
                a.health.points.competitor,
                a.product,
                a.owner,
            )
            for a in found.assets
        ],
    )
    table(
        "Accounts (mean of their assets)",
        ["account", "score", "renewal", "assets"],
        [(a.account, a.score, a.likelihood.value, a.assets) for a in found.accounts],
    )


# -- the pipeline -------------------------------------------------------------


@app.command("pipeline-kpis")
def pipeline_kpis(
    as_of: AsOf = None, by: By = None, as_json: Json = False, known_at: KnownAt = None
) -> None:
    """Open/won/lost/dropped, win rate, cycle, conversions, weighted pipeline,
    velocity and stagnant deals as of a date."""
    with opened() as core:
        kpis = core.pipeline_kpis(as_of=as_of, by=by, known_at=known_at)
    if as_json:
        emit(plain(kpis))
        return
    keys = [("all", kpis), *kpis.by.items()]
    table(
        f"Pipeline on {kpis.as_of}" + (f" by {by.value}" if by else ""),
        [
            "",
            "open",
            "won",
            "lost",
            "dropped",
            "win rate",
            "avg cycle (days)",
            "won value",
            "weighted pipeline",
        ],
        [
            (
                name,
                k.open,
                k.won,
                k.lost,
                k.dropped,
                percent(k.win_rate),
                None if k.average_cycle_days is None else f"{k.average_cycle_days:.1f}",
                k.won_value,
                k.weighted_pipeline,
            )
            for name, k in keys
        ],
    )


@app.command()
def tiers(
    as_of: AsOf = None,
    known_at: KnownAt = None,
    by: Annotated[Dimension, typer.Option("--by", help="The rows.")] = Dimension.OWNER,
    as_json: Json = False,
    chart: Chart = None,
) -> None:
    """The one-page tier report: tiers × a dimension, counts and amounts;
    ``--chart``: the same as a heat-map."""
    drawn = chart_format(chart)
    with opened() as core:
        matrix = core.tier_matrix(by=by, as_of=as_of, known_at=known_at)
    if chart is not None and drawn is not None:
        chart.write_bytes(charts.tier_matrix_chart(matrix, format=drawn))
    if as_json:
        emit(plain(matrix))
        return

    def shown(cell: TierCell) -> str:
        return f"{cell.count}\n{cell.value}" if cell.count else ""

    table(
        f"Tier report by {by.value} on {matrix.as_of}",
        [by.value, *matrix.columns, "total"],
        [(row.key, *map(shown, row.cells), shown(row.total)) for row in matrix.rows]
        + [("total", *map(shown, matrix.column_totals), shown(matrix.total))],
    )


@app.command()
def timeline(
    opportunity_id: Annotated[UUID, typer.Argument(parser=parse_id)],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    format: FormatOption = Format.TEXT,
    chart: Chart = None,
    as_json: Json = False,
) -> None:
    """One deal's path through the tiers, reviews, outcome and postmortem;
    ``--chart``: its tier over time."""
    shape, drawn = chosen(format, as_json), chart_format(chart)
    with opened() as core:
        path = core.timeline(opportunity_id, as_of=as_of, known_at=known_at)
    if chart is not None and drawn is not None:
        chart.write_bytes(charts.tier_steps_chart(path, format=drawn))
    if shape is Format.JSON:
        emit(plain(path))
    elif shape is Format.HTML:
        print(postmortem.timeline_page(path), end="")
    else:
        title = f"{path.name}: {path.outcome.value if path.outcome else 'open'}"
        table(title, ["figure", "value"], postmortem.outcome_pairs(path))
        table("Steps", postmortem.ENTRY_COLUMNS, postmortem.entry_rows(path))
        table("Days in tier", postmortem.STINT_COLUMNS, postmortem.stint_rows(path))
        notes = postmortem.postmortem_pairs(path)
        if notes:
            table("Postmortem", ["note", "text"], notes)


@app.command("win-loss")
def win_loss(
    as_of: AsOf = None,
    known_at: KnownAt = None,
    by: By = None,
    format: FormatOption = Format.TEXT,
    chart: Chart = None,
    as_json: Json = False,
) -> None:
    """Closed deals by outcome, reason, competitor and dimension, with win
    rates and cycle lengths; ``--chart``: win rate by the dimension."""
    shape, drawn = chosen(format, as_json), chart_format(chart)
    with opened() as core:
        analysis = core.win_loss(as_of=as_of, by=by, known_at=known_at)
    if chart is not None and drawn is not None:
        chart.write_bytes(charts.win_rate_chart(analysis, format=drawn))
    if shape is Format.JSON:
        emit(plain(analysis))
        return
    if shape is Format.HTML:
        print(postmortem.win_loss_page(analysis), end="")
        return
    table(
        f"Win/loss on {analysis.as_of}" + (f" by {by.value}" if by else ""),
        postmortem.ANALYSIS_COLUMNS,
        postmortem.analysis_rows(analysis),
    )
    table(
        "Lost by reason",
        ["reason", "deals"],
        [(r.value, n) for r, n in analysis.lost_by_reason.items()],
    )
    table("Lost to", ["competitor", "deals"], list(analysis.lost_to.items()))


def days(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


@app.command("lead-funnel")
def lead_funnel(
    as_of: AsOf = None,
    since: Annotated[
        date | None,
        typer.Option(
            "--since", parser=parse_date, help="Only leads captured from this day."
        ),
    ] = None,
    known_at: KnownAt = None,
    as_json: Json = False,
) -> None:
    """The MQL → SQL → deal → won funnel: counts, conversion and days per step."""
    with opened() as core:
        found = core.lead_funnel(as_of=as_of, since=since, known_at=known_at)
    if as_json:
        emit(plain(found))
        return
    table(
        f"Lead funnel on {found.as_of}"
        + (f" (captured from {found.since})" if found.since else ""),
        ["step", "leads", "conversion", "avg days"],
        [
            (s.stage.value, s.count, percent(s.conversion_rate), days(s.average_days))
            for s in found.steps
        ],
    )
    out.print(
        f"open: {found.open_mql} mql, {found.open_sql} sql; "
        f"disqualified: {found.disqualified}",
        markup=False,
        highlight=False,
    )


@app.command("lead-scores")
def lead_scores(
    as_of: AsOf = None, known_at: KnownAt = None, as_json: Json = False
) -> None:
    """The open leads scored 0–100, highest first, with the points of each
    fact: temperature, qualification, contact, need, source, freshness."""
    with opened() as core:
        found = core.lead_scores(as_of=as_of, known_at=known_at)
    if as_json:
        emit(plain(found))
        return
    table(
        f"Lead scores on {found.as_of}",
        [
            "score",
            "company",
            "status",
            "temp",
            "qual",
            "cont",
            "need",
            "src",
            "fresh",
            "age",
        ],
        [
            (
                s.score,
                s.company,
                s.status.value,
                s.points.temperature,
                s.points.qualification,
                s.points.contact,
                s.points.need,
                s.points.source,
                s.points.freshness,
                s.age_days,
            )
            for s in found.leads
        ],
    )


@app.command("tier-movement")
def tier_movement(
    start: Annotated[
        date, typer.Option("--from", parser=parse_date, help="The earlier date.")
    ],
    end: Annotated[
        date | None,
        typer.Option(
            "--to", parser=parse_date, help="The later date (default: today)."
        ),
    ] = None,
    known_at: KnownAt = None,
    as_json: Json = False,
) -> None:
    """The weekly tier meeting: which deals moved up, down, stayed, opened or
    closed between two dates."""
    with opened() as core:
        found = core.tier_movement(start=start, end=end, known_at=known_at)
    if as_json:
        emit(plain(found))
        return
    table(
        f"Tier movement {found.start} – {found.end}: "
        + ", ".join(f"{n} {m.value}" for m, n in found.counts.items()),
        ["move", "from", "to", "deal", "owner", "amount", "moves"],
        [
            (
                d.movement.value,
                d.from_tier,
                d.outcome.value if d.outcome else d.to_tier,
                d.name,
                d.owner,
                d.amount,
                d.moves,
            )
            for d in found.deals
        ],
    )


@app.command("postmortems")
def postmortem_rollup(
    as_of: AsOf = None, known_at: KnownAt = None, as_json: Json = False
) -> None:
    """The root causes and lessons of every postmortem, overall and by
    category (won, dropped, lost and why), competitor and owner."""
    with opened() as core:
        found = core.postmortem_rollup(as_of=as_of, known_at=known_at)
    if as_json:
        emit(plain(found))
        return

    def notes(counts: Sequence[Any]) -> str:
        return "\n".join(f"{c.count}× {c.note}" for c in counts)

    table(
        f"Postmortems on {found.as_of}: {found.postmortems}",
        ["", "root causes", "lessons"],
        [("all", notes(found.root_causes), notes(found.lessons))],
    )
    for title, groups in (
        ("By category", found.by_category),
        ("By competitor", found.by_competitor),
        ("By owner", found.by_owner),
    ):
        table(
            title,
            ["key", "postmortems", "root causes", "lessons"],
            [
                (g.key, g.postmortems, notes(g.root_causes), notes(g.lessons))
                for g in groups
            ],
        )


# -- accounts -----------------------------------------------------------------

Ids = Annotated[
    bool, typer.Option("--ids", help="Only the ids, one per line (for scripts).")
]
NamePart = Annotated[
    str | None, typer.Option("--name", help="Only names containing this (any case).")
]
Limit = Annotated[
    int | None,
    typer.Option("--limit", min=1, help="Only the first N.", show_default=False),
]


def listed(
    found: Sequence[Any],
    *,
    ids: bool,
    as_json: bool,
    title: str,
    fields: Fields,
    columns: Sequence[str],
) -> None:
    """A listing of ``found``: only the ids, one JSON object each (every
    field of ``fields``), or a table of ``columns``."""
    if ids:
        print("\n".join(str(item.id) for item in found))
    elif as_json:
        emit(listing(found, fields))
    else:
        table(
            f"{title} ({len(found)})",
            [c.removesuffix("_on") for c in columns],
            [[_shown(fields[c](item)) for c in columns] for item in found],
        )


def _shown(value: object) -> object:
    """A value as a table cell: an enumeration by its value."""
    return value.value if isinstance(value, Enum) else value


@app.command("accounts")
def list_accounts(
    name: NamePart = None,
    known_at: KnownAt = None,
    limit: Limit = None,
    as_json: Json = False,
    ids: Ids = False,
) -> None:
    """Every account by name, with its id."""
    with opened() as core:
        found = core.accounts(name=name, known_at=known_at)[:limit]
    listed(
        found,
        ids=ids,
        as_json=as_json,
        title="Accounts",
        fields=ACCOUNT_FIELDS,
        columns=["name", "id", "grade", "sector", "registered_on"],
    )


@app.command("deals")
def list_deals(
    account: Annotated[
        UUID | None,
        typer.Option(parser=parse_id, help="Only this account's (its id)."),
    ] = None,
    name: NamePart = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    limit: Limit = None,
    as_json: Json = False,
    ids: Ids = False,
) -> None:
    """The deals opened by a date, newest first, with their ids."""
    with opened() as core:
        found = core.opportunities(
            account_id=account, name=name, as_of=as_of, known_at=known_at
        )[:limit]
    listed(
        found,
        ids=ids,
        as_json=as_json,
        title="Deals",
        fields=DEAL_FIELDS,
        columns=["name", "id", "opened_on", "tier", "outcome", "amount", "owner"],
    )


@app.command()
def history(
    account_id: Annotated[UUID, typer.Argument(parser=parse_id)],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    as_json: Json = False,
) -> None:
    """Every asset and deal of an account with its state on a date."""
    with opened() as core:
        past = core.account_history(account_id, as_of=as_of, known_at=known_at)
    if as_json:
        emit(plain(past))
        return
    table(
        f"{past.account.name} ({past.account.grade.value}) on {past.as_of}: assets",
        ["purchased", "product", "status", "usage end", "value", "owner"],
        [
            (
                a.purchased_on,
                a.product,
                a.status.value,
                a.usage_end_on,
                a.value,
                a.owner,
            )
            for a in past.assets
        ],
    )
    table(
        "Deals",
        ["opened", "name", "tier", "outcome", "closed", "amount", "owner"],
        [
            (
                d.opened_on,
                d.name,
                d.tier,
                d.outcome.value if d.outcome else "open",
                d.closed_on,
                d.won_value or d.amount,
                d.owner,
            )
            for d in past.deals
        ],
    )


@app.command()
def segments(
    as_of: AsOf = None,
    known_at: KnownAt = None,
    currency: RankCurrency = None,
    as_json: Json = False,
) -> None:
    """Accounts ranked by value, the Pareto top 20 %, by sector, channel and
    the needs their feedback named."""
    with opened() as core:
        result = core.segmentation(as_of=as_of, currency=currency, known_at=known_at)
    if as_json:
        emit(plain(result))
        return
    table(
        f"Top 20 % of accounts on {result.as_of}: "
        f"{percent(result.pareto_share)} of value",
        ["account", "grade", "sector", "value", "share", "needs"],
        [
            (
                a.name,
                a.grade.value,
                a.sector,
                a.value,
                percent(a.share),
                ", ".join(a.needs),
            )
            for a in result.pareto
        ],
    )
    if result.by_need:
        table("Accounts by need", ["need", "accounts"], list(result.by_need.items()))


@app.command("grade-suggestions")
def grade_suggestions(
    as_of: AsOf = None,
    known_at: KnownAt = None,
    currency: RankCurrency = None,
    changes: Annotated[
        bool,
        typer.Option("--changes", help="Only the accounts whose grade would change."),
    ] = False,
    as_json: Json = False,
) -> None:
    """The grade proposed for each account from its rank by value and its
    renewals (docs/kpis.md); change one with ``b2b account change-grade``."""
    with opened() as core:
        result = core.grade_suggestions(
            as_of=as_of, currency=currency, known_at=known_at
        )
    shown = [s for s in result.suggestions if s.changes or not changes]
    if as_json:
        emit(plain(attrs.evolve(result, suggestions=tuple(shown))))
        return
    table(
        f"Grade suggestions on {result.as_of}",
        ["rank", "account", "grade", "suggested", "value", "renewed", "why"],
        [
            (
                s.rank,
                s.name,
                s.grade.value,
                s.suggested.value + (" *" if s.changes else ""),
                s.value,
                f"{s.renewed}/{s.renewals_due}",
                s.reason,
            )
            for s in shown
        ],
    )


@app.command("suggestions")
def cross_sell_suggestions(
    account: Annotated[
        UUID | None,
        typer.Option(parser=parse_id, help="Only this account's (its id)."),
    ] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    as_json: Json = False,
) -> None:
    """Cross-sell and upgrade suggestions over the installed base, each with
    its rule and the facts behind it (docs/kpis.md)."""
    with opened() as core:
        result = core.suggestions(as_of=as_of, account_id=account, known_at=known_at)
    if as_json:
        emit(plain(result))
        return
    table(
        f"Suggestions on {result.as_of}",
        ["account", "rule", "product", "why", "offer"],
        [
            (
                s.account,
                s.rule.value,
                s.product if s.peers is None else s.peers.product_line,
                s.reason,
                s.action,
            )
            for s in result.suggestions
        ],
    )


# -- projections --------------------------------------------------------------


@projections.command("status")
def projections_status(as_json: Json = False) -> None:
    """Each projection's position in the log."""
    with opened() as core:
        status = core.projector.status()
    if as_json:
        emit([{**plain(s), "behind": s.behind} for s in status])
        return
    table(
        "Projections",
        ["projection", "position", "log head", "behind"],
        [(s.name, s.position, s.head, s.behind) for s in status],
    )


@projections.command("catch-up")
def projections_catch_up() -> None:
    """Apply the events recorded since the read models' positions (what a
    runner does continuously)."""
    with opened() as core, progress_bar("catching up") as progress:
        applied = core.catch_up(progress=progress)
    out.print(f"caught up: {applied} events applied")


@projections.command("rebuild")
def projections_rebuild(
    name: Annotated[
        list[str] | None, typer.Option("--projection", help="Only these (repeatable).")
    ] = None,
) -> None:
    """Drop the read models and replay the whole log."""
    with opened() as core, progress_bar("rebuilding") as progress:
        unknown = set(name or ()) - set(core.projector.projections)
        if unknown:
            raise typer.BadParameter(f"no projection {', '.join(sorted(unknown))}")
        applied = core.projector.rebuild(name, progress=progress)
    out.print(f"rebuilt: {applied} events applied")


@projections.command("skip")
def projections_skip(
    position: Annotated[
        int,
        typer.Argument(metavar="POSITION", help="The poison event's log position."),
    ],
    reason: Annotated[
        str, typer.Option(help="Why it may be passed over (recorded in the log).")
    ],
    projection: Annotated[
        str | None,
        typer.Option(help="Only this one (default: every one that stops there)."),
    ] = None,
) -> None:
    """Let the projections stopped at a poison event pass over it, recording
    who and why in the log (docs/projections.md)."""
    with opened() as core:
        if projection is not None and projection not in core.projector.projections:
            raise typer.BadParameter(f"no projection {projection}")
        skipped = core.skip_event(position, reason=reason, projection=projection)
    out.print(
        f"skipped log position {position} for {', '.join(skipped)}: "
        "the next catch-up passes over it"
    )


@projections.command("skips")
def projections_skips(as_json: Json = False) -> None:
    """Every recorded skip: which event, which projection, who, when and why."""
    with opened() as core:
        entries = core.projection_skips()
    if as_json:
        emit([plain(entry) for entry in entries])
        return
    table(
        "Projection skips",
        ["position", "recorded at", "actor", "reason", "skip"],
        [
            (e.position, e.recorded_at.isoformat(), e.actor, e.reason, e.description)
            for e in entries
        ],
    )


def command_name(arguments: Sequence[str]) -> str:
    """The sub-command in ``arguments`` (``serve``, ``import maven-crm``),
    past the global options."""
    words = list(arguments)
    while words and words[0].startswith("-"):
        del words[: 2 if words[0] == "--db" else 1]
    groups = {group.name for group in app.registered_groups}
    return " ".join(words[:2] if words and words[0] in groups else words[:1])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    command = typer.main.get_command(app)
    try:
        # Standalone: typer reports usage errors itself (exit 2) and always
        # ends with SystemExit; what escapes it is ours to report.
        command.main(args=arguments, prog_name="b2b", standalone_mode=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_REFUSED
    except importers.ImportUsageError as error:
        # A missing file or an unknown format: the command was misused.
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except B2BCoreError as error:
        if debug:
            traceback.print_exc()
        print(f"error: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except ModuleNotFoundError as error:
        hint = install_hint(error, f"b2b {command_name(arguments)}")
        if hint is None:
            raise
        if debug:
            traceback.print_exc()
        print(f"error: {hint}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as error:  # the one-line promise holds for every failure
        if debug:
            traceback.print_exc()
        err.print(
            f"error: {type(error).__name__}: {error}", markup=False, highlight=False
        )
        return EXIT_REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
