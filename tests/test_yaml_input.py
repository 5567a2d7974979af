"""The YAML reader gives the same data, positions and refusals through either composer.

``yamlsafe`` composes with libyaml (C) when PyYAML has it and with PyYAML's pure-Python
composer otherwise; every case below runs through both. The places are the ones the event-based
reader of earlier versions gave (issue 11 kept them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ict2rules.errors import InputError
from ict2rules.input import yamlsafe
from ict2rules.input.yamlsafe import Limits, load_yaml_text

# libyaml as installed; libyaml as if it had no nesting cap of its own (0.2.5: its composer
# is then only given text whose events were read first when it could nest deeply); pure Python
LOADERS = ["libyaml", "libyaml-uncapped", "python"] if yamlsafe._CLoader else ["python"]


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    cls = yamlsafe._PyLoader if request.param == "python" else yamlsafe._CLoader
    monkeypatch.setattr(yamlsafe, "_Loader", cls)
    if request.param == "libyaml-uncapped":
        monkeypatch.setattr(yamlsafe, "_libyaml_caps_nesting", lambda: False)
    yield request.param


def _laughs(levels: int = 9, fan: int = 9) -> str:
    lines = ["a: &a [" + ", ".join(["lol"] * fan) + "]"]
    for i in range(1, levels):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def _refusal(text: str, **limits: Any) -> tuple[str, int | None, int | None]:
    with pytest.raises(InputError) as info:
        load_yaml_text(text, "t.yaml", limits=Limits(**limits) if limits else None)
    (problem,) = info.value.problems
    return problem.message_en, problem.line, problem.column


REFUSED = {
    "bomb": (_laughs(), "expanding the aliases", 7, 8),
    "aliases": ("a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n", "more than 100 aliases", 2, 405),
    "recursive": ("a: 1\nb: &a [1, *a]\n", "alias *a refers to an anchor that contains it", 2, 11),
    "recursive_merge": ("a: &a {b: {<<: *a}}\n", "alias *a refers to an anchor", 1, 16),
    "undefined": ("x: 1\na: *nope\n", "undefined alias *nope", 2, 4),
    "duplicate_anchor": ("a: &x 1\nb: !!str &x 2\n", "duplicate anchor &x", 2, 4),
    "two_documents": ("a: 1\n---\nb: 2\n", "expected a single YAML document", 2, 1),
    "deep_flow": ("[" * 65 + "]" * 65, "nesting is deeper than 64 levels", 1, 65),
    "deep_unterminated": ("[" * 200_000, "nesting is deeper than 64 levels", 1, 65),
    "deep_block": (
        "".join("  " * i + f"k{i}:\n" for i in range(70)) + "x: 1\n",
        "nesting is deeper than 64 levels",
        65,
        129,
    ),
    "deep_block_far": (
        "".join(" " * i + f"k{i}:\n" for i in range(3000)) + "x: 1\n",
        "nesting is deeper than 64 levels",
        65,
        65,
    ),
    "deep_sequence": ("- " * 200_000 + "x\n", "nesting is deeper than 64 levels", 1, 129),
    "deep_then_bad_syntax": ("a: " + "[" * 80 + "}", "nesting is deeper than 64 levels", 1, 67),
    "deep_behind_alias": (
        "a: &a " + "[" * 40 + "1" + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n",
        "nesting is deeper than 64 levels (aliases expanded)",
        2,
        34,
    ),
    "duplicate_key": ("a: 1\nb:\n  c: 1\n  c: 2\n", "duplicate key 'c'", 4, 3),
    "tag": ("a: 1\nb: !!python/name:os.system\n", "unsupported tag !!python/name:os.system", 2, 4),
    "tag_before_bad_syntax": ("a: !!binary aGVsbG8=\nb: [\n", "unsupported tag !!binary", 1, 4),
    "date": ("when: 2021-02-30\n", "cannot read the value '2021-02-30'", 1, 7),
    "merge_keys": (
        "".join(f"m{i}:\n  <<: {{x: {i}}}\n" for i in range(101)),
        "more than 100 merge keys",
        202,
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_at_the_same_place_by_either_composer(loader: str, case: str) -> None:
    text, message, line, column = REFUSED[case]
    found, at_line, at_column = _refusal(text)
    assert found.startswith(message)
    assert (at_line, at_column) == (line, column)


def test_too_many_values_at_the_value(loader: str) -> None:
    assert _refusal("[" + ",".join(["1"] * 100) + "]", max_nodes=100)[1:] == (1, 1)  # the list, its 101st value
    # an alias counts as everything it points to, placed at the alias
    text = "a: &a [" + ",".join(["1"] * 40) + "]\nb: [*a, *a]\n"
    found, line, column = _refusal(text, max_nodes=100)
    assert found.startswith("expanding the aliases") and (line, column) == (2, 9)


def test_syntax_error_is_placed(loader: str) -> None:
    found, line, column = _refusal("a: 1\nb: [1,\nc: }\n")
    assert found.startswith("invalid YAML: ") and (line, column) == (3, 4)


def test_data_and_positions_agree(loader: str) -> None:
    text = (
        "学校: 第一中学\n教师: [张三, {名: 李四, 学时: 50}]\n"
        "base: &base {online: 50, offline: 10}\nschool:\n  <<: *base\n  offline: 20\n"
        "a: yes\nb: 050\nc: 1:05\nd: 0x32\ne: 5_0\nf: true\ng: 1.5\nh: ~\nj: =\nk: !!int 050\n"
    )
    data, where = load_yaml_text(text, "t.yaml")
    assert data["教师"] == ["张三", {"名": "李四", "学时": 50}]
    assert data["school"] == {"online": 50, "offline": 20}
    # YAML 1.2 plain scalars: only true/false and decimal numbers are read as such
    assert [data[k] for k in "abcdefghjk"] == ["yes", "050", "1:05", "0x32", "5_0", True, 1.5, None, "=", 40]
    assert where.find(("教师", 1, "学时")) == (2, 22)
    assert where.find(("school", "online")) == (3, 22)  # where the merged value was written
    assert where.find(("school", "offline")) == (6, 12)


def test_brackets_in_strings_only_cost_a_look_at_the_events(loader: str) -> None:
    # far more "[" than any depth the composers may be given without reading the events first
    text = "note: '" + "[" * 6000 + "'\nlist: [[1, 2], {a: [3]}]\n"
    assert yamlsafe._depth_bound(text, 10**6) > yamlsafe._C_SAFE_DEPTH
    data, where = load_yaml_text(text, "t.yaml")
    assert data["list"] == [[1, 2], {"a": [3]}] and len(data["note"]) == 6000
    assert where.find(("list", 1, "a", 0)) == (2, 21)


def test_without_libyaml_the_pure_python_composer_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    assert yamlsafe._pick_loader() is yamlsafe._PyLoader
    monkeypatch.setattr(yaml, "__with_libyaml__", True)
    assert yamlsafe._pick_loader() is (yamlsafe._CLoader or yamlsafe._PyLoader)


# nested lists/mappings written in block, flow or mixed style
_NESTED = st.recursive(
    st.integers(0, 9) | st.text("ab[]{}:-'\" #", max_size=4),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text("abc", max_size=2), kids, max_size=3),
    max_leaves=30,
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


@settings(max_examples=60, deadline=None)
@given(_NESTED, st.sampled_from([True, False, None]), st.integers(1, 4))
def test_depth_bound_is_never_below_the_real_depth(value: Any, flow: bool | None, indent: int) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, indent=max(indent, 2), width=20)
    assert yamlsafe._depth_bound(text, 10**9) >= _depth(value)


def test_the_garbage_collector_is_left_as_it_was() -> None:
    import gc

    assert gc.isenabled()
    load_yaml_text("a: [1, 2]\n", "t.yaml")
    with pytest.raises(InputError):
        load_yaml_text("a: &a [1, *a]\n", "t.yaml")
    assert gc.isenabled()
    gc.disable()
    try:
        load_yaml_text("a: 1\n", "t.yaml")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_yaml_benchmark_runs() -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_yaml.py"
    done = subprocess.run(
        [sys.executable, str(script), "--teachers", "30", "--repeat", "1", "--python"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "yamlsafe.load_yaml_text" in done.stdout and "x plain yaml.load" in done.stdout


def test_a_hand_written_plan_takes_the_dates_a_roster_takes(tmp_path) -> None:
    """２０２３-０９-２５, 2023/9/25, 2023年9月25日 in a YAML plan are the dates a roster cell gives,
    through the one shared parse; a day that does not exist and a month alone are refused."""
    import datetime as dt

    import pytest

    from ict2rules.errors import InputError
    from ict2rules.input.files import read_records
    from ict2rules.input.records import date_from_text

    forms = ["２０２３-０９-２５", "2023/9/25", "2023.9.25", "2023年9月25日", "２０２３年９月２５日", "20230925", "2023-09-25 08:30"]
    for form in forms:
        plan = tmp_path / "plan.yaml"
        plan.write_text(f"teacher: {{id: T1, completed_on: '{form}'}}\n", encoding="utf-8")
        (teacher,) = read_records(plan).teachers
        assert teacher.completed_on == dt.date(2023, 9, 25), form
        assert date_from_text(form) == dt.date(2023, 9, 25)  # the roster's cells go through it too
    for bad in ("2023/2/30", "2023年9月", "25/9/2023"):
        plan.write_text(f"teacher: {{id: T1, completed_on: '{bad}'}}\n", encoding="utf-8")
        with pytest.raises(InputError) as err:
            read_records(plan)
        assert err.value.problems[0].line == 1 and err.value.problems[0].field
    plan.write_text("teacher: {id: T1, completed_on: 20230925}\n", encoding="utf-8")  # a number, not text
    with pytest.raises(InputError):
        read_records(plan)
