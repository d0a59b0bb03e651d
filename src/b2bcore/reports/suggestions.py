"""Cross-sell and upgrade suggestions (seed 000, "Asset 기반 Cross-selling
기회"): documented rules over the installed base, each suggestion naming its
rule and the facts behind it. It only proposes: what to offer stays the
rep's call.

The rules (docs/kpis.md, "Cross-sell and upgrade suggestions"), on a date D,
over the assets in the installed base on D (active and not lapsed), with the
thresholds of ``Settings.suggestion_rules``:

- **SHORT_TO_LONG** (단기 이용 → 장기 계약): the term in force ends no later
  than ``short_term_months`` after it began, and the asset renewed at least
  once by D or its usage ends within the largest renewal window of D;
- **NEAR_LIMIT** (usage near its limits): each of the latest
  ``recent_months`` usage months used at least ``near_limit`` of the plan's
  capacity (its vehicles × ``uses_per_vehicle``);
- **STANDARD_TO_PREMIUM** (일반 차량 → 프리미엄 차량): a standard-tier product
  (its name has one of ``standard_words``) whose latest months each used at
  least ``premium_usage`` of its capacity;
- **CROSS_SELL**: a product line at least ``cross_sell_share`` of the
  account's sector peers hold (and at least ``cross_sell_peers`` of them),
  which the account does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings, SuggestionRules
from b2bcore.domain.values import add_months
from b2bcore.reports import asof
from b2bcore.reports.records import AccountRecord, AssetRecord

#: "(17 vehicles)" in a product name: the plan's fleet size.
VEHICLES = re.compile(r"\((\d+) vehicles?\)", re.IGNORECASE)


class SuggestionRule(Enum):
    """The rule a suggestion follows, in the order suggestions are listed."""

    SHORT_TO_LONG = "short_to_long"
    NEAR_LIMIT = "near_limit"
    STANDARD_TO_PREMIUM = "standard_to_premium"
    CROSS_SELL = "cross_sell"


RULE_ORDER = {rule: n for n, rule in enumerate(SuggestionRule)}


@attrs.frozen
class TermFacts:
    """SHORT_TO_LONG's facts: the term in force on the date."""

    #: The install date, or the usage end the latest renewal extended.
    term_start: date
    usage_end_on: date
    #: ``term_start`` plus ``short_term_months``: a short term ends by it.
    short_until: date
    #: Renewals made by the date.
    renewals: int
    #: Days from the date to the usage end (negative once past).
    days_to_usage_end: int


@attrs.frozen
class UsageMonth:
    month: date
    count: int


@attrs.frozen
class UsageFacts:
    """NEAR_LIMIT's and STANDARD_TO_PREMIUM's facts: the plan's capacity and
    its latest usage months, each at ``threshold`` of it or more."""

    vehicles: int
    #: Uses a month: ``vehicles`` × ``SuggestionRules.uses_per_vehicle``.
    capacity: int
    #: The latest usage months recorded by the date, oldest first.
    months: tuple[UsageMonth, ...]
    threshold: Decimal


@attrs.frozen
class PeerFacts:
    """CROSS_SELL's facts: how the account's sector peers hold the line."""

    sector: str
    product_line: str
    #: Accounts of the sector with an installed base on the date, but this.
    peers: int
    #: Those of them holding the line.
    holding: int
    threshold: Decimal


@attrs.frozen
class Suggestion:
    """One suggestion: whose, which rule, what to offer and the facts."""

    account_id: UUID
    account: str
    #: The asset it is about; None for an account's (CROSS_SELL).
    asset_id: UUID | None
    #: The asset's product on the date.
    product: str | None
    rule: SuggestionRule
    #: What to offer, in words.
    action: str
    #: The facts, in words.
    reason: str
    #: The rule's facts: ``term`` for SHORT_TO_LONG, ``usage`` for
    #: NEAR_LIMIT and STANDARD_TO_PREMIUM (with the ``standard_word`` the
    #: product's name has), ``peers`` for CROSS_SELL; None otherwise.
    term: TermFacts | None = None
    usage: UsageFacts | None = None
    standard_word: str | None = None
    peers: PeerFacts | None = None


@attrs.frozen
class Suggestions:
    as_of: date
    #: By account name, then rule, product and asset.
    suggestions: tuple[Suggestion, ...]


def vehicles(product: str) -> int | None:
    """The vehicles a product's name gives ("… (17 vehicles)"); None when it
    gives none."""
    found = VEHICLES.search(product)
    return None if found is None else int(found.group(1))


def product_line(product: str) -> str:
    """A product's name without its fleet size: "EV fleet (5 vehicles)" is
    of the line "EV fleet"."""
    return " ".join(VEHICLES.sub(" ", product).split())


def standard_word(product: str, words: Iterable[str]) -> str | None:
    """The first of ``words`` the product's name has as a whole word,
    ignoring case; None when it has none (not the standard tier)."""
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", product, re.IGNORECASE):
            return word
    return None


def months_after(day: date, months: int) -> date:
    """``add_months``, or the last date there is past it."""
    try:
        return add_months(day, months)
    except ValueError:
        return date.max


def suggestions(
    accounts: Mapping[UUID, AccountRecord],
    assets: Iterable[AssetRecord],
    *,
    as_of: date,
    settings: Settings,
    account_id: UUID | None = None,
) -> Suggestions:
    """Every suggestion the rules make on ``as_of`` (only ``account_id``'s,
    when given; its peers still count)."""
    rules = settings.suggestion_rules
    base = [
        a
        for a in assets
        if a.account_id in accounts
        and asof.in_installed_base(a, as_of, settings.lapse_grace_days)
    ]
    found: list[Suggestion] = []
    for asset in base:
        if account_id is not None and asset.account_id != account_id:
            continue
        product = asof.product(asset, as_of)
        about = Suggestion(
            account_id=asset.account_id,
            account=accounts[asset.account_id].name,
            asset_id=asset.id,
            product=product,
            rule=SuggestionRule.SHORT_TO_LONG,
            action="",
            reason="",
        )
        term = _short_term(asset, as_of, rules, max(settings.renewal_windows))
        if term is not None:
            found.append(_short_to_long(about, term, rules))
        count = vehicles(product)
        months = _latest_months(asset, as_of, rules.recent_months)
        if count is None or months is None:
            continue
        capacity = count * rules.uses_per_vehicle
        if _each_at(months, capacity, rules.near_limit):
            usage = UsageFacts(count, capacity, months, rules.near_limit)
            found.append(_near_limit(about, usage))
        word = standard_word(product, rules.standard_words)
        if word is not None and _each_at(months, capacity, rules.premium_usage):
            usage = UsageFacts(count, capacity, months, rules.premium_usage)
            found.append(_standard_to_premium(about, usage, word))
    found += _cross_sells(accounts, base, as_of, rules, account_id)
    found.sort(
        key=lambda s: (
            s.account,
            str(s.account_id),
            RULE_ORDER[s.rule],
            s.product or (s.peers.product_line if s.peers else ""),
            str(s.asset_id),
        )
    )
    return Suggestions(as_of=as_of, suggestions=tuple(found))


def _short_term(
    asset: AssetRecord, day: date, rules: SuggestionRules, window: int
) -> TermFacts | None:
    end = asof.usage_end(asset, day)
    if end is None or asset.installed_on is None:
        return None
    renewed = [r for r in asset.renewals if r.renewed_on <= day]
    start = renewed[-1].previous_usage_end_on if renewed else asset.installed_on
    until = months_after(start, rules.short_term_months)
    days = (end - day).days
    if end > until or not (renewed or 0 <= days <= window):
        return None
    return TermFacts(start, end, until, len(renewed), days)


def _short_to_long(
    about: Suggestion, term: TermFacts, rules: SuggestionRules
) -> Suggestion:
    history = (
        f"renewed {term.renewals} time(s)"
        if term.renewals
        else f"its usage ends in {term.days_to_usage_end} days"
    )
    return attrs.evolve(
        about,
        rule=SuggestionRule.SHORT_TO_LONG,
        action=f"Offer a term longer than {rules.short_term_months} months.",
        reason=(
            f"the term {term.term_start} to {term.usage_end_on} ends by "
            f"{term.short_until} ({rules.short_term_months} months); {history}"
        ),
        term=term,
    )


def _latest_months(
    asset: AssetRecord, day: date, wanted: int
) -> tuple[UsageMonth, ...] | None:
    """The latest ``wanted`` usage months recorded by ``day``, oldest first,
    when they are consecutive calendar months; None otherwise."""
    recorded = sorted(
        (u.period, u.count)
        for u in asset.usage
        if u.recorded_on <= day and u.period <= day
    )[-wanted:]
    if len(recorded) < wanted:
        return None
    index = [p.year * 12 + p.month for p, _ in recorded]
    if index[-1] - index[0] != wanted - 1 or len(set(index)) != wanted:
        return None
    return tuple(UsageMonth(p, c) for p, c in recorded)


def _each_at(months: tuple[UsageMonth, ...], capacity: int, share: Decimal) -> bool:
    return all(m.count >= share * capacity for m in months)


def _usage_reason(usage: UsageFacts) -> str:
    counts = ", ".join(f"{m.count:,}" for m in usage.months)
    return (
        f"uses {counts} in the latest {len(usage.months)} months, each at least "
        f"{usage.threshold:.0%} of {usage.capacity:,} ({usage.vehicles} vehicles)"
    )


def _near_limit(about: Suggestion, usage: UsageFacts) -> Suggestion:
    return attrs.evolve(
        about,
        rule=SuggestionRule.NEAR_LIMIT,
        action="Offer more vehicles.",
        reason=_usage_reason(usage),
        usage=usage,
    )


def _standard_to_premium(about: Suggestion, usage: UsageFacts, word: str) -> Suggestion:
    return attrs.evolve(
        about,
        rule=SuggestionRule.STANDARD_TO_PREMIUM,
        action="Offer the premium tier.",
        reason=f"a {word!r} plan; {_usage_reason(usage)}",
        usage=usage,
        standard_word=word,
    )


def _cross_sells(
    accounts: Mapping[UUID, AccountRecord],
    base: list[AssetRecord],
    day: date,
    rules: SuggestionRules,
    only: UUID | None,
) -> list[Suggestion]:
    lines: dict[UUID, set[str]] = {}
    for asset in base:
        lines.setdefault(asset.account_id, set()).add(
            product_line(asof.product(asset, day))
        )
    found = []
    for holder, held in lines.items():
        if only is not None and holder != only:
            continue
        account = accounts[holder]
        peers = [
            lines[other]
            for other in lines
            if other != holder and accounts[other].sector == account.sector
        ]
        if len(peers) < rules.cross_sell_peers:
            continue
        for line in sorted(set().union(*peers) - held):
            holding = sum(line in p for p in peers)
            if holding < rules.cross_sell_share * len(peers):
                continue
            found.append(
                Suggestion(
                    account_id=holder,
                    account=account.name,
                    asset_id=None,
                    product=None,
                    rule=SuggestionRule.CROSS_SELL,
                    action=f"Offer {line}.",
                    reason=(
                        f"{holding} of {len(peers)} {account.sector} peers hold "
                        f"{line} (at least {rules.cross_sell_share:.0%})"
                    ),
                    peers=PeerFacts(
                        account.sector,
                        line,
                        len(peers),
                        holding,
                        rules.cross_sell_share,
                    ),
                )
            )
    return found
