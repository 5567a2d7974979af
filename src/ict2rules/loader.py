"""Find, read, validate and merge rulesets (``extends:``), reporting mistakes at their place.

>>> rs = load_ruleset("zeku_2023")
>>> rs.parameters["total_hours"].value
75
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .compiler import CompileError
from .errors import InputError, Problem, problems_from_validation
from .ruleset import LoadedParameter, Override, Rule, Ruleset, RulesetFile, Source
from .yamlsafe import Locations, load_file, resolve_extends

MAX_EXTENDS_DEPTH = 8


def bundled_dir() -> Path:
    """The folder of the rulesets that ship with the package."""
    return Path(str(resources.files("ict2rules").joinpath("rulesets")))


def bundled_names() -> list[str]:
    """Names of the bundled rulesets, sorted.

    >>> "zeku_2023" in bundled_names()
    True
    """
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


def bundled_path(name: str) -> Path | None:
    path = bundled_dir() / f"{name}.yaml"
    return path if path.is_file() else None


def _read(path: Path) -> tuple[RulesetFile, Locations, Any]:
    data, where = load_file(path)
    if not isinstance(data, dict):
        raise InputError.single(str(path), "规则集文件顶层应为映射", "a ruleset file must be a mapping at the top level", line=1)
    try:
        return RulesetFile.model_validate(data), where, data
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, data, str(path), where.find)) from None


def _with_document(source: Source, seed: str | None) -> Source:
    return source if source.document or not seed else source.model_copy(update={"document": seed})


def _locate_path(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    if isinstance(name_or_path, str) and "/" not in text and "\\" not in text and not text.endswith((".yaml", ".yml", ".json")):
        found = bundled_path(text)
        if found is None:
            from .errors import did_you_mean

            hint = did_you_mean(text, bundled_names())
            tip = f"; did you mean {hint!r}?" if hint else ""
            raise InputError.single(
                text, f"没有名为 {text} 的内置规则集", f"no bundled ruleset named {text!r}{tip}"
            )
        return found
    return Path(name_or_path)


def load_ruleset(name_or_path: str | Path) -> Ruleset:
    """Load a bundled ruleset by name (``"zeku_2023"``) or a ruleset file by path.

    ``extends:`` is followed (bundled names, or files under the ruleset's own folder), the
    result is validated and compiled, and any mistake raises :class:`InputError` with the
    file, line and column.

    >>> load_ruleset("kaiyuan_2024").document.issuer
    '开原市教育局'
    """
    path = _locate_path(name_or_path)
    return _load(path.resolve() if path.exists() else path)


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime: float) -> Ruleset:
    return _load_uncached(path)


def _load(path: Path) -> Ruleset:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    return _load_cached(path, mtime)


def _load_uncached(path: Path) -> Ruleset:
    files: list[tuple[Path, RulesetFile, Locations]] = []
    current: Path | None = path
    while current is not None:
        if any(current == p for p, _, _ in files):
            chain = " → ".join(f.id for _, f, _ in files)
            raise InputError.single(str(current), f"extends 形成循环:{chain}", f"extends forms a cycle: {chain}")
        if len(files) >= MAX_EXTENDS_DEPTH:
            raise InputError.single(str(current), "extends 层级过深", f"extends is nested deeper than {MAX_EXTENDS_DEPTH}")
        model, where, _ = _read(current)
        files.append((current, model, where))
        current = _extends(model.extends, current, where) if model.extends else None
    files.reverse()  # base first
    merged = _merge([(m, str(p)) for p, m, _ in files])
    try:
        merged.plan  # noqa: B018  (compile now so that a bad path is reported at load time)
    except CompileError as exc:
        raise InputError([_compile_problem(exc, files)]) from None
    return merged


def _extends(name: str, current: Path, where: Locations) -> Path:
    pos = where.find(("extends",)) or (None, None)
    return resolve_extends(name, current.parent, bundled_path, source=str(current), line=pos[0], column=pos[1])


def _merge(files: list[tuple[RulesetFile, str]]) -> Ruleset:
    params: dict[str, LoadedParameter] = {}
    rules: dict[str, Rule] = {}
    origin: dict[str, str] = {}
    derived: dict[str, Any] = {}
    for model, _ in files:
        seed = model.document.seed
        for name, p in model.parameters.items():
            source = _with_document(p.source, seed)
            prev = params.get(name)
            overrides = [*prev.overrides, Override(ruleset=prev.defined_in, value=prev.value, source=prev.source)] if prev else []
            params[name] = LoadedParameter(
                name=name, value=p.value, unit=p.unit if p.unit is not None else prev and prev.unit,
                description=p.description or (prev and prev.description), source=source, note=p.note,
                defined_in=model.id, overrides=overrides,
            )
        for rid in model.remove_rules:
            rules.pop(rid, None)
            origin.pop(rid, None)
        for d in model.derived:
            derived[d.id] = d.model_copy(update={"source": _with_document(d.source, seed)})
        for r in model.rules:
            rules[r.id] = r.model_copy(update={"source": _with_document(r.source, seed)})
            origin[r.id] = model.id
    top, top_path = files[-1]
    return Ruleset(
        id=top.id,
        title=top.title,
        document=top.document,
        chain=[m.id for m, _ in files],
        path=top_path,
        parameters=params,
        derived=list(derived.values()),
        rules=list(rules.values()),
        rule_origin=origin,
    )


def _compile_problem(exc: CompileError, files: list[tuple[Path, RulesetFile, Locations]]) -> Problem:
    """Place a compile error at the rule (or derived value) it names."""
    kind, _, ident = exc.where.partition(" ")
    for path, model, where in reversed(files):
        items = model.rules if kind == "rule" else model.derived
        for i, item in enumerate(items):
            if item.id == ident:
                section = "rules" if kind == "rule" else "derived"
                pos = where.find((section, i))
                return Problem(
                    str(path), f"{exc.where}:{exc.message}", f"{exc.where}: {exc.message}",
                    line=pos[0] if pos else None, column=pos[1] if pos else None, code="compile",
                )
    return Problem(str(files[-1][0]), exc.message, exc.message, code="compile")
