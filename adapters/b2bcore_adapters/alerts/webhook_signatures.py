"""Webhook signatures after the Standard Webhooks scheme
(https://www.standardwebhooks.com): what the webhook sink sends, and what a
receiver checks before it trusts a delivery.

Each delivery carries three headers: ``webhook-id`` (the alert's id, the same
on every retry), ``webhook-timestamp`` (Unix seconds when it was sent) and
``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of
``{id}.{timestamp}.{body}`` under the secret's key. Because the timestamp is
signed, a captured delivery replayed later than ``TOLERANCE`` is refused.

A secret written ``whsec_<base64>`` (as Standard Webhooks libraries make
them) is the base64 of its key; any other secret is the UTF-8 of its text.
A receiver needs b2bcore without any extra to import this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from b2bcore import B2BCoreError, ConfigurationError

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"
#: How far a delivery's timestamp may be from the receiver's clock, either way.
TOLERANCE = timedelta(minutes=5)
#: Unix seconds have 10 digits until the year 2286.
MAX_DIGITS = 12


class WebhookVerificationError(B2BCoreError):
    """A delivery is not signed with the secret, or not signed lately."""


def secret_key(secret: str) -> bytes:
    """The HMAC key of ``secret``: decoded from base64 after ``whsec_``,
    else its UTF-8 bytes; an empty one is refused."""
    if secret.startswith(SECRET_PREFIX):
        try:
            key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
        except binascii.Error:
            raise ConfigurationError(
                "webhook secret: after whsec_ comes the key in base64"
            ) from None
    else:
        key = secret.encode()
    if not key:
        raise ConfigurationError("webhook secret: must not be empty")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` and the base64 HMAC-SHA256
    of ``{message_id}.{timestamp}.{body}``."""
    signed = f"{message_id}.{timestamp}.".encode("utf-8", "surrogatepass") + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(
    secret: str, message_id: str, body: bytes, sent_at: datetime
) -> dict[str, str]:
    """The three headers of a delivery of ``body`` sent at ``sent_at``."""
    timestamp = int(sent_at.timestamp())
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, message_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    tolerance: timedelta = TOLERANCE,
) -> str:
    """Check a delivery: its timestamp is within ``tolerance`` of ``now``
    (default: the current time) and one of its ``v1`` signatures is the
    body's under ``secret``. Return its ``webhook-id``, for the receiver to
    de-duplicate on (a retry, or a replay within the tolerance, has the same
    id); raise WebhookVerificationError otherwise."""
    named = {name.lower(): value for name, value in headers.items()}
    for header in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER):
        if header not in named:
            raise WebhookVerificationError(f"webhook: {header}: missing")
    stamp = named[TIMESTAMP_HEADER]
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_DIGITS):
        raise WebhookVerificationError(
            f"webhook: {TIMESTAMP_HEADER}: must be Unix seconds"
        )
    now = now or datetime.now(UTC)
    if abs(now.timestamp() - int(stamp)) > tolerance.total_seconds():
        raise WebhookVerificationError(
            f"webhook: {TIMESTAMP_HEADER}: more than {tolerance} away from now "
            "(a replayed delivery, or a clock that is off)"
        )
    expected = sign(secret, named[ID_HEADER], int(stamp), body)
    offered = named[SIGNATURE_HEADER].split()
    if not any(
        hmac.compare_digest(expected.encode(), each.encode("utf-8", "replace"))
        for each in offered
    ):
        raise WebhookVerificationError(
            f"webhook: {SIGNATURE_HEADER}: does not match the body under the secret"
        )
    return named[ID_HEADER]
