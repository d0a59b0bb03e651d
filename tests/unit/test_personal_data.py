"""Contacts as personal data: given as a name or a ``Contact``, validated,
shown as "[erased]" once forgotten, and forgetting needs a reason."""

from __future__ import annotations

from uuid import uuid4

import pytest

from b2bcore import (
    B2BCore,
    BusinessRuleError,
    Contact,
    NotFoundError,
    Temperature,
    ValidationError,
)
from b2bcore.erasure import Erasure
from b2bcore.personal_data import MemoryPersonalDataVault, SealedContact
from b2bcore.values import ERASED
from tests.helpers import purchase_asset, register_account

KIM = Contact("Kim Ji-eun", "jieun.kim@hyowon.example", "+82-2-555-0147")


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
