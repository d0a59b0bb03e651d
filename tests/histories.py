"""Random valid histories played against b2bcore: the operations hypothesis
draws, and the player that runs them one business day apart (commands the
domain refuses are simply not recorded)."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from b2bcore import (
    B2BCore,
    B2BCoreError,
    BusinessLine,
    ContactChannel,
    LossReason,
    Money,
    ObsoleteReason,
    Temperature,
    UsagePattern,
)
from b2bcore.domain.values import (
    FeedbackCategory,
    FeedbackKind,
    Severity,
    add_months,
)
from tests.helpers import purchase_asset, register_account

index = st.integers(min_value=0, max_value=4)
#: The deals' owners (a deal's index picks one).
OWNERS = ("kim", "lee", "park")
#: The needs feedback names (a grade picks how many).
NEEDS = ("faster delivery", "24h support", "lower price")
operations = st.lists(
    st.one_of(
        st.tuples(st.just("register")),
        st.tuples(st.just("purchase"), index),
        st.tuples(st.just("install"), index, st.booleans()),
        st.tuples(st.just("pay"), index, st.integers(min_value=1, max_value=4)),
        st.tuples(st.just("satisfaction"), index, st.integers(0, 10)),
        st.tuples(st.just("usage"), index, st.integers(0, 500)),
        st.tuples(st.just("competitor"), index),
        st.tuples(st.just("past_usage"), index, st.integers(0, 500), st.integers(1, 8)),
        st.tuples(
            st.just("correct"),
            index,
            st.sampled_from(["reverse", "payment", "score", "usage"]),
            st.integers(0, 10),
        ),
        st.tuples(
            st.just("redate"),
            index,
            st.sampled_from(["move", "outcome"]),
            st.integers(-6, 6),
        ),
        st.tuples(st.just("renew"), index),
        st.tuples(st.just("obsolete"), index),
        st.tuples(st.just("open"), st.integers(min_value=-1, max_value=4)),
        st.tuples(st.just("tier"), index, st.integers(min_value=1, max_value=4)),
        st.tuples(st.just("win"), index),
        st.tuples(st.just("lose"), index),
        st.tuples(st.just("lead"), index),
        st.tuples(st.just("qualify"), index),
        st.tuples(st.just("convert"), index),
        st.tuples(st.just("disqualify"), index),
        st.tuples(st.just("temperature"), index, st.sampled_from(Temperature)),
        st.tuples(st.just("drop"), index),
        st.tuples(st.just("postmortem"), index, index),
        st.tuples(st.just("expect"), index, st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("rep"), index, index),
        st.tuples(
            st.just("feedback"),
            index,
            st.sampled_from(FeedbackKind),
            st.integers(0, 10),
            st.booleans(),
        ),
        st.tuples(st.just("resolve"), index, st.integers(0, 3)),
        st.tuples(st.just("catch_up")),
    ),
    min_size=10,
    max_size=60,
)
#: Every history starts with accounts, assets and deals to work on.
PRELUDE: list[tuple[Any, ...]] = [
    ("register",),
    ("register",),
    *[("purchase", i) for i in range(3)],
    *[("install", i, i == 2) for i in range(3)],
    ("open", 0),
    ("open", -1),
]


class History:
    """Plays operations against one application, one business day apart;
    commands the domain refuses are simply not recorded."""

    def __init__(self, core: B2BCore) -> None:
        self.core = core
        self.day = date(2024, 1, 1)
        self.accounts: list[Any] = []
        self.assets: list[Any] = []
        self.deals: list[Any] = []
        self.reps: set[str] = set()
        self.leads: list[Any] = []
        self.feedback_ids: list[Any] = []

    def play(self, operation: tuple[Any, ...]) -> None:
        self.day += timedelta(days=3)
        name, *args = operation
        with contextlib.suppress(B2BCoreError, LookupError):
            getattr(self, name)(*args)

    @staticmethod
    def _pick(items: list[Any], i: int) -> Any:
        if not items:
            raise LookupError("nothing to pick yet")
        return items[i % len(items)]

    def register(self) -> None:
        self.accounts.append(
            register_account(self.core, name=f"A{len(self.accounts)}", on=self.day)
        )

    def purchase(self, i: int) -> None:
        self.assets.append(
            purchase_asset(
                self.core,
                self._pick(self.accounts, i),
                # A fleet size and a tier the suggestions read.
                product=f"{('Fleet Basic', 'EV fleet')[i % 2]} ({i + 1} vehicles)",
                on=self.day,
            )
        )

    def install(self, i: int, evergreen: bool) -> None:
        end = None if evergreen else self.day + timedelta(days=365)
        self.core.install_asset(
            self._pick(self.assets, i), usage_end_on=end, on=self.day
        )

    def pay(self, i: int, number: int) -> None:
        due = self.core.asset(self._pick(self.assets, i)).installments[number - 1]
        self.core.pay_installment(
            self._pick(self.assets, i), number=number, amount=due.amount, on=self.day
        )

    def satisfaction(self, i: int, score: int) -> None:
        self.core.record_satisfaction(
            self._pick(self.assets, i), score=score, on=self.day
        )

    def usage(self, i: int, count: int) -> None:
        self.core.record_usage(
            self._pick(self.assets, i),
            period=self.day,
            count=count,
            distance_km=count * 20,
            region="Seoul",
            pattern=UsagePattern.COMMUTE,
            on=self.day,
        )

    def past_usage(self, i: int, count: int, back: int) -> None:
        """Usage of each of the ``back`` months before this one not yet
        recorded, falling from ``count`` (reported today: an asset builds a
        usage trend within a short history)."""
        asset_id = self._pick(self.assets, i)
        recorded = {u.period for u in self.core.asset(asset_id).usage}
        for months in range(back, 0, -1):
            period = add_months(self.day, -months).replace(day=1)
            if period not in recorded:
                self.core.record_usage(
                    asset_id,
                    period=period,
                    count=count * months // back,
                    distance_km=count * 20,
                    region="Seoul",
                    pattern=UsagePattern.COMMUTE,
                    on=self.day,
                )

    def competitor(self, i: int) -> None:
        self.core.report_competitor_contact(
            self._pick(self.assets, i), competitor="Socar", on=self.day
        )

    def correct(self, i: int, fact: str, value: int) -> None:
        """Correct the asset's latest payment (reversed, or paid ``value``
        days later), satisfaction score (to ``value``) or usage month (to
        ``value`` uses), as of its own day."""
        asset_id = self._pick(self.assets, i)
        asset = self.core.asset(asset_id)
        if fact in ("reverse", "payment"):
            p = asset.payments[-1]
            if fact == "reverse":
                self.core.reverse_payment(
                    asset_id, number=p.number, reason="bounced", on=self.day
                )
            else:
                self.core.correct_payment(
                    asset_id,
                    number=p.number,
                    paid_on=p.paid_on + timedelta(days=value),
                    reason="typo",
                    on=self.day,
                )
        elif fact == "score":
            s = asset.satisfaction[-1]
            self.core.correct_satisfaction(
                asset_id,
                recorded_on=s.recorded_on,
                score=value,
                reason="typo",
                on=self.day,
            )
        else:
            u = asset.usage[-1]
            self.core.correct_usage(
                asset_id,
                period=u.period,
                count=value,
                distance_km=value * 20,
                reason="typo",
                on=self.day,
            )

    def redate(self, i: int, fact: str, shift: int) -> None:
        """Correct the outcome date of a closed deal, or a tier move booked
        late: an open deal (else a closed one that moved) moves a tier
        today, and its latest move after the opening is corrected to
        ``shift`` days from the day it was recorded (as of today)."""
        if fact == "outcome":
            deals = [self.core.opportunity(d) for d in self.deals]
            deal = self._pick([d for d in deals if d.closed_on is not None], i)
            self.core.correct_outcome_date(
                deal.id,
                closed_on=deal.closed_on + timedelta(days=shift),
                reason="typo",
                on=self.day,
            )
            return
        deals = [self.core.opportunity(d) for d in self.deals]
        deal = self._pick(
            [d for d in deals if d.closed_on is None]
            or [d for d in deals if len(d.tier_history) > 2],
            i,
        )
        if deal.closed_on is None:
            tier = deal.tier - 1 if deal.tier > 1 else 2
            self.core.change_tier(deal.id, tier=tier, on=self.day)
            deal = self.core.opportunity(deal.id)
        position = len(deal.tier_history) - 1 - (deal.closed_on is not None)
        self.core.correct_tier_move(
            deal.id,
            position=position,
            moved_on=deal.tier_history[position].moved_on + timedelta(days=shift),
            reason="typo",
            on=self.day,
        )

    def renew(self, i: int) -> None:
        end = self.core.asset(self._pick(self.assets, i)).usage_end_on
        if end is None:
            raise LookupError("an open-ended or uninstalled asset has no end")
        self.core.renew_asset(
            self._pick(self.assets, i),
            usage_end_on=end + timedelta(days=365),
            on=self.day,
        )

    def obsolete(self, i: int) -> None:
        self.core.make_asset_obsolete(
            self._pick(self.assets, i), reason_code=ObsoleteReason.PRICE, on=self.day
        )

    def open(self, i: int) -> None:
        self.deals.append(
            self.core.open_opportunity(
                account_id=None if i < 0 else self._pick(self.accounts, i),
                name=f"deal {len(self.deals)}",
                amount=Money.of(1_000_000, "KRW"),
                owner=OWNERS[i % len(OWNERS)],
                business_line=BusinessLine.DOMESTIC,
                region="Seoul",
                country="KR",
                product="fleet",
                expected_close_on=self.day + timedelta(days=90),
                on=self.day,
            )
        )

    def tier(self, i: int, tier: int) -> None:
        self.core.change_tier(self._pick(self.deals, i), tier=tier, on=self.day)

    def win(self, i: int) -> None:
        self.core.win_opportunity(
            self._pick(self.deals, i), value=Money.of(900_000, "KRW"), on=self.day
        )

    def lose(self, i: int) -> None:
        self.core.lose_opportunity(
            self._pick(self.deals, i),
            reason_code=LossReason.PRICE,
            competitor="Socar" if i % 2 else None,
            on=self.day,
        )

    def lead(self, i: int) -> None:
        self.leads.append(
            self.core.capture_lead(
                company=f"prospect {i}",
                source=("web", "referral", "fair")[i % 3],
                temperature=Temperature.WARM,
                contact="Kim" if i % 2 else None,
                on=self.day,
            )
        )

    def qualify(self, i: int) -> None:
        self.core.qualify_lead(
            self._pick(self.leads, i), contact="Kim", need="EV fleet", on=self.day
        )

    def convert(self, i: int) -> None:
        self.deals.append(
            self.core.convert_lead(
                self._pick(self.leads, i),
                name=f"deal {len(self.deals)}",
                amount=Money.of(1_000_000, "KRW"),
                owner=OWNERS[i % len(OWNERS)],
                business_line=BusinessLine.DOMESTIC,
                region="Seoul",
                country="KR",
                product="fleet",
                expected_close_on=self.day + timedelta(days=400),
                on=self.day,
            )
        )

    def disqualify(self, i: int) -> None:
        self.core.disqualify_lead(
            self._pick(self.leads, i), reason="no budget", on=self.day
        )

    def temperature(self, i: int, temperature: Temperature) -> None:
        self.core.change_lead_temperature(
            self._pick(self.leads, i), temperature=temperature, on=self.day
        )

    def drop(self, i: int) -> None:
        self.core.drop_opportunity(
            self._pick(self.deals, i), reason="no budget", on=self.day
        )

    def postmortem(self, i: int, cause: int) -> None:
        """A postmortem naming one or two of a few root causes and lessons."""
        causes = ("price", "late proposal", "no champion", "price ", "support")
        self.core.record_postmortem(
            self._pick(self.deals, i),
            summary="reviewed",
            root_causes=causes[cause : cause + 2],
            lessons=[causes[(cause + i) % len(causes)]],
            on=self.day,
        )

    def expect(self, i: int, months: int) -> None:
        """Move the deal's expected close to ``months`` × 30 days from today."""
        self.core.move_expected_close(
            self._pick(self.deals, i),
            expected_close_on=self.day + timedelta(days=30 * months),
            reason="customer said so",
            on=self.day,
        )

    def rep(self, owner: int, manager: int) -> None:
        """Register the owner as a sales rep, or move them to a new manager."""
        name = OWNERS[owner % len(OWNERS)]
        boss = f"manager {manager}"
        if name in self.reps:
            self.core.reassign_sales_rep(name, manager=boss, office="HQ", on=self.day)
        else:
            self.core.register_sales_rep(
                name=name, manager=boss, office="HQ", on=self.day
            )
            self.reps.add(name)

    def feedback(self, i: int, kind: FeedbackKind, grade: int, on_asset: bool) -> None:
        """A survey scored ``grade``, a complaint of the severity ``grade``
        picks, or an interview, naming ``grade`` % 4 needs; about an asset
        (and its account) or an account."""
        asset_id = self._pick(self.assets, i) if on_asset else None
        account_id = (
            self._pick(self.accounts, i)
            if asset_id is None
            else self.core.asset(asset_id).account_id
        )
        self.feedback_ids.append(
            self.core.record_feedback(
                account_id=account_id,
                asset_id=asset_id,
                kind=kind,
                channel=ContactChannel.PHONE,
                category=FeedbackCategory.DELIVERY,
                severity=list(Severity)[grade % 4]
                if kind is FeedbackKind.COMPLAINT
                else None,
                score=grade if kind is FeedbackKind.SURVEY else None,
                needs=NEEDS[: grade % 4],
                on=self.day,
            )
        )

    def resolve(self, i: int, back: int) -> None:
        """Resolve a complaint, ``back`` days ago (before it was raised is
        refused)."""
        self.core.resolve_complaint(
            self._pick(self.feedback_ids, i),
            resolution="called back",
            on=self.day - timedelta(days=back),
        )

    def catch_up(self) -> None:
        self.core.projector.catch_up()
