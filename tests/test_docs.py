"""The Python examples in the README and docs/ run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
