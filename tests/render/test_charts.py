"""Charts of the reports rendered by matplotlib: PNG and SVG files that are
not empty, parse, carry the report's labels, and are byte-identical for the
same data; without matplotlib, one error saying what to install."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from itertools import combinations
from typing import TYPE_CHECKING
from uuid import UUID

import pytest

from b2bcore import B2BCore, FixedClock
from b2bcore.reports.dimensions import Dimension
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.render import charts
from b2bcore_adapters.render.charts import ChartFormat, ChartsUnavailableError
from tests.helpers import lose_ev_pilot

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
Draw = Callable[[ChartFormat], bytes]
#: The demo book and the ids of its won ("deal") and lost ("lost") deals.
Book = tuple[B2BCore, dict[str, UUID]]


@pytest.fixture(scope="module")
def core() -> Iterator[Book]:
    with B2BCore.open("memory://", clock=FixedClock(AS_OF)) as opened:
        account, asset, deal = record_hyowon(opened)
        lost = lose_ev_pilot(opened, account, asset)
        yield opened, {"deal": deal, "lost": lost}


def report_charts(core: B2BCore, deal: UUID) -> dict[str, Draw]:
    path = core.timeline(deal, as_of=AS_OF)
    matrix = core.tier_matrix(by=Dimension.OWNER, as_of=AS_OF)
    analysis = core.win_loss(by=Dimension.OWNER, as_of=AS_OF)
    queue = core.renewal_queue(as_of=AS_OF, within=90)
    return {
        "tier steps": lambda f: charts.tier_steps_chart(path, format=f),
        "tier matrix": lambda f: charts.tier_matrix_chart(matrix, format=f),
        "win rate": lambda f: charts.win_rate_chart(analysis, format=f),
        "renewal buckets": lambda f: charts.renewal_buckets_chart(
            queue, as_of=AS_OF, format=f
        ),
    }


NAMES = ["tier steps", "tier matrix", "win rate", "renewal buckets"]


@pytest.mark.parametrize("name", NAMES)
def test_each_report_chart_renders_a_png(core: Book, name: str) -> None:
    opened, ids = core

    png = report_charts(opened, ids["deal"])[name](ChartFormat.PNG)

    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 5_000


@pytest.mark.parametrize("name", NAMES)
def test_each_report_chart_renders_an_svg_that_parses(core: Book, name: str) -> None:
    opened, ids = core

    svg = report_charts(opened, ids["deal"])[name](ChartFormat.SVG)

    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(list(root.iter())) > 20


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("format", list(ChartFormat))
def test_the_same_data_gives_the_same_bytes(
    core: Book, name: str, format: ChartFormat
) -> None:
    opened, ids = core

    first = report_charts(opened, ids["deal"])[name](format)
    again = report_charts(opened, ids["deal"])[name](format)

    assert first == again


def test_svg_text_stays_text_so_hangul_is_drawn_by_the_viewer(core: Book) -> None:
    opened, _ = core
    matrix = opened.tier_matrix(by=Dimension.ACCOUNT, as_of=AS_OF)

    svg = charts.tier_matrix_chart(matrix, format=ChartFormat.SVG).decode()

    assert "(주)효원" in svg
    assert "Tier report by account on 2024-11-01" in svg


def test_the_step_chart_names_the_deal_its_outcome_and_days_in_tier(core: Book) -> None:
    opened, ids = core
    path = opened.timeline(ids["lost"], as_of=AS_OF)

    svg = charts.tier_steps_chart(path, format=ChartFormat.SVG).decode()

    assert "EV pilot: lost" in svg
    assert "Tier 0 (lost)" in svg
    assert "92 d" in svg


def test_the_renewal_chart_counts_each_window(core: Book) -> None:
    opened, _ = core
    queue = opened.renewal_queue(as_of=AS_OF, within=90)

    svg = charts.renewal_buckets_chart(queue, as_of=AS_OF, format=ChartFormat.SVG)

    text = svg.decode()
    assert "0–30 days" in text
    assert "61–90 days" in text
    assert "23.8M KRW" in text
    assert "overdue" not in text


def test_the_renewal_chart_shows_the_overdue_assets_before_the_windows(
    core: Book,
) -> None:
    opened, _ = core
    (item,) = opened.renewal_queue(as_of=AS_OF, within=90)
    day_after = item.usage_end_on + timedelta(days=1)
    queue = opened.renewal_queue(as_of=day_after, within=90)

    svg = charts.renewal_buckets_chart(queue, as_of=day_after, format=ChartFormat.SVG)

    text = svg.decode()
    assert text.index("overdue") < text.index("0–30 days")
    assert "lapsed" not in text


def test_the_generic_charts_render_for_other_reports() -> None:
    line = charts.line_chart(
        "Assets by month",
        {
            "active": [(date(2024, 1, 1), 3.0), (date(2024, 2, 1), 5.0)],
            "obsolete": [(date(2024, 1, 1), 0.0), (date(2024, 2, 1), 1.0)],
        },
        y_label="assets",
        format=ChartFormat.SVG,
    )
    bars = charts.bar_chart(
        "Revenue", {"Jan": 1.5, "Feb": 2.0}, whole=True, format=ChartFormat.PNG
    )
    grid = charts.heat_map(
        "Grid", ["a", "b"], ["x", "y"], [[1, 2], [3, 0]], format=ChartFormat.PNG
    )

    texts = set(ET.fromstring(line).itertext())
    assert {"Assets by month", "active", "obsolete"} <= {t.strip() for t in texts}
    assert bars.startswith(PNG_SIGNATURE)
    assert grid.startswith(PNG_SIGNATURE)


def test_empty_reports_still_render() -> None:
    with B2BCore.open("memory://", clock=FixedClock(AS_OF)) as empty:
        matrix = empty.tier_matrix(as_of=AS_OF)
        analysis = empty.win_loss(as_of=AS_OF)

        heat = charts.tier_matrix_chart(matrix, format=ChartFormat.PNG)
        rates = charts.win_rate_chart(analysis, format=ChartFormat.SVG)
        buckets = charts.renewal_buckets_chart((), as_of=AS_OF, format=ChartFormat.PNG)

    assert heat.startswith(PNG_SIGNATURE)
    assert b"n/a" in rates
    assert buckets.startswith(PNG_SIGNATURE)


def test_a_dollar_sign_in_a_name_is_text_not_mathematics() -> None:
    svg = charts.bar_chart("Deal $5 $10", {"$x$": 1.0}, format=ChartFormat.SVG)

    assert b"Deal $5 $10" in svg
    assert b"$x$" in svg


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("tiers.png", ChartFormat.PNG), ("a/b.SVG", ChartFormat.SVG)],
)
def test_the_chart_format_follows_the_file_suffix(
    filename: str, expected: ChartFormat
) -> None:
    assert ChartFormat.of(filename) is expected


@pytest.mark.parametrize("filename", ["tiers.pdf", "tiers"])
def test_other_suffixes_are_refused(filename: str) -> None:
    with pytest.raises(ValueError, match=r"ends in \.png or \.svg"):
        ChartFormat.of(filename)


def test_without_matplotlib_a_chart_asks_for_the_charts_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)

    with pytest.raises(ChartsUnavailableError) as raised:
        charts.bar_chart("Revenue", {"Jan": 1.0}, format=ChartFormat.PNG)

    assert str(raised.value) == "charts need matplotlib: pip install 'b2bcore[charts]'"


# -- labels that never overlap, fonts that draw Hangul -------------------------


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """The figures the charts render, laid out as they were saved."""
    figures: list[Figure] = []
    render = charts._render

    def keep(figure: Figure, format: ChartFormat) -> bytes:
        figures.append(figure)
        return render(figure, format)

    monkeypatch.setattr(charts, "_render", keep)
    return figures


def overlapping(texts: Sequence[Text]) -> list[tuple[str, str]]:
    shown = [t for t in texts if t.get_text()]
    return [
        (a.get_text(), b.get_text())
        for a, b in combinations(shown, 2)
        if a.get_window_extent().overlaps(b.get_window_extent())
    ]


def inside(figure: Figure, texts: Sequence[Text]) -> bool:
    page = figure.bbox
    boxes = [t.get_window_extent() for t in texts if t.get_text()]
    return all(
        page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1
        for b in boxes
    )


@pytest.mark.parametrize("count", [6, 20])
def test_bar_and_tick_labels_never_overlap(drawn: list[Figure], count: int) -> None:
    names = [f"sales rep {n:02} of the Gyeonggi office" for n in range(count)]

    charts.bar_chart(
        "Win rate by owner",
        {name: 40.0 + n for n, name in enumerate(names)},
        labels=[f"{40 + n}% ({n + 10}/{n + 25})" for n in range(count)],
        y_max=110,
        format=ChartFormat.PNG,
    )

    (figure,) = drawn
    figure.draw_without_rendering()
    axes = figure.axes[0]
    assert overlapping(axes.get_xticklabels()) == []
    assert overlapping(axes.texts) == []
    assert inside(figure, [*axes.get_xticklabels(), *axes.texts])


def test_short_labels_of_a_few_bars_stay_level(drawn: list[Figure]) -> None:
    charts.bar_chart("Revenue", {"Jan": 1.5, "Feb": 2.0}, format=ChartFormat.PNG)

    (figure,) = drawn
    assert {t.get_rotation() for t in figure.axes[0].get_xticklabels()} == {0.0}


def test_names_cut_alike_stay_two_bars(drawn: list[Figure]) -> None:
    same_start = "A very long account name that goes on "
    charts.bar_chart(
        "Revenue",
        {same_start + "(North)": 1.0, same_start + "(South)": 2.0},
        format=ChartFormat.PNG,
    )

    (figure,) = drawn
    assert len(figure.axes[0].patches) == 2


def test_heat_map_columns_never_overlap(drawn: list[Figure]) -> None:
    columns = [f"business line {n} overseas" for n in range(8)]

    charts.heat_map(
        "Grid", ["a", "b"], columns, [[1.0] * 8, [2.0] * 8], format=ChartFormat.PNG
    )

    (figure,) = drawn
    figure.draw_without_rendering()
    assert overlapping(figure.axes[0].get_xticklabels()) == []


@pytest.fixture
def no_hint_yet() -> Iterator[None]:
    """The missing-font hint not said yet in this process."""
    charts._warn_no_cjk_font.cache_clear()
    yield
    charts._warn_no_cjk_font.cache_clear()


def test_an_installed_cjk_font_draws_the_text(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    no_hint_yet: None,
) -> None:
    # Matplotlib ships DejaVu Serif: installed wherever the charts run.
    monkeypatch.setattr(charts, "CJK_FONTS", ("DejaVu Serif",))

    svg = charts.bar_chart("(주)효원", {"계약": 1.0}, format=ChartFormat.SVG)
    charts.bar_chart("(주)효원", {"계약": 1.0}, format=ChartFormat.PNG)

    assert b"font-family: 'DejaVu Serif', 'DejaVu Sans'" in svg
    assert caplog.records == []


def test_without_a_cjk_font_hangul_in_a_png_warns_once(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    no_hint_yet: None,
) -> None:
    monkeypatch.setattr(charts, "CJK_FONTS", ("No Such Font KR",))

    charts.bar_chart("Revenue", {"Jan": 1.0}, format=ChartFormat.PNG)
    charts.bar_chart("(주)효원", {"계약": 1.0}, format=ChartFormat.SVG)
    assert caplog.records == []
    charts.bar_chart("(주)효원", {"계약": 1.0}, format=ChartFormat.PNG)
    charts.heat_map("효원", ["가"], ["나"], [[1.0]], format=ChartFormat.PNG)

    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert "fonts-noto-cjk" in record.getMessage()
