"""``b2b deliver``: send the alerts not yet delivered to a sink (stdout, a
webhook or NATS JetStream), at least once, and remember them beside the log."""

import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from b2bcore_adapters.entrypoints.cli.options import AsOf, Opener

if TYPE_CHECKING:
    from b2bcore_adapters.alerts.delivery import AlertSink

__all__ = ["deliver_command"]


class SinkKind(Enum):
    STDOUT = "stdout"
    WEBHOOK = "webhook"
    NATS = "nats"


def _sink(kind: SinkKind, url: str | None, stack: ExitStack) -> "AlertSink":
    # httpx and nats-py are the ``alerts`` extra: b2b runs without them.
    from b2bcore_adapters.alerts.sinks import (  # noqa: PLC0415
        SECRET_VARIABLE,
        NatsSink,
        StdoutSink,
        WebhookSink,
    )

    if kind is SinkKind.STDOUT:
        return StdoutSink(sys.stdout)
    if url is None:
        raise typer.BadParameter(f"--sink {kind.value} needs --url")
    if kind is SinkKind.WEBHOOK:
        return stack.enter_context(
            WebhookSink(url, os.environ.get(SECRET_VARIABLE, ""))
        )
    return stack.enter_context(NatsSink(url))


def deliver_command(opened: Opener) -> Callable[..., None]:
    """The ``deliver`` command over the store ``opened`` gives."""

    def deliver(
        sink: Annotated[
            SinkKind, typer.Option("--sink", help="stdout, webhook or nats.")
        ] = SinkKind.STDOUT,
        url: Annotated[
            str | None,
            typer.Option(help="The webhook's or NATS server's URL."),
        ] = None,
        as_of: AsOf = None,
        attempts: Annotated[
            int, typer.Option(min=1, help="Tries per alert before giving up.")
        ] = 5,
    ) -> None:
        """Deliver the alerts a sink has not acknowledged yet (the webhook is
        signed with $B2BCORE_WEBHOOK_SECRET); a summary goes to stderr."""
        from b2bcore_adapters.alerts.delivery import (  # noqa: PLC0415 (not for --help)
            AlertDeliverer,
            Backoff,
            delivery_log_for,
        )

        with opened() as core, ExitStack() as stack:
            target = _sink(sink, url, stack)
            report = AlertDeliverer(
                target, delivery_log_for(core), backoff=Backoff(attempts=attempts)
            ).deliver(core.alerts(as_of=as_of))
        typer.echo(
            f"{report.sink}: {len(report.sent)} delivered, "
            f"{report.already_delivered} already delivered, "
            f"{report.retries} retries",
            err=True,
        )

    return deliver
