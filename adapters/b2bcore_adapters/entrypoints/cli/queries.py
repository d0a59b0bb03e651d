"""``b2b <report>``: every query of the catalogue
(``b2bcore.application.queries``) with tables (``render.tables.TABLES``) as a
sub-command, made from the query's signature as the HTTP API's ``GET`` is:
its positional parameters are arguments (``b2b history ACCOUNT_ID``), the
others options named after them (``--as-of``, ``--within``); ``--json``
prints the HTTP API's JSON instead of the tables. Some also take
``--chart FILE`` (``CHARTS``), ``--format html`` (``PAGES``), or, listings,
``--limit`` and ``--ids`` (``LISTINGS``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import date
from enum import Enum
from inspect import Parameter, Signature
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

import typer
from rich.console import Console

from b2bcore import B2BCore
from b2bcore.application.queries import BOUNDS, PARAMETERS, QUERIES
from b2bcore.application.settings import Settings
from b2bcore_adapters.entrypoints.cli.options import (
    AsOf,
    Json,
    KnownAt,
    Opener,
    help_text,
    write_output,
)
from b2bcore_adapters.entrypoints.cli.record import option_type
from b2bcore_adapters.lazy import lazy
from b2bcore_adapters.render import tables
from b2bcore_adapters.render.plain import (
    ACCOUNT_FIELDS,
    DEAL_FIELDS,
    Fields,
    dumps,
    listing,
    plain,
)

if TYPE_CHECKING:
    from b2bcore_adapters.render import charts, postmortem
else:
    # Drawing charts and pages loads when a report first needs it.
    charts = lazy("b2bcore_adapters.render.charts")
    postmortem = lazy("b2bcore_adapters.render.postmortem")

#: The sub-command of a query when not its name with dashes.
NAMES = {
    "renewal_queue": "renewals",
    "rep_dashboard": "dashboard",
    "tier_matrix": "tiers",
    "account_history": "history",
    "opportunities": "deals",
    "segmentation": "segments",
    "postmortem_rollup": "postmortems",
}
#: The option of a parameter when not ``--`` and its name with dashes.
OPTIONS = {"start": "--from", "end": "--to", "account_id": "--account"}
#: The queries whose answer also draws as a chart: ``--chart FILE``.
Chart = Callable[[Any, Mapping[str, Any], Settings, "charts.ChartFormat"], bytes]
CHARTS: dict[str, Chart] = {
    "renewal_queue": lambda found, given, settings, format: (
        charts.renewal_buckets_chart(
            found,
            as_of=given["as_of"] or date.today(),
            windows=settings.renewal_windows,
            format=format,
        )
    ),
    "tier_matrix": lambda found, _, __, format: charts.tier_matrix_chart(
        found, format=format
    ),
    "timeline": lambda found, _, __, format: charts.tier_steps_chart(
        found, format=format
    ),
    "win_loss": lambda found, _, __, format: charts.win_rate_chart(
        found, format=format
    ),
}
#: The queries whose answer is also an HTML page: ``--format html``.
#: (``render.postmortem``'s function of each, by name).
PAGES = {"timeline": "timeline_page", "win_loss": "win_loss_page"}
#: The listings, each item's JSON by its fields: ``--limit N``, ``--ids``.
LISTINGS: dict[str, Fields] = {"accounts": ACCOUNT_FIELDS, "opportunities": DEAL_FIELDS}


class Format(Enum):
    TEXT = "text"
    JSON = "json"
    HTML = "html"


ChartFile = Annotated[
    Path | None,
    typer.Option("--chart", help="Also write the chart to this .png or .svg file."),
]
FormatOption = Annotated[
    Format,
    typer.Option("--format", help="Tables, one JSON document or an HTML page."),
]
Limit = Annotated[
    int | None,
    typer.Option("--limit", min=1, help=PARAMETERS["limit"], show_default=False),
]
Ids = Annotated[
    bool, typer.Option("--ids", help="Only the ids, one per line (for scripts).")
]
#: The options the command line adds, by what the query has.
EXTRAS: dict[str, tuple[Any, object, Collection[str]]] = {
    "chart": (ChartFile, None, CHARTS),
    "format": (FormatOption, Format.TEXT, PAGES),
    "limit": (Limit, None, LISTINGS),
    "ids": (Ids, False, LISTINGS),
}


def query_commands(
    opened: Opener, out: Console
) -> Iterator[tuple[str, Callable[..., None]]]:
    """Each query with tables that the front ends ask (``QUERIES`` gives
    it a route) as a sub-command: its name and callback."""
    for name in tables.TABLES:
        if QUERIES[name] is not None:
            yield command_name(name), _command(name, opened, out)


def command_name(query: str) -> str:
    """``renewal_queue`` → ``renewals``; ``lead_funnel`` → ``lead-funnel``."""
    return NAMES.get(query, query.replace("_", "-"))


def option_of(parameter: str) -> str:
    """``as_of`` → ``--as-of``; ``start`` → ``--from`` (``OPTIONS``)."""
    return OPTIONS.get(parameter, f"--{parameter.replace('_', '-')}")


def show(out: Console, name: str, found: Any, given: Mapping[str, Any]) -> None:
    """Print query ``name``'s answer ``found`` to ``given`` as its tables."""
    for shown in tables.TABLES[name](found, given):
        if isinstance(shown, str):
            out.print(shown, markup=False, highlight=False)
        else:
            tables.draw(out, shown)


def _command(name: str, opened: Opener, out: Console) -> Callable[..., None]:
    method = getattr(B2BCore, name)
    hints = get_type_hints(method)

    def ask(
        as_json: bool = False,
        chart: Path | None = None,
        format: Format = Format.TEXT,
        limit: int | None = None,
        ids: bool = False,
        **given: Any,
    ) -> None:
        if as_json and format is Format.HTML:
            raise typer.BadParameter("--json and --format html: choose one")
        drawn = None if chart is None else _chart_format(chart)
        with opened() as core:
            found = getattr(core, name)(**given)
            settings = core.settings
        if chart is not None and drawn is not None:
            write_output(CHARTS[name](found, given, settings, drawn), chart, "--chart")
        if name in LISTINGS:
            found = found[:limit]
        if ids:
            print("\n".join(str(item.id) for item in found))
        elif as_json or format is Format.JSON:
            fields = LISTINGS.get(name)
            print(dumps(plain(found) if fields is None else listing(found, fields)))
        elif format is Format.HTML:
            print(getattr(postmortem, PAGES[name])(found), end="")
        else:
            show(out, name, found, given)

    parameters = [
        Parameter(
            p.name,
            Parameter.KEYWORD_ONLY,
            annotation=_annotated(p, hints[p.name]),
            default=p.default,
        )
        for p in list(inspect.signature(method).parameters.values())[1:]
    ]
    parameters.append(
        Parameter("as_json", Parameter.KEYWORD_ONLY, annotation=Json, default=False)
    )
    for extra, (annotation, default, having) in EXTRAS.items():
        if name in having:
            parameters.append(
                Parameter(
                    extra,
                    Parameter.KEYWORD_ONLY,
                    annotation=annotation,
                    default=default,
                )
            )
    ask.__signature__ = Signature(  # type: ignore[attr-defined]
        sorted(parameters, key=lambda p: p.default is not Parameter.empty)
    )
    options = {p.name: option_of(p.name) for p in parameters}
    ask.__doc__ = help_text(inspect.getdoc(method) or "", options)
    return ask


def _annotated(parameter: Parameter, hint: Any) -> Any:
    """The typer parameter of a query's parameter of type ``hint``."""
    if parameter.name == "as_of":
        return AsOf
    if parameter.name == "known_at":
        return KnownAt
    kind, parse, shown, about = option_type(hint)
    if parameter.kind is Parameter.POSITIONAL_OR_KEYWORD:
        name = parameter.name.upper()
        return Annotated[kind, typer.Argument(parser=parse, metavar=name)]
    flag = option_of(parameter.name)
    help = " ".join(filter(None, (PARAMETERS.get(parameter.name), about))) or None
    if kind is bool:
        return Annotated[bool, typer.Option(flag, help=help)]
    low, high = BOUNDS.get(parameter.name, (None, None))
    option = typer.Option(
        flag, parser=parse, metavar=shown, help=help, min=low, max=high
    )
    return Annotated[kind, option]


def _chart_format(path: Path) -> charts.ChartFormat:
    """The format ``--chart``'s file name asks for; checked before any work."""
    try:
        return charts.ChartFormat.of(path.name)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
