"""The generated book of business: the same seed always records the same
log, every aggregate keeps the domain's rules with its dates in order inside
the window, the projections rebuild to what they followed, and the book has
the shape the reports are made for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b2bcore import (
    B2BCore,
    FeedbackKind,
    FixedClock,
    Grade,
    LeadStatus,
    Outcome,
    ValidationError,
)
from b2bcore.domain.account import Account
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.reports.alerts import AlertKind
from b2bcore.reports.asset_kpis import ChurnReason
from b2bcore.reports.renewals import OVERDUE
from b2bcore_adapters.demo import generator
from b2bcore_adapters.demo.generator import GeneratedStory, generate
from b2bcore_adapters.demo.story import hyowon
from tests.readmodels.test_projection_rebuild import read_models

START, END = date(2022, 1, 3), date(2024, 12, 31)

#: An event as stored, its recorded time left out: (topic, originator id,
#: version, decoded fields).
Stored = tuple[str, UUID, int, dict[str, Any]]


def stored_events(core: B2BCore) -> list[Stored]:
    """Every event of the log in order, decoded, without its recorded time."""
    recorder, mapper = core.event_log.recorder, core.event_log.mapper
    events: list[Stored] = []
    position = 0
    while page := recorder.select_notifications(
        start=position, limit=1000, inclusive_of_start=False
    ):
        for notification in page:
            fields = dict(vars(mapper.to_domain_event(notification)))
            del fields["timestamp"]
            events.append(
                (
                    notification.topic,
                    UUID(str(notification.originator_id)),
                    notification.originator_version,
                    fields,
                )
            )
        position = page[-1].id
    return events


def generated(
    accounts: int, seed: int, start: date = START, end: date = END
) -> list[Stored]:
    with B2BCore.open("memory://") as core:
        generate(core, accounts=accounts, seed=seed, start=start, end=end)
        return stored_events(core)


@pytest.fixture(scope="module")
def book() -> Iterator[tuple[B2BCore, GeneratedStory]]:
    """Two hundred accounts, told as of the story's last day."""
    with B2BCore.open("memory://", clock=FixedClock(END)) as core:
        yield core, generate(core, accounts=200, seed=2024)


# -- determinism --------------------------------------------------------------


def test_the_same_seed_records_the_same_events() -> None:
    first = generated(60, seed=11)

    assert generated(60, seed=11) == first
    assert len(first) > 3_000


def test_different_seeds_record_different_stories() -> None:
    assert generated(30, seed=1) != generated(30, seed=2)


def test_a_larger_book_begins_with_the_smaller_one() -> None:
    small, large = generated(20, seed=5), generated(40, seed=5)

    assert len(large) > 1.5 * len(small)
    assert large[: len(small)] == small


# -- the domain's rules -------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    accounts=st.integers(min_value=1, max_value=25),
    before=st.integers(min_value=0, max_value=800),
    after=st.integers(min_value=0, max_value=800),
)
def test_any_seed_size_and_window_is_recorded_without_a_refusal(
    seed: int, accounts: int, before: int, after: int
) -> None:
    start = hyowon.REGISTERED_ON - timedelta(days=before)
    end = hyowon.WON_ON + timedelta(days=after)

    events = generated(accounts, seed, start=start, end=end)

    assert all(start <= fields["effective_on"] <= end for *_, fields in events)


def test_each_aggregate_is_dated_in_order_within_the_window(
    book: tuple[B2BCore, GeneratedStory],
) -> None:
    core, _ = book
    last: dict[UUID, date] = {}
    for _, originator, _, fields in stored_events(core):
        # A correction takes effect on the fact it corrects: it is made later.
        on = fields.get("corrected_on") or fields["effective_on"]
        assert START <= fields["effective_on"] <= on <= END
        assert on >= last.get(originator, on), originator
        last[originator] = on


def test_the_story_counts_what_it_recorded(
    book: tuple[B2BCore, GeneratedStory],
) -> None:
    core, story = book

    topics = Counter(topic for topic, *_ in stored_events(core))

    assert story.events == core.log_position() == topics.total()
    assert (story.accounts, story.assets, story.deals, story.leads) == (
        topics["b2bcore:account:Registered"],
        topics["b2bcore:asset:Purchased"],
        topics["b2bcore:opportunity:Opened"],
        topics["b2bcore:lead:Captured"],
    )
    assert story.accounts == 200


def test_the_book_opens_with_the_hyowon_key_account(
    book: tuple[B2BCore, GeneratedStory],
) -> None:
    core, story = book

    account = core.account(story.hyowon_account)

    assert (account.name, account.grade) == ("(주)효원", Grade.KEY)
    assert core.asset(story.hyowon_asset).fully_paid
    assert core.opportunity(story.hyowon_deal).asset_ids


def test_a_window_without_the_hyowon_story_is_refused() -> None:
    with (
        B2BCore.open("memory://") as core,
        pytest.raises(ValidationError, match="must hold the"),
    ):
        generate(core, accounts=5, start=date(2024, 1, 1))


def test_a_book_needs_an_account() -> None:
    with B2BCore.open("memory://") as core, pytest.raises(ValidationError):
        generate(core, accounts=0)


# -- projections --------------------------------------------------------------


def test_projections_followed_batch_by_batch_equal_a_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator, "BATCH_ACCOUNTS", 15)
    url = f"sqlite:///{tmp_path / 'book.db'}"
    seen: list[tuple[int, int]] = []
    with B2BCore.open(url, clock=FixedClock(END)) as core:

        def follow(done: int, total: int) -> None:
            seen.append((done, total))
            core.projector.catch_up()

        generate(core, accounts=50, seed=3, progress=follow)
        incremental = read_models(core), core.pipeline_kpis(), core.alerts()

        core.projector.rebuild()

        assert (read_models(core), core.pipeline_kpis(), core.alerts()) == incremental
    assert seen == [(1, 50), (16, 50), (31, 50), (46, 50), (50, 50)]


# -- the shape of the book ----------------------------------------------------


def test_deals_are_won_lost_dropped_and_left_open_some_stagnant(
    book: tuple[B2BCore, GeneratedStory],
) -> None:
    core, _ = book

    kpis = core.pipeline_kpis()

    assert kpis.won > kpis.lost > 0
    assert kpis.dropped > 0
    assert kpis.open > len(kpis.stagnant) > 0
    assert 0.3 < (kpis.win_rate or 0) < 0.8
    assert all(kpis.tier(tier).open > 0 for tier in (4, 3, 2, 1))


def test_assets_renew_upsell_churn_and_are_paid_late_or_not_at_all(
    book: tuple[B2BCore, GeneratedStory],
) -> None:
    core, _ = book

    kpis = core.asset_kpis(start=START, end=END)

    assert kpis.renewals > 0
    assert kpis.time_to_renewal_days is not None
    assert kpis.time_to_renewal_days < 0  # most renew before the usage end
    assert 0 < kpis.upsells < kpis.value_changes
    assert kpis.churned_by_reason[ChurnReason.REPLACED] > 0
    assert (
        sum(kpis.churned_by_reason.values())
        > kpis.churned_by_reason[ChurnReason.REPLACED]
    )
    assert 0.8 < (kpis.payment_compliance or 0) < 1
    assert len(kpis.receivables_overdue) == 1  # KRW only


def test_every_kind_of_alert_arises(book: tuple[B2BCore, GeneratedStory]) -> None:
    core, _ = book

    kinds = Counter(alert.kind for alert in core.alerts())

    assert set(kinds) == set(AlertKind)
    assert kinds[AlertKind.DISSATISFACTION] < kinds[AlertKind.RENEWAL] * 3


def test_the_renewal_queue_holds_assets_at_risk(
    book: tuple[B2BCore, GeneratedStory],
) -> None:
    core, _ = book

    due = core.renewal_queue(within=90)

    assert due
    assert {item.bucket for item in due} == {OVERDUE, 30, 60, 90}  # some renew late
    assert any(item.risks for item in due)


def test_the_book_corrects_hears_reviews_edits_and_works_renewal_deals(
    book: tuple[B2BCore, GeneratedStory],
) -> None:
    core, story = book
    topics = Counter(topic for topic, *_ in stored_events(core))
    deals = list(core.projector.states(Opportunity))
    estimated = [d.profitability for d in deals if d.profitability]
    complaints = [
        f for f in core.projector.states(Feedback) if f.kind is FeedbackKind.COMPLAINT
    ]
    renewals = [d for d in deals if d.renews_asset_id is not None]

    assert story.feedback == topics["b2bcore:feedback:Recorded"] > 0
    for correction in ("Satisfaction", "Usage", "Payment"):
        assert topics[f"b2bcore:asset:{correction}Corrected"] > 0
    assert 0 < topics["b2bcore:asset:PaymentReversed"] < topics["b2bcore:asset:Renewed"]
    for edit in ("AmountChanged", "Reassigned", "ExpectedCloseMoved"):
        assert topics[f"b2bcore:opportunity:{edit}"] > 0
    assert estimated
    assert sum(e.margin < 0 for e in estimated) < len(estimated) / 10
    assert all(
        d.profitability.margin >= 0 for d in deals if d.gates_passed and d.profitability
    )
    assert any(c.resolved_on for c in complaints)
    assert any(c.resolved_on is None for c in complaints)
    assert {d.outcome for d in renewals} == {Outcome.WON, Outcome.LOST, None}
    assert any(item.deal_id for item in core.renewal_queue(within=90))


def test_grades_regions_and_leads_look_like_a_real_book(
    book: tuple[B2BCore, GeneratedStory],
) -> None:
    core, _ = book

    grades = Counter(account.grade for account in core.projector.states(Account))
    leads = Counter(lead.status for lead in core.projector.states(Lead))

    assert grades[Grade.KEY] < grades[Grade.MAJOR] < grades[Grade.STANDARD]
    assert set(leads) == set(LeadStatus)
    assert leads[LeadStatus.CONVERTED] > leads[LeadStatus.DISQUALIFIED]
