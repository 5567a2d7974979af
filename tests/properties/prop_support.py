"""Helpers shared by the property suites: example counts that follow the hypothesis profile."""

from __future__ import annotations

from hypothesis import settings


def examples(n: int) -> settings:
    """Settings drawing ``n`` examples under the ``ci`` profile, proportionally more under
    ``nightly`` (``max_examples`` 100 → n, 2000 → 20 n)."""
    return settings(max_examples=max(1, n * settings.default.max_examples // 100))
