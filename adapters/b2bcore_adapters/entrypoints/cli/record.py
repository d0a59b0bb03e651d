"""``b2b <aggregate> <command>``: every declared command
(``b2bcore.application.commands``) as a sub-command, made from its
declaration, so a fact can be recorded from the shell: ``b2b asset install
ID --usage-end-on 2025-01-31``.

The target is the argument; every other field is an option named after it
(``--usage-end-on``), required when the declaration gives no default. Dates
are YYYY-MM-DD, money is ``"23800000 KRW"``, a list of texts is the option
given again, and a list of values (installments, order lines, findings) is
the JSON the HTTP API takes for it; a field that may be empty is optional,
and left out or given as ``none`` it is empty (``b2b asset install ID``
without ``--usage-end-on`` installs an open-ended asset). The answer is the
HTTP API's: the id and version of the aggregate, and the command's result
when it has a name.

The groups of the aggregates with a view also have ``show``: ``b2b asset
show ID [--version N] [--as-of D] [--known-at T]`` prints the view as the
HTTP API's ``GET /assets/{id}`` gives it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from enum import Enum
from inspect import Parameter, Signature
from types import NoneType, UnionType
from typing import Annotated, Any, get_args, get_origin, get_type_hints
from uuid import UUID

import attrs
import typer

from b2bcore import B2BCoreError, Money
from b2bcore.application import commands as c
from b2bcore.application.queries import BOUNDS
from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.sales_rep import SalesRep
from b2bcore.domain.values import Contact
from b2bcore_adapters.entrypoints.cli.options import (
    AsOf,
    KnownAt,
    Opener,
    help_text,
    parse_date,
    parse_id,
    parse_text,
)
from b2bcore_adapters.render.plain import dumps, from_plain, plain, strict_json

#: The ``b2b`` group of each aggregate's commands, and the word its
#: commands' names drop (``install asset`` is ``b2b asset install``).
GROUPS: dict[type[DomainAggregate], tuple[str, str, str]] = {
    Account: ("account", "account", "accounts"),
    Asset: ("asset", "asset", "assets"),
    Lead: ("lead", "lead", "leads"),
    Opportunity: ("deal", "opportunity", "deals"),
    SalesRep: ("sales-rep", "sales rep", "sales reps"),
    Acknowledgement: ("alert", "alert", "alerts"),
    Feedback: ("feedback", "feedback", "feedback"),
}
#: The aggregates with a view, each the ``B2BCore`` query named by its kind
#: (``core.asset(id, version=, as_of=, known_at=)``).
SHOWN: tuple[type[DomainAggregate], ...] = (
    Account,
    Asset,
    Lead,
    Opportunity,
    Feedback,
)
#: The fields the command line fills itself: who records the command.
NOT_OPTIONS = frozenset({"actor", "correlation_id", "causation_id"})


def command_groups(opened: Opener) -> Iterator[tuple[str, typer.Typer]]:
    """Each aggregate's group of sub-commands, one per declared command."""
    groups: dict[str, typer.Typer] = {}
    for declared in c.COMMANDS:
        name, _, plural = GROUPS[declared.ACTS_ON]
        group = groups.get(name)
        if group is None:
            shown = declared.ACTS_ON in SHOWN
            verbs = "Record and show" if shown else "Record"
            group = groups[name] = typer.Typer(
                help=f"{verbs} facts about {plural} (docs/cli.md)."
            )
            if shown:
                group.command("show")(_show(declared.ACTS_ON, opened))
        recorded = _command(declared, opened)
        group.command(sub_command(declared), help=recorded.__doc__)(recorded)
    yield from groups.items()


def _show(kind: type[DomainAggregate], opened: Opener) -> Callable[..., None]:
    def show(
        aggregate_id: Annotated[UUID, typer.Argument(parser=parse_id, metavar="ID")],
        version: Annotated[
            int | None,
            typer.Option(
                min=BOUNDS["version"][0],
                max=BOUNDS["version"][1],
                help="As it was at this version.",
            ),
        ] = None,
        as_of: AsOf = None,
        known_at: KnownAt = None,
    ) -> None:
        with opened() as core:
            view = getattr(core, kind.KIND)(
                aggregate_id, version=version, as_of=as_of, known_at=known_at
            )
            print(dumps(plain(view)))  # contacts are read while the vault is open

    show.__doc__ = f"The {GROUPS[kind][1]} as JSON: now, at a version, as of a date."
    return show


def sub_command(declared: type[c.Command[Any]]) -> str:
    """``InstallAsset`` → ``install``; ``CorrectUsageEnd`` → ``correct-usage-end``."""
    _, noun, _ = GROUPS[declared.ACTS_ON]
    label = f" {declared.label()} ".replace(f" {noun} ", " ")
    return "-".join(label.split())


def _command(declared: type[c.Command[Any]], opened: Opener) -> Callable[..., None]:
    hints = get_type_hints(declared)
    target = declared.target_field()

    def record(**given: Any) -> None:
        command = declared(**given)
        with opened() as core:
            with core.unit_of_work() as unit:
                result = core.handle(command)
            subject = result if isinstance(result, UUID) else command.target()
            # A target the command left unchanged answers its version too.
            version = None if subject is None else unit.version(subject)
            if subject is not None and version is None:
                last = core.event_log.recorder.select_events(
                    subject, desc=True, limit=1
                )
                version = last[0].originator_version if last else None
        answer = {"id": subject, "version": version}
        if declared.RESULT:
            answer[declared.RESULT] = result
        print(dumps(plain(answer)))

    parameters = []
    options = {}  # what the docstring names, by field
    for field in attrs.fields(declared):
        if field.name in NOT_OPTIONS:
            continue
        argument = field is target
        if not argument:
            options[field.name] = _flag(field.name)
        parameters.append(
            Parameter(
                field.name,
                Parameter.KEYWORD_ONLY,
                annotation=_annotated(field.name, hints[field.name], argument),
                default=_cli_default(field.default, hints[field.name]),
            )
        )
    record.__signature__ = Signature(  # type: ignore[attr-defined]
        sorted(parameters, key=lambda p: p.default is not Parameter.empty)
    )
    record.__doc__ = help_text(declared.__doc__ or "", options)
    return record


def _cli_default(default: Any, hint: Any) -> Any:
    """The option's default: the declaration's; None for a field that may be
    empty (a command line cannot give an empty value to a required option);
    none for the other fields, which are required."""
    if default is attrs.NOTHING:
        optional = get_origin(hint) is UnionType and NoneType in get_args(hint)
        return None if optional else Parameter.empty
    return list(default) if isinstance(default, tuple) else default


def _annotated(name: str, hint: Any, argument: bool) -> Any:
    """The typer parameter of a field of type ``hint``."""
    kind, parse, shown, about = option_type(hint)
    if argument:
        return Annotated[kind, typer.Argument(parser=parse, metavar=name.upper())]
    flag = _flag(name)
    if kind is bool:
        return Annotated[bool, typer.Option(f"{flag}/--no-{flag[2:]}")]
    return Annotated[kind, typer.Option(flag, parser=parse, metavar=shown, help=about)]


def _flag(name: str) -> str:
    """``usage_end_on`` → ``--usage-end-on``."""
    return f"--{name.replace('_', '-')}"


def option_type(
    hint: Any,
) -> tuple[Any, Callable[[str], Any] | None, str | None, str | None]:
    """What typer takes for ``hint``: its type, the parser of the text, how
    the help shows the value, and what the help says of it (a choice's
    values: a metavar listing them all would not wrap at 80 columns)."""
    optional = get_origin(hint) is UnionType and NoneType in get_args(hint)
    inner = hint
    if optional:
        rest = tuple(a for a in get_args(hint) if a is not NoneType)
        inner = rest[0] if len(rest) == 1 else rest[0] | rest[1]
    if inner in (bool, int):
        return (inner | None if optional else inner), None, None, None
    if inner in (str, str | Contact):
        return (str | None if optional else str), parse_text, "TEXT", None
    if isinstance(inner, type) and issubclass(inner, Enum):
        about = f"One of: {', '.join(str(e.value) for e in inner)}."
        return (inner | None if optional else inner), None, "CHOICE", about
    if inner == Sequence[str]:
        return list[str], parse_text, "TEXT", None
    parse: Callable[[str], Any]
    kind: Any = object  # typer would take a list type for many values
    if inner is Money:
        kind, parse, shown = Money, _money, "AMOUNT CURRENCY"
    elif inner in (date, UUID):
        kind, shown = inner, inner.__name__.upper()
        parse = parse_date if inner is date else parse_id
    else:
        parse, shown = functools.partial(_json, inner), "JSON"
    if optional:
        return kind | None, functools.partial(_or_none, parse), f"{shown}|none", None
    return kind, parse, shown, None


def _or_none(parse: Callable[[str], Any], text: str) -> Any:
    """``none`` for a field that may be empty (an open-ended usage end, a
    deal's unknown account), else what ``parse`` makes of the text."""
    if isinstance(text, str) and text.strip().lower() == "none":
        return None
    return parse(text)


def _money(text: str) -> Money:
    """``"23800000 KRW"``: an amount and its currency."""
    amount, _, currency = text.strip().partition(" ")
    try:
        return Money.of(amount, currency.strip())
    except B2BCoreError as error:
        raise typer.BadParameter(
            f"{text!r}: {error} (an amount and a currency: '23800000 KRW')"
        ) from None


def _json(hint: Any, text: str | Sequence[Any]) -> Any:
    """A list of values as the JSON the HTTP API takes for it."""
    if not isinstance(text, str):  # the default, already a value
        return tuple(text)
    try:
        document = strict_json(text)  # as the HTTP API reads a body
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is not JSON: {error}") from None
    try:
        return from_plain(hint, document)
    except (ValueError, TypeError, B2BCoreError) as error:
        raise typer.BadParameter(f"{text!r}: {error}") from None
