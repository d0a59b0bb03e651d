"""One rendering of values: every report and view gives the same JSON from
``b2b … --json`` and from the HTTP API (money as ``{"amount", "currency"}``,
dates ISO, the same keys)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from b2bcore import B2BCore, FixedClock
from b2bcore.application.queries import QUERIES
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.cli.main import main
from b2bcore_adapters.entrypoints.cli.record import SHOWN
from b2bcore_adapters.entrypoints.http import create_app
from tests.helpers import lose_ev_pilot
from tests.integration.http_api import READER, TOKENS

DAY = AS_OF.isoformat()


@pytest.fixture(scope="module")
def book(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, dict[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('one') / 'book.db'}"
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        account, asset, deal = record_hyowon(core)
        lose_ev_pilot(core, account, asset)
    return url, {"account": str(account), "deal": str(deal)}


def from_cli(capsys: pytest.CaptureFixture[str], url: str, *arguments: str) -> Any:
    assert main(["--db", url, *arguments, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def from_http(url: str, path: str, **query: str) -> Any:
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        response = TestClient(create_app(core, TOKENS)).get(
            f"{path}?{urlencode(query)}", headers=READER
        )
    assert response.status_code == 200, response.text
    return response.json()


CASES = [
    (
        ["renewals", "--as-of", DAY, "--within", "90"],
        "/reports/renewals",
        {"as_of": DAY},
    ),
    (["alerts", "--as-of", DAY], "/alerts", {"as_of": DAY}),
    (
        ["asset-kpis", "--from", "2024-01-01", "--to", DAY],
        "/reports/asset-kpis",
        {"start": "2024-01-01", "end": DAY},
    ),
    (
        ["pipeline-kpis", "--as-of", DAY, "--by", "owner"],
        "/reports/pipeline-kpis",
        {"as_of": DAY, "by": "owner"},
    ),
    (
        ["tiers", "--as-of", DAY, "--by", "region"],
        "/reports/tiers",
        {"as_of": DAY, "by": "region"},
    ),
    (["dashboard", "--as-of", DAY], "/reports/dashboard", {"as_of": DAY}),
    (
        ["win-loss", "--as-of", DAY, "--by", "owner"],
        "/reports/win-loss",
        {"as_of": DAY, "by": "owner"},
    ),
    (["segments", "--as-of", DAY], "/reports/segmentation", {"as_of": DAY}),
    (
        ["grade-suggestions", "--as-of", DAY],
        "/reports/grade-suggestions",
        {"as_of": DAY},
    ),
    (["suggestions", "--as-of", DAY], "/reports/suggestions", {"as_of": DAY}),
    (
        ["lead-funnel", "--as-of", DAY, "--since", "2024-01-01"],
        "/reports/lead-funnel",
        {"as_of": DAY, "since": "2024-01-01"},
    ),
    (["lead-scores", "--as-of", DAY], "/reports/lead-scores", {"as_of": DAY}),
    (["health", "--as-of", DAY], "/reports/health", {"as_of": DAY}),
    (
        ["tier-movement", "--from", "2024-01-01", "--to", DAY],
        "/reports/tier-movement",
        {"start": "2024-01-01", "end": DAY},
    ),
    (["postmortems", "--as-of", DAY], "/reports/postmortems", {"as_of": DAY}),
    (
        ["tiers", "--as-of", DAY, "--by", "horizon"],
        "/reports/tiers",
        {"as_of": DAY, "by": "horizon"},
    ),
]


@pytest.mark.parametrize(("cli", "path", "query"), CASES, ids=[c[0][0] for c in CASES])
def test_a_report_is_the_same_json_from_the_cli_and_http(
    capsys: pytest.CaptureFixture[str],
    book: tuple[str, dict[str, str]],
    cli: list[str],
    path: str,
    query: dict[str, str],
) -> None:
    url, _ = book

    assert from_cli(capsys, url, *cli) == from_http(url, path, **query)


def test_an_account_history_and_a_timeline_are_the_same_json_too(
    capsys: pytest.CaptureFixture[str], book: tuple[str, dict[str, str]]
) -> None:
    url, ids = book
    account, deal = ids["account"], ids["deal"]

    assert from_cli(capsys, url, "history", account, "--as-of", DAY) == from_http(
        url, f"/accounts/{account}/history", as_of=DAY
    )
    assert from_cli(capsys, url, "timeline", deal, "--as-of", DAY) == from_http(
        url, f"/opportunities/{deal}/timeline", as_of=DAY
    )


def test_money_always_carries_its_currency(
    capsys: pytest.CaptureFixture[str], book: tuple[str, dict[str, str]]
) -> None:
    url, _ = book

    (item,) = from_cli(capsys, url, "renewals", "--as-of", DAY)
    kpis = from_cli(capsys, url, "pipeline-kpis", "--as-of", DAY)

    assert item["value"] == {"amount": "23800000", "currency": "KRW"}
    assert kpis["won_value"] == [{"amount": "14500000", "currency": "KRW"}]
    assert kpis["open_value"] == [{"amount": "23800000", "currency": "KRW"}]


def test_an_asset_view_over_http_carries_its_currency(
    book: tuple[str, dict[str, str]],
) -> None:
    url, ids = book
    history = from_http(url, f"/accounts/{ids['account']}/history", as_of=DAY)
    asset = history["assets"][0]["asset_id"]

    view = from_http(url, f"/assets/{asset}")

    assert view["value"] == {"amount": "23800000", "currency": "KRW"}
    assert view["installments"][0]["amount"]["currency"] == "KRW"


def test_the_listings_are_the_same_json_from_the_cli_and_http(
    capsys: pytest.CaptureFixture[str], book: tuple[str, dict[str, str]]
) -> None:
    url, ids = book

    accounts = from_cli(capsys, url, "accounts", "--name", "효원")
    deals = from_cli(capsys, url, "deals", "--as-of", DAY, "--account", ids["account"])

    assert accounts == from_http(url, "/accounts", name="효원")
    assert [a["id"] for a in accounts] == [ids["account"]]
    assert deals == from_http(
        url, "/opportunities", as_of=DAY, account_id=ids["account"]
    )
    assert ids["deal"] in {d["id"] for d in deals}
    assert from_http(url, "/opportunities", as_of=DAY, limit="1") == deals[:1]


def test_b2b_show_prints_a_view_as_http_gives_it(
    capsys: pytest.CaptureFixture[str], book: tuple[str, dict[str, str]]
) -> None:
    url, ids = book
    history = from_http(url, f"/accounts/{ids['account']}/history", as_of=DAY)
    asset = history["assets"][0]["asset_id"]

    for group, path, subject in [
        ("account", "/accounts", ids["account"]),
        ("asset", "/assets", asset),
        ("deal", "/opportunities", ids["deal"]),
    ]:
        assert main(["--db", url, group, "show", subject, "--version", "1"]) == 0
        shown = json.loads(capsys.readouterr().out)

        assert shown == from_http(url, f"{path}/{subject}", version="1")
        assert shown["version"] == 1


def test_every_aggregate_b2b_shows_is_a_query_of_the_catalogue() -> None:
    assert all(QUERIES.get(kind.KIND) for kind in SHOWN)
