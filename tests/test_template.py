"""``ict2rules template``: the blank plan and roster workbook of every bundled ruleset load,
never pass blank, hold every field a compliant record needs, and — filled in with compliant
values — pass ``check``, as YAML and as a roster workbook alike."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ict2rules import evaluate, load_ruleset
from ict2rules.authoring.template import (
    COMPUTED_FROM,
    fields_read,
    plan_fields,
    plan_yaml,
    point_codes,
    roster_columns,
    template_level,
)
from ict2rules.cli import main
from ict2rules.input.catalog import CATALOG
from ict2rules.input.files import read_records
from ict2rules.input.paths import computed_fields
from ict2rules.input.records import MODELS
from ict2rules.rules.loader import bundled_names
from ict2rules.testing import evaluation_date, records

RULESETS = bundled_names()
_FAST = settings(max_examples=2, deadline=None, database=None, derandomize=True,
                 suppress_health_check=list(HealthCheck))


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _as_of(name: str) -> str:
    return evaluation_date(load_ruleset(name)).isoformat()


# --------------------------------------------------------------------------- filling a template


def _fill(template: Any, record: Any, where: str, missing: list[str]) -> Any:
    """The template with the record's values in its places; every key of the record that the
    template has no place for goes into ``missing``. A blank place (null, [], a value) takes
    the record's whole value there; a mapping or a sample item is filled field by field."""
    if isinstance(template, dict) and isinstance(record, dict):
        out = {}
        for key, value in record.items():
            if key not in template:
                missing.append(f"{where}{key}")
                continue
            place = template[key]
            if isinstance(place, dict) and place and isinstance(value, dict):
                out[key] = _fill(place, value, f"{where}{key}.", missing)
            elif isinstance(place, list) and place and isinstance(value, list):
                out[key] = [_fill(place[0], v, f"{where}{key}[].", missing) for v in value]
            else:
                out[key] = value
        return out
    return record


def _leaves(record: Any, prefix: str = "") -> set[str]:
    """Every leaf path of a record, list items as ``[]``: teachers[].hours.online."""
    if isinstance(record, dict):
        out: set[str] = set()
        for k, v in record.items():
            out |= _leaves(v, f"{prefix}{k}.") if isinstance(v, (dict, list)) and v else {f"{prefix}{k}"}
        return out
    if isinstance(record, list):
        out = set()
        for v in record:
            out |= _leaves(v, prefix[:-1] + "[].") if isinstance(v, (dict, list)) else {prefix[:-1]}
        return out
    return {prefix[:-1]}


@functools.cache
def _template_paths(name: str) -> frozenset[str]:
    paths = set()
    for f in plan_fields(load_ruleset(name)).walk():
        paths.add(f.path)
        paths |= {f"{f.path}.{k}" for k in f.keys}
        if f.is_mapping:
            paths.add(f"{f.path}.*")
    return frozenset(paths)


def _prune(record: Any, paths: frozenset[str], prefix: str = "") -> Any:
    """The record without the fields the template has no place for."""
    if isinstance(record, dict):
        out = {}
        for k, v in record.items():
            path = f"{prefix}{k}"
            if isinstance(v, list) and v and isinstance(v[0], dict):
                out[k] = [_prune(i, paths, f"{path}[].") for i in v]
            elif isinstance(v, dict) and v and not _covered(f"{path}.x", paths):
                out[k] = _prune(v, paths, f"{path}.")
            elif _covered(path, paths):
                out[k] = v
        return out
    return record


def _covered(leaf: str, paths: frozenset[str]) -> bool:
    parts = leaf.split(".")
    return leaf in paths or any(".".join(parts[:i]) + ".*" in paths for i in range(1, len(parts)))


def _check(tmp: Path, name: str, *files: Path) -> int:
    return main(["check", *map(str, files), "-r", name, "--as-of", _as_of(name), "-f", "json",
                 "-o", str(tmp / "report.json")])


# --------------------------------------------------------------------------- YAML


@pytest.mark.parametrize("name", RULESETS)
def test_blank_plan_loads_and_never_passes(tmp_path: Path, name: str) -> None:
    """Blank, the plan loads (every placeholder is a value a record takes), and no rule is met
    by a placeholder: left blank it is missing data, never a pass."""
    rs = load_ruleset(name)
    path = _write(tmp_path, "plan.yaml", plan_yaml(rs))
    read_records(path)  # loads
    report = evaluate(rs, path, as_of=evaluation_date(rs))
    passed = [f.rule_id for f in report.findings if f.status.value == "pass"]
    assert passed == []
    assert not report.passed


@pytest.mark.parametrize("name", RULESETS)
def test_every_field_has_a_chinese_comment(name: str) -> None:
    text = plan_yaml(load_ruleset(name))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        body = line.strip().lstrip("# ").strip()
        match = re.match(r"^-?\s*([a-z_]+):", body)
        if not match or line.strip().startswith("# 可选") or "read by" in line:
            continue
        above = [x.strip() for x in lines[max(0, i - 6):i] if x.strip().startswith("#")]
        assert any(re.search(r"[\u4e00-\u9fff]", x) for x in above), f"{name}: {line!r} has no Chinese comment"


@pytest.mark.parametrize("name", RULESETS)
@_FAST
@given(data=st.data())
def test_filled_plan_passes(tmp_path_factory: pytest.TempPathFactory, name: str, data: st.DataObject) -> None:
    """Filled in with a compliant record's values, the plan passes ``check`` (exit 0), and the
    record has no field the template lacks."""
    tmp = tmp_path_factory.mktemp("plan")
    rs = load_ruleset(name)
    level = template_level(rs)
    record = data.draw(records(rs, level, teachers=(1, 2)), label="compliant")
    template = yaml.safe_load(plan_yaml(rs))[level]
    # only what the template has a place for (its samples behind '#' included) is filled in
    record = _prune(record, _template_paths(name))
    missing: list[str] = []
    filled = _fill(template, record, "", missing)
    assert missing == []
    plan = _write(tmp, "plan.yaml", yaml.safe_dump({level: filled}, allow_unicode=True))
    assert _check(tmp, name, plan) == 0


def test_fields_read_follow_the_rules() -> None:
    """Every path a ruleset reads is in its plan; computed fields come as their sources."""
    for name in RULESETS:
        rs = load_ruleset(name)
        paths = _template_paths(name)
        for path in fields_read(rs):
            assert _covered(path.removesuffix("[]"), paths), (name, path)


def test_every_computed_field_says_what_it_is_made_of() -> None:
    """A computed field (hours.total, evidence.valid …) that a ruleset may read is filled
    through its sources: a new computed field needs its entry in COMPUTED_FROM."""
    seen: set[type] = set()
    stack = list(MODELS.values())
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for name in computed_fields(model):
            assert (model, name) in COMPUTED_FROM, f"{model.__name__}.{name}"
        for info in model.model_fields.values():
            for arg in re.findall(r"[A-Z]\w+", repr(info.annotation)):
                found = next((m for m in _models() if m.__name__ == arg), None)
                if found is not None:
                    stack.append(found)


def _models() -> list[type]:
    import ict2rules.input.records as r

    return [v for v in vars(r).values() if isinstance(v, type) and hasattr(v, "model_fields")]


def test_point_codes_narrow_to_a_rulesets_own_scope(tmp_path: Path) -> None:
    """A ruleset keeping teachers' points within one environment offers only its codes."""
    own = tmp_path / "own.yaml"
    own.write_text(
        "id: own_scope\ntitle: {zh: 某校细则, en: A school's rules}\n"
        "document: {title: 某校实施细则, issuer: 某校, level: school, seed: 000_41d8c6dd8fc10703.txt}\n"
        "extends: zeku_2023\nrules:\n"
        "  - id: OWN-T-ENV\n    level: teacher\n    severity: error\n"
        "    title: {zh: 只选多媒体环境的能力点, en: Multimedia points only}\n"
        "    message: {zh: '能力点 {outside} 不是多媒体环境的', en: 'points {outside} are not multimedia ones'}\n"
        "    check: {kind: membership, args: {items: points, of: environment, within: [A]}}\n"
        "    source: {section: 一, quote: 能力点}\n",
        encoding="utf-8",
    )
    rs = load_ruleset(own)
    codes = point_codes(rs)
    assert codes and all(c.startswith("A") for c in codes)
    assert len(point_codes(load_ruleset("zeku_2023"))) == len(CATALOG.points)


# --------------------------------------------------------------------------- the CLI


def test_cli_writes_and_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "方案.yaml"
    assert main(["template", "-r", "zeku_2023", "-o", str(out)]) == 0
    first = out.read_text(encoding="utf-8")
    out.write_text("school: {id: 已填写}\n", encoding="utf-8")
    assert main(["template", "-r", "zeku_2023", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out}: -o:" in err and "--force" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "school: {id: 已填写}\n"  # what the user wrote stays
    assert main(["template", "-r", "zeku_2023", "-o", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8") == first


def test_cli_yaml_to_stdout_and_xlsx_refused_on_a_terminal(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["template", "-r", "suncedu_2020"]) == 0
    assert "school:" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["template", "-r", "suncedu_2020", "--format", "xlsx"]) == 2
    assert "-o" in capsys.readouterr().err


def test_cli_unknown_ruleset_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "-r", "no_such_ruleset"]) == 2
    assert "Traceback" not in capsys.readouterr().err


# --------------------------------------------------------------------------- the roster workbook


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record as roster field paths: hours.online, evidence.items.0.name."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, list) and key == "items":
            for i, item in enumerate(value):
                out.update(_flat(item, f"{prefix}{key}.{i}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _fill_workbook(path: Path, teachers: list[dict[str, Any]], name: str) -> list[str]:
    """Write compliant teachers into the template workbook by its headers; return the fields
    the workbook had no column for."""
    book = load_workbook(path)
    tcols, pcols = roster_columns(load_ruleset(name))
    by_path = {c.path: i + 1 for i, c in enumerate(tcols)}
    point_at = {c.path: i + 1 for i, c in enumerate(pcols)}
    missing: list[str] = []
    ws, ps = book["教师"], book["能力点"] if "能力点" in book.sheetnames else None
    prow = 2
    for r, teacher in enumerate(teachers, start=2):
        points = teacher.pop("points", None) or []
        for document in teacher.pop("documents", None) or []:  # one column per title asked for
            key = f"documents:{document['name']}"
            if key not in by_path or not document.get("filed_on"):
                missing.append(key)
                continue
            ws.cell(row=r, column=by_path[key], value=_cell(document["filed_on"]))
        for key, value in _flat(teacher).items():
            if key not in by_path:
                missing.append(key)
                continue
            ws.cell(row=r, column=by_path[key], value=_cell(value))
        for point in points:
            if ps is None:
                missing.append("points")
                break
            ps.cell(row=prow, column=point_at["id"], value=teacher["id"])
            evidence = point.pop("evidence", None)
            flat = _flat(point)
            if isinstance(evidence, dict):
                parts = _flat(evidence, "evidence.")
                flat.update(parts)
                if not parts:
                    flat["evidence"] = True  # handed in, nothing judged yet
            for key, value in flat.items():
                if key not in point_at:
                    missing.append(f"points.{key}")
                    continue
                ps.cell(row=prow, column=point_at[key], value=_cell(value))
            prow += 1
    book.save(path)
    return missing


@pytest.mark.parametrize("name", [n for n in RULESETS if template_level(load_ruleset(n)) == "school"])
@_FAST
@given(data=st.data())
def test_filled_workbook_passes(tmp_path_factory: pytest.TempPathFactory, name: str, data: st.DataObject) -> None:
    """The roster workbook filled with compliant teachers, beside the plan naming it
    (``roster: 名册.xlsx``), passes ``check``."""
    tmp = tmp_path_factory.mktemp("roster")
    rs = load_ruleset(name)
    record = data.draw(records(rs, "school", teachers=(1, 2)), label="compliant")
    teachers = [_prune(t, _template_paths(name), "teachers[].") for t in record.pop("teachers", None) or []]
    book = tmp / "名册.xlsx"
    assert main(["template", "-r", name, "--format", "xlsx", "-o", str(book)]) == 0
    assert _fill_workbook(book, [dict(t) for t in teachers], name) == []
    template = yaml.safe_load(plan_yaml(rs))["school"]
    template.pop("teachers", None)
    record = _prune(record, _template_paths(name))
    missing: list[str] = []
    filled = _fill(template, record, "", missing)
    assert missing == []
    filled["roster"] = "名册.xlsx"
    plan = _write(tmp, "plan.yaml", yaml.safe_dump({"school": filled}, allow_unicode=True))
    if not teachers:  # a school with no teacher rules: nothing to put in the roster
        return
    assert _check(tmp, name, plan) == 0


def test_workbook_sheets_headers_validations_and_text_ids(tmp_path: Path) -> None:
    """Read back with openpyxl: the sheets, the headers the roster reader knows, drop-down
    lists for grades and point codes, ids formatted as text; the 说明 sheet is not read."""
    book_path = tmp_path / "名册.xlsx"
    assert main(["template", "-r", "kaiyuan_2024", "--format", "xlsx", "-o", str(book_path)]) == 0
    book = load_workbook(book_path)
    assert book.sheetnames == ["教师", "能力点", "说明"]
    teachers, points = book["教师"], book["能力点"]
    theads = [c.value for c in teachers[1]]
    pheads = [c.value for c in points[1]]
    assert theads[:3] == ["工号", "姓名", "学校"] and "线上学时" in theads and "完成日期" in theads
    assert pheads[:2] == ["工号", "能力点"] and "认证日期" in pheads
    lists = {dv.formula1: str(dv.sqref) for dv in points.data_validations.dataValidation}
    codes = next(f for f in lists if "A1" in f)
    assert codes.strip('"').split(",") == list(CATALOG.points)
    assert teachers["A2"].number_format == "@" and points["A2"].number_format == "@"
    # a grade list where the ruleset reads a grade (zeku: the evidence's grade)
    zeku = tmp_path / "zeku.xlsx"
    assert main(["template", "-r", "zeku_2023", "--format", "xlsx", "-o", str(zeku)]) == 0
    zp = load_workbook(zeku)["能力点"]
    assert '"优秀,良好,合格,不合格"' in {dv.formula1 for dv in zp.data_validations.dataValidation}
    # every header is one the reader maps back to the same field
    from ict2rules.input.tabular import iter_roster

    teachers.append(["T001", "张三", "S1"] + [None] * (len(theads) - 3))
    points.append(["T001", "A1"] + [None] * (len(pheads) - 2))
    book.save(book_path)
    rows = list(iter_roster(book_path))
    notes = " ".join(n.message_en for r in rows for n in r.notes)
    assert "unknown column" not in notes
    (teacher,) = [r for r in rows if r.kind == "teacher"]
    assert teacher.data["id"] == "T001" and teacher.data["points"] == [{"code": "A1"}]
    assert "说明" in notes  # the instructions sheet is said to be not read, never read as teachers
