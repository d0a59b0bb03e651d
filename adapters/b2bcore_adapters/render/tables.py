"""The terminal tables of the queries: ``TABLES`` gives, by query name
(``b2bcore.application.queries``), what its answer shows as, one or more
``Table``s and lines of text; ``draw`` prints a table to fit the terminal.
``b2b <query>`` prints these unless ``--json``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import Enum
from typing import Any

import attrs
from rich import box
from rich.cells import cell_len
from rich.console import Console

from b2bcore.application.event_history import HistoryEntry
from b2bcore.readmodels.facts.records import AccountFacts, DealFacts
from b2bcore.reports import (
    alerts,
    asset_kpis,
    dashboard,
    funnel,
    grades,
    health,
    history,
    lead_score,
    pipeline,
    postmortems,
    segmentation,
    suggestions,
    tier_movement,
    tiers,
    winloss,
)
from b2bcore.reports.renewals import RenewalItem
from b2bcore_adapters.render import postmortem
from b2bcore_adapters.render.cells import whole
from b2bcore_adapters.render.plain import ACCOUNT_FIELDS, DEAL_FIELDS, Fields

__all__ = ["TABLES", "Table", "draw"]


@attrs.frozen
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


#: What a query's answer shows as, given the answer and the arguments asked.
Shown = Iterator[Table | str]
TABLES: dict[str, Callable[[Any, Mapping[str, Any]], Shown]] = {}


def shows(name: str) -> Callable[[Callable[..., Shown]], Callable[..., Shown]]:
    """Register the decorated function as the tables of query ``name``."""

    def register(render: Callable[..., Shown]) -> Callable[..., Shown]:
        TABLES[name] = render
        return render

    return register


# -- values as cells ----------------------------------------------------------


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def per_currency(rates: Mapping[str, float]) -> str:
    """``{"KRW": 0.943, "USD": 1.02}`` as ``KRW 94%, USD 102%``."""
    return ", ".join(f"{c} {percent(r)}" for c, r in sorted(rates.items())) or "n/a"


def days(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def days_early_or_late(days: float | None) -> str:
    """The mean time to renewal as words: negative is early (docs/kpis.md)."""
    if days is None:
        return "n/a (no renewals)"
    if days == 0:
        return "on the usage end day, on average"
    side = "before" if days < 0 else "after"
    return f"{abs(days):.1f} days {side} usage end, on average"


def counted(counts: Mapping[Any, int]) -> str:
    """``{ACTIVE: 3, INSTALLED: 1}`` as ``active 3, installed 1``."""
    return ", ".join(f"{cell(key)} {n}" for key, n in counts.items())


def cell(value: object) -> object:
    """A value as a table cell: an enumeration by its value."""
    return value.value if isinstance(value, Enum) else value


def by(given: Mapping[str, Any]) -> str:
    """`` by owner`` when the query was cut by a dimension."""
    return f" by {given['by'].value}" if given.get("by") else ""


# -- the installed base -------------------------------------------------------


@shows("renewal_queue")
def _renewals(found: Sequence[RenewalItem], given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Renewals within {given['within']} days",
        (
            *("usage end", "days", "bucket", "account", "grade", "product"),
            *("owner", "value", "risks", "deal", "health", "renewal"),
        ),
        [
            (
                *(i.usage_end_on, i.days_left, i.bucket, i.account, i.grade.value),
                *(i.product, i.owner, i.value),
                ", ".join(sorted(r.value for r in i.risks)),
                "" if i.deal_id is None else f"tier {i.deal_tier} {i.deal_id}",
                i.health.score,
                i.health.likelihood.value,
            )
            for i in found
        ],
    )


@shows("alerts")
def _alerts(found: Sequence[alerts.Alert], given: Mapping[str, Any]) -> Shown:
    yield Table(
        "Alerts",
        ("dated", "kind", "subject", "owner", "detail", "ack", "id"),
        [
            (
                *(a.dated_on, a.kind.value, a.subject, a.owner, a.detail),
                "yes" if a.acknowledged else "",
                a.id,
            )
            for a in found
        ],
    )


@shows("asset_kpis")
def _asset_kpis(kpis: asset_kpis.AssetKpis, given: Mapping[str, Any]) -> Shown:
    churned = {r: n for r, n in kpis.churned_by_reason.items() if n}
    yield Table(
        f"Asset KPIs {given['start']} – {given['end']}",
        ("figure", "value"),
        [
            ("active at start / end", f"{kpis.start_active} / {kpis.end_active}"),
            ("retained", kpis.retained),
            ("base retention", percent(kpis.base_retention)),
            ("due / renewed", f"{kpis.due} / {kpis.renewed}"),
            ("renewal rate", percent(kpis.renewal_rate)),
            ("gross revenue retention", per_currency(kpis.gross_revenue_retention)),
            ("net revenue retention", per_currency(kpis.net_revenue_retention)),
            ("upsell rate", percent(kpis.upsell_rate)),
            ("churned", kpis.churned),
            ("churned by reason", counted(churned)),
            ("time to renewal", days_early_or_late(kpis.time_to_renewal_days)),
            ("customer lifetime value", kpis.customer_lifetime_value),
            ("payment compliance", percent(kpis.payment_compliance)),
            ("receivables outstanding", kpis.receivables_outstanding),
            ("receivables overdue", kpis.receivables_overdue),
        ],
    )


@shows("rep_dashboard")
def _dashboard(board: dashboard.RepDashboard, given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Dashboard {given.get('owner') or 'all owners'} on {board.as_of}",
        (
            *("assets by status", "renewals due 30/60/90", "overdue / lapsed"),
            *("at risk", "health", "renewal high/medium/low"),
        ),
        [
            (
                counted(board.by_status),
                " / ".join(str(n) for n in board.renewals_due.values()),
                f"{board.overdue} / {board.lapsed}",
                len(board.at_risk),
                board.average_health,
                " / ".join(str(n) for n in board.by_likelihood.values()),
            )
        ],
    )
    for currency, top in board.top_assets.items():
        yield Table(
            f"Top assets ({currency})",
            ("account", "product", "owner", "value", "usage end"),
            [(a.account, a.product, a.owner, a.value, a.usage_end_on) for a in top],
        )


@shows("health")
def _health(found: health.HealthReport, given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Health on {found.as_of}",
        (
            *("account", "score", "renewal", "usage", "satis", "compl", "pay"),
            *("comp", "product", "owner"),
        ),
        [
            (
                *(a.account, a.health.score, a.health.likelihood.value),
                *(a.health.points.usage, a.health.points.satisfaction),
                *(a.health.points.complaints, a.health.points.payments),
                *(a.health.points.competitor, a.product, a.owner),
            )
            for a in found.assets
        ],
    )
    yield Table(
        "Accounts (mean of their assets)",
        ("account", "score", "renewal", "assets"),
        [(a.account, a.score, a.likelihood.value, a.assets) for a in found.accounts],
    )


@shows("accounts")
def _accounts(found: Sequence[AccountFacts], given: Mapping[str, Any]) -> Shown:
    columns = ("name", "id", "grade", "sector", "registered_on")
    yield listed("Accounts", found, ACCOUNT_FIELDS, columns)


@shows("opportunities")
def _deals(found: Sequence[DealFacts], given: Mapping[str, Any]) -> Shown:
    columns = ("name", "id", "opened_on", "tier", "outcome", "amount", "owner")
    yield listed("Deals", found, DEAL_FIELDS, columns)


def listed(
    title: str, found: Sequence[Any], fields: Fields, columns: Sequence[str]
) -> Table:
    """A listing of ``found``: the ``columns`` of its JSON ``fields``."""
    return Table(
        f"{title} ({len(found)})",
        [c.removesuffix("_on") for c in columns],
        [[cell(fields[c](item)) for c in columns] for item in found],
    )


@shows("account_history")
def _history(past: history.AccountHistory, given: Mapping[str, Any]) -> Shown:
    account = past.account
    yield Table(
        f"{account.name} ({account.grade.value}) on {past.as_of}: assets",
        ("purchased", "product", "status", "usage end", "value", "owner"),
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
    yield Table(
        "Deals",
        ("opened", "name", "tier", "outcome", "closed", "amount", "owner"),
        [
            (
                *(d.opened_on, d.name, d.tier),
                d.outcome.value if d.outcome else "open",
                *(d.closed_on, d.won_value or d.amount, d.owner),
            )
            for d in past.deals
        ],
    )


@shows("segmentation")
def _segments(found: segmentation.Segmentation, given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Top 20 % of accounts on {found.as_of}: "
        f"{percent(found.pareto_share)} of value",
        ("account", "grade", "sector", "value", "share", "needs"),
        [
            (
                a.name,
                a.grade.value,
                a.sector,
                a.value,
                percent(a.share),
                ", ".join(a.needs),
            )
            for a in found.pareto
        ],
    )
    if found.by_need:
        yield Table(
            "Accounts by need", ("need", "accounts"), list(found.by_need.items())
        )


@shows("grade_suggestions")
def _grades(found: grades.GradeSuggestions, given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Grade suggestions on {found.as_of}",
        ("rank", "account", "grade", "suggested", "value", "renewed", "why"),
        [
            (
                *(s.rank, s.name, s.grade.value),
                s.suggested.value + (" *" if s.changes else ""),
                s.value,
                f"{s.renewed}/{s.renewals_due}",
                s.reason,
            )
            for s in found.suggestions
        ],
    )


@shows("suggestions")
def _suggestions(found: suggestions.Suggestions, given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Suggestions on {found.as_of}",
        ("account", "rule", "product", "why", "offer"),
        [
            (
                *(s.account, s.rule.value),
                s.product if s.peers is None else s.peers.product_line,
                *(s.reason, s.action),
            )
            for s in found.suggestions
        ],
    )


# -- the pipeline -------------------------------------------------------------


@shows("pipeline_kpis")
def _pipeline(kpis: pipeline.PipelineKpis, given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Pipeline on {kpis.as_of}{by(given)}",
        (
            *("", "open", "won", "lost", "dropped", "win rate", "avg cycle (days)"),
            *("won value", "weighted pipeline"),
        ),
        [
            (
                *(name, k.open, k.won, k.lost, k.dropped, percent(k.win_rate)),
                *(days(k.average_cycle_days), k.won_value, k.weighted_pipeline),
            )
            for name, k in [("all", kpis), *kpis.by.items()]
        ],
    )


@shows("tier_matrix")
def _tiers(matrix: tiers.TierMatrix, given: Mapping[str, Any]) -> Shown:
    def shown(cell: tiers.TierCell) -> str:
        return f"{cell.count}\n{cell.value}" if cell.count else ""

    dimension = given["by"].value
    yield Table(
        f"Tier report by {dimension} on {matrix.as_of}",
        (dimension, *matrix.columns, "total"),
        [(row.key, *map(shown, row.cells), shown(row.total)) for row in matrix.rows]
        + [("total", *map(shown, matrix.column_totals), shown(matrix.total))],
    )


@shows("timeline")
def _timeline(path: winloss.WinLossTimeline, given: Mapping[str, Any]) -> Shown:
    outcome = path.outcome.value if path.outcome else "open"
    yield Table(
        f"{path.name}: {outcome}", ("figure", "value"), postmortem.outcome_pairs(path)
    )
    yield Table("Steps", postmortem.ENTRY_COLUMNS, postmortem.entry_rows(path))
    yield Table("Days in tier", postmortem.STINT_COLUMNS, postmortem.stint_rows(path))
    if notes := postmortem.postmortem_pairs(path):
        yield Table("Postmortem", ("note", "text"), notes)


@shows("win_loss")
def _win_loss(analysis: winloss.WinLossAnalysis, given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Win/loss on {analysis.as_of}{by(given)}",
        postmortem.ANALYSIS_COLUMNS,
        postmortem.analysis_rows(analysis),
    )
    yield Table(
        "Lost by reason",
        ("reason", "deals"),
        [(r.value, n) for r, n in analysis.lost_by_reason.items()],
    )
    yield Table("Lost to", ("competitor", "deals"), list(analysis.lost_to.items()))


@shows("lead_funnel")
def _funnel(found: funnel.LeadFunnel, given: Mapping[str, Any]) -> Shown:
    since = f" (captured from {found.since})" if found.since else ""
    yield Table(
        f"Lead funnel on {found.as_of}{since}",
        ("step", "leads", "conversion", "avg days"),
        [
            (s.stage.value, s.count, percent(s.conversion_rate), days(s.average_days))
            for s in found.steps
        ],
    )
    yield (
        f"open: {found.open_mql} mql, {found.open_sql} sql; "
        f"disqualified: {found.disqualified}"
    )


@shows("lead_scores")
def _lead_scores(found: lead_score.LeadScores, given: Mapping[str, Any]) -> Shown:
    yield Table(
        f"Lead scores on {found.as_of}",
        (
            *("score", "company", "status", "temp", "qual", "cont", "need"),
            *("src", "fresh", "age"),
        ),
        [
            (
                *(s.score, s.company, s.status.value, s.points.temperature),
                *(s.points.qualification, s.points.contact, s.points.need),
                *(s.points.source, s.points.freshness, s.age_days),
            )
            for s in found.leads
        ],
    )


@shows("tier_movement")
def _tier_movement(
    found: tier_movement.TierMovement, given: Mapping[str, Any]
) -> Shown:
    moves = ", ".join(f"{n} {m.value}" for m, n in found.counts.items())
    yield Table(
        f"Tier movement {found.start} – {found.end}: {moves}",
        ("move", "from", "to", "deal", "owner", "amount", "moves"),
        [
            (
                *(d.movement.value, d.from_tier),
                d.outcome.value if d.outcome else d.to_tier,
                *(d.name, d.owner, d.amount, d.moves),
            )
            for d in found.deals
        ],
    )


@shows("postmortem_rollup")
def _postmortems(
    found: postmortems.PostmortemRollup, given: Mapping[str, Any]
) -> Shown:
    def notes(counts: Sequence[Any]) -> str:
        return "\n".join(f"{c.count}× {c.note}" for c in counts)

    yield Table(
        f"Postmortems on {found.as_of}: {found.postmortems}",
        ("", "root causes", "lessons"),
        [("all", notes(found.root_causes), notes(found.lessons))],
    )
    for title, groups in (
        ("By category", found.by_category),
        ("By competitor", found.by_competitor),
        ("By owner", found.by_owner),
    ):
        yield Table(
            title,
            ("key", "postmortems", "root causes", "lessons"),
            [
                (g.key, g.postmortems, notes(g.root_causes), notes(g.lessons))
                for g in groups
            ],
        )


@shows("projection_skips")
def _skips(found: Sequence[HistoryEntry], given: Mapping[str, Any]) -> Shown:
    yield Table(
        "Projection skips",
        ("position", "recorded at", "actor", "reason", "skip"),
        [
            (e.position, e.recorded_at.isoformat(), e.actor, e.reason, e.description)
            for e in found
        ],
    )


# -- drawing ------------------------------------------------------------------

#: A text column is never narrower than this, nor than its longest word up
#: to ``LONGEST_WORD``.
NARROWEST_TEXT = 12
LONGEST_WORD = 24


def narrowest(lines: Sequence[str], *, fixed: bool) -> int:
    """The width a column cannot go below: every line of a fixed column; a
    text column wraps between words, its longest word kept whole up to
    ``LONGEST_WORD``."""
    if fixed:
        return max(map(cell_len, lines), default=0)
    words = [cell_len(word) for line in lines for word in line.split()]
    natural = max(map(cell_len, lines), default=0)
    return min(natural, max(NARROWEST_TEXT, min(max(words, default=0), LONGEST_WORD)))


def draw(out: Console, table: Table) -> None:
    """Print a table that fits the terminal without cutting a number: columns
    of numbers, amounts and dates keep their full width, text and headings
    wrap, and when even that does not fit, columns are left out from the
    right and named under the table (``--wide``, a pipe or ``--json`` shows
    every column)."""
    columns = table.columns
    cells = [["" if cell is None else str(cell) for cell in row] for row in table.rows]
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
    from rich.table import Table as RichTable  # noqa: PLC0415 (not for --help)

    drawn = RichTable(title=table.title, title_justify="left", box=box.SIMPLE_HEAD)
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
