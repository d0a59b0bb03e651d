"""Charts of the reports as PNG or SVG bytes, rendered by matplotlib (the
``charts`` extra) without a screen.

Three generic charts — ``line_chart``, ``bar_chart``, ``heat_map`` — and the
report charts built on them: a deal's tier over time, the tier matrix, win
rate by dimension and the renewal buckets. The same data always gives the
same bytes: no dates or versions in the files, fixed SVG ids. SVG text stays
text, so the viewer's fonts draw any script; PNG text uses a CJK font when
one is installed, else Hangul shows as empty boxes and the first such chart
logs a warning saying what to install.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from io import BytesIO
from itertools import combinations
from typing import TYPE_CHECKING

from b2bcore import B2BCoreError
from b2bcore.reports.renewals import LAPSED, OVERDUE, Bucket, RenewalItem
from b2bcore.reports.tiers import TierMatrix
from b2bcore.reports.winloss import WinLossAnalysis, WinLossTimeline

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontManager
    from matplotlib.text import Text

__all__ = [
    "ChartFormat",
    "ChartsUnavailableError",
    "bar_chart",
    "heat_map",
    "line_chart",
    "renewal_buckets_chart",
    "tier_matrix_chart",
    "tier_steps_chart",
    "win_rate_chart",
]

INSTALL_HINT = "charts need matplotlib: pip install 'b2bcore[charts]'"

#: Fonts with Hangul, tried before DejaVu Sans for PNG text.
CJK_FONTS = (
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "NanumGothic",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
)
#: Said once when a PNG chart has CJK text and no font above is installed.
FONT_HINT = (
    "no CJK font is installed: Hangul in PNG charts shows as boxes. Install "
    "one (Debian/Ubuntu: apt install fonts-noto-cjk, or fonts-nanum), then "
    "delete matplotlib's font cache (~/.cache/matplotlib); or write .svg charts"
)
#: Hangul jamo and syllables, CJK symbols, kana and ideographs.
_CJK_TEXT = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
COLOR = "#2f6f9f"
WON, LOST = "#3a8f5c", "#b5483b"


class ChartsUnavailableError(B2BCoreError):
    """matplotlib (the ``charts`` extra) is not installed."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


class ChartFormat(Enum):
    PNG = "png"
    SVG = "svg"

    @classmethod
    def of(cls, filename: str) -> ChartFormat:
        """The format a file name's suffix asks for (.png or .svg)."""
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        for member in cls:
            if member.value == suffix:
                return member
        raise ValueError(f"{filename!r}: suffix: a chart file ends in .png or .svg")


# -- generic charts -------------------------------------------------------------


def line_chart(
    title: str,
    series: Mapping[str, Sequence[tuple[date | float, float]]],
    *,
    format: ChartFormat,
    x_label: str = "",
    y_label: str = "",
    step: bool = False,
) -> bytes:
    """One line per series of (x, y) points, x dates or numbers; ``step``
    holds each value until the next point."""
    with _figure(title, (7.0, 3.6)) as (figure, axes):
        for name, points in series.items():
            xs = [x for x, _ in points]
            ys = [y for _, y in points]
            if step:
                axes.step(xs, ys, where="post", label=name, linewidth=2)  # type: ignore[arg-type]
            else:
                axes.plot(xs, ys, marker="o", label=name, linewidth=2)  # type: ignore[arg-type]
        if len(series) > 1:
            axes.legend(frameon=False)
        _labels(axes, x_label, y_label)
        figure.autofmt_xdate()
        return _render(figure, format)


def bar_chart(
    title: str,
    bars: Mapping[str, float],
    *,
    format: ChartFormat,
    y_label: str = "",
    labels: Sequence[str] | None = None,
    y_max: float | None = None,
    whole: bool = False,
) -> bytes:
    """One bar per key, in order; ``labels`` are written above the bars;
    ``whole`` puts ticks on whole numbers only (counts)."""
    width = max(5.0, 1.0 + 0.8 * len(bars))
    with _figure(title, (min(width, 12.0), 3.6)) as (figure, axes):
        names = list(bars) or ["(none)"]
        values = list(bars.values()) or [0.0]
        # Bars at positions, not categories: two names cut alike stay two bars.
        drawn = axes.bar(range(len(names)), values, color=COLOR)
        axes.set_xticks(range(len(names)), labels=[_tick_text(n) for n in names])
        written = (
            axes.bar_label(drawn, labels=list(labels), padding=2)
            if labels is not None
            else []
        )
        if y_max is not None:
            axes.set_ylim(0, y_max)
        if whole:
            from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        _labels(axes, "", y_label)
        _fit_x_ticks(figure, axes)
        _fit(figure, written, _BAR_LABEL_STEPS)
        return _render(figure, format)


def heat_map(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    format: ChartFormat,
    notes: Sequence[Sequence[str]] | None = None,
) -> bytes:
    """A grid of ``values`` (one sequence per row), darker when larger, with
    ``notes`` (else the values) written in the cells."""
    size = (max(5.0, 1.6 + 0.9 * len(columns)), max(2.4, 1.2 + 0.5 * len(rows)))
    with _figure(title, size) as (figure, axes):
        grid = [list(row) for row in values] or [[0.0] * len(columns)]
        shown_rows = list(rows) or ["(none)"]
        top = max((v for row in grid for v in row), default=0.0) or 1.0
        axes.imshow(grid, cmap="Blues", vmin=0, vmax=top, aspect="auto")
        axes.set_xticks(range(len(columns)), labels=[_tick_text(c) for c in columns])
        axes.set_yticks(range(len(shown_rows)), labels=shown_rows)
        axes.xaxis.tick_top()
        axes.tick_params(length=0)
        for side in axes.spines.values():
            side.set_visible(False)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                note = notes[r][c] if notes is not None and rows else _number(value)
                axes.text(
                    c,
                    r,
                    note,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if value > top / 2 else "black",
                )
        _fit_x_ticks(figure, axes)
        return _render(figure, format)


# -- the report charts ----------------------------------------------------------


def tier_steps_chart(path: WinLossTimeline, *, format: ChartFormat) -> bytes:
    """The deal's tier over time: a step from each tier it entered to the
    next, ending at the close (Tier 0) or at the timeline's date."""
    points: list[tuple[date | float, float]] = [
        (s.entered_on, float(s.tier)) for s in path.stints
    ]
    if path.closed_on is not None:
        points.append((path.closed_on, 0.0))
    elif points:
        points.append((path.as_of, points[-1][1]))
    outcome = path.outcome.value if path.outcome else "open"
    with _figure(f"{path.name}: {outcome}", (7.0, 3.6)) as (figure, axes):
        xs = [x for x, _ in points]
        ys = [y for _, y in points]
        color = {"won": WON, "lost": LOST}.get(outcome, COLOR)
        axes.step(xs, ys, where="post", color=color, linewidth=2.5)  # type: ignore[arg-type]
        axes.plot(xs, ys, "o", color=color)  # type: ignore[arg-type]
        axes.set_yticks(
            [4, 3, 2, 1, 0],
            labels=["Tier 4", "Tier 3", "Tier 2", "Tier 1", f"Tier 0 ({outcome})"],
        )
        axes.set_ylim(4.5, -0.5)
        for stint in path.stints:
            axes.annotate(
                f"{stint.days} d",
                (stint.entered_on, stint.tier),
                textcoords="offset points",
                xytext=(4, -12),
                fontsize=8,
            )
        axes.grid(axis="y", alpha=0.3)
        figure.autofmt_xdate()
        return _render(figure, format)


def tier_matrix_chart(matrix: TierMatrix, *, format: ChartFormat) -> bytes:
    """The tier report as a heat-map of deal counts, amounts in the cells."""
    return heat_map(
        f"Tier report by {matrix.dimension.value} on {matrix.as_of}",
        [row.key for row in matrix.rows],
        [
            c.removeprefix("0-") if c.startswith("0-") else f"Tier {c}"
            for c in matrix.columns
        ],
        [[float(cell.count) for cell in row.cells] for row in matrix.rows],
        notes=[
            [
                f"{cell.count}\n{_short(cell.value)}" if cell.count else ""
                for cell in row.cells
            ]
            for row in matrix.rows
        ],
        format=format,
    )


def win_rate_chart(analysis: WinLossAnalysis, *, format: ChartFormat) -> bytes:
    """Win rate (won ÷ won + lost) per key of the analysis's dimension, or of
    all closed deals when it was not cut by one."""
    cut = dict(analysis.by) if analysis.by else {"all": analysis}
    by = f" by {analysis.dimension.value}" if analysis.dimension else ""
    return bar_chart(
        f"Win rate{by} on {analysis.as_of}",
        {key: (a.win_rate or 0.0) * 100 for key, a in cut.items()},
        labels=[
            "n/a"
            if a.win_rate is None
            else f"{a.win_rate:.0%} ({a.won}/{a.won + a.lost})"
            for a in cut.values()
        ],
        y_label="win rate (%)",
        y_max=110,
        format=format,
    )


def renewal_buckets_chart(
    items: Sequence[RenewalItem],
    *,
    as_of: date,
    windows: Sequence[int] = (30, 60, 90),
    format: ChartFormat,
) -> bytes:
    """Assets due for renewal per window (usage ending in 0–30, 31–60,
    61–90 days of ``as_of``), after bars of the lapsed and the overdue ones
    when there are any, with their value per currency."""
    starts = [0, *(w + 1 for w in windows[:-1])]
    names: dict[Bucket, str] = {
        passed: passed
        for passed in (LAPSED, OVERDUE)
        if any(item.bucket == passed for item in items)
    }
    names.update(
        (w, f"{start}–{w} days") for start, w in zip(starts, windows, strict=True)
    )
    counts = dict.fromkeys(names, 0)
    values: dict[Bucket, dict[str, float]] = {b: {} for b in names}
    for item in items:
        if item.bucket in counts:
            counts[item.bucket] += 1
            sums = values[item.bucket]
            currency = item.value.currency
            sums[currency] = sums.get(currency, 0.0) + float(item.value.amount)
    return bar_chart(
        f"Renewals due from {as_of}",
        {name: float(counts[b]) for b, name in names.items()},
        labels=[
            f"{counts[b]}"
            + "".join(f"\n{_big(v)} {c}" for c, v in sorted(values[b].items()))
            for b in names
        ],
        y_label="assets",
        y_max=max(counts.values(), default=0) * 1.4 + 1,
        whole=True,
        format=format,
    )


# -- rendering ----------------------------------------------------------------


@contextmanager
def _figure(title: str, size: tuple[float, float]) -> Iterator[tuple[Figure, Axes]]:
    # Imported here: matplotlib is optional, and only charts need it.
    try:
        import matplotlib as mpl  # noqa: PLC0415
        from matplotlib.figure import Figure  # noqa: PLC0415
        from matplotlib.font_manager import fontManager  # noqa: PLC0415
    except ImportError:
        raise ChartsUnavailableError() from None
    with (
        mpl.rc_context(
            {
                "svg.hashsalt": "b2bcore",
                "svg.fonttype": "none",
                # Names are text: "$5 $10" is not mathematics.
                "text.parse_math": False,
                "font.family": "sans-serif",
                "font.sans-serif": [*_cjk_fonts(fontManager), "DejaVu Sans"],
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.titleweight": "bold",
            }
        ),
        warnings.catch_warnings(),
    ):
        # Without a CJK font, PNG Hangul is drawn as boxes: said once, by
        # _render, not once per glyph.
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure = Figure(figsize=size, dpi=100, layout="constrained")
        axes = figure.add_subplot()
        axes.set_title(title, loc="left")
        yield figure, axes


def _cjk_fonts(manager: FontManager) -> list[str]:
    """The fonts of CJK_FONTS that are installed, in its order."""
    installed = {font.name for font in manager.ttflist}
    return [name for name in CJK_FONTS if name in installed]


@cache  # once per process: the same hint on every chart would be noise
def _warn_no_cjk_font() -> None:
    logging.getLogger(__name__).warning(FONT_HINT)


def _render(figure: Figure, format: ChartFormat) -> bytes:
    if format is ChartFormat.PNG:
        from matplotlib.font_manager import fontManager  # noqa: PLC0415
        from matplotlib.text import Text  # noqa: PLC0415

        texts = (text.get_text() for text in figure.findobj(Text))
        if not _cjk_fonts(fontManager) and any(map(_CJK_TEXT.search, texts)):
            _warn_no_cjk_font()
    buffer = BytesIO()
    metadata: dict[str, str | None] = (
        {"Software": None}
        if format is ChartFormat.PNG
        else {"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    figure.savefig(buffer, format=format.value, metadata=metadata)
    return buffer.getvalue()


#: The most characters of a tick label: a longer name is cut (the report's
#: table has it whole).
TICK_TEXT = 30
#: (rotation, font size) tried in turn until no two labels overlap: tick
#: labels turn upright first, bar labels shrink first.
_TICK_STEPS = ((0, 10.0), (90, 10.0), (90, 7.0), (90, 5.0))
_BAR_LABEL_STEPS = ((0, 10.0), (0, 7.0), (90, 7.0), (90, 5.0))


def _tick_text(name: str) -> str:
    return name if len(name) <= TICK_TEXT else name[: TICK_TEXT - 1] + "…"


def _fit_x_ticks(figure: Figure, axes: Axes) -> None:
    """The x tick labels level when they fit side by side, else upright and
    smaller until no two overlap; the figure grows by upright labels'
    height, so the plot keeps its own."""
    for rotation, size in _TICK_STEPS:
        axes.tick_params(axis="x", labelrotation=rotation, labelsize=size)
        labels = axes.get_xticklabels()
        if not _overlapping(figure, labels):
            break
    if rotation:
        tallest = max(label.get_window_extent().height for label in labels)
        figure.set_figheight(figure.get_figheight() + tallest / figure.dpi)


def _fit(
    figure: Figure, texts: Sequence[Text], steps: Sequence[tuple[float, float]]
) -> None:
    """``texts`` turned and shrunk by ``steps`` until no two overlap."""
    for rotation, size in steps:
        for text in texts:
            text.set_rotation(rotation)
            text.set_fontsize(size)
        if not _overlapping(figure, texts):
            return


def _overlapping(figure: Figure, texts: Sequence[Text]) -> bool:
    """Whether two of ``texts`` overlap as the figure is laid out now."""
    if len(texts) < 2:
        return False
    figure.draw_without_rendering()
    boxes = [t.get_window_extent() for t in texts if t.get_visible() and t.get_text()]
    return any(a.overlaps(b) for a, b in combinations(boxes, 2))


def _labels(axes: Axes, x_label: str, y_label: str) -> None:
    if x_label:
        axes.set_xlabel(x_label)
    if y_label:
        axes.set_ylabel(y_label)


def _number(value: float) -> str:
    return f"{value:g}"


def _big(value: float) -> str:
    """An amount in few characters: 23.8M, 950k, 12."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def _short(amounts: Mapping[str, Decimal]) -> str:
    return " + ".join(f"{_big(float(v))} {c}" for c, v in sorted(amounts.items()))
