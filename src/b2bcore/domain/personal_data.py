"""Personal data that can be forgotten: contacts' name, email and phone are
sealed (AES-GCM) with a random 256-bit key per person, kept in a vault beside
the event log but outside it. Forgetting a person deletes the key and
overwrites its bytes in the store's files: every event still replays, its
contact reading ``[erased]`` (docs/audit.md)."""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from base64 import b64decode, b64encode
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

import attrs
from eventsourcing.cipher import AESCipher
from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import Transcoding
from eventsourcing.utils import Environment

from b2bcore.domain.errors import NotFoundError, StoreClosedError, VaultClosedError
from b2bcore.domain.values import Contact

KEY_BYTES = 32


class PersonalDataVault(Protocol):
    """Where each person's key is kept, outside the event log."""

    def seal(self, person_id: UUID, plaintext: bytes) -> bytes:
        """``plaintext`` encrypted with the person's key (made on first use),
        with a fresh nonce."""
        ...

    def seal_once(self, person_id: UUID, plaintext: bytes) -> bytes:
        """What this vault last sealed of ``plaintext`` for the person, if
        it was with the key the person has now; else ``seal`` now. A bounded
        memo, so an import that stores one contact in thousands of events
        seals it once; forgetting the person here drops what it remembers of
        them."""
        ...

    def open(self, person_id: UUID, sealed: bytes) -> bytes | None:
        """The plaintext of ``sealed``; None once the person is forgotten or
        was never sealed for. Raises VaultClosedError once the store the
        vault belongs to is closed."""
        ...

    def forget(self, person_id: UUID) -> KeyErasure:
        """Delete the person's key and overwrite its bytes in the store's
        files; what is still pending. Raises NotFoundError if there is no
        key."""
        ...

    def overwrite_deleted(self) -> KeyErasure:
        """Overwrite what deleted keys left in the store's files, now that
        nothing blocks it; what is still pending."""
        ...


@attrs.frozen
class KeyErasure:
    """What overwriting deleted keys left to do: ``pending`` says what
    still holds their bytes and why ("" when the store's own files hold
    none; backups, archives and the file system's free blocks are out of
    its reach: docs/audit.md)."""

    pending: str = ""

    @property
    def complete(self) -> bool:
        return not self.pending


def new_key() -> bytes:
    return AESCipher.random_bytes(KEY_BYTES)


def unknown_person(person_id: UUID) -> NotFoundError:
    return NotFoundError(
        "contact", person_id, ": no key is kept for it (never sealed or forgotten)"
    )


#: Ciphers kept, one per key (least recently used dropped first).
CIPHERS = 4096
#: (person, plaintext) pairs whose ciphertext ``seal_once`` remembers.
SEALS = 4096

K = TypeVar("K")
V = TypeVar("V")


class _Recent(Generic[K, V]):
    """A bounded map that drops what was used least recently."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def drop(self, keep: Callable[[K], bool]) -> None:
        for key in [key for key in self._items if not keep(key)]:
            del self._items[key]


class SealingVault(ABC):
    """A vault's sealing, opening and forgetting (AES-GCM, a key per
    person), the same for every vault: each says only where its keys are
    kept (``_key``, ``_add_key``, ``_delete_key``).

    The key is read from the vault on every ``open`` and seal, never cached,
    so a person forgotten by any process opens nothing at once and nothing
    is sealed with their deleted key; what is cached is the cipher made from
    a key's bytes (a deleted key is never read again, so its cipher is never
    used again) and the memo of ``seal_once``, both dropped for a person
    forgotten here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._caches_lock = threading.Lock()
        self._ciphers: _Recent[bytes, AESCipher] = _Recent(CIPHERS)
        #: (person, plaintext) -> (the key it was sealed with, ciphertext)
        self._seals: _Recent[tuple[UUID, bytes], tuple[bytes, bytes]]
        self._seals = _Recent(SEALS)

    @abstractmethod
    def _key(self, person_id: UUID) -> bytes | None:
        """The person's key, if one is kept."""

    @abstractmethod
    def _add_key(self, person_id: UUID, key: bytes) -> None:
        """Keep ``key`` for the person unless one is kept already."""

    @abstractmethod
    def _delete_key(self, person_id: UUID) -> bool:
        """Delete the person's key; whether there was one."""

    def _closed(self) -> bool:
        """Whether the store the keys are kept in was closed."""
        return False

    def _overwrite(self) -> str:
        """Overwrite deleted keys' bytes left in the store's files; what is
        pending ("" when done)."""
        return ""

    def overwrite_deleted(self) -> KeyErasure:
        return KeyErasure(self._overwrite())

    def _key_made(self, person_id: UUID) -> bytes:
        """The person's key, made now if none is kept."""
        key = self._key(person_id)
        if key is None:
            self._add_key(person_id, new_key())
            key = self._key(person_id)
            assert key is not None
        return key

    def seal(self, person_id: UUID, plaintext: bytes) -> bytes:
        return self._cipher(self._key_made(person_id)).encrypt(plaintext)

    def seal_once(self, person_id: UUID, plaintext: bytes) -> bytes:
        # The key is read every time, so nothing is sealed again with a key
        # another process deleted: what is remembered is used only with the
        # key it was sealed with.
        key = self._key_made(person_id)
        with self._caches_lock:
            remembered = self._seals.get((person_id, plaintext))
        if remembered is not None and remembered[0] == key:
            return remembered[1]
        sealed = self._cipher(key).encrypt(plaintext)
        with self._caches_lock:
            self._seals.put((person_id, plaintext), (key, sealed))
        return sealed

    def open(self, person_id: UUID, sealed: bytes) -> bytes | None:
        try:
            key = self._key(person_id)
        except (EventSourcingError, StoreClosedError) as error:
            # A contact read from the store opens when first read, which
            # may be after the store was closed.
            if self._closed():
                raise VaultClosedError(person_id) from error
            raise
        return None if key is None else self._cipher(key).decrypt(sealed)

    def forget(self, person_id: UUID) -> KeyErasure:
        key = self._key(person_id)
        deleted = self._delete_key(person_id)
        with self._caches_lock:
            self._seals.drop(keep=lambda memo: memo[0] != person_id)
            self._ciphers.drop(keep=lambda cached: cached != key)
        if not deleted:
            raise unknown_person(person_id)
        return self.overwrite_deleted()

    def _cipher(self, key: bytes) -> AESCipher:
        with self._caches_lock:
            cipher = self._ciphers.get(key)
        if cipher is None:
            cipher = AESCipher(
                Environment(env={AESCipher.CIPHER_KEY: b64encode(key).decode()})
            )
            with self._caches_lock:
                self._ciphers.put(key, cipher)
        return cipher


class MemoryPersonalDataVault(SealingVault):
    """Keys in a dict, for ``memory://`` and tests."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[UUID, bytes] = {}
        self._keys_lock = threading.Lock()

    def _key(self, person_id: UUID) -> bytes | None:
        with self._keys_lock:
            return self._keys.get(person_id)

    def _add_key(self, person_id: UUID, key: bytes) -> None:
        with self._keys_lock:
            self._keys.setdefault(person_id, key)

    def _delete_key(self, person_id: UUID) -> bool:
        with self._keys_lock:
            return self._keys.pop(person_id, None) is not None

    def close(self) -> None:
        pass


class StoredFields:
    """A contact's fields as one vault stored them: the base64 text of their
    ciphertext, opened with that vault on demand (``Contact.unopened``)."""

    __slots__ = ("person_id", "text", "vault")

    def __init__(self, vault: PersonalDataVault, person_id: UUID, text: str) -> None:
        self.vault = vault
        self.person_id = person_id
        self.text = text

    def __eq__(self, other: object) -> bool:
        # One ciphertext of one person opens to one set of fields.
        if not isinstance(other, StoredFields):
            return NotImplemented
        return (self.person_id, self.text) == (other.person_id, other.text)

    def __hash__(self) -> int:
        return hash((self.person_id, self.text))

    def open(self) -> tuple[str, str | None, str | None] | None:
        plaintext = self.vault.open(self.person_id, b64decode(self.text))
        if plaintext is None:
            return None
        name, email, phone = json.loads(plaintext)
        return name, email, phone


class SealedContact(Transcoding):
    """A ``Contact`` stored as its id and its fields sealed in ``vault``: the
    plaintext never reaches the log, a snapshot or a read-model row. A
    contact made as forgotten (``Contact.forgotten``) is stored, and read
    back, as its id alone.

    Decoding opens nothing: the contact is opened when a caller reads its
    fields. Encoding a contact read from this vault stores its ciphertext
    again as it came, opened or not, with no crypto; a new contact is sealed
    once per person and fields (``seal_once``)."""

    type = Contact
    name = "sealed_contact"

    def __init__(self, vault: PersonalDataVault) -> None:
        self._vault = vault

    def encode(self, obj: Contact) -> list[Any]:
        stored = obj.sealed
        if isinstance(stored, StoredFields) and stored.vault is self._vault:
            return [str(obj.id), stored.text]
        if obj.erased:
            return [str(obj.id), None]
        plaintext = json.dumps([obj.name, obj.email, obj.phone]).encode()
        sealed = self._vault.seal_once(obj.id, plaintext)
        return [str(obj.id), b64encode(sealed).decode()]

    def decode(self, data: list[Any]) -> Contact:
        person_id = UUID(data[0])
        if data[1] is None:
            return Contact.forgotten(person_id)
        return Contact.unopened(
            person_id, StoredFields(self._vault, person_id, data[1])
        )
