"""Lapsed renewals over random histories (docs/kpis.md): the renewal queue,
the overdue alert and the installed-base KPIs agree on which assets are
overdue and lapsed on a date, the KPIs read a lapse as of the period's end
only, and an asset of the base that is not retained is churned."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st

from b2bcore import B2BCore, NotFoundError
from b2bcore.application.settings import Settings
from b2bcore.domain.views import AssetView
from b2bcore.reports import asof
from b2bcore.reports.alerts import AlertKind, alerts
from b2bcore.reports.amounts import Amounts
from b2bcore.reports.asset_kpis import AssetKpis, ChurnReason, asset_kpis
from b2bcore.reports.renewals import LAPSED, OVERDUE, renewal_queue
from b2bcore.testing.strategies import History, histories

#: A short grace, so that random histories lapse often.
SETTINGS = Settings(lapse_grace_days=20)
GRACE = SETTINGS.lapse_grace_days


def period(
    history: History, assets: list[AssetView], data: st.DataObject
) -> tuple[date, date]:
    """A period of up to a year ending mostly around a usage end the assets
    had (before it, within the grace, after it), else anywhere from the
    account's registration to a year after the history's last command."""
    ends = sorted({end for a in assets for end in asof.usage_ends(a, date.max)})
    if ends and data.draw(st.integers(0, 4), label="around a usage end") > 0:
        usage_end = data.draw(st.sampled_from(ends), label="usage end")
        days = st.one_of(
            st.sampled_from([0, 1, GRACE, GRACE + 1]), st.integers(-5, 3 * GRACE)
        )
        end = usage_end + timedelta(days=data.draw(days, label="days after it"))
    else:
        first = min(command.on for command in history.commands)
        last = max(command.on for command in history.commands)
        end = data.draw(
            st.dates(min_value=first, max_value=last + timedelta(days=365)),
            label="end",
        )
    start = end - timedelta(days=data.draw(st.integers(0, 365), label="days"))
    return start, end


def kpis(assets: list[AssetView], start: date, end: date) -> AssetKpis:
    return asset_kpis(assets, start=start, end=end, settings=SETTINGS)


def without_receivables(figures: AssetKpis) -> AssetKpis:
    """Receivables aside: the installments a later renewal plans are not
    dated in a view (the documented caveat)."""
    return attrs.evolve(
        figures,
        receivables_outstanding=Amounts(),
        receivables_overdue=Amounts(),
    )


@given(history=histories(max_steps=30), data=st.data())
@settings(max_examples=100, deadline=None)
def test_the_queue_the_alerts_and_the_kpis_agree_on_lapsed_assets(
    history: History, data: st.DataObject
) -> None:
    with B2BCore.open("memory://") as core:
        history.apply_to(core)
        assets = [core.asset(i) for i in history.asset_ids]
        accounts = {history.account_id: core.account(history.account_id)}
    start, end = period(history, assets, data)

    queue = {
        item.asset_id: item.bucket
        for item in renewal_queue(
            assets, accounts, as_of=end, within=0, settings=SETTINGS
        )
    }
    overdue_alerts = {
        alert.subject_id
        for alert in alerts(assets, [], as_of=end, settings=SETTINGS)
        if alert.kind is AlertKind.OVERDUE
    }

    event(f"buckets on the end: {sorted(map(str, set(queue.values())))}")
    for asset in assets:
        lapsed = asof.lapsed_from(asset, end, GRACE) is not None
        figures = kpis([asset], start, end)
        assert (queue.get(asset.id) == LAPSED) is lapsed
        passed = queue.get(asset.id) in (OVERDUE, LAPSED)
        assert (asset.id in overdue_alerts) is passed
        if lapsed:
            assert figures.end_active == 0
        if figures.start_active:
            assert figures.churned == 1 - figures.retained
        if figures.churned_by_reason[ChurnReason.LAPSED]:
            assert lapsed
            assert figures.churned == 1


@given(history=histories(max_steps=30), data=st.data())
@settings(max_examples=60, deadline=None)
def test_the_kpis_read_a_lapse_as_of_the_period_end(
    history: History, data: st.DataObject
) -> None:
    with B2BCore.open("memory://") as core:
        history.apply_to(core)
        now = [core.asset(i) for i in history.asset_ids]
        start, end = period(history, now, data)
        then = []
        for asset_id in history.asset_ids:
            try:
                then.append(core.asset(asset_id, as_of=end))
            except NotFoundError:
                continue

    assert without_receivables(kpis(now, start, end)) == without_receivables(
        kpis(then, start, end)
    )
