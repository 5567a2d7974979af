"""The 30 micro-ability points (微能力点), their dimensions and environments, as loaded data.

>>> CATALOG.points["B2"].zh
'微课程设计与制作'
>>> CATALOG.points["B2"].dimension, CATALOG.points["B2"].environment
('instructional_design', 'B')
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class Label:
    zh: str
    en: str


@dataclass(frozen=True)
class Point:
    code: str
    zh: str
    en: str
    dimension: str
    environment: str


@dataclass(frozen=True)
class Catalog:
    points: dict[str, Point]
    dimensions: dict[str, Label]
    environments: dict[str, Label]

    def dimension_of(self, code: str) -> str:
        return self.points[code].dimension

    def environment_of(self, code: str) -> str:
        return self.points[code].environment

    def dimension_key(self, name: str) -> str | None:
        """Accept a dimension by key or by its Chinese or English name.

        >>> CATALOG.dimension_key("学业评价")
        'academic_assessment'
        """
        for key, label in self.dimensions.items():
            if name in (key, label.zh, label.en):
                return key
        return None


def _load() -> Catalog:
    text = resources.files("ict2rules").joinpath("data/catalog.yaml").read_text("utf-8")
    # the bundled file is trusted data: libyaml's safe loader reads it as SafeLoader does,
    # several times faster (every process loads it at start-up)
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return Catalog(
        points={
            code: Point(code, p["zh"], p["en"], p["dimension"], code[0])
            for code, p in raw["points"].items()
        },
        dimensions={k: Label(**v) for k, v in raw["dimensions"].items()},
        environments={k: Label(**v) for k, v in raw["environments"].items()},
    )


CATALOG = _load()
