"""One rendering of values: every report and view gives the same JSON from
``b2b … --json`` and from the HTTP API (money as ``{"amount", "currency"}``,
dates ISO, the same keys)."""

from __future__ import annotations

import inspect
import json
from typing import Any
from urllib.parse import urlencode

import pytest
import typer
from fastapi.testclient import TestClient

from b2bcore import B2BCore, FixedClock
from b2bcore.application.queries import QUERIES
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.cli.main import app, main
from b2bcore_adapters.entrypoints.cli.queries import command_name, option_of
from b2bcore_adapters.entrypoints.cli.record import SHOWN
from b2bcore_adapters.entrypoints.http import create_app
from b2bcore_adapters.render.tables import TABLES
from tests.entrypoints.http.http_api import READER, TOKENS
from tests.helpers import lose_ev_pilot

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


#: What the arguments a query needs are, on the (주)효원 book.
NEEDED = {"start": "2024-01-01", "end": DAY}
#: The ids of the book, by the parameter that takes one.
IDS = {"account_id": "account", "opportunity_id": "deal"}


def asked(name: str, ids: dict[str, str]) -> tuple[list[str], str, dict[str, str]]:
    """The ``b2b`` arguments and the HTTP path and query string that ask
    query ``name`` the same: its positional parameters by id, the options it
    needs, ``as_of`` when it takes one."""
    cli, path, query = [command_name(name)], f"/{QUERIES[name]}", {}
    for p in list(inspect.signature(getattr(B2BCore, name)).parameters.values())[1:]:
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            cli.append(ids[IDS[p.name]])
            path = path.replace(f"{{{p.name}}}", ids[IDS[p.name]])
        elif p.name in NEEDED or p.name == "as_of":
            value = NEEDED.get(p.name, DAY)
            cli += [option_of(p.name), value]
            query[p.name] = value
    return cli, path, query


ASKED = sorted(name for name in TABLES if QUERIES[name] is not None)


@pytest.mark.parametrize("name", ASKED)
def test_every_report_is_the_same_json_from_the_cli_and_http(
    capsys: pytest.CaptureFixture[str], book: tuple[str, dict[str, str]], name: str
) -> None:
    url, ids = book
    cli, path, query = asked(name, ids)

    assert from_cli(capsys, url, *cli) == from_http(url, path, **query)


@pytest.mark.parametrize(
    ("cli", "path", "query"),
    [
        (["tiers", "--by", "horizon"], "/reports/tiers", {"by": "horizon"}),
        (["win-loss", "--by", "owner"], "/reports/win-loss", {"by": "owner"}),
        (["renewals", "--within", "30"], "/reports/renewals", {"within": "30"}),
        (
            ["grade-suggestions", "--changes"],
            "/reports/grade-suggestions",
            {"changes": "true"},
        ),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) else "",
)
def test_the_options_are_the_same_query_parameters(
    capsys: pytest.CaptureFixture[str],
    book: tuple[str, dict[str, str]],
    cli: list[str],
    path: str,
    query: dict[str, str],
) -> None:
    url, _ = book

    got = from_cli(capsys, url, *cli, "--as-of", DAY)

    assert got == from_http(url, path, as_of=DAY, **query)


def test_every_query_the_api_serves_the_command_line_asks_too() -> None:
    """A report is a ``b2b`` sub-command; a view is ``b2b <aggregate> show``;
    the monthly report and the event history have commands of their own."""
    commands = {c.name for c in typer.main.get_group(app).commands.values()}
    own = {"monthly_report": "report", "account_events": "export"}
    for name, route in QUERIES.items():
        if route is None or any(name == kind.KIND for kind in SHOWN):
            continue
        assert (own.get(name) or command_name(name)) in commands, name


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
