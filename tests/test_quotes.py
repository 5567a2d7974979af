"""Every rule, parameter and derived value quotes its clause word for word.

Quotes are compared with the source text whitespace-normalised (the seeds are web copies with
flattened tables). Seeds live in ../shared/seeds; a document that is not a seed keeps its
verbatim excerpt in docs/sources/<file> and names that file in ``document.seed``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from ict2rules import bundled_names, load_ruleset

ROOT = Path(__file__).resolve().parents[1]
PLACES = [ROOT.parent / "shared" / "seeds", ROOT / "docs" / "sources"]


@cache
def source_text(name: str) -> str | None:
    for folder in PLACES:
        path = folder / name
        if path.is_file():
            return re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
    return None


@pytest.mark.parametrize("name", bundled_names())
def test_every_quote_is_verbatim(name: str) -> None:
    rs = load_ruleset(name)
    cited = [("rule", r.id, r.source) for r in rs.rules]
    cited += [("parameter", p.name, p.source) for p in rs.parameters.values()]
    cited += [("derived", d.id, d.source) for d in rs.derived]
    wrong = []
    for what, ident, source in cited:
        assert source.document, f"{what} {ident} names no source document"
        text = source_text(source.document)
        if text is None:
            if not (ROOT.parent / "shared" / "seeds").is_dir():
                pytest.skip("../shared/seeds is not beside this checkout")
            wrong.append(f"{what} {ident}: source file {source.document} not found")
        elif re.sub(r"\s+", "", source.quote) not in text:
            wrong.append(
                f"{what} {ident}: quote not found in {source.document}: {source.quote[:40]}…"
            )
    assert not wrong, "\n".join(wrong)
