"""Personal data that can be forgotten: contacts' name, email and phone are
sealed (AES-GCM) with a random 256-bit key per person, kept in a vault beside
the event log but outside it. Forgetting a person deletes the key: every event
still replays, its contact reading ``[erased]`` (docs/audit.md)."""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.cipher import AESCipher
from eventsourcing.persistence import Transcoding
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.utils import Environment

from b2bcore.errors import NotFoundError
from b2bcore.values import Contact

#: The vault of each ``eventsourcing`` persistence module, by topic: resolved
#: when the log is opened, never imported here.
VAULTS = {
    "eventsourcing.popo": "b2bcore.personal_data:MemoryPersonalDataVault",
    "eventsourcing.sqlite": "b2bcore_adapters.sqlite_vault:SQLitePersonalDataVault",
    "eventsourcing.postgres": (
        "b2bcore_adapters.postgres_vault:PostgresPersonalDataVault"
    ),
}
KEY_BYTES = 32


class PersonalDataVault(Protocol):
    """Where each person's key is kept, outside the event log."""

    def seal(self, person_id: UUID, plaintext: bytes) -> bytes:
        """``plaintext`` encrypted with the person's key (made on first use)."""
        ...

    def open(self, person_id: UUID, sealed: bytes) -> bytes | None:
        """The plaintext of ``sealed``; None once the person is forgotten or
        was never sealed for."""
        ...

    def forget(self, person_id: UUID) -> None:
        """Delete the person's key. Raises NotFoundError if there is none."""
        ...


def new_key() -> bytes:
    return AESCipher.random_bytes(KEY_BYTES)


def _cipher(key: bytes) -> AESCipher:
    return AESCipher(Environment(env={AESCipher.CIPHER_KEY: b64encode(key).decode()}))


def encrypt(key: bytes, plaintext: bytes) -> bytes:
    """AES-GCM with a random nonce: nonce, tag and ciphertext."""
    return _cipher(key).encrypt(plaintext)


def decrypt(key: bytes, sealed: bytes) -> bytes:
    return _cipher(key).decrypt(sealed)


def unknown_person(person_id: UUID) -> NotFoundError:
    return NotFoundError(
        "contact", person_id, ": no key is kept for it (never sealed or forgotten)"
    )


class MemoryPersonalDataVault(POPOTrackingRecorder):
    """Keys in a dict, for ``memory://`` and tests."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[UUID, bytes] = {}

    def seal(self, person_id: UUID, plaintext: bytes) -> bytes:
        with self._database_lock:
            key = self._keys.setdefault(person_id, new_key())
        return encrypt(key, plaintext)

    def open(self, person_id: UUID, sealed: bytes) -> bytes | None:
        with self._database_lock:
            key = self._keys.get(person_id)
        return None if key is None else decrypt(key, sealed)

    def forget(self, person_id: UUID) -> None:
        with self._database_lock:
            if self._keys.pop(person_id, None) is None:
                raise unknown_person(person_id)

    def close(self) -> None:
        pass


class SealedContact(Transcoding):
    """A ``Contact`` stored as its id and its fields sealed in ``vault``: the
    plaintext never reaches the log, a snapshot or a read-model row. A
    forgotten contact is stored (and read back) as its id alone."""

    type = Contact
    name = "sealed_contact"

    def __init__(self, vault: PersonalDataVault) -> None:
        self._vault = vault

    def encode(self, obj: Contact) -> list[Any]:
        if obj.erased:
            return [str(obj.id), None]
        plaintext = json.dumps([obj.name, obj.email, obj.phone]).encode()
        sealed = self._vault.seal(obj.id, plaintext)
        return [str(obj.id), b64encode(sealed).decode()]

    def decode(self, data: list[Any]) -> Contact:
        person_id = UUID(data[0])
        plaintext = (
            None if data[1] is None else self._vault.open(person_id, b64decode(data[1]))
        )
        if plaintext is None:
            return Contact.forgotten(person_id)
        name, email, phone = json.loads(plaintext)
        return Contact(name, email, phone, id=person_id)
