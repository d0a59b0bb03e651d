"""Each aggregate's rows in the report tables, derived from its state: what
the reports filter, group and sort on, as plain values (text, integers,
ISO dates, money in minor units).

Each table has one derivation per kind (``DERIVATIONS``). ``TOUCHES`` says
which tables an event can change, so a projection re-derives only those;
an event it does not name re-derives every table of its kind (always
right, only slower). The report tables' property tests check the whole
against the oracle."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any

from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.money import Money
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.sales_rep import SalesRep
from b2bcore.readmodels.facts.tables import (
    ACCOUNTS,
    ACKNOWLEDGEMENTS,
    ASSET_DETAILS,
    ASSETS,
    COMPETITOR_CONTACTS,
    DEAL_AMOUNTS,
    DEAL_EXPECTED_CLOSES,
    DEAL_OWNERS,
    DEALS,
    FEEDBACK,
    FEEDBACK_NEEDS,
    INSTALLMENTS,
    LEADS,
    PAYMENTS,
    POSTMORTEM_NOTES,
    RENEWAL_DEALS,
    RENEWALS,
    SALES_REPS,
    SATISFACTION,
    TIER_MOVES,
    UPGRADES,
    USAGE,
    Table,
)

Value = str | int | None
FactRow = tuple[Value, ...]
#: An aggregate's rows, per table.
Facts = Mapping[Table, frozenset[FactRow]]
Derivation = Callable[[Any], frozenset[FactRow]]


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def money(value: Money) -> tuple[str, int]:
    return value.currency, value.minor


def earliest_usage_end(asset: Any) -> date | None:
    """The earliest usage end the asset ever had: no end in force on any
    date is earlier."""
    ends = [
        end for r in asset.renewals for end in (r.previous_usage_end_on, r.usage_end_on)
    ]
    if asset.usage_end_on is not None:
        ends.append(asset.usage_end_on)
    return min(ends, default=None)


def _asset(a: Any) -> frozenset[FactRow]:
    return frozenset(
        {
            (
                str(a.account_id),
                a.owner,
                a.product,
                day(a.purchased_on),
                day(a.installed_on),
                day(a.usage_end_on),
                day(earliest_usage_end(a)),
                day(a.obsolete_on),
                None if a.obsolete_reason is None else a.obsolete_reason.value,
                *money(a.value),
            )
        }
    )


def _deal(d: Any) -> frozenset[FactRow]:
    won = d.won_value
    return frozenset(
        {
            (
                None if d.account_id is None else str(d.account_id),
                d.owner,
                d.region,
                d.business_line.value,
                d.country,
                d.product,
                day(d.opened_on),
                day(d.closed_on),
                None if d.outcome is None else d.outcome.value,
                *money(d.amount),
                None if won is None else won.currency,
                None if won is None else won.minor,
                None if d.loss_reason is None else d.loss_reason.value,
                d.lost_to,
                d.name,
                day(d.expected_close_on),
            )
        }
    )


def _postmortem(d: Any) -> frozenset[FactRow]:
    """The deal's postmortem notes: summary, root causes, lessons."""
    if d.postmortem is None:
        return frozenset()
    on, p = day(d.postmortem_on), d.postmortem
    return frozenset(
        {
            (on, "summary", 0, p.summary),
            *((on, "root_cause", seq, t) for seq, t in enumerate(p.root_causes)),
            *((on, "lesson", seq, t) for seq, t in enumerate(p.lessons)),
        }
    )


def _lead(lead: Any) -> frozenset[FactRow]:
    return frozenset(
        {
            (
                lead.company,
                lead.source,
                lead.temperature.value,
                int(lead.contact is not None),
                int(lead.need is not None),
                None if lead.account_id is None else str(lead.account_id),
                lead.status.value,
                day(lead.captured_on),
                day(lead.qualified_on),
                day(lead.closed_on),
                None if lead.opportunity_id is None else str(lead.opportunity_id),
            )
        }
    )


def _feedback(f: Any) -> frozenset[FactRow]:
    return frozenset(
        {
            (
                str(f.account_id),
                None if f.asset_id is None else str(f.asset_id),
                f.kind.value,
                f.channel.value,
                f.category.value,
                None if f.severity is None else f.severity.value,
                f.score,
                day(f.recorded_on),
                day(f.resolved_on),
            )
        }
    )


def _renewal_deal(d: Any) -> frozenset[FactRow]:
    if d.renews_asset_id is None:
        return frozenset()
    return frozenset({(str(d.renews_asset_id), day(d.opened_on), day(d.closed_on))})


#: The tables with a row per item of one of an aggregate's lists: the list,
#: and the row of its item at a position.
LISTS: dict[Table, tuple[str, Callable[[int, Any], FactRow]]] = {
    INSTALLMENTS: (
        "installments",
        lambda _, i: (i.number, day(i.due_on), *money(i.amount)),
    ),
    PAYMENTS: (
        "payments",
        lambda _, p: (p.number, *money(p.amount), day(p.paid_on), int(p.late)),
    ),
    RENEWALS: (
        "renewals",
        lambda seq, r: (
            seq,
            day(r.renewed_on),
            day(r.previous_usage_end_on),
            day(r.usage_end_on),
            *money(r.previous_value),
            *money(r.value),
        ),
    ),
    UPGRADES: (
        "upgrades",
        lambda seq, u: (
            seq,
            day(u.upgraded_on),
            u.previous_product,
            u.product,
            *money(u.previous_value),
            *money(u.value),
        ),
    ),
    SATISFACTION: (
        "satisfaction",
        lambda seq, s: (seq, day(s.recorded_on), s.score, s.comment),
    ),
    USAGE: (
        "usage",
        lambda seq, u: (
            seq,
            day(u.period),
            u.count,
            u.distance_km,
            u.region,
            u.pattern.value,
            day(u.recorded_on),
        ),
    ),
    COMPETITOR_CONTACTS: (
        "competitor_contacts",
        lambda seq, c: (seq, day(c.reported_on), c.competitor, c.note),
    ),
    TIER_MOVES: (
        "tier_history",
        lambda seq, m: (seq, m.from_tier, m.tier, m.stage.value, day(m.moved_on)),
    ),
    DEAL_AMOUNTS: (
        "amount_edits",
        lambda seq, e: (
            seq,
            day(e.changed_on),
            e.value.currency,
            e.previous.minor,
            e.value.minor,
        ),
    ),
    DEAL_OWNERS: (
        "owner_edits",
        lambda seq, e: (seq, day(e.changed_on), e.previous, e.value),
    ),
    DEAL_EXPECTED_CLOSES: (
        "expected_close_on_edits",
        lambda seq, e: (seq, day(e.changed_on), day(e.previous), day(e.value)),
    ),
}


def _every(attribute: str, row: Callable[[int, Any], FactRow]) -> Derivation:
    return lambda state: frozenset(
        row(seq, item) for seq, item in enumerate(getattr(state, attribute))
    )


#: How each table's rows of an aggregate are derived, per kind.
DERIVATIONS: dict[str, dict[Table, Derivation]] = {
    Account.KIND: {
        ACCOUNTS: lambda a: frozenset(
            {
                (
                    a.name,
                    a.grade.value,
                    a.sector,
                    a.preferred_channel.value,
                    day(a.registered_on),
                )
            }
        ),
    },
    SalesRep.KIND: {SALES_REPS: lambda r: frozenset({(r.name, r.manager)})},
    Feedback.KIND: {
        FEEDBACK: _feedback,
        FEEDBACK_NEEDS: lambda f: frozenset(enumerate(f.needs)),
    },
    Acknowledgement.KIND: {
        ACKNOWLEDGEMENTS: lambda k: frozenset({(day(k.acknowledged_on),)}),
    },
    Opportunity.KIND: {
        DEALS: _deal,
        **{
            table: _every(*LISTS[table])
            for table in (TIER_MOVES, DEAL_AMOUNTS, DEAL_OWNERS, DEAL_EXPECTED_CLOSES)
        },
        POSTMORTEM_NOTES: _postmortem,
        RENEWAL_DEALS: _renewal_deal,
    },
    Lead.KIND: {LEADS: _lead},
    Asset.KIND: {
        ASSETS: _asset,
        **{table: _every(*LISTS[table]) for table in ASSET_DETAILS},
    },
}

#: The tables an event of each topic can change (every other table of its
#: kind keeps its rows); topics not named here re-derive every table.
TOUCHES: dict[str, tuple[Table, ...]] = {
    Asset.Installed.TOPIC: (ASSETS,),
    Asset.Renewed.TOPIC: (ASSETS, RENEWALS, INSTALLMENTS),
    Asset.UsageEndCorrected.TOPIC: (ASSETS, RENEWALS),
    Asset.Upgraded.TOPIC: (ASSETS, UPGRADES),
    Asset.Replaced.TOPIC: (ASSETS,),
    Asset.MadeObsolete.TOPIC: (ASSETS,),
    Asset.RenewalDealOpened.TOPIC: (),
    Asset.InspectionScheduled.TOPIC: (),
    Asset.InspectionCompleted.TOPIC: (),
    Asset.InspectionCorrected.TOPIC: (),
    Asset.SatisfactionCorrected.TOPIC: (SATISFACTION,),
    Asset.UsageCorrected.TOPIC: (USAGE,),
    Asset.PaymentCorrected.TOPIC: (PAYMENTS,),
    Asset.PaymentReversed.TOPIC: (PAYMENTS,),
    Feedback.Resolved.TOPIC: (FEEDBACK,),
    Opportunity.GateReviewed.TOPIC: (),
    Opportunity.FindingRaised.TOPIC: (),
    Opportunity.FindingResolved.TOPIC: (),
    Opportunity.GatePassed.TOPIC: (),
    Opportunity.PostmortemRecorded.TOPIC: (POSTMORTEM_NOTES,),
    Opportunity.AmountChanged.TOPIC: (DEALS, DEAL_AMOUNTS),
    Opportunity.Reassigned.TOPIC: (DEALS, DEAL_OWNERS),
    Opportunity.ExpectedCloseMoved.TOPIC: (DEALS, DEAL_EXPECTED_CLOSES),
    Opportunity.TierMoveCorrected.TOPIC: (TIER_MOVES,),
    Opportunity.OutcomeDateCorrected.TOPIC: (DEALS, TIER_MOVES, RENEWAL_DEALS),
}


#: The events that only append an item to the list behind one table: only
#: that item's row is derived.
APPENDS: dict[str, Table] = {
    Asset.SatisfactionRecorded.TOPIC: SATISFACTION,
    Asset.UsageRecorded.TOPIC: USAGE,
    Asset.CompetitorContactReported.TOPIC: COMPETITOR_CONTACTS,
    Asset.InstallmentPaid.TOPIC: PAYMENTS,
    Opportunity.TierChanged.TOPIC: TIER_MOVES,
}


#: What one event did to one table's rows of an aggregate: the rows it
#: removed and the rows it added, per table (tables it left alone absent).
Delta = Mapping[Table, tuple[frozenset[FactRow], frozenset[FactRow]]]
NO_ROWS: frozenset[FactRow] = frozenset()


def facts(
    state: DomainAggregate | None,
    topic: str | None = None,
    before: Facts | None = None,
) -> Facts:
    """``state``'s rows in the report tables of its kind (none before it
    exists). Given the ``topic`` of the event that made ``state`` and the
    rows ``before`` it, only the tables that event touches are derived."""
    return derive(state, topic, before)[0]


def derive(
    state: DomainAggregate | None,
    topic: str | None = None,
    before: Facts | None = None,
) -> tuple[Facts, Delta]:
    """``state``'s rows (as ``facts``) and what changed from ``before``:
    an event that appends an item yields its one row without comparing the
    others."""
    if state is None:
        return {}, {}
    if before is not None and topic in APPENDS:
        table = APPENDS[topic]
        attribute, row = LISTS[table]
        items = getattr(state, attribute)
        added = row(len(items) - 1, items[-1])
        if added in before[table]:
            return before, {}
        return {**before, table: before[table] | {added}}, {
            table: (NO_ROWS, frozenset({added}))
        }
    derivations = DERIVATIONS.get(state.KIND, {})
    touched: Collection[Table] = derivations.keys()
    if before is not None and topic in TOUCHES:
        touched = TOUCHES[topic]
        if not touched:
            return before, {}
    found = dict(before or {})
    delta = {}
    for table in touched:
        old = found.get(table, NO_ROWS)
        new = found[table] = derivations[table](state)
        if new != old:
            delta[table] = (old - new, new - old)
    return found, delta
