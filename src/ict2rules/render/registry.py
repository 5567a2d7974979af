"""The writers by format name: each writer module registers itself with :func:`writer`.

A module of its own so that the writers import it, never the package that imports them.
"""

from __future__ import annotations

from collections.abc import Callable

Writer = Callable[..., None]
WRITERS: dict[str, Writer] = {}
BINARY = frozenset({"xlsx"})  # formats written to a binary stream, never to a terminal
#: The file extension of each format (``--split-by`` names one file per school with it).
EXTENSIONS = {
    "text": "txt", "markdown": "md", "html": "html", "json": "json", "jsonl": "jsonl",
    "junit": "xml", "sarif": "sarif", "github": "txt", "xlsx": "xlsx", "teachers": "txt",
    "concise": "txt",
}


def writer(name: str) -> Callable[[Writer], Writer]:
    def deco(fn: Writer) -> Writer:
        WRITERS[name] = fn
        return fn

    return deco
