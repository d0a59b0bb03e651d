"""A seeded, realistic book of business of a car-sharing company's B2B
sales, recorded into a ``B2BCore``.

``generate(core, accounts=N)`` registers the sales team, records the
"(주)효원" key-account story, then N − 1 generated accounts with their fleet
subscriptions (installed, billed, used, inspected, surveyed, complained
about, renewed — directly or through a renewal deal —, upgraded, replaced or
churned, with a few recorded facts corrected), their deals through the tiers
(some edited on the way) and the value review board (with cost and price
estimates), the voice of their customers (surveys, interviews and
complaints), and leads, some of prospects that never became accounts.

Everything is drawn from one ``random.Random(seed)`` and no clock, and every
id is derived from the seed: the same seed, size and window always record the
same events on the same business dates, and the first accounts of a larger
story are those of a smaller one. The aggregates are built with the domain
classes and saved a hundred accounts at a time, each batch atomically.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from uuid import UUID

import attrs

from b2bcore import (
    B2BCore,
    ContactChannel,
    FeedbackCategory,
    FeedbackKind,
    Grade,
    ValidationError,
    deterministic_id,
)
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.values import add_months
from b2bcore_adapters.demo.story import hyowon, leads
from b2bcore_adapters.demo.story.assets import (
    SCORES,
    AssetLife,
    Subscription,
    subscription,
)
from b2bcore_adapters.demo.story.calendar import Cursor, PastTheEnd, later
from b2bcore_adapters.demo.story.deals import DealStory, Fate, Proposal, open_deal
from b2bcore_adapters.demo.story.parties import (
    Customer,
    SalesTeam,
    acting,
    draw_customer,
)
from b2bcore_adapters.demo.story.vocabulary import (
    ACCOUNT_LEAD_SOURCES,
    EXPANSION_NEEDS,
    LEAD_SOURCES,
    NEEDS,
    NEEDS_HEARD,
    PRAISE,
    SURVEY_TOPICS,
    TEMPERATURES,
    Weighted,
    one_of,
)

#: Fleet subscriptions an account comes to hold, by grade.
FLEETS: Mapping[Grade, Weighted[int]] = {
    Grade.KEY: Weighted({2: 3, 3: 4, 4: 3}),
    Grade.MAJOR: Weighted({1: 3, 2: 4, 3: 2, 4: 1}),
    Grade.STANDARD: Weighted({1: 6, 2: 3, 3: 1}),
}
#: Fleets of the first order (at most the account's fleets).
FIRST_ORDER_FLEETS = Weighted({1: 6, 2: 4})
#: Expansion deals that will not be won, by grade.
UNWON_EXPANSIONS: Mapping[Grade, Weighted[int]] = {
    Grade.KEY: Weighted({0: 1, 1: 3, 2: 3, 3: 1}),
    Grade.MAJOR: Weighted({0: 3, 1: 4, 2: 1}),
    Grade.STANDARD: Weighted({0: 6, 1: 3}),
}
UNWON = Weighted({Fate.LOST: 50, Fate.DROPPED: 20, Fate.STALLED: 30})
#: The share of accounts whose first order came through a tracked deal.
FIRST_ORDER_BY_DEAL = 0.45
#: Leads of prospects (companies that are not accounts) per account.
PROSPECT_LEADS = Weighted({0: 2, 1: 3, 2: 3, 3: 2})
PROSPECT_CONVERTED = 0.35
PROSPECT_FATES = Weighted({Fate.LOST: 65, Fate.DROPPED: 15, Fate.STALLED: 20})
#: The voice of an account's customer, heard once a year from its first
#: order: the chance of a survey (by e-mail), and of an interview (a key or
#: major account, at a visit).
YEARLY_SURVEY_SHARE = 0.5
YEARLY_INTERVIEW_SHARE = {Grade.KEY: 0.6, Grade.MAJOR: 0.3, Grade.STANDARD: 0.0}
#: Accounts register within this first share of the story's window.
REGISTRATION_SHARE = 0.6
BATCH_ACCOUNTS = 100
FIRST_ORDER_NUMBER = 1_000


@attrs.frozen
class GeneratedStory:
    """What ``generate`` recorded: counts, and the "(주)효원" ids."""

    accounts: int
    assets: int
    deals: int
    leads: int
    feedback: int
    events: int
    hyowon_account: UUID
    hyowon_asset: UUID
    hyowon_deal: UUID

    @property
    def hyowon(self) -> tuple[UUID, UUID, UUID]:
        """(account, asset, deal), as ``demo.describe`` takes them."""
        return self.hyowon_account, self.hyowon_asset, self.hyowon_deal


def generate(
    core: B2BCore,
    *,
    accounts: int,
    seed: int = 2024,
    start: date = date(2022, 1, 3),
    end: date = date(2024, 12, 31),
    progress: Callable[[int, int], None] | None = None,
) -> GeneratedStory:
    """Record ``accounts`` accounts, the first "(주)효원", into an empty
    ``core``, every business date within ``[start, end]`` (which must hold
    the (주)효원 story). ``progress`` is called with (accounts recorded,
    accounts) after (주)효원 and after each batch."""
    _check_arguments(accounts, start, end)
    first_position = core.log_position()
    team = SalesTeam()
    team.register(core, start)
    account, asset, deal = hyowon.record_hyowon(core)
    if progress is not None:
        progress(1, accounts)
    book = Book(seed, team, start, end)
    recorded: Counter[type[DomainAggregate]] = Counter()
    for first in range(1, accounts, BATCH_ACCOUNTS):
        batch: list[DomainAggregate] = []
        for number in range(first, min(first + BATCH_ACCOUNTS, accounts)):
            batch += AccountStory(book, number).tell()
        core.save(*batch)
        recorded.update(type(aggregate) for aggregate in batch)
        if progress is not None:
            progress(min(first + BATCH_ACCOUNTS, accounts), accounts)
    expansion = core.opportunity(deal)
    renewal = core.asset(asset).renewal_deal_id
    return GeneratedStory(
        accounts=accounts,
        assets=recorded[Asset] + 1 + len(expansion.asset_ids),
        deals=recorded[Opportunity] + 1 + (renewal is not None),
        leads=recorded[Lead] + (expansion.lead_id is not None),
        feedback=recorded[Feedback] + len(hyowon.FEEDBACK),
        events=core.log_position() - first_position,
        hyowon_account=account,
        hyowon_asset=asset,
        hyowon_deal=deal,
    )


def _check_arguments(accounts: int, start: date, end: date) -> None:
    if isinstance(accounts, bool) or not isinstance(accounts, int) or accounts < 1:
        raise ValidationError(
            "generator", "accounts", f"must be at least 1: {accounts!r}"
        )
    if start > hyowon.REGISTERED_ON or end < hyowon.WON_ON:
        raise ValidationError(
            "generator",
            "start/end",
            f"the window {start}..{end} must hold the (주)효원 story "
            f"({hyowon.REGISTERED_ON}..{hyowon.WON_ON})",
        )


class Book:
    """What every account's story shares: the seed's random numbers, the
    sales team, the window and the running order number."""

    def __init__(self, seed: int, team: SalesTeam, start: date, end: date) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.team = team
        self.start = start
        self.end = end
        self.registration_days = int((end - start).days * REGISTRATION_SHARE)
        self._orders = FIRST_ORDER_NUMBER

    def id(self, kind: str, *parts: int) -> UUID:
        return deterministic_id(kind, "-".join(map(str, ("gen", self.seed, *parts))))

    def order_reference(self) -> str:
        self._orders += 1
        return f"Order {self._orders:08d}"


class AccountStory:
    """Account ``number`` of the book: its registration, its first fleets
    (ordered directly or through a won deal), expansion deals, and the
    prospect leads its rep worked in the meantime."""

    def __init__(self, book: Book, number: int) -> None:
        self.book = book
        self.rng = book.rng
        self.number = number
        registered_on = later(book.start, self.rng, 0, book.registration_days)
        self.customer = draw_customer(
            book.id("account", number), registered_on, book.team, self.rng
        )
        self.account = self.customer.register()
        self.aggregates: list[DomainAggregate] = [self.account]
        self._drawn = 0
        #: The day the first fleet was ordered (None before).
        self.customer_since: date | None = None

    def tell(self) -> list[DomainAggregate]:
        """Every aggregate of the account's story, its events pending."""
        rng = self.rng
        grade = self.customer.grade
        fleets = FLEETS[grade].draw(rng)
        first = min(fleets, FIRST_ORDER_FLEETS.draw(rng))
        if rng.random() < FIRST_ORDER_BY_DEAL:
            self._win_first_order(first)
        else:
            self._order_directly(first)
        if self.customer_since is not None:
            fates = [Fate.WON] * (fleets - first) + [
                UNWON.draw(rng) for _ in range(UNWON_EXPANSIONS[grade].draw(rng))
            ]
            for fate in fates:
                self._expand(fate, self.customer_since)
            self._hear_the_customer(self.customer_since)
        for _ in range(PROSPECT_LEADS.draw(rng)):
            self._work_prospect()
        return self.aggregates

    # -- the account's book (what an asset's life adds) -----------------------

    def new_id(self, kind: str) -> UUID:
        self._drawn += 1
        return self.book.id(kind, self.number, self._drawn)

    def keep(self, aggregate: DomainAggregate) -> None:
        self.aggregates.append(aggregate)

    # -- fleets ---------------------------------------------------------------

    def _order_directly(self, fleets: int) -> None:
        """The first order came in before deals were tracked."""
        on = later(self.customer.registered_on, self.rng, 0, 20)
        if on > self.book.end:
            return
        for _ in range(fleets):
            sold = subscription(self.rng, self.customer.grade)
            self._live(self._purchase(sold, on), sold)

    def _purchase(self, sold: Subscription, on: date) -> Asset:
        self.customer_since = self.customer_since or on
        asset = Asset.purchase(
            self.new_id("asset"),
            account_id=self.account.id,
            product=sold.title,
            order_reference=self.book.order_reference(),
            contact=self.customer.contact,
            value=sold.value,
            installments=sold.plan(add_months(on, 1)),
            owner=self.customer.owner,
            on=on,
            meta=acting(self.customer.owner),
        )
        self.aggregates.append(asset)
        return asset

    def _live(
        self, asset: Asset, sold: Subscription, install_on: date | None = None
    ) -> None:
        life = AssetLife(asset, sold, self.customer, self, self.rng, self.book.end)
        life.live(install_on or later(asset.purchased_on, self.rng, 3, 21))

    def order_successor(self, on: date, install_on: date, sold: Subscription) -> UUID:
        successor = self._purchase(sold, on)
        self._live(successor, sold, install_on)
        return successor.id

    # -- deals ----------------------------------------------------------------

    def _win_first_order(self, fleets: int) -> None:
        """Marketing's lead became the deal that brought the first fleets."""
        self._deal_from_lead(
            Fate.WON,
            later(self.customer.registered_on, self.rng, 0, 10),
            fleets,
            kind="new fleet",
            source=one_of(self.rng, LEAD_SOURCES),
            need=one_of(self.rng, NEEDS),
        )

    def _expand(self, fate: Fate, since: date) -> None:
        """A deal for one more fleet, opened some time after the first order."""
        rng = self.rng
        first_day = since + timedelta(days=60)
        if first_day > self.book.end:
            return
        on = later(first_day, rng, 0, (self.book.end - first_day).days)
        if rng.random() < 0.5:
            self._deal_from_lead(
                fate,
                on,
                1,
                kind="expansion",
                source=one_of(rng, ACCOUNT_LEAD_SOURCES),
                need=one_of(rng, EXPANSION_NEEDS),
            )
        else:
            self._deal(fate, on, 1, kind="expansion")

    def _deal_from_lead(
        self,
        fate: Fate,
        on: date,
        fleets: int,
        *,
        kind: str,
        source: str,
        need: str,
    ) -> None:
        """The account's lead, captured ``on``, becomes a deal once qualified."""
        if on <= self.book.end:
            lead, cursor = self._capture(self.customer, on, source)
            self._convert(lead, cursor, self.customer, need, fate, fleets, kind)

    def _capture(self, company: Customer, on: date, source: str) -> tuple[Lead, Cursor]:
        """Marketing captures a lead of ``company``; its story goes on from
        the returned cursor."""
        lead = leads.capture(
            self.new_id("lead"),
            company=company.name,
            source=source,
            temperature=TEMPERATURES.draw(self.rng),
            account_id=company.id,
            on=on,
        )
        self.aggregates.append(lead)
        return lead, Cursor(on, self.book.end, self.rng)

    def _convert(
        self,
        lead: Lead,
        cursor: Cursor,
        company: Customer,
        need: str,
        fate: Fate,
        fleets: int,
        kind: str,
    ) -> None:
        """Qualify the lead and open its deal, unless the story ends first."""
        try:
            leads.qualify(
                lead,
                cursor,
                self.rng,
                contact=company.contact,
                need=need,
                by=company.owner,
            )
            opened_on = cursor.wait(1, 7)
        except PastTheEnd:
            return
        deal = self._deal(
            fate, opened_on, fleets, kind=kind, lead_id=lead.id, customer=company
        )
        leads.convert(lead, deal)

    def _deal(
        self,
        fate: Fate,
        on: date,
        fleets: int,
        *,
        kind: str,
        lead_id: UUID | None = None,
        customer: Customer | None = None,
    ) -> Opportunity:
        """Open a deal for ``fleets`` fleets of one product and play it out;
        a won one's fleets start their lives."""
        rng = self.rng
        customer = customer or self.customer
        first = subscription(rng, customer.grade)
        lines = (
            first,
            *(
                subscription(rng, customer.grade, first.product)
                for _ in range(fleets - 1)
            ),
        )
        proposal = Proposal(
            f"{customer.name} {first.product.name} {kind}", first.product, lines
        )
        deal = open_deal(
            self.new_id("opportunity"), customer, proposal, on, rng, lead_id
        )
        self.aggregates.append(deal)
        story = DealStory(
            deal,
            proposal,
            customer,
            self.book.order_reference,
            rng,
            self.book.end,
            colleagues=self.book.team.reps(customer.region),
        )
        story.play(fate, upsell=self.customer_since is not None)
        for asset, sold in story.ordered:
            self.customer_since = self.customer_since or asset.purchased_on
            self.aggregates.append(asset)
            self._live(asset, sold)
        return deal

    # -- the voice of the customer ---------------------------------------------

    def _hear_the_customer(self, since: date) -> None:
        """Once a year from the first order: maybe a survey of the account
        as a whole, and at a key or major account maybe an interview, each
        naming a need or two."""
        rng, customer = self.rng, self.customer
        year = since + timedelta(days=120)
        while year <= self.book.end:
            on = later(year, rng, 0, 60)
            if on <= self.book.end and rng.random() < YEARLY_SURVEY_SHARE:
                unhappy = rng.random() < customer.unhappy_share
                self._heard(
                    FeedbackKind.SURVEY,
                    ContactChannel.EMAIL,
                    SURVEY_TOPICS.draw(rng),
                    on,
                    score=rng.randint(2, 5) if unhappy else SCORES.draw(rng),
                    text="" if unhappy else one_of(rng, PRAISE),
                )
            on = later(year, rng, 0, 60)
            if (
                on <= self.book.end
                and rng.random() < YEARLY_INTERVIEW_SHARE[customer.grade]
            ):
                self._heard(
                    FeedbackKind.INTERVIEW,
                    ContactChannel.VISIT,
                    FeedbackCategory.PRODUCT,
                    on,
                    text="annual account review with the fleet manager",
                )
            year = add_months(year, 12)

    def _heard(
        self,
        kind: FeedbackKind,
        channel: ContactChannel,
        category: FeedbackCategory,
        on: date,
        *,
        score: int | None = None,
        text: str = "",
    ) -> None:
        rng = self.rng
        self.keep(
            Feedback.record(
                self.new_id("feedback"),
                account_id=self.account.id,
                kind=kind,
                channel=channel,
                category=category,
                score=score,
                text=text,
                needs=rng.sample(NEEDS_HEARD, rng.randint(1, 2)),
                on=on,
                meta=acting(self.customer.owner),
            )
        )

    # -- prospects ------------------------------------------------------------

    def _work_prospect(self) -> None:
        """A lead of a company that is not an account: most are left or
        disqualified; a converted one is a deal with no known account."""
        book, rng = self.book, self.rng
        on = later(book.start, rng, 0, (book.end - book.start).days)
        prospect = draw_customer(None, on, book.team, rng)
        lead, cursor = self._capture(prospect, on, one_of(rng, LEAD_SOURCES))
        if rng.random() < PROSPECT_CONVERTED:
            fate = PROSPECT_FATES.draw(rng)
            self._convert(
                lead, cursor, prospect, one_of(rng, NEEDS), fate, 1, "new fleet"
            )
        else:
            leads.leave(lead, cursor, rng)
