"""The ``b2b`` command line: import data, read renewals, KPIs and the tier
report as tables or JSON, run the projections.

Errors print one line and exit non-zero (1 refused, 2 usage, 3 rows
rejected by an import, 4 a log that fails ``audit verify``); ``--debug``
shows the traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import typer
from rich.console import Console
from typer._click.exceptions import (  # typer's own click, which it raises
    ClickException,
    NoArgsIsHelpError,
)

import b2bcore
from b2bcore.application import settings as rules
from b2bcore.application.storage import DEFAULT_URL, TENANT_VARIABLE, URL_VARIABLE
from b2bcore.domain.aggregate import MAX_WHOLE_NUMBER
from b2bcore.domain.errors import B2BCoreError
from b2bcore.readmodels.readmodel import Consistency
from b2bcore.reports.dimensions import Dimension
from b2bcore_adapters.entrypoints.cli.audit import audit
from b2bcore_adapters.entrypoints.cli.deliver import deliver_command
from b2bcore_adapters.entrypoints.cli.export import export_commands
from b2bcore_adapters.entrypoints.cli.options import (
    AsOf,
    Json,
    parse_date,
    parse_id,
)
from b2bcore_adapters.entrypoints.cli.queries import query_commands, show
from b2bcore_adapters.entrypoints.cli.record import command_groups
from b2bcore_adapters.entrypoints.cli.report import report_commands
from b2bcore_adapters.entrypoints.cli.tenant import tenant_commands
from b2bcore_adapters.extras import install_hint
from b2bcore_adapters.lazy import lazy
from b2bcore_adapters.render.plain import (
    JSON,
    dumps,
    from_plain,
    plain,
    strict_json,
)
from b2bcore_adapters.render.shown import shown

if TYPE_CHECKING:
    from b2bcore import B2BCore
    from b2bcore.application import tenants as tenancy
    from b2bcore_adapters import importers
    from b2bcore_adapters.demo import book as story
    from b2bcore_adapters.importers.report import ImportReport
    from b2bcore_adapters.render import tables
else:
    # What only some commands need loads when they first use it.
    importers = lazy("b2bcore_adapters.importers")
    tables = lazy("b2bcore_adapters.render.tables")
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
#: The width ``--wide`` prints at: every column at its full width.
UNLIMITED = 100_000
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
        document = strict_json(path.read_text(encoding="utf-8"))
        return cast(rules.Settings, from_plain(rules.Settings, document))
    except OSError as error:
        raise typer.BadParameter(
            f"settings file {path}: {error.strerror or error}"
        ) from None
    except (ValueError, TypeError) as error:
        raise typer.BadParameter(f"settings file {path}: {error}") from None


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
        if (failure := core.catch_up_failure) is not None:
            # Recorded all the same: exit 0, and a retry would record it twice.
            err.print(
                "warning: recorded, but the read models did not follow: "
                f"{shown(str(failure))}; run `b2b projections catch-up`",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


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
for _name, _ask in query_commands(opened, out):
    app.command(_name)(_ask)


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
    for name, given in (
        ("renewal_queue", {"as_of": as_of, "within": 90}),
        ("pipeline_kpis", {"as_of": as_of}),
        ("tier_matrix", {"as_of": as_of, "by": Dimension.OWNER}),
    ):
        with opened() as core:
            found = getattr(core, name)(**given)
        show(out, name, found, given)


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
        db or Settings.url,
        host=host,
        port=port,
        tokens_file=tokens,
        consistency=consistency,
        tenants=tenants,
        tenant=Settings.tenant,
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


# -- people -----------------------------------------------------------------


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


# -- projections --------------------------------------------------------------


@projections.command("status")
def projections_status(as_json: Json = False) -> None:
    """Each projection's position in the log."""
    with opened() as core:
        status = core.projector.status()
    if as_json:
        emit([{**plain(s), "behind": s.behind} for s in status])
        return
    tables.draw(
        out,
        tables.Table(
            "Projections",
            ("projection", "position", "log head", "behind"),
            [(s.name, s.position, s.head, s.behind) for s in status],
        ),
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
        typer.Argument(
            metavar="POSITION",
            min=1,
            max=MAX_WHOLE_NUMBER,
            help="The poison event's log position.",
        ),
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
        emit(plain(entries))
    else:
        show(out, "projection_skips", entries, {})


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
        # Not standalone: a usage error comes here to be shown within bounds;
        # typer returns the code of a typer.Exit (and of --help: 0).
        code = command.main(args=arguments, prog_name="b2b", standalone_mode=False)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_REFUSED
    except ClickException as error:
        if not isinstance(error, NoArgsIsHelpError):  # whose message is the help
            # A usage error echoes the value it refuses: a 1,000-digit amount.
            error.message = shown(error.message)
        error.show()
        return error.exit_code
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
    except ArithmeticError as error:
        # A date past 9999-12-31 once a report adds its window: the input.
        if debug:
            traceback.print_exc()
        print(f"error: out of range: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # the one-line promise holds for every failure
        if debug:
            traceback.print_exc()
        message = " ".join(f"{type(error).__name__}: {error}".split())
        print(f"error: {message}", file=sys.stderr)
        return EXIT_REFUSED
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
