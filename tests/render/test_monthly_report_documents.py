"""The monthly report as customer documents: one JSON document and one
self-contained HTML page with a non-empty chart."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from b2bcore import B2BCore
from b2bcore_adapters.render.monthly_report import to_html, to_json, usage_chart
from tests.reports.test_monthly import MAY, the_account


def test_the_json_document_carries_every_figure(memory_core: B2BCore) -> None:
    hyowon, fleet = the_account(memory_core)

    document = json.loads(to_json(memory_core.monthly_report(hyowon, month=MAY)))

    assert (document["month"], document["as_of"]) == ("2024-05-01", "2024-05-31")
    assert document["account"]["id"] == str(hyowon)
    [asset] = document["assets"]
    assert asset["asset_id"] == str(fleet)
    assert (asset["count"], asset["previous_count"]) == (140, 100)
    assert asset["usage_end_on"] == "2024-08-15"
    assert asset["payment"]["outstanding"] == {"amount": "5950000", "currency": "KRW"}
    assert asset["inspections"] == [
        {"number": 1, "completed_on": "2024-05-08", "findings": "Tyres worn"}
    ]
    assert [p["count"] for p in document["trend"]] == [0, 0, 0, 0, 100, 140]


def test_the_html_page_is_self_contained_with_the_chart_inline(
    memory_core: B2BCore,
) -> None:
    hyowon, _ = the_account(memory_core)

    page = to_html(memory_core.monthly_report(hyowon, month=MAY))

    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert page.count("<svg") == 1
    for text in ("(주)효원", "Tyres worn", "2024-08-15", "3/4", "Prepare the renewal"):
        assert text in page


def test_the_chart_draws_a_bar_per_month(memory_core: B2BCore) -> None:
    hyowon, _ = the_account(memory_core)

    chart = usage_chart(memory_core.monthly_report(hyowon, month=MAY))

    root = ElementTree.fromstring(chart)
    texts = {t.strip() for t in root.itertext()}
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(list(root.iter())) > 20
    assert {"2023-12", "2024-05", "100", "140"} <= texts
