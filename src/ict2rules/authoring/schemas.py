"""JSON Schemas generated from the pydantic models, committed under ``schemas/``.

``python -m ict2rules.authoring.schemas`` rewrites the committed files; a test fails when they are stale,
so editors and other systems always get the schema the code actually enforces.

>>> sorted(SCHEMAS)
['records', 'report', 'ruleset']
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from ..report.schema import GENERATOR, model_schema  # noqa: F401 (GENERATOR re-exported: tests read it here)


def ruleset_schema() -> dict[str, Any]:
    from ..rules.ruleset import RulesetFile

    return model_schema(RulesetFile, "ict2rules ruleset")


def records_schema() -> dict[str, Any]:
    from ..input.records import DataFile

    return model_schema(DataFile, "ict2rules record file")


def report_schema() -> dict[str, Any]:
    from ..report.schema import report_schema as generated

    return generated()


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "records": records_schema,
    "report": report_schema,
    "ruleset": ruleset_schema,
}


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def committed(name: str) -> str:
    """The committed schema text for ``name``."""
    return resources.files("ict2rules").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")


def committed_generator() -> str:
    """The generator named in the committed records schema (``GENERATOR`` when it was written).

    >>> committed_generator().startswith("pydantic ")
    True
    """
    comment = json.loads(committed("records")).get("$comment", "")
    return comment.rpartition(" with ")[2]


def write_all(folder: Path | None = None) -> list[Path]:
    folder = folder or Path(__file__).parents[1] / "schemas"
    out = []
    for name, make in SCHEMAS.items():
        path = folder / f"{name}.schema.json"
        path.write_text(dumps(make()), encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":
    for p in write_all():
        print(p)
