"""HTML pages: every text escaped, one self-contained file (no network),
charts embedded; the postmortem pages of a deal and of the win/loss
analysis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from uuid import UUID

import pytest

from b2bcore import B2BCore, FixedClock
from b2bcore.reports.dimensions import Dimension
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.render import charts, html, postmortem
from b2bcore_adapters.render.html import STYLE, table
from tests.helpers import lose_ev_pilot

#: A src or href that would fetch something from the network.
REMOTE = re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", re.IGNORECASE)


def assert_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert not REMOTE.search(page)
    assert "<script" not in page
    assert "<link" not in page


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[B2BCore, UUID, UUID]]:
    with B2BCore.open("memory://", clock=FixedClock(AS_OF)) as core:
        account, asset, deal = record_hyowon(core)
        lost = lose_ev_pilot(core, account, asset, name="EV <pilot> & co")
        core.record_postmortem(
            lost,
            summary="price gap of 12 %",
            root_causes=["late discount approval"],
            lessons=["agree the discount band <before> the offer"],
            on=AS_OF,
        )
        yield core, deal, lost


def test_text_is_escaped_and_html_fragments_are_kept() -> None:
    assert html.escape('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert html.escape(None) == ""
    assert html.escape(html.Html("<b>kept</b>")) == "<b>kept</b>"
    assert "<td><b>1</b></td>" in html.table(["n"], [[html.Html("<b>1</b>")]])
    assert "<td>&lt;b&gt;</td>" in html.table(["n"], [["<b>"]])


def test_a_page_is_one_document_with_its_style_inline() -> None:
    page = html.page(
        "Report <1>",
        html.heading("Part & parcel"),
        html.paragraph("x < y"),
        html.definitions([("key", "value")]),
        html.table(["a", "b"], [[1, None]], caption="numbers"),
    )

    assert_self_contained(page)
    assert "<title>Report &lt;1&gt;</title>" in page
    assert "<h2>Part &amp; parcel</h2>" in page
    assert "<p>x &lt; y</p>" in page
    assert "<dt>key</dt><dd>value</dd>" in page
    assert "<caption>numbers</caption>" in page
    assert '<td class="whole">1</td><td></td>' in page
    assert "<style>" in page


def test_an_svg_chart_is_inlined_without_its_prologue() -> None:
    svg = charts.bar_chart("Bars", {"a": 1.0}, format=charts.ChartFormat.SVG)

    shown = html.figure(svg, alt="bars")

    assert shown.startswith('<figure aria-label="bars"><svg')
    assert "<?xml" not in shown
    assert "<!DOCTYPE" not in shown
    ET.fromstring(shown)


def test_a_png_chart_is_a_data_uri() -> None:
    png = charts.bar_chart("Bars", {"a": 1.0}, format=charts.ChartFormat.PNG)

    shown = html.figure(png, alt="bars")

    assert shown.startswith('<figure><img alt="bars" src="data:image/png;base64,')
    assert not REMOTE.search(shown)


def test_bytes_that_are_not_a_chart_are_refused() -> None:
    with pytest.raises(ValueError, match="neither PNG nor SVG"):
        html.figure(b"GIF89a")


def test_the_timeline_page_tells_the_whole_postmortem(
    story: tuple[B2BCore, UUID, UUID],
) -> None:
    core, _, lost = story

    page = postmortem.timeline_page(core.timeline(lost, as_of=AS_OF))

    assert_self_contained(page)
    assert "<h1>EV &lt;pilot&gt; &amp; co: lost</h1>" in page
    assert "<dt>lost to</dt><dd>Lotte Rental</dd>" in page
    assert "<dt>loss reason</dt><dd>price</dd>" in page
    assert "<dt>cycle (days)</dt><dd>92</dd>" in page
    assert "agree the discount band &lt;before&gt; the offer" in page
    assert "<svg" in page


def test_the_timeline_page_of_a_won_deal_lists_reviews_and_findings(
    story: tuple[B2BCore, UUID, UUID],
) -> None:
    core, deal, _ = story

    page = postmortem.timeline_page(core.timeline(deal, as_of=AS_OF))

    assert "효원 van fleet expansion: won" in page
    assert "#1 legal: insurance clause for night use" in page
    assert "#1 resolved: clause 7.2 amended" in page
    assert "gate_passed" in page
    assert "No postmortem recorded." in page


def test_the_win_loss_page_has_rates_chart_reasons_and_competitors(
    story: tuple[B2BCore, UUID, UUID],
) -> None:
    core, _, _ = story

    page = postmortem.win_loss_page(core.win_loss(by=Dimension.OWNER, as_of=AS_OF))

    assert_self_contained(page)
    assert "<h1>Win/loss on 2024-11-01 by owner</h1>" in page
    assert (
        '<td>kim.seoyeon</td><td class="whole">0</td><td class="whole">1</td>' in page
    )
    assert '<td class="whole">50%</td>' in page
    assert '<td>price</td><td class="whole">1</td>' in page
    assert '<td>Lotte Rental</td><td class="whole">1</td>' in page
    assert "Win rate by owner on 2024-11-01" in page


def test_the_same_report_gives_the_same_page(story: tuple[B2BCore, UUID, UUID]) -> None:
    core, deal, _ = story

    first = postmortem.timeline_page(core.timeline(deal, as_of=AS_OF))
    again = postmortem.timeline_page(core.timeline(deal, as_of=AS_OF))

    assert first == again


def test_numbers_dates_and_ids_are_never_broken_across_lines() -> None:
    shown = table(
        ["date", "amount", "id", "text"],
        [("2016-11-12", "1,096.00 USD", "d27a784b-fca0-5a20-ace4-24294d45bdd7", "Won")],
    )

    assert '<td class="whole">2016-11-12</td>' in shown
    assert '<td class="whole">1,096.00 USD</td>' in shown
    assert '<td class="whole">d27a784b-fca0-5a20-ace4-24294d45bdd7</td>' in shown
    assert "<td>Won</td>" in shown
    assert "td.whole { white-space: nowrap; }" in STYLE
