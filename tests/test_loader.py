"""Loading rulesets: extends and overrides, and located one-line errors for broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ict2rules import InputError, evaluate, load_ruleset
from ict2rules.cli import main

CHILD = """\
id: zeku_school_x
title: {zh: 某校细则, en: A school's rules}
document: {title: 某校实施细则, issuer: 某校, level: school, seed: 000_41d8c6dd8fc10703.txt}
extends: zeku_2023
parameters:
  online_hours:
    value: 40
    unit: 学时
    source: {section: 三(一)3⑵, quote: 学校可根据实际情况做适当调整并报教育局备案}
    note: 经备案调整 / adjusted and filed
remove_rules: [ZK-T-PHASE-PRACTICE]
"""


def test_extends_overrides_are_visible(tmp_path: Path) -> None:
    path = tmp_path / "child.yaml"
    path.write_text(CHILD, encoding="utf-8")
    rs = load_ruleset(path)
    assert rs.chain == ["national_2019", "zeku_2023", "zeku_school_x"]
    p = rs.parameters["online_hours"]
    assert (p.value, p.defined_in) == (40, "zeku_school_x")
    assert [(o.ruleset, o.value) for o in p.overrides] == [("zeku_2023", 50)]
    assert "ZK-T-PHASE-PRACTICE" not in {r.id for r in rs.rules}
    assert rs.rule_origin["ZK-T-HOURS-ONLINE"] == "zeku_2023"

    report = evaluate(
        rs, {"teacher": {"id": "T1", "hours": {"online": 40, "offline": 25}}}, as_of="2023-10-01"
    )
    (online,) = [f for f in report.to_dict()["findings"] if f["rule"] == "ZK-T-HOURS-ONLINE"]
    assert online["status"] == "pass"
    assert online["parameters"]["online_hours"] == {
        "value": 40,
        "defined_in": "zeku_school_x",
        "overrides": [{"ruleset": "zeku_2023", "value": 50}],
    }


BROKEN = {
    "unknown kind": ("      kind: treshold\n", "did you mean 'threshold'"),
    "missing field": ("", "title"),
    "bad yaml": ("      args: {value: hours.online, min: [1\n", "YAML"),
}


def _broken(tmp_path: Path, case: str) -> Path:
    text = (Path(__file__).parents[1] / "rulesets" / "zeku_2023.yaml").read_text(encoding="utf-8")
    if case == "unknown kind":
        text = text.replace(
            "    check: {kind: threshold, args: {value: hours.total, min: $total_hours, unit: 学时}}",
            "    check:\n      kind: treshold\n      args: {value: hours.total, min: $total_hours}",
            1,
        )
    elif case == "missing field":
        text = text.replace(
            "    title: {zh: 总学时不少于75学时, en: At least 75 hours in all}\n", "", 1
        )
    else:
        text = text.replace(
            "    check: {kind: threshold, args: {value: hours.total, min: $total_hours, unit: 学时}}",
            "    check:\n      kind: threshold\n      args: {value: hours.online, min: [1\n",
            1,
        )
    path = tmp_path / f"{case.replace(' ', '_')}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_ruleset_one_line_error(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _broken(tmp_path, case)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert re.match(rf"ict2rules: {re.escape(str(path))}:\d+:\d+: ", lines[0]), lines[0]
    assert BROKEN[case][1] in lines[0]
    assert "Traceback" not in err


def test_unknown_bundled_name_suggests() -> None:
    with pytest.raises(InputError, match="did you mean 'zeku_2023'"):
        load_ruleset("zeku_2032")


def test_a_changed_base_is_loaded_again(tmp_path: Path) -> None:
    import os

    base = (Path(__file__).parents[1] / "rulesets" / "zeku_2023.yaml").read_text(encoding="utf-8")
    (tmp_path / "base.yaml").write_text(base.replace("id: zeku_2023\nextends: national_2019", "id: base_x"), encoding="utf-8")
    (tmp_path / "child.yaml").write_text(CHILD.replace("extends: zeku_2023", "extends: base.yaml"), encoding="utf-8")
    assert load_ruleset(tmp_path / "child.yaml").parameters["total_hours"].value == 75
    changed = base.replace("id: zeku_2023\nextends: national_2019", "id: base_x").replace("    value: 75\n", "    value: 80\n", 1)
    (tmp_path / "base.yaml").write_text(changed, encoding="utf-8")
    stat = (tmp_path / "base.yaml").stat()
    os.utime(tmp_path / "base.yaml", (stat.st_atime, stat.st_mtime + 5))  # a later edit, whatever the clock
    assert load_ruleset(tmp_path / "child.yaml").parameters["total_hours"].value == 80
