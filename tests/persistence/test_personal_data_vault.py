"""The contract of the personal-data vault port, kept by every vault (memory,
SQLite, PostgreSQL): what a person's key sealed opens until the person is
forgotten, and never after; what is sealed once is remembered until then."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from b2bcore import B2BCore
from b2bcore.domain.errors import NotFoundError
from b2bcore.domain.personal_data import PersonalDataVault


@pytest.fixture
def vault(store_url: str) -> Iterator[PersonalDataVault]:
    with B2BCore.open(store_url) as core:
        yield core.event_log.vault


def test_what_is_sealed_opens_with_the_same_person(vault: PersonalDataVault) -> None:
    person = uuid4()

    sealed = vault.seal(person, b"Kim Ji-eun")

    assert b"Kim" not in sealed
    assert vault.open(person, sealed) == b"Kim Ji-eun"


def test_sealing_twice_gives_different_ciphertexts_of_one_key(
    vault: PersonalDataVault,
) -> None:
    person = uuid4()

    first, second = vault.seal(person, b"x"), vault.seal(person, b"x")

    assert first != second
    assert vault.open(person, first) == vault.open(person, second) == b"x"


def test_another_persons_ciphertext_does_not_open(vault: PersonalDataVault) -> None:
    person, other = uuid4(), uuid4()
    vault.seal(other, b"y")

    with pytest.raises(ValueError, match="damaged"):
        vault.open(other, vault.seal(person, b"x"))


def test_a_forgotten_person_opens_nothing(vault: PersonalDataVault) -> None:
    person, other = uuid4(), uuid4()
    sealed, kept = vault.seal(person, b"x"), vault.seal(other, b"y")

    vault.forget(person)

    assert vault.open(person, sealed) is None
    assert vault.open(other, kept) == b"y"


def test_a_person_never_sealed_for_opens_nothing(vault: PersonalDataVault) -> None:
    assert vault.open(uuid4(), b"\0" * 40) is None


def test_forgetting_an_unknown_person_is_not_found(vault: PersonalDataVault) -> None:
    person = uuid4()

    with pytest.raises(NotFoundError, match=f"contact {person}: not found"):
        vault.forget(person)


def test_forgetting_twice_is_not_found(vault: PersonalDataVault) -> None:
    person = uuid4()
    vault.seal(person, b"x")
    vault.forget(person)

    with pytest.raises(NotFoundError):
        vault.forget(person)


def test_sealing_once_gives_one_ciphertext_until_the_person_is_forgotten(
    vault: PersonalDataVault,
) -> None:
    person = uuid4()

    first = vault.seal_once(person, b"x")

    assert vault.seal_once(person, b"x") == first
    assert vault.seal_once(person, b"y") != first
    assert vault.open(person, first) == b"x"

    vault.forget(person)
    again = vault.seal_once(person, b"x")

    assert again != first
    assert vault.open(person, again) == b"x"
