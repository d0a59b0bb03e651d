"""The examples in the README and docs/ run as written: the Python blocks,
and the README's command-line block."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from b2bcore.application import commands as c
from b2bcore.application.storage import URL_VARIABLE
from b2bcore_adapters.entrypoints.cli.record import GROUPS, sub_command
from b2bcore_adapters.entrypoints.http.app import RESOURCES

ROOT = Path(__file__).parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(document: Path) -> list[str]:
    return PYTHON_BLOCK.findall(document.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "document",
    [d for d in DOCUMENTS if python_blocks(d)],
    ids=lambda d: d.name,
)
def test_the_document_examples_run(
    document: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"doc_{document.stem}"}
    for block in python_blocks(document):
        exec(compile(block, str(document), "exec"), namespace)


def test_the_readme_has_an_example() -> None:
    assert python_blocks(ROOT / "README.md")


SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_readme_command_line_runs_as_written(tmp_path: Path) -> None:
    """The README's `b2b` block, run by bash with `set -e` in a fresh
    directory beside `../shared` (as from a clone's root), on the default
    SQLite file; only the server's port is changed, to a free one."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The command line") :]
    script = SHELL_BLOCK.findall(section)[0].replace("8000", str(free_port()))
    clone = tmp_path / "clone"
    clone.mkdir()
    (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    environment = {
        key: value for key, value in os.environ.items() if key != URL_VARIABLE
    }
    environment["PATH"] = f"{Path(sys.executable).parent}:{environment['PATH']}"

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "Acme Corporation" in done.stdout
    assert '"behind"' in done.stdout  # the server answered the token
    for written in ("tiers.svg", "deal.html", "account.html", "alerts.jsonl"):
        assert (clone / written).stat().st_size > 0, written
    assert (clone / "b2bcore.db").exists()


def test_the_readmes_make_demo_runs(tmp_path: Path) -> None:
    """``make demo`` on this checkout (its environment already installed, as
    after ``make test``), recording into a scratch file instead of the
    clone's ``b2bcore-demo.db``."""
    if not (ROOT / ".venv" / ".installed").exists():
        pytest.skip("no .venv here: make demo would install one first")
    database = tmp_path / "demo.db"

    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "demo", f"DEMO_DB=sqlite:///{database}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "(주)효원" in done.stdout
    assert "Renewals within 90 days" in done.stdout
    assert database.exists()


def _row(document: Path, first_cell: str) -> str:
    """The line of ``document``'s table whose first cell is ``first_cell``."""
    return next(
        line
        for line in document.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"| {first_cell} |")
    )


@pytest.mark.parametrize("declared", c.COMMANDS, ids=lambda d: d.__name__)
def test_the_cli_and_http_docs_name_every_command(
    declared: type[c.Command[object]],
) -> None:
    group, *_ = GROUPS[declared.ACTS_ON]
    assert f"`{sub_command(declared)}`" in _row(ROOT / "docs" / "cli.md", f"`{group}`")
    collection, tag = RESOURCES[declared.ACTS_ON]
    resource = {"reports": "alerts"}.get(tag, tag)
    routes = re.sub(r"{\w+}", "{}", _row(ROOT / "docs" / "http.md", resource))
    route = re.sub(r"{\w+}", "{}", f"/{declared.ROUTE}" if declared.ROUTE else "")
    assert f"`POST /{collection}`" in routes if not route else f"{route}`" in routes
