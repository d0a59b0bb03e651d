"""The contract of the alert delivery log, kept beside every store (memory,
SQLite, PostgreSQL): ids recorded per sink, recording again is a no-op."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from b2bcore import B2BCore
from b2bcore_adapters.alerts.delivery import DeliveryLog, delivery_log_for


@pytest.fixture
def log(store_url: str) -> Iterator[DeliveryLog]:
    with B2BCore.open(store_url) as core:
        yield delivery_log_for(core)


def test_a_new_sink_has_delivered_nothing(log: DeliveryLog) -> None:
    assert log.delivered("stdout") == frozenset()


def test_recorded_ids_read_back_per_sink(log: DeliveryLog) -> None:
    first, second = uuid4(), uuid4()

    log.record("webhook:a", first)
    log.record("webhook:a", second)
    log.record("nats:b", first)

    assert log.delivered("webhook:a") == {first, second}
    assert log.delivered("nats:b") == {first}


def test_recording_an_id_twice_keeps_it_once(log: DeliveryLog) -> None:
    alert_id = uuid4()

    log.record("stdout", alert_id)
    log.record("stdout", alert_id)

    assert log.delivered("stdout") == {alert_id}


def test_deliveries_outlive_the_process(durable_url: str) -> None:
    alert_id = uuid4()
    with B2BCore.open(durable_url) as core:
        delivery_log_for(core).record("stdout", alert_id)

    with B2BCore.open(durable_url) as core:
        assert delivery_log_for(core).delivered("stdout") == {alert_id}
