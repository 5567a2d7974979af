"""Find, read, validate and merge rulesets (``extends:``), reporting mistakes at their place.

>>> rs = load_ruleset("zeku_2023")
>>> rs.parameters["total_hours"].value
75
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import (
    InputError,
    Problem,
    did_you_mean,
    dotted,
    path_argument,
    problems_from_validation,
)
from ..input.yamlsafe import Locations, load_file, resolve_extends
from .compiler import CompileError
from .ruleset import LoadedParameter, Override, Rule, Ruleset, RulesetFile, Source

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
        raise InputError.single(
            str(path),
            "规则集文件顶层应为映射(键: 值)",
            f"a ruleset file must be a mapping (key: value) at the top level, not {_kind(data)}",
            line=1,
        )
    try:
        model = RulesetFile.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, data, str(path), where.find, model=RulesetFile)
        raise InputError(problems) from None
    # YAML .nan / .inf would make every comparison false: no ruleset value needs them
    bad = [_not_finite_problem(str(path), at, where) for at in _non_finite(data, ())]
    bad += _duplicate_ids(model, str(path), where)
    if bad:
        raise InputError(bad)
    return model, where, data


def _duplicate_ids(model: RulesetFile, file: str, where: Locations) -> list[Problem]:
    """Two rules (or derived values) with one id in one file: the second would silently
    replace the first. (Replacing an inherited rule is what ``extends`` is for.)"""
    found = []
    for section, items in (("rules", model.rules), ("derived", model.derived)):
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                line, col = where.find((section, i, "id")) or (None, None)
                found.append(Problem(
                    file, f"编号 {item.id} 在本文件中重复(第一次在 {section}[{first[item.id]}])",
                    f"id {item.id!r} is used twice in this file (first at {section}[{first[item.id]}])",
                    line=line, column=col, field=f"{section}[{i}].id", code="duplicate",
                ))
            first.setdefault(item.id, i)
    return found


def _non_finite(data: Any, at: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """Paths of NaN / Infinity values anywhere in a document."""
    if isinstance(data, float) and not math.isfinite(data):
        yield at
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _non_finite(value, (*at, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _non_finite(value, (*at, i))


def _not_finite_problem(file: str, at: tuple[str | int, ...], where: Locations) -> Problem:
    pos = where.find(at) or (None, None)
    return Problem(
        file, "必须是有限数值,不能是 NaN 或无穷大", "must be a finite number, not NaN or Infinity",
        line=pos[0], column=pos[1], field=dotted(at) or None, code="finite_number",
    )


def _kind(data: Any) -> str:
    return "a list" if isinstance(data, list) else "nothing" if data is None else repr(data)[:40]


def _with_document(source: Source, model: RulesetFile) -> Source:
    """The source as reports cite it: the seed file it quotes, and the title of the document
    whose clause it is (the ruleset that defines it), which is what a reader recognises."""
    update: dict[str, str] = {}
    if not source.document and model.document.seed:
        update["document"] = model.document.seed
    if not source.title:
        update["title"] = model.document.title
    return source.model_copy(update=update) if update else source


def _locate_path(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    if (
        isinstance(name_or_path, str)
        and "/" not in text
        and "\\" not in text
        and not text.endswith((".yaml", ".yml", ".json"))
    ):
        found = bundled_path(text)
        if found is None:
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
    if isinstance(name_or_path, Ruleset):
        return name_or_path
    path_argument(name_or_path, "ruleset")  # text or a Path, no NUL, not too long
    path = _locate_path(name_or_path)
    try:
        return _load(path.resolve() if path.exists() else path)
    except OSError as exc:  # resolve() on a name the OS refuses (a loop of links …)
        reason = exc.strerror or type(exc).__name__
        raise InputError.single(str(path), f"无法读取文件:{reason}", f"cannot read the file: {reason}") from None


# path → (ruleset, the stamp of every file of its extends chain): a ruleset is loaded again
# when any of its files changed, not only the one named. The stamp is not the mtime alone:
# ``cp -p``, ``rsync -t`` and ``tar`` rewrite a file and put its old mtime back. The change
# time (which no user can set), the size, the inode and the nanosecond mtime together change
# whenever the content can have.
_CACHE: dict[Path, tuple[Ruleset, tuple[tuple[Path, tuple[int, ...]], ...]]] = {}
_CACHE_SIZE = 64


def _stamp(path: Path) -> tuple[int, ...]:
    try:
        st = path.stat()
    except OSError:
        return (-1,)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _load(path: Path) -> Ruleset:
    hit = _CACHE.get(path)
    if hit is not None and all(_stamp(p) == m for p, m in hit[1]):
        return hit[0]
    ruleset, chain = _load_uncached(path)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[path] = (ruleset, tuple((p, _stamp(p)) for p in chain))
    return ruleset


def _at_extends(files: list[tuple[Path, RulesetFile, Locations]], zh: str, en: str) -> InputError:
    """A problem of the chain, placed at the last file's ``extends:``."""
    pos = files[-1][2].find(("extends",)) or (None, None)
    return InputError.single(str(files[-1][0]), zh, en, line=pos[0], column=pos[1],
                             field="extends", code="extends")


def _load_uncached(path: Path) -> tuple[Ruleset, list[Path]]:
    files: list[tuple[Path, RulesetFile, Locations]] = []
    raw: dict[Path, Any] = {}  # each file's data, to place compile errors at their value
    current: Path | None = path
    while current is not None:
        if any(current == p for p, _, _ in files):
            chain = " → ".join(f.id for _, f, _ in files)
            again = next(f.id for p, f, _ in files if p == current)
            raise _at_extends(files, f"extends 形成循环:{chain} → {again}",
                              f"extends forms a cycle: {chain} → {again}")
        if len(files) >= MAX_EXTENDS_DEPTH:  # at the extends that goes one file too far
            raise _at_extends(files, f"extends 链超过 {MAX_EXTENDS_DEPTH} 个文件",
                              f"the extends chain is longer than {MAX_EXTENDS_DEPTH} files")
        model, where, raw[current] = _read(current)
        files.append((current, model, where))
        current = _extends(model.extends, current, where) if model.extends else None
    files.reverse()  # base first
    _check_removals(files)
    merged = _merge([(m, str(p)) for p, m, _ in files])
    try:
        merged.plan  # noqa: B018  (compile now so that a bad path is reported at load time)
    except CompileError as exc:
        raise InputError([_compile_problem(exc, files, raw)]) from None
    return merged, [p for p, _, _ in files]


def _check_removals(files: list[tuple[Path, RulesetFile, Locations]]) -> None:
    """``remove_rules`` must name rules the chain has: a typo would keep the rule it meant to drop."""
    known: set[str] = set()
    problems = []
    for path, model, where in files:  # base first
        for i, rid in enumerate(model.remove_rules):
            if rid not in known:
                hint = did_you_mean(rid, known)
                line, column = where.find(("remove_rules", i)) or (None, None)
                problems.append(Problem(
                    str(path),
                    f"remove_rules 中的 {rid!r} 不是上级规则集中的规则" + (f";是否应为 {hint!r}?" if hint else ""),
                    f"remove_rules names {rid!r}, which no inherited rule has" + (f"; did you mean {hint!r}?" if hint else ""),
                    line=line, column=column, field=f"remove_rules[{i}]", code="remove_rules",
                ))
        known -= set(model.remove_rules)
        known |= {r.id for r in model.rules}
    if problems:
        raise InputError(problems)


def _extends(name: str, current: Path, where: Locations) -> Path:
    pos = where.find(("extends",)) or (None, None)
    return resolve_extends(
        name, current.parent, bundled_path, source=str(current), line=pos[0], column=pos[1]
    )


def _merge(files: list[tuple[RulesetFile, str]]) -> Ruleset:
    params: dict[str, LoadedParameter] = {}
    rules: dict[str, Rule] = {}
    origin: dict[str, str] = {}
    derived: dict[str, Any] = {}
    for model, _ in files:
        for name, p in model.parameters.items():
            source = _with_document(p.source, model)
            prev = params.get(name)
            overrides = (
                [
                    *prev.overrides,
                    Override(ruleset=prev.defined_in, value=prev.value, source=prev.source),
                ]
                if prev
                else []
            )
            params[name] = LoadedParameter(
                name=name,
                value=p.value,
                unit=p.unit if p.unit is not None else prev and prev.unit,
                description=p.description or (prev and prev.description),
                source=source,
                note=p.note,
                informative=p.informative,
                defined_in=model.id,
                overrides=overrides,
            )
        for rid in model.remove_rules:
            rules.pop(rid, None)
            origin.pop(rid, None)
        for d in model.derived:
            derived[d.id] = d.model_copy(update={"source": _with_document(d.source, model)})
        for r in model.rules:
            rules[r.id] = r.model_copy(update={"source": _with_document(r.source, model)})
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
        not_checked=top.not_checked,
    )


def _compile_problem(
    exc: CompileError,
    files: list[tuple[Path, RulesetFile, Locations]],
    raw: dict[Path, Any],
) -> Problem:
    """Place a compile error at the value it is about (else at its rule), in both languages.

    ``exc.where`` is ``"rule ID"`` or ``"derived ID"``; ``exc.token`` is the path or
    ``$parameter`` as written in the ruleset, which is where the error is placed.
    """
    kind, _, ident = exc.where.partition(" ")
    zh, en = f"{exc.where}:{exc.text('zh')}", f"{exc.where}: {exc.text('en')}"
    section = "rules" if kind == "rule" else "derived"
    for path, model, where in reversed(files):
        items = model.rules if kind == "rule" else model.derived
        for i, item in enumerate(items):
            if item.id == ident:
                data = (raw.get(path) or {}).get(section, [])
                at = _find_value(data[i], exc.token, (section, i)) if i < len(data) else None
                at = at or (section, i)
                pos = where.find(at)
                return Problem(
                    str(path),
                    zh,
                    en,
                    line=pos[0] if pos else None,
                    column=pos[1] if pos else None,
                    field=dotted(at),
                    code="compile",
                )
    return Problem(str(files[-1][0]), zh, en, code="compile")


def _find_value(data: Any, token: str, at: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """The path of the first scalar equal to ``token`` (or ``{field: token}``) inside ``data``."""
    if isinstance(data, str):
        return at if data.strip() == token else None
    if isinstance(data, dict):
        children: Any = data.items()
    else:
        children = enumerate(data) if isinstance(data, list) else ()
    for key, value in children:
        found = _find_value(value, token, (*at, key))
        if found is not None:
            return found
    return None
