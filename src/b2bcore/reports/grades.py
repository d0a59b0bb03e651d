"""Grade suggestions (seed 003, segmenting by value): a grade proposed for
each account from its rank by the value of its installed base (the Pareto
principle: the top fifth brings most of the value) and from how it renewed.
Changing a grade stays a person's decision, recorded as a fact
(``B2BCore.change_account_grade``); this report only proposes.

The rule (docs/kpis.md, "Grade suggestions"), on a date:

- **key**: in the Pareto set (the top 20 % of the ranking, rounded up), with
  a value, and renewed at least half of the usage ends that fell due by the
  date (or none fell due yet);
- **major**: in the top half of the ranking with a value (or in the Pareto
  set but renewing less than half);
- **standard**: every other account (no value in the ranking currency, or the
  lower half).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings
from b2bcore.domain.values import Grade
from b2bcore.reports import asof
from b2bcore.reports.amounts import Amounts
from b2bcore.reports.records import AccountRecord, AssetRecord
from b2bcore.reports.segmentation import segmentation

#: The share of the ranking a major account is in (the key ones: the Pareto
#: set, ``segmentation.PARETO_FRACTION``).
MAJOR_FRACTION = 2
#: The least share of due usage ends renewed that keeps a key grade.
KEY_RENEWAL_RATE = 0.5


@attrs.frozen
class GradeSuggestion:
    """The grade proposed for one account, and the facts behind it."""

    account_id: UUID
    name: str
    grade: Grade
    suggested: Grade
    #: 1 for the highest value; every registered account has a rank.
    rank: int
    #: The value of its installed base, per currency.
    value: Amounts
    #: Usage ends of its assets that fell due by the date, and how many of
    #: them a renewal replaced by then.
    renewals_due: int
    renewed: int
    #: Why, in words: the rule that decided.
    reason: str

    @property
    def changes(self) -> bool:
        return self.suggested is not self.grade


@attrs.frozen
class GradeSuggestions:
    as_of: date
    #: The currency accounts are ranked in (``Segmentation.currency``).
    currency: str | None
    #: Every account registered by the date, in rank order.
    suggestions: tuple[GradeSuggestion, ...]


def grade_suggestions(
    accounts: Iterable[AccountRecord],
    assets: Iterable[AssetRecord],
    *,
    as_of: date,
    settings: Settings,
    currency: str | None = None,
) -> GradeSuggestions:
    """The grade the rule proposes for each account registered by ``as_of``
    (ranked as ``segmentation`` ranks them, in ``currency``)."""
    assets = list(assets)
    segments = segmentation(
        accounts, assets, as_of=as_of, settings=settings, currency=currency
    )
    due: dict[UUID, list[bool]] = {}
    for asset in assets:
        for end in asof.usage_ends(asset, as_of):
            # As the KPIs count them: not the ends after the asset left.
            if end <= as_of and (asset.obsolete_on is None or asset.obsolete_on >= end):
                due.setdefault(asset.account_id, []).append(
                    any(
                        r.previous_usage_end_on == end and r.renewed_on <= as_of
                        for r in asset.renewals
                    )
                )
    pareto = len(segments.pareto)
    major = -(-len(segments.ranking) // MAJOR_FRACTION)
    suggestions = []
    for rank, account in enumerate(segments.ranking, start=1):
        renewals = due.get(account.account_id, [])
        renewed = sum(renewals)
        has_value = (
            account.ranked_value is not None and account.ranked_value.is_positive
        )
        renews = not renewals or renewed / len(renewals) >= KEY_RENEWAL_RATE
        record = (
            f"renewed {renewed} of {len(renewals)} due"
            if renewals
            else "nothing due yet"
        )
        if has_value and rank <= pareto and renews:
            suggested, reason = Grade.KEY, f"top 20 % by value; {record}"
        elif has_value and rank <= pareto:
            suggested = Grade.MAJOR
            reason = f"top 20 % by value, but {record}: under half"
        elif has_value and rank <= major:
            suggested, reason = Grade.MAJOR, f"top half by value; {record}"
        else:
            suggested = Grade.STANDARD
            reason = "lower half by value" if has_value else "no value in the ranking"
        suggestions.append(
            GradeSuggestion(
                account_id=account.account_id,
                name=account.name,
                grade=account.grade,
                suggested=suggested,
                rank=rank,
                value=account.value,
                renewals_due=len(renewals),
                renewed=renewed,
                reason=reason,
            )
        )
    return GradeSuggestions(
        as_of=as_of, currency=segments.currency, suggestions=tuple(suggestions)
    )
