"""The committed JSON Schemas are current, and what we ship validates against them."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from ict2rules import bundled_names, evaluate
from ict2rules.authoring.schemas import GENERATOR, SCHEMAS, committed, committed_generator, dumps
from ict2rules.input.yamlsafe import load_file
from ict2rules.rules.loader import bundled_path

ROOT = Path(__file__).resolve().parents[1]


# The generated files are compared exactly under the pydantic minor version that wrote them;
# under another one (CI's lowest-versions run, a newer release) the models are still checked
# by validating every bundled ruleset, example and report against the live schema below.
same_generator = pytest.mark.skipif(
    committed_generator() != GENERATOR,
    reason=f"generated files were written with {committed_generator()}, this is {GENERATOR}",
)


@same_generator
@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_current(name: str) -> None:
    assert committed(name) == dumps(SCHEMAS[name]()), (
        f"schemas/{name}.schema.json is stale: run `python -m ict2rules.authoring.schemas` and commit"
    )


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_ruleset_matches_the_json_schema(name: str) -> None:
    data, _ = load_file(bundled_path(name))
    jsonschema.validate(
        _json_ready(data), SCHEMAS["ruleset"](), format_checker=jsonschema.FormatChecker()
    )


def _json_ready(value: object) -> object:
    import datetime as dt

    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.mark.parametrize("path", sorted((ROOT / "examples").rglob("*.yaml")), ids=lambda p: p.name)
def test_examples_match_the_records_schema(path: Path) -> None:
    data, _ = load_file(path)
    jsonschema.validate(_json_ready(data), SCHEMAS["records"]())


def test_report_matches_the_report_schema() -> None:
    report = evaluate(
        "zeku_2023", ROOT / "examples" / "zeku_2023" / "school_ok.yaml", as_of="2023-10-01"
    )
    jsonschema.validate(report.to_dict(), SCHEMAS["report"]())


@same_generator
def test_kind_reference_page_is_current() -> None:
    from ict2rules.authoring.kinddocs import kinds_markdown

    page = (ROOT / "docs" / "kinds.md").read_text(encoding="utf-8")
    assert page == kinds_markdown(), (
        "docs/kinds.md is stale: run `python -m ict2rules.authoring.kinddocs > docs/kinds.md`"
    )
