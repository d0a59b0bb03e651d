"""``b2b import``: warnings summarised by kind unless every one is asked
for, and options whose help says what the code does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.entrypoints.cli.test_cli import run
from tests.importers.test_import_maven_crm import GOOD_PIPELINE, export

ACCOUNTLESS = """
OPEN1,Zane Levy,GTX Basic,,Engaging,3/1/2017,,
OPEN2,Zane Levy,GTX Basic,,Engaging,3/2/2017,,
OPEN3,Moses Frase,GTX Basic,,Prospecting,,,
"""


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'imports.db'}"


def test_warnings_of_one_kind_are_printed_once_with_their_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    (tmp_path / "maven").mkdir()
    folder = export(tmp_path / "maven", GOOD_PIPELINE + ACCOUNTLESS)

    code, out, err = run(capsys, url, "import", "maven-crm", str(folder))

    assert code == 0
    assert err.splitlines() == [
        "warning: sales_pipeline.csv:4: account: no account: imported with the "
        "account unknown (and 2 more like it)",
        "(every warning: --warnings all)",
    ]
    assert "3 warnings" in out


def test_every_warning_is_printed_on_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    (tmp_path / "maven").mkdir()
    folder = export(tmp_path / "maven", GOOD_PIPELINE + ACCOUNTLESS)

    code, _, err = run(
        capsys, url, "import", "maven-crm", str(folder), "--warnings", "all"
    )

    assert code == 0
    assert [line[: line.index(": account:")] for line in err.splitlines()] == [
        "warning: sales_pipeline.csv:4",
        "warning: sales_pipeline.csv:5",
        "warning: sales_pipeline.csv:6",
    ]


def test_the_as_of_help_of_the_maven_import_names_its_default(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, out, _ = run(capsys, url, "import", "maven-crm", "--help")

    assert code == 0
    help_text = " ".join(out.split())
    assert "default: the latest date in sales_pipeline.csv" in help_text
    assert "today" not in help_text
