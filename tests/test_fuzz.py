"""Fuzzing every loader and the evaluator: the only outcomes are a result or ``InputError``.

Whatever the input — arbitrary JSON-like values, mutated example records, mutated rulesets,
random CSV bytes — the library returns records / a report, or raises
:class:`~ict2rules.errors.InputError` with located problems. Never another exception, never a
hang (examples are kept small; ``deadline=None`` only because CI machines stall).

The CI run is short (well under 60 s on two cores). For a long run::

    HYPOTHESIS_PROFILE=nightly python -m pytest tests/test_fuzz.py

which multiplies every ``max_examples`` by :data:`NIGHTLY_FACTOR` (about 15–20 minutes).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ict2rules
from ict2rules.errors import InputError
from ict2rules.input import records as rec
from ict2rules.input.files import read_records, records_from_data
from ict2rules.input.yamlsafe import load_file
from ict2rules.render import write
from ict2rules.rules.loader import bundled_path, load_ruleset

ROOT = Path(__file__).resolve().parents[1]
NIGHTLY_FACTOR = 50
NIGHTLY = os.environ.get("HYPOTHESIS_PROFILE") == "nightly"


def fuzz(examples: int) -> Any:
    """Settings for one fuzz test: few examples in CI, many more in the nightly profile."""
    return settings(
        max_examples=examples * NIGHTLY_FACTOR if NIGHTLY else examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                               HealthCheck.data_too_large],
        database=None if not NIGHTLY else settings.default.database,
    )


def _loadable() -> list[str]:
    """Bundled rulesets that load today (one still being written must not block fuzzing)."""
    names = []
    for name in ict2rules.bundled_names():
        try:
            load_ruleset(name)
        except InputError:
            continue
        names.append(name)
    return names


RULESETS = _loadable()
EXAMPLES = sorted(ROOT.glob("examples/*/*.yaml"))

# ------------------------------------------------------------------------------ strategies


def _field_names() -> list[str]:
    """Every field name of every record model: keys that reach deep into the models."""
    names: set[str] = set()
    for model in vars(rec).values():
        if isinstance(model, type) and issubclass(model, rec.BaseModel):
            names |= set(model.model_fields)
    return sorted(names)


FIELDS = _field_names()
TOP = ["teacher", "teachers", "school", "schools", "project", "projects"]
NASTY: list[Any] = [
    float("nan"), float("inf"), float("-inf"), -1, 0, 10**30, -(10**30), 1e308, 5e-324,
    "", " ", "五十", "50学时", "\u202e\u0000", "\U0001f600" * 3, "A1", "a14", "Z9",
    "2024-02-30", "2023-12-31", dt.date(1, 1, 1), dt.date(9999, 12, 31), True, False, None,
    [], {}, [None], {"": None}, "$nope", "hours.nope", "{actual}{expected}", "../../etc/passwd",
]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.dates(), st.sampled_from(NASTY),
)
keys = st.one_of(st.sampled_from(FIELDS + TOP), st.text(max_size=6))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)
    ),
    max_leaves=25,
)
documents = st.one_of(values, st.dictionaries(st.sampled_from(TOP), values, min_size=1, max_size=2))


def _paths(data: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path inside a document (the root included), down to a depth no record has: a
    mutation may make a document contain itself (the nightly profile found one)."""
    found = [at]
    if len(at) > 40:
        return found
    if isinstance(data, dict):
        for k, v in data.items():
            found += _paths(v, (*at, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found += _paths(v, (*at, i))
    return found


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(data, path[:-1])[path[-1]] = value
    return data


def _delete(data: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return {}
    del _get(data, path[:-1])[path[-1]]
    return data


OPERATIONS = ["delete", "replace", "swap", "wrap", "stringify", "duplicate"]


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    """``original`` after 1–4 mutations: keys dropped, types changed, values swapped …"""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(OPERATIONS))
        if op == "delete":
            data = _delete(data, path)
        elif op == "replace":
            data = _set(data, path, draw(values))
        elif op == "swap":
            other = draw(st.sampled_from(paths))
            if path[: len(other)] != other and other[: len(path)] != path:  # neither holds the other
                a, b = copy.deepcopy(_get(data, path)), copy.deepcopy(_get(data, other))
                data = _set(_set(data, path, b), other, a)
        elif op == "wrap":
            data = _set(data, path, [copy.deepcopy(_get(data, path))])
        elif op == "stringify":
            data = _set(data, path, str(_get(data, path)))
        else:
            node = _get(data, path)
            if isinstance(node, list) and node:
                node.append(copy.deepcopy(draw(st.sampled_from(node))))
    return data


def _example_data() -> list[Any]:
    out = []
    for path in EXAMPLES:
        try:
            data, _ = load_file(path)
        except InputError:
            continue
        out.append(data)
    return out


EXAMPLE_DATA = _example_data()


def _render(report: Any) -> None:
    """A report that came out must also render: JSON and text, both languages."""
    json.dumps(report.to_dict(), ensure_ascii=False)
    for fmt, lang in (("json", "en"), ("text", "zh")):
        write(fmt, report, io.StringIO(), lang=lang, color=False)


def _evaluate_or_input_error(ruleset: Any, data: Any) -> None:
    try:
        report = ict2rules.evaluate(ruleset, data, as_of="2023-10-01")
    except InputError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return
    for f in report.findings:  # each kind's cheap verdict is the status its check explains
        assert f.status is f.outcome.status, (f.rule_id, f.subject.label(), f.outcome)
    _render(report)


# ---------------------------------------------------------------------------------- records


@fuzz(300)
@given(documents)
def test_records_from_arbitrary_data(data: Any) -> None:
    try:
        records_from_data(data, "fuzz.yaml")
    except InputError as exc:
        assert exc.problems
        for p in exc.problems:
            assert "\n" not in str(p) and p.message_zh and p.message_en


@pytest.mark.parametrize("name", RULESETS)
@fuzz(40)
@given(data=documents)
def test_evaluate_arbitrary_data(name: str, data: Any) -> None:
    _evaluate_or_input_error(load_ruleset(name), data)


@pytest.mark.skipif(not EXAMPLE_DATA, reason="no examples")
@fuzz(250)
@given(data=st.data())
def test_evaluate_mutated_examples(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(EXAMPLE_DATA))
    document = data.draw(mutated(original))
    name = data.draw(st.sampled_from(RULESETS))
    _evaluate_or_input_error(load_ruleset(name), document)


# --------------------------------------------------------------------------------- rulesets

_ZEKU_PATH = bundled_path("zeku_2023")
ZEKU = load_file(_ZEKU_PATH)[0] if _ZEKU_PATH else None
_counter = itertools.count()


@pytest.mark.skipif(ZEKU is None, reason="zeku_2023 is not bundled")
@fuzz(120)
@given(data=st.data())
def test_mutated_ruleset_loads_or_is_refused(data: st.DataObject, tmp_path: Path) -> None:
    """Drop or alter keys of zeku_2023, load it as a file, then check an example with it."""
    document = data.draw(mutated(ZEKU))
    path = tmp_path / f"mutant_{next(_counter)}.json"  # a fresh name: no cached ruleset reused
    path.write_text(json.dumps(document, ensure_ascii=False, default=str), encoding="utf-8")
    try:
        ruleset = load_ruleset(path)
    except InputError as exc:
        assert exc.problems
        return
    for record in EXAMPLE_DATA[:3]:
        _evaluate_or_input_error(ruleset, record)


# ---------------------------------------------------------------------------------- rosters

HEADERS = ["工号", "姓名", "线上学时", "线下学时", "能力点", "成绩", "考核日期", "是否参训", "id", "备注"]
cells = st.one_of(
    st.text(max_size=8), st.sampled_from(["五十", "50", "-3", "1e400", "A1;B2:85", "是", "2024-02-30",
                                          "NaN", '"', "\x00", "", "T1"]),
)
csv_text = st.lists(
    st.lists(cells, min_size=1, max_size=6).map(lambda r: ",".join(r)), max_size=6
).map("\n".join)


@fuzz(150)
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
    body=csv_text,
    raw=st.binary(max_size=64),
    use_raw=st.booleans(),
    keep_going=st.booleans(),
    suffix=st.sampled_from([".csv", ".jsonl"]),
)
def test_roster_reader_on_random_rows(
    tmp_path: Path, header: list[str], body: str, raw: bytes, use_raw: bool, keep_going: bool,
    suffix: str,
) -> None:
    path = tmp_path / f"roster_{next(_counter)}{suffix}"
    content = raw if use_raw else (",".join(header) + "\n" + body).encode("utf-8")
    path.write_bytes(content)
    try:
        records = read_records(path, keep_going=keep_going)
    except InputError as exc:
        assert exc.problems
        return
    assert records.skipped_rows >= 0
    if RULESETS:
        _evaluate_or_input_error(load_ruleset(RULESETS[0]), records)


def _bundled_files() -> list[tuple[str, Any]]:
    out = []
    for name in RULESETS:
        path = bundled_path(name)
        if path is not None:
            out.append((name, load_file(path)[0]))
    return out


BUNDLED_DATA = _bundled_files()


@pytest.mark.skipif(not BUNDLED_DATA, reason="no bundled rulesets load")
@fuzz(100)
@given(data=st.data())
def test_parameters_of_any_type(data: st.DataObject, tmp_path: Path) -> None:
    """Give a bundled ruleset's parameters values of the wrong type (text for a number, a list
    for a date …): refused at load with the parameter named, or evaluated without a crash."""
    name, original = data.draw(st.sampled_from(BUNDLED_DATA))
    document = copy.deepcopy(original)
    params = document.get("parameters") or {}
    for key in data.draw(st.lists(st.sampled_from(sorted(params) or ["x"]), max_size=3)):
        if key in params:
            params[key]["value"] = data.draw(st.one_of(st.sampled_from(NASTY), values))
    path = tmp_path / f"{name}_{next(_counter)}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, default=str), encoding="utf-8")
    try:
        ruleset = load_ruleset(path)
    except InputError as exc:
        assert exc.problems
        return
    for record in EXAMPLE_DATA:
        _evaluate_or_input_error(ruleset, record)
