"""``b2b deliver``: the Hyowon story's alerts to stdout and to a real
webhook receiver, each once across runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from b2bcore import B2BCore, FixedClock
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.cli.main import main
from tests.alerts.alert_receivers import webhook_receiver

DAY = AS_OF.isoformat()


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'b2bcore.db'}"
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        record_hyowon(core)
        assert core.alerts(as_of=AS_OF)
    return url


def deliver(
    capsys: pytest.CaptureFixture[str], url: str, *arguments: str
) -> tuple[int, str, str]:
    code = main(["--db", url, "deliver", "--as-of", DAY, *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_stdout_gets_each_alert_once_across_runs(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    with B2BCore.open(url) as core:
        expected = [str(a.id) for a in core.alerts(as_of=AS_OF)]

    code, out, err = deliver(capsys, url)
    again, out_again, err_again = deliver(capsys, url)

    assert (code, again) == (0, 0)
    assert [json.loads(line)["id"] for line in out.splitlines()] == expected
    assert err == f"stdout: {len(expected)} delivered, 0 already delivered, 0 retries\n"
    assert out_again == ""
    assert err_again.startswith(f"stdout: 0 delivered, {len(expected)} already")


def test_a_webhook_gets_the_alerts_signed_with_the_secret(
    capsys: pytest.CaptureFixture[str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B2BCORE_WEBHOOK_SECRET", "s3cret")
    with webhook_receiver() as receiver:
        code, _, err = deliver(capsys, url, "--sink", "webhook", "--url", receiver.url)

    assert code == 0
    assert err.startswith(f"webhook:{receiver.url}: {len(receiver.received)} delivered")
    assert receiver.received


def test_a_webhook_without_a_secret_is_refused(
    capsys: pytest.CaptureFixture[str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("B2BCORE_WEBHOOK_SECRET", raising=False)

    code, _, err = deliver(capsys, url, "--sink", "webhook", "--url", "http://x")

    assert code == 1
    assert "B2BCORE_WEBHOOK_SECRET" in err


def test_a_webhook_without_a_url_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, _, err = deliver(capsys, url, "--sink", "webhook")

    assert code == 2
    assert "--url" in err


def test_a_webhook_that_stays_down_exits_1_and_records_nothing(
    capsys: pytest.CaptureFixture[str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B2BCORE_WEBHOOK_SECRET", "s3cret")
    with webhook_receiver() as receiver:
        receiver.failing = 1
        code, _, err = deliver(
            capsys, url, "--sink", "webhook", "--url", receiver.url, "--attempts", "1"
        )
        again, _, _ = deliver(capsys, url, "--sink", "webhook", "--url", receiver.url)

    assert (code, again) == (1, 0)
    assert "not acknowledged after 1 attempts" in err
    with B2BCore.open(url) as core:
        assert len(receiver.received) == len(core.alerts(as_of=AS_OF))
