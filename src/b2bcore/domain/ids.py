"""Deterministic ids: the same source key always gives the same id, so a
re-import finds what it recorded before instead of duplicating it."""

from __future__ import annotations

from uuid import UUID, uuid5

#: The namespace of every id b2bcore derives. Never change it.
NAMESPACE = UUID("6f1c2b8e-4d0a-5b7e-9c3f-b2bc0de00001")


def deterministic_id(kind: str, source_key: str) -> UUID:
    """The id of the ``kind`` record (e.g. "account") with ``source_key``."""
    return uuid5(NAMESPACE, f"{kind}:{source_key}")


def order_line_id(opportunity_id: UUID, line: int) -> UUID:
    """The asset created by line ``line`` of a won deal's order."""
    return uuid5(opportunity_id, f"order-line:{line}")


def renewal_deal_id(asset_id: UUID, previous: UUID | None) -> UUID:
    """The renewal deal of ``asset_id`` opened after its renewal deal
    ``previous`` (None: its first): a retried or repeated opening finds the
    deal it opened instead of opening a twin."""
    return uuid5(asset_id, f"renewal-deal:{previous}")
