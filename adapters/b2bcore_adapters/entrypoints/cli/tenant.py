"""``b2b tenant``: create, list, move and remove the tenants of the directory at
``--db`` (docs/deployment.md, "Many tenants"); each change is recorded in
the directory with who made it and why."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Annotated

import typer

from b2bcore_adapters.entrypoints.cli.options import Json
from b2bcore_adapters.render.plain import dumps, plain

if TYPE_CHECKING:
    from b2bcore.application.tenants import Tenants

__all__ = ["tenant_commands"]

Name = Annotated[str, typer.Argument(metavar="NAME", help="The tenant's name.")]


def tenant_commands(
    directory: Callable[[], AbstractContextManager[Tenants]],
) -> typer.Typer:
    """The ``tenant`` commands over the directory ``directory()`` opens."""
    tenant = typer.Typer(
        help="Create, list, move and remove tenants (docs/deployment.md)."
    )

    @tenant.command("create")
    def create(
        name: Name,
        url: Annotated[
            str | None,
            typer.Option(
                help="Where its log goes (default: beside the directory).",
                show_default=False,
            ),
        ] = None,
        reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    ) -> None:
        """Make room for a tenant's log, open it once and record the tenant."""
        with directory() as tenants:
            print(dumps(plain(tenants.create(name, url=url, reason=reason))))

    @tenant.command("list")
    def listed(
        removed: Annotated[
            bool, typer.Option("--removed", help="The removed ones too.")
        ] = False,
        as_json: Json = False,
    ) -> None:
        """Every tenant by name, with where its log is."""
        with directory() as tenants:
            entries = tenants.entries(removed=removed)
        if as_json:
            print(dumps(plain(entries)))
            return
        for entry in entries:
            gone = f"  removed {entry.removed_on}" if entry.removed_on else ""
            print(f"{entry.name}  {entry.url}  since {entry.created_on}{gone}")

    @tenant.command("move")
    def move(
        name: Name,
        to: Annotated[
            str, typer.Option(help="The empty store to move to (same kind).")
        ],
        reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    ) -> None:
        """Move a tenant's log whole (every table beside it too) to another
        store of the same kind — another PostgreSQL server, say: copied,
        its hash chain verified there, the directory switched, the original
        erased. Writers wait while it runs."""
        with directory() as tenants:
            print(dumps(plain(tenants.move(name, to=to, reason=reason))))

    @tenant.command("remove")
    def remove(
        name: Name,
        reason: Annotated[str, typer.Option(help="Why (kept in the directory).")],
    ) -> None:
        """Erase a tenant: every table of its log dropped, every key of its
        vault with them. The directory keeps its name and who removed it."""
        with directory() as tenants:
            print(dumps(plain(tenants.remove(name, reason=reason))))

    return tenant
