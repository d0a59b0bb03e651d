"""For random facts of an asset — usage months, satisfaction scores,
installments and payments, competitor contacts, complaints about it or its
account — on any date and under any valid points: the health score is
within 0..100, each input's points within its documented range, the score
is the sum of the points shown, the renewal likelihood never falls as the
score rises, an account's score lies between its assets', and one more open
complaint or a better satisfaction score never moves the score the wrong
way. (The report equals the oracle on every store:
tests/readmodels/test_report_tables.py.)"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from b2bcore import ContactChannel, Money
from b2bcore.application.settings import HealthScoring, Settings
from b2bcore.domain.values import (
    CompetitorContact,
    FeedbackCategory,
    FeedbackKind,
    Grade,
    Installment,
    MonthlyUsage,
    Payment,
    SatisfactionScore,
    Severity,
    UsagePattern,
)
from b2bcore.readmodels.facts.records import AccountFacts, AssetFacts, FeedbackFacts
from b2bcore.reports.health import (
    Health,
    Likelihood,
    account_health,
    health,
    likelihood,
)

START = date(2024, 1, 1)
ACCOUNT = UUID(int=1)
days = st.integers(0, 420).map(lambda n: START + timedelta(days=n))
usage_months = st.dictionaries(
    st.integers(0, 12),
    st.tuples(st.integers(0, 500), st.integers(0, 40)),
    max_size=10,
)
installments = st.lists(
    st.tuples(st.booleans(), st.integers(-20, 60)), max_size=8
)  # (paid, days from due to payment)
complaints = st.lists(
    st.tuples(
        st.sampled_from(Severity), days, st.none() | st.integers(0, 60), st.booleans()
    ),
    max_size=6,
)  # (severity, recorded on, resolved after, about the asset)
points = st.integers(0, 30)


@st.composite
def scorings(draw: Any) -> HealthScoring:
    """Valid points: at most 100 in all; thresholds 0 ≤ medium ≤ high ≤ 100."""
    parts = draw(
        st.lists(points, min_size=5, max_size=5).filter(lambda p: sum(p) <= 100)
    )
    medium, high = sorted(draw(st.lists(st.integers(0, 100), min_size=2, max_size=2)))
    return HealthScoring(
        usage=parts[0],
        satisfaction=parts[1],
        complaints=parts[2],
        payments=parts[3],
        competitor=parts[4],
        complaint_weights={s: draw(st.integers(0, 25)) for s in Severity},
        late_payment=draw(st.integers(0, 25)),
        overdue_installment=draw(st.integers(0, 25)),
        high=high,
        medium=medium,
    )


@st.composite
def assets(draw: Any) -> AssetFacts:
    paying = draw(installments)
    plan = [
        Installment(n + 1, START + timedelta(days=30 * (n + 1)), Money.of(1, "KRW"))
        for n in range(len(paying))
    ]
    paid = [
        Payment(
            i.number,
            i.amount,
            i.due_on + timedelta(days=after),
            after > 0,
        )
        for i, (pays, after) in zip(plan, paying, strict=True)
        if pays
    ]
    return AssetFacts(
        id=uuid4(),
        account_id=ACCOUNT,
        owner="park",
        product="fleet",
        purchased_on=START,
        installed_on=START,
        usage_end_on=None,
        obsolete_on=None,
        obsolete_reason=None,
        value=Money.of(1_000, "KRW"),
        installments=tuple(plan),
        payments=tuple(paid),
        renewals=(),
        upgrades=(),
        satisfaction=tuple(
            SatisfactionScore(on, score, "")
            for on, score in draw(st.lists(st.tuples(days, st.integers(0, 10))))
        ),
        usage=tuple(
            MonthlyUsage(
                date(2024 + m // 12, m % 12 + 1, 1),
                count,
                0,
                "Seoul",
                UsagePattern.COMMUTE,
                date(2024 + m // 12, m % 12 + 1, 1) + timedelta(days=late),
            )
            for m, (count, late) in sorted(draw(usage_months).items())
        ),
        competitor_contacts=tuple(
            CompetitorContact(on, "Socar", "") for on in draw(st.lists(days))
        ),
    )


def complaint_facts(asset: AssetFacts, drawn: list[Any]) -> list[FeedbackFacts]:
    return [
        FeedbackFacts(
            id=uuid4(),
            account_id=ACCOUNT,
            asset_id=asset.id if on_asset else None,
            kind=FeedbackKind.COMPLAINT,
            channel=ContactChannel.PHONE,
            category=FeedbackCategory.DELIVERY,
            severity=severity,
            score=None,
            recorded_on=on,
            resolved_on=None if after is None else on + timedelta(days=after),
            needs=(),
        )
        for severity, on, after, on_asset in drawn
    ]


def check_ranges(found: Health, scoring: HealthScoring) -> None:
    p = found.points
    for got, most in (
        (p.usage, scoring.usage),
        (p.satisfaction, scoring.satisfaction),
        (p.complaints, scoring.complaints),
        (p.payments, scoring.payments),
        (p.competitor, scoring.competitor),
    ):
        assert 0 <= got <= most
    assert (
        found.score
        == p.total
        == (p.usage + p.satisfaction + p.complaints + p.payments + p.competitor)
    )
    assert 0 <= found.score <= scoring.most <= 100
    assert found.likelihood is likelihood(found.score, scoring)


RANK = {Likelihood.LOW: 0, Likelihood.MEDIUM: 1, Likelihood.HIGH: 2}


@settings(max_examples=300, deadline=None)
@given(
    asset=assets(),
    drawn=complaints,
    day=days,
    scoring=st.just(HealthScoring()) | scorings(),
    competitor_days=st.integers(1, 120),
)
def test_the_score_is_the_sum_of_its_inputs_within_their_ranges(
    asset: AssetFacts,
    drawn: list[Any],
    day: date,
    scoring: HealthScoring,
    competitor_days: int,
) -> None:
    rules = Settings(health=scoring, competitor_risk_days=competitor_days)

    found = health(asset, day, rules, complaint_facts(asset, drawn))

    check_ranges(found, scoring)
    assert sum(found.inputs.open_complaints.values()) <= len(drawn)
    assert found.inputs.late_payments <= len(asset.payments)
    assert found.inputs.overdue <= len(asset.installments)


@given(scoring=scorings(), lower=st.integers(0, 100), higher=st.integers(0, 100))
def test_a_higher_score_never_has_a_lower_likelihood(
    scoring: HealthScoring, lower: int, higher: int
) -> None:
    lower, higher = sorted((lower, higher))

    assert RANK[likelihood(lower, scoring)] <= RANK[likelihood(higher, scoring)]


@settings(max_examples=200, deadline=None)
@given(asset=assets(), drawn=complaints, day=days, severity=st.sampled_from(Severity))
def test_one_more_open_complaint_never_raises_the_score(
    asset: AssetFacts, drawn: list[Any], day: date, severity: Severity
) -> None:
    rules = Settings()
    before = health(asset, day, rules, complaint_facts(asset, drawn))

    after = health(
        asset, day, rules, complaint_facts(asset, [*drawn, (severity, day, None, True)])
    )

    assert after.score <= before.score
    assert after.points.complaints <= before.points.complaints


@settings(max_examples=200, deadline=None)
@given(asset=assets(), day=days, score=st.integers(0, 10), better=st.integers(0, 10))
def test_a_better_latest_score_never_lowers_the_health(
    asset: AssetFacts, day: date, score: int, better: int
) -> None:
    rules = Settings()
    score, better = sorted((score, better))

    def scored(latest: int) -> Health:
        scores = (*asset.satisfaction, SatisfactionScore(day, latest, ""))
        return health(attrs.evolve(asset, satisfaction=scores), day, rules)

    assert scored(score).score <= scored(better).score
    assert scored(score).inputs.satisfaction == score


@settings(max_examples=100, deadline=None)
@given(
    found=st.lists(st.tuples(assets(), days), min_size=1, max_size=5),
    scoring=scorings(),
)
def test_an_accounts_score_lies_between_its_assets(
    found: list[tuple[AssetFacts, date]], scoring: HealthScoring
) -> None:
    rules = Settings(health=scoring)
    healths = [health(asset, day, rules) for asset, day in found]
    account = AccountFacts(
        ACCOUNT, "(주)효원", Grade.KEY, "logistics", ContactChannel.EMAIL, START
    )

    whole = account_health(account, healths, scoring)

    assert min(h.score for h in healths) <= whole.score <= max(h.score for h in healths)
    assert whole.assets == len(healths)
    assert whole.likelihood is likelihood(whole.score, scoring)
