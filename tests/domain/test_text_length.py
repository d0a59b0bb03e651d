"""Every text has a most length by its kind (docs/domain.md, "Texts"): a
name or short label at most MAX_LABEL_LENGTH characters, a free text (a
reason, a note) at most MAX_NOTE_LENGTH. A longer one is refused by name,
recording nothing."""

from __future__ import annotations

from datetime import date

import pytest

from b2bcore import B2BCore, ObsoleteReason, ValidationError
from b2bcore.domain.aggregate import MAX_LABEL_LENGTH, MAX_NOTE_LENGTH
from tests.helpers import purchase_asset, refused, register_account


def test_a_100000_character_account_name_is_refused(memory_core: B2BCore) -> None:
    with refused(memory_core, None, ValidationError, "name"):
        register_account(memory_core, name="x" * 100_000)


def test_the_refusal_names_the_field_and_the_limit(memory_core: B2BCore) -> None:
    with pytest.raises(ValidationError) as refusal:
        register_account(memory_core, name="x" * 100_000)

    assert refusal.value.rule == "must be at most 200 characters, got 100,000"


def test_a_name_of_the_most_length_is_kept(memory_core: B2BCore) -> None:
    name = "가" * MAX_LABEL_LENGTH

    account = register_account(memory_core, name=name)

    assert memory_core.account(account).name == name


def test_a_free_text_may_be_longer_than_a_label(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    asset = purchase_asset(memory_core, account)
    note = "n" * MAX_NOTE_LENGTH

    memory_core.make_asset_obsolete(
        asset,
        reason_code=ObsoleteReason.BUDGET,
        note=note,
        on=date(2024, 2, 1),
        reason="r" * MAX_NOTE_LENGTH,
    )

    assert memory_core.asset(asset).obsolete_note == note


def test_a_note_longer_than_the_most_is_refused(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    asset = purchase_asset(memory_core, account)

    with refused(memory_core, asset, ValidationError, "note"):
        memory_core.make_asset_obsolete(
            asset,
            reason_code=ObsoleteReason.BUDGET,
            note="n" * (MAX_NOTE_LENGTH + 1),
            on=date(2024, 2, 1),
        )


def test_a_reason_longer_than_the_most_is_refused(memory_core: B2BCore) -> None:
    account = register_account(memory_core)

    with refused(memory_core, account, ValidationError, "reason"):
        memory_core.change_account_attributes(
            account, sector="rental", reason="r" * (MAX_NOTE_LENGTH + 1)
        )


def test_an_actor_longer_than_a_label_is_refused(memory_core: B2BCore) -> None:
    with refused(memory_core, None, ValidationError, "actor"):
        register_account(memory_core, actor="a" * (MAX_LABEL_LENGTH + 1))
