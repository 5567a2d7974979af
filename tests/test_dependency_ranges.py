"""The lowest-versions CI run installs exactly the lower bounds pyproject.toml declares."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself needs tomli on Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def declared_lower_bounds() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    bounds = {}
    for text in requirements:
        req = Requirement(text)
        (lowest,) = [s.version for s in req.specifier if s.operator == ">="]
        bounds[canonicalize_name(req.name)] = Version(lowest)
    return bounds


def pinned_lowest() -> dict[str, Version]:
    text = (ROOT / "constraints" / "lowest.txt").read_text("utf-8")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.MULTILINE)
    return {canonicalize_name(name): Version(version) for name, version in pins}


def test_every_dependency_has_a_lower_bound_and_it_is_the_pinned_one() -> None:
    assert pinned_lowest() == declared_lower_bounds()


def test_ci_runs_the_readme_command_and_the_lowest_versions() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    (command,) = re.findall(r"^python3 -m venv \.venv && \S+ install \"\.\[test\]\".*$", readme, re.M)
    assert command in ci.splitlines()
    assert "-c constraints/lowest.txt" in ci
