"""The wheel carries everything the library loads at run time: rulesets, catalog, schemas."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{done.stderr}")
    (path,) = out.glob("ict2rules-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_has_every_bundled_ruleset(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for ruleset in (ROOT / "rulesets").glob("*.yaml"):
        assert f"ict2rules/rulesets/{ruleset.name}" in names
    for needed in (
        "ict2rules/data/catalog.yaml",
        "ict2rules/py.typed",
        "ict2rules/schemas/ruleset.schema.json",
        "ict2rules/schemas/records.schema.json",
        "ict2rules/schemas/report.schema.json",
    ):
        assert needed in names


def test_top_level_rulesets_is_the_packaged_folder() -> None:
    assert (ROOT / "rulesets").resolve() == (ROOT / "src" / "ict2rules" / "rulesets").resolve()
