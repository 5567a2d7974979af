"""The export corpus (tests/exports/): each realistic export gives the verdict and the messages a
school coordinator expects, and the committed files are what make_exports.py builds."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from ict2rules.cli import main
from ict2rules.errors import InputError
from ict2rules.input.tabular import iter_roster

EXPORTS = Path(__file__).resolve().parent / "exports"
CASES = yaml.safe_load((EXPORTS / "cases.yaml").read_text(encoding="utf-8"))["cases"]


def _id(case: dict[str, Any]) -> str:
    return case["input"] + (" --keep-going" if case.get("keep_going") else "")


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_export_gives_the_expected_verdict(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXPORTS)
    argv = ["check", case["input"], "-r", "zeku_2023", "--as-of", "2024-01-05", "-f", "json"]
    code = main(argv + (["--keep-going"] if case.get("keep_going") else []))
    out, err = capsys.readouterr()
    assert code == case["exit"], err
    assert "Traceback" not in err
    lines = err.splitlines()
    for message in case["messages"]:
        place, word = message.rsplit(" ", 1)
        assert any(place + ":" in line and word in line for line in lines), (message, err)
    if code in (0, 1):
        summary = json.loads(out)["summary"]
        assert summary["teachers"]["checked"] == case["checked"]
        assert summary["skipped_rows"] == case["skipped"]
    else:
        assert not out.strip()  # bad input: no verdict at all


def test_every_export_has_a_case() -> None:
    given = {c["input"] for c in CASES}
    rosters = {p.name for p in EXPORTS.iterdir() if p.suffix in (".csv", ".xlsx", ".xls")}
    named = set(given)
    for plan in EXPORTS.glob("*.school.yaml"):
        school = yaml.safe_load(plan.read_text(encoding="utf-8"))["school"]
        if plan.name in given:
            named |= {school["roster"], school.get("roster_points")}
    assert rosters <= named


def _reading(path: Path) -> list[Any]:
    """What the reader makes of a file: its rows (without the folder) or its problems."""
    try:
        return [(Path(r.file).name, r.row, r.kind, r.data, [p.message_en for p in r.problems],
                 [p.message_en for p in r.notes]) for r in iter_roster(path)]
    except InputError as exc:
        return [p.message_en for p in exc.problems]


def test_committed_exports_are_what_the_script_builds(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_exports", EXPORTS / "make_exports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = tmp_path
    module.main()
    built = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in EXPORTS.iterdir()
                       if p.name not in ("make_exports.py", "cases.yaml", "__pycache__"))
    assert built == committed, "run python tests/exports/make_exports.py and commit"
    for name in built:
        if name.endswith(".school.yaml"):
            assert (tmp_path / name).read_text(encoding="utf-8") == (
                EXPORTS / name).read_text(encoding="utf-8"), name
        else:
            assert _reading(tmp_path / name) == _reading(EXPORTS / name), name
    shutil.rmtree(tmp_path)
