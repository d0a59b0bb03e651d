"""The postmortem reports read by people: a deal's timeline and the win/loss
analysis as rows of text (for the command line's tables) and as
self-contained HTML pages with their charts."""

from __future__ import annotations

from collections.abc import Sequence

from b2bcore.domain.opportunity import percent
from b2bcore.reports.winloss import (
    EntryKind,
    TimelineEntry,
    WinLossAnalysis,
    WinLossTimeline,
)
from b2bcore_adapters.render import charts
from b2bcore_adapters.render.html import (
    Html,
    definitions,
    figure,
    heading,
    page,
    paragraph,
    table,
)

__all__ = [
    "ANALYSIS_COLUMNS",
    "ENTRY_COLUMNS",
    "STINT_COLUMNS",
    "analysis_rows",
    "detail",
    "entry_rows",
    "outcome_pairs",
    "postmortem_pairs",
    "stint_rows",
    "timeline_page",
    "win_loss_page",
]

Row = Sequence[object]

ENTRY_COLUMNS = ("date", "step", "tier", "gate", "detail")
STINT_COLUMNS = ("tier", "entered", "left", "days")
ANALYSIS_COLUMNS = (
    "",
    "won",
    "lost",
    "dropped",
    "win rate",
    "avg won cycle (days)",
    "avg lost cycle (days)",
)


def detail(entry: TimelineEntry) -> str:
    """What a timeline step adds to its date, kind, tier and gate."""
    finding = entry.finding
    if entry.kind is EntryKind.FINDING_RAISED and finding is not None:
        return f"#{finding.number} {finding.area.value}: {finding.description}"
    if entry.kind is EntryKind.FINDING_RESOLVED and finding is not None:
        return f"#{finding.number} resolved: {finding.resolution}"
    if entry.kind is EntryKind.POSTMORTEM and entry.postmortem is not None:
        return entry.postmortem.summary
    estimate = entry.profitability
    parts = [
        str(entry.value) if entry.value else "",
        f"cost {estimate.cost}, price {estimate.price}, margin "
        f"{percent(estimate.margin)}, ROI {percent(estimate.roi)}"
        if estimate
        else "",
        f"to {entry.owner}" if entry.owner else "",
        f"to {entry.expected_close_on}" if entry.expected_close_on else "",
        entry.loss_reason.value if entry.loss_reason else "",
        f"to {entry.competitor}" if entry.competitor else "",
        entry.reason or "",
    ]
    return "; ".join(p for p in parts if p)


def entry_rows(path: WinLossTimeline) -> list[Row]:
    return [(e.on, e.kind.value, e.tier, e.gate, detail(e)) for e in path.entries]


def stint_rows(path: WinLossTimeline) -> list[Row]:
    return [(s.tier, s.entered_on, s.left_on, s.days) for s in path.stints]


def outcome_pairs(path: WinLossTimeline) -> list[tuple[str, object]]:
    """The deal and how it closed (figures that do not apply left out)."""
    pairs: list[tuple[str, object]] = [
        ("as of", path.as_of),
        ("opened on", path.opened_on),
        ("amount", path.amount),
        ("owner", path.owner),
        ("expected close", path.expected_close_on),
        (
            "estimated margin",
            percent(path.profitability.margin) if path.profitability else None,
        ),
        ("competitors", ", ".join(path.competitors) or "none known"),
        ("outcome", path.outcome.value if path.outcome else "open"),
        ("closed on", path.closed_on),
        ("cycle (days)", path.cycle_days),
        ("won value", path.won_value),
        ("loss reason", path.loss_reason.value if path.loss_reason else None),
        ("lost to", path.lost_to),
        ("close reason", path.close_reason),
    ]
    return [(name, value) for name, value in pairs if value is not None]


def postmortem_pairs(path: WinLossTimeline) -> list[tuple[str, object]]:
    """The postmortem's summary, root causes and lessons; empty without one."""
    notes = path.postmortem
    if notes is None:
        return []
    return [
        ("summary", notes.summary),
        ("root causes", "; ".join(notes.root_causes)),
        ("lessons", "; ".join(notes.lessons)),
    ]


def analysis_rows(analysis: WinLossAnalysis) -> list[Row]:
    """The whole analysis, then one row per key of its dimension."""
    return [
        (
            name,
            a.won,
            a.lost,
            a.dropped,
            "n/a" if a.win_rate is None else f"{a.win_rate:.0%}",
            _days(a.average_won_cycle_days),
            _days(a.average_lost_cycle_days),
        )
        for name, a in [("all", analysis), *analysis.by.items()]
    ]


def timeline_page(path: WinLossTimeline) -> Html:
    """The deal's postmortem page: outcome, tier chart, steps, days in each
    tier and the postmortem notes."""
    notes = postmortem_pairs(path)
    return page(
        f"{path.name}: {path.outcome.value if path.outcome else 'open'}",
        definitions(outcome_pairs(path)),
        figure(
            charts.tier_steps_chart(path, format=charts.ChartFormat.SVG),
            alt="the deal's tier over time",
        ),
        heading("Steps"),
        table(ENTRY_COLUMNS, entry_rows(path)),
        heading("Days in tier"),
        table(STINT_COLUMNS, stint_rows(path)),
        heading("Postmortem"),
        definitions(notes) if notes else paragraph("No postmortem recorded."),
    )


def win_loss_page(analysis: WinLossAnalysis) -> Html:
    """The win/loss page: counts, win rates and cycles (per key when cut by
    a dimension), its chart, and the losses by reason and competitor."""
    by = f" by {analysis.dimension.value}" if analysis.dimension else ""
    return page(
        f"Win/loss on {analysis.as_of}{by}",
        table(ANALYSIS_COLUMNS, analysis_rows(analysis)),
        figure(
            charts.win_rate_chart(analysis, format=charts.ChartFormat.SVG),
            alt="win rate",
        ),
        heading("Lost by reason"),
        table(
            ("reason", "deals"),
            [(r.value, n) for r, n in analysis.lost_by_reason.items()],
        ),
        heading("Lost to"),
        table(("competitor", "deals"), list(analysis.lost_to.items())),
    )


def _days(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"
