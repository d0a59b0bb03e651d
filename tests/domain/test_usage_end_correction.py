"""Correcting an asset's usage end date: retroactive, effective on the date
of the fact it corrects, nothing deleted; seen or not depending on what was
known when (docs/audit.md)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from b2bcore import (
    B2BCore,
    BusinessRuleError,
    NotFoundError,
    ObsoleteReason,
    ValidationError,
)
from b2bcore.domain.asset import Asset
from tests.domain.test_asset import (
    INSTALLED_ON,
    TODAY,
    USAGE_END_ON,
    installed_asset,
    purchased_asset,
)
from tests.helpers import refused, stored_events

MISTYPED_FIX = date(2025, 1, 31)
RENEWED_ON = date(2024, 5, 1)
RENEWED_UNTIL = date(2025, 12, 31)


def corrected_asset(core: B2BCore) -> UUID:
    asset_id = installed_asset(core)
    core.correct_usage_end(
        asset_id, usage_end_on=MISTYPED_FIX, reason="contract says January"
    )
    return asset_id


def test_a_correction_replaces_the_usage_end(memory_core: B2BCore) -> None:
    asset_id = corrected_asset(memory_core)

    assert memory_core.asset(asset_id).usage_end_on == MISTYPED_FIX


def test_a_correction_takes_effect_on_the_date_of_the_install_it_corrects(
    memory_core: B2BCore,
) -> None:
    asset_id = corrected_asset(memory_core)
    *_, corrected = stored_events(memory_core, asset_id)

    assert isinstance(corrected, Asset.UsageEndCorrected)
    assert corrected.effective_on == INSTALLED_ON
    assert corrected.corrected_on == TODAY
    assert corrected.reason == "contract says January"
    assert memory_core.asset(asset_id, as_of=INSTALLED_ON).usage_end_on == MISTYPED_FIX


def test_as_known_before_the_correction_the_old_usage_end_shows(
    memory_core: B2BCore,
) -> None:
    asset_id = corrected_asset(memory_core)
    *_, installed, corrected = stored_events(memory_core, asset_id)

    before = memory_core.asset(
        asset_id, as_of=INSTALLED_ON, known_at=installed.timestamp
    )
    after = memory_core.asset(
        asset_id, as_of=INSTALLED_ON, known_at=corrected.timestamp
    )

    assert before.usage_end_on == USAGE_END_ON
    assert after.usage_end_on == MISTYPED_FIX


def test_nothing_is_deleted_by_a_correction(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    before = list(memory_core.event_log.events.get(asset_id))

    memory_core.correct_usage_end(asset_id, usage_end_on=MISTYPED_FIX, reason="typo")

    assert list(memory_core.event_log.events.get(asset_id))[:-1] == before


def test_correcting_a_renewal_corrects_that_renewal(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.renew_asset(asset_id, usage_end_on=RENEWED_UNTIL, on=RENEWED_ON)

    memory_core.correct_usage_end(
        asset_id, usage_end_on=date(2025, 10, 31), reason="typo"
    )

    asset = memory_core.asset(asset_id)
    [renewal] = asset.renewals
    assert asset.usage_end_on == date(2025, 10, 31)
    assert renewal.usage_end_on == date(2025, 10, 31)
    assert renewal.previous_usage_end_on == USAGE_END_ON
    before_renewal = memory_core.asset(asset_id, as_of=date(2024, 4, 30))
    assert before_renewal.usage_end_on == USAGE_END_ON


def test_a_renewal_after_a_correction_extends_the_corrected_end(
    memory_core: B2BCore,
) -> None:
    asset_id = corrected_asset(memory_core)

    memory_core.renew_asset(asset_id, usage_end_on=RENEWED_UNTIL)

    [renewal] = memory_core.asset(asset_id).renewals
    assert renewal.previous_usage_end_on == MISTYPED_FIX


def test_an_open_ended_install_can_be_given_its_usage_end(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)
    memory_core.install_asset(asset_id, usage_end_on=None, on=INSTALLED_ON)

    memory_core.correct_usage_end(asset_id, usage_end_on=USAGE_END_ON, reason="typo")

    assert memory_core.asset(asset_id).usage_end_on == USAGE_END_ON


def test_a_correction_without_a_reason_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "reason"):
        memory_core.correct_usage_end(asset_id, usage_end_on=MISTYPED_FIX, reason=" ")


def test_correcting_to_the_same_usage_end_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "usage_end_on"):
        memory_core.correct_usage_end(
            asset_id, usage_end_on=USAGE_END_ON, reason="typo"
        )


def test_a_usage_end_before_the_install_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "usage_end_on"):
        memory_core.correct_usage_end(
            asset_id, usage_end_on=date(2024, 1, 14), reason="typo"
        )


def test_a_corrected_renewal_must_still_extend_the_term(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.renew_asset(asset_id, usage_end_on=RENEWED_UNTIL, on=RENEWED_ON)

    with refused(memory_core, asset_id, BusinessRuleError, "usage_end_on"):
        memory_core.correct_usage_end(
            asset_id, usage_end_on=USAGE_END_ON, reason="typo"
        )


def test_a_correction_dated_before_the_fact_it_corrects_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.correct_usage_end(
            asset_id,
            usage_end_on=MISTYPED_FIX,
            on=date(2024, 1, 14),
            reason="typo",
        )


def test_a_usage_end_that_is_no_date_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "usage_end_on"):
        memory_core.correct_usage_end(
            asset_id,
            usage_end_on="2025-01-31",  # type: ignore[arg-type]
            reason="typo",
        )


def test_the_usage_end_of_an_uninstalled_asset_cannot_be_corrected(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.correct_usage_end(
            asset_id, usage_end_on=MISTYPED_FIX, reason="typo"
        )


def test_the_usage_end_of_an_obsolete_asset_cannot_be_corrected(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.PRICE, note="", on=TODAY
    )

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.correct_usage_end(
            asset_id, usage_end_on=MISTYPED_FIX, reason="typo"
        )


def test_correcting_an_unknown_asset_is_refused(memory_core: B2BCore) -> None:
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        memory_core.correct_usage_end(uuid4(), usage_end_on=MISTYPED_FIX, reason="x")

    assert memory_core.log_position() == position
