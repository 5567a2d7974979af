"""No module of the package imports, directly or through others, a module that imports it.

The graph is read from the source (``ast``): every ``import`` of a package module, at module
level or inside a function (a lazy import still ties the two modules together), except under
``if TYPE_CHECKING:``. Importing ``a.b`` also imports the package ``a``, except from inside
``a`` itself (a package runs its ``__init__`` before its modules, which is not a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ict2rules"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _targets(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {
            id(n)
            for top in tree.body
            if isinstance(top, ast.If) and "TYPE_CHECKING" in ast.unparse(top.test)
            for n in ast.walk(top)
        }
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.ImportFrom):
                names = _targets(module, path, node)
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name in modules and name != module:
                    graph[module].add(name)
    for module, targets in graph.items():  # a.b.c imports a.b (unless from inside a.b)
        for target in list(targets):
            parts = target.split(".")
            for i in range(2, len(parts)):
                parent = ".".join(parts[:i])
                if parent in modules and not module.startswith(parent + ".") and parent != module:
                    targets.add(parent)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle() -> None:
    """Not even through a lazy import: the three cut by issue 11 each moved the shared piece
    below both sides (``messages`` under the evaluator and the report, ``render.sources`` under
    the writers, ``parallel``/``cluster`` given the checker to build instead of importing it)."""
    assert cycles(import_graph()) == []


def test_the_checker_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_graph_is_read_from_the_source() -> None:
    graph = import_graph()
    assert "ict2rules.errors" in graph["ict2rules.rules.compiler"]
    assert "ict2rules.rules.compiler" not in graph["ict2rules.kinds.base"]  # TYPE_CHECKING only


# The stages, each allowed to import only the stages before it (docs/architecture.md).
STAGES = ("input", "kinds", "rules", "report", "evaluation", "render", "authoring", "web", "cli")
# Below every stage: the errors, the words, and the package itself (``__version__``; its API
# functions import their stages when called).
SHARED = ("ict2rules", "ict2rules.errors", "ict2rules.labels")


def _stage(module: str) -> str | None:
    parts = module.split(".")
    if module in SHARED:
        return None
    if len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    return "api" if module.startswith("ict2rules") else None  # the public entry points


def backward_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """(module, stage) for each import of a later stage than the module's own; the shared
    modules are below every stage, the public entry points ``dask`` and ``testing`` above them
    all."""
    order = {s: i for i, s in enumerate((*STAGES, "api"))}
    found = set()
    for module, targets in graph.items():
        here = _stage(module)
        if here is None or here == "api":
            continue
        for target in targets:
            there = _stage(target)
            if there is not None and order[there] > order[here]:
                found.add((module, there))
    return found


def test_each_stage_imports_only_the_stages_before_it() -> None:
    assert backward_imports(import_graph()) == set()
    assert {m for m in _modules() if m.count(".") == 1} == {
        "ict2rules.errors", "ict2rules.labels", "ict2rules.dask", "ict2rules.testing",
        "ict2rules.__main__", *(f"ict2rules.{s}" for s in STAGES),
    }


def test_the_stage_check_sees_a_backward_import() -> None:
    graph = {"ict2rules.input.records": {"ict2rules.rules.loader", "ict2rules.errors", "ict2rules.dask"}}
    assert backward_imports(graph) == {("ict2rules.input.records", "rules"), ("ict2rules.input.records", "api")}
