"""Contacts as personal data: given as a name or a ``Contact``, validated,
shown as "[erased]" once forgotten, and forgetting needs a reason. A contact
read from storage is opened only when its fields are read, is stored again
as its ciphertext, and one person's fields are sealed once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

import attrs
import pytest

from b2bcore import (
    B2BCore,
    BusinessRuleError,
    Contact,
    NotFoundError,
    Temperature,
    ValidationError,
)
from b2bcore.domain.erasure import Erasure
from b2bcore.domain.personal_data import MemoryPersonalDataVault, SealedContact
from b2bcore.domain.values import ERASED
from tests.helpers import purchase_asset, register_account

KIM = Contact("Kim Ji-eun", "jieun.kim@hyowon.example", "+82-2-555-0147")


class CountingVault(MemoryPersonalDataVault):
    """The memory vault, counting what it is asked to seal and to open."""

    def __init__(self) -> None:
        super().__init__()
        self.seals = 0
        self.opens = 0

    def seal(self, person_id: UUID, plaintext: bytes) -> bytes:
        self.seals += 1
        return super().seal(person_id, plaintext)

    def seal_once(self, person_id: UUID, plaintext: bytes) -> bytes:
        self.seals += 1
        return super().seal_once(person_id, plaintext)

    def open(self, person_id: UUID, sealed: bytes) -> bytes | None:
        self.opens += 1
        return super().open(person_id, sealed)


def calls_to(monkeypatch: pytest.MonkeyPatch, vault: object, method: str) -> list[UUID]:
    """The person each call of ``vault.<method>`` is for, from now on."""
    persons: list[UUID] = []
    original: Callable[[UUID, bytes], object] = getattr(vault, method)

    def counting(person_id: UUID, data: bytes) -> object:
        persons.append(person_id)
        return original(person_id, data)

    monkeypatch.setattr(vault, method, counting)
    return persons


def test_a_contact_given_as_a_name_is_that_persons_contact(
    memory_core: B2BCore,
) -> None:
    asset_id = purchase_asset(memory_core, register_account(memory_core))

    contact = memory_core.asset(asset_id).contact

    assert contact == Contact("이지은")
    assert str(contact) == "이지은"
    assert contact.id == Contact("이지은").id


def test_a_forgotten_contact_reads_erased_in_every_field() -> None:
    erased = Contact.forgotten(KIM.id)

    assert (erased.name, erased.email, erased.phone) == (ERASED, ERASED, ERASED)
    assert str(erased) == ERASED
    assert erased.erased
    assert erased.id == KIM.id


def test_a_sealed_contact_reads_back_until_forgotten() -> None:
    vault = MemoryPersonalDataVault()
    sealing = SealedContact(vault)
    stored = sealing.encode(KIM)

    assert sealing.decode(stored) == KIM
    assert KIM.name not in str(stored)

    vault.forget(KIM.id)

    assert sealing.decode(stored) == Contact.forgotten(KIM.id)


def test_a_contact_read_from_storage_is_opened_when_a_field_is_read() -> None:
    vault = CountingVault()
    sealing = SealedContact(vault)

    contact = sealing.decode(sealing.encode(KIM))

    assert (contact.id, hash(contact), vault.opens) == (KIM.id, hash(KIM), 0)
    assert contact.email == KIM.email
    assert (contact.name, contact.phone, contact.erased) == (KIM.name, KIM.phone, False)
    assert vault.opens == 1


def test_a_contact_read_from_storage_is_stored_again_as_its_ciphertext() -> None:
    vault = CountingVault()
    sealing = SealedContact(vault)
    stored = sealing.encode(KIM)

    contact = sealing.decode(stored)

    assert sealing.encode(contact) == stored
    assert str(contact) == KIM.name
    assert sealing.encode(contact) == stored
    assert (vault.seals, vault.opens) == (1, 1)


def test_a_contact_read_before_its_person_is_forgotten_opens_erased() -> None:
    vault = MemoryPersonalDataVault()
    sealing = SealedContact(vault)
    contact = sealing.decode(sealing.encode(KIM))

    vault.forget(KIM.id)

    assert contact == Contact.forgotten(KIM.id)
    assert contact.erased


def test_one_persons_fields_are_sealed_once_until_forgotten() -> None:
    vault = MemoryPersonalDataVault()
    sealing = SealedContact(vault)

    first = sealing.encode(KIM)
    again = sealing.encode(Contact(KIM.name, KIM.email, KIM.phone))
    moved = sealing.encode(attrs.evolve(KIM, phone="+82-2-555-0148"))

    assert again == first != moved

    vault.forget(KIM.id)
    after = sealing.encode(KIM)

    assert after != first
    assert sealing.decode(after) == KIM


def test_loading_and_reporting_open_no_contact_until_one_is_read(
    memory_core: B2BCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset_id = purchase_asset(memory_core, register_account(memory_core), contact=KIM)
    memory_core.install_asset(
        asset_id, usage_end_on=date(2025, 1, 19), on=date(2024, 1, 20)
    )
    opened = calls_to(monkeypatch, memory_core.event_log.vault, "open")

    view = memory_core.asset(asset_id)
    (due,) = memory_core.renewal_queue(as_of=date(2024, 12, 1), within=90)

    assert (due.asset_id, opened) == (asset_id, [])
    assert view.contact.email == KIM.email
    assert opened == [KIM.id]


def test_rebuilding_the_read_models_opens_and_seals_no_contact(
    memory_core: B2BCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset_id = purchase_asset(memory_core, register_account(memory_core), contact=KIM)
    memory_core.capture_lead(
        company="Hyowon", source="web", temperature=Temperature.WARM, contact=KIM
    )
    vault = memory_core.event_log.vault
    opened = calls_to(monkeypatch, vault, "open")
    sealed = calls_to(monkeypatch, vault, "seal")
    sealed_once = calls_to(monkeypatch, vault, "seal_once")

    memory_core.projector.rebuild()

    assert (opened, sealed, sealed_once) == ([], [], [])
    assert memory_core.asset(asset_id).contact == KIM


def test_a_forgotten_contact_is_stored_as_its_id_alone() -> None:
    sealing = SealedContact(MemoryPersonalDataVault())

    stored = sealing.encode(Contact.forgotten(KIM.id))

    assert stored == [str(KIM.id), None]
    assert sealing.decode(stored) == Contact.forgotten(KIM.id)


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ("  ", "contact"),
        (Contact(" "), "contact.name"),
        (Contact("Kim", email=""), "contact.email"),
        (Contact("Kim", phone=" "), "contact.phone"),
    ],
)
def test_a_blank_contact_field_is_refused(
    memory_core: B2BCore, contact: str | Contact, field: str
) -> None:
    with pytest.raises(ValidationError, match=f"{field}: must be a non-empty text"):
        memory_core.capture_lead(
            company="Hyowon",
            source="web",
            temperature=Temperature.WARM,
            contact=contact,
        )


def test_forgetting_a_contact_hides_it_and_records_the_fact(
    memory_core: B2BCore,
) -> None:
    lead_id = memory_core.capture_lead(
        company="Hyowon", source="web", temperature=Temperature.WARM, contact=KIM
    )

    memory_core.forget_contact(KIM.id, reason="asked to be forgotten", actor="dpo")

    assert memory_core.lead(lead_id).contact == Contact.forgotten(KIM.id)
    (fact,) = memory_core.event_log.events.get(Erasure.id_for(KIM.id))
    assert isinstance(fact, Erasure.Forgotten)
    assert (fact.person_id, fact.actor) == (KIM.id, "dpo")
    assert fact.reason == "asked to be forgotten"


def test_forgetting_a_contact_needs_a_reason(memory_core: B2BCore) -> None:
    lead_id = memory_core.capture_lead(
        company="Hyowon", source="web", temperature=Temperature.WARM, contact=KIM
    )

    with pytest.raises(BusinessRuleError, match="reason: forgetting a contact needs"):
        memory_core.forget_contact(KIM.id, reason=" ")
    assert memory_core.lead(lead_id).contact == KIM


def test_forgetting_an_unknown_contact_records_nothing(memory_core: B2BCore) -> None:
    person = uuid4()

    with pytest.raises(NotFoundError, match=f"contact {person}: not found"):
        memory_core.forget_contact(person, reason="asked")
    assert not memory_core.exists(Erasure.id_for(person))
