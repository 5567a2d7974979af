"""Small inline SVG charts for the HTML report: drawn in Python, no script, no font, no fetch.

Two shapes cover what a bureau looks at: :func:`hbars` (one horizontal bar per school or
requirement, its label on the left and its number as text on the right) and :func:`columns`
(a histogram: one column per bin, its count above it). Each chart is accessible: the ``<svg>``
has ``role="img"``, a ``<title>`` and a ``<desc>`` that states every number in words, and each
bar a ``<title>`` of its own (the tooltip), so nothing is said by colour or length alone.

Every text passes through :func:`esc` (escaped, made printable): a name is never markup.

>>> svg = hbars("c", "Pass rate", [Bar("S1", 0.5, "50.0%"), Bar("S2", 1.0, "100.0%")])
>>> svg.count('<rect class="bar'), 'role="img"' in svg
(2, True)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..errors import printable

FONT = 12  # px: the charts' text size (the page's is 16; charts are dense)
ROW = 18  # px: one horizontal bar's row
LABEL_PX = 190  # px: the label column of a horizontal bar chart
BAR_PX = 220  # px: the longest bar
NUMBER_PX = 100  # px: the number written after a bar


def esc(value: object) -> str:
    """Text safe inside an SVG/HTML element or a quoted attribute.

    >>> esc('<b a="1">')
    '&lt;b a=&quot;1&quot;&gt;'
    """
    return escape(printable(str(value)), quote=True)


def text_px(text: str, size: int = FONT) -> float:
    """About how wide ``text`` is drawn at ``size`` px: a CJK character is one em, others half.

    >>> round(text_px("ab"), 1), text_px("学校")
    (13.2, 24)
    """
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.55 for ch in text)


def fit(text: str, px: float, size: int = FONT) -> str:
    """``text`` cut with an ellipsis to fit ``px`` pixels (the whole text goes in a tooltip).

    >>> fit("第123学校很长的名字", 60)
    '第123学…'
    """
    if text_px(text, size) <= px:
        return text
    out = ""
    for ch in text:
        if text_px(out + ch + "…", size) > px:
            break
        out += ch
    return out + "…"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length as a share of the longest bar (0–1), the number written
    beside it, a CSS class (its colour), a tooltip (default: label and number) and a key
    (``data-key``: the school or rule id a reader or a test finds it by)."""

    label: str
    share: float
    text: str
    cls: str = ""
    tip: str = ""
    key: str = ""


def _bar_class(b: Bar) -> str:
    return f"bar {esc(b.cls)}" if b.cls else "bar"


def _open(chart_id: str, title: str, desc: str, width: float, height: float, cls: str) -> str:
    return (
        f'<svg class="chart {cls}" id="{esc(chart_id)}" role="img" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" aria-labelledby="{esc(chart_id)}-t {esc(chart_id)}-d" '
        f'font-size="{FONT}"><title id="{esc(chart_id)}-t">{esc(title)}</title>'
        f'<desc id="{esc(chart_id)}-d">{esc(desc)}</desc>'
    )


def hbars(chart_id: str, title: str, bars: Sequence[Bar], *, marker: float | None = None,
          marker_text: str = "", label_px: int = LABEL_PX) -> str:
    """A horizontal bar chart, one row per bar in the order given. ``marker`` (0–1) draws a
    vertical line across the bars, e.g. the required rate, labelled ``marker_text``; ``label_px``
    is the width of the labels' column (a longer label is cut, whole in its tooltip).

    >>> svg = hbars("x", "T", [Bar("<a>", 0.25, "25%")], marker=0.5, marker_text="50%")
    >>> "&lt;a&gt;" in svg and "<a>" not in svg, svg.count('class="marker"')
    (True, 1)
    """
    top = 6 + (FONT + 4 if marker is not None else 0)
    width = label_px + BAR_PX + NUMBER_PX
    height = top + ROW * len(bars) + 6
    desc = ";".join(f"{b.label}:{b.text}" for b in bars)
    out = [_open(chart_id, title, desc, width, height, "hbars")]
    for i, b in enumerate(bars):
        y = top + i * ROW
        w = max(0.0, min(1.0, b.share)) * BAR_PX
        tip = b.tip or f"{b.label}:{b.text}"
        key = f' data-key="{esc(b.key)}"' if b.key else ""
        out.append(
            f'<g class="row"{key}><title>{esc(tip)}</title>'
            f'<text x="{label_px - 6}" y="{y + ROW - 5}" text-anchor="end">{esc(fit(b.label, label_px - 10))}</text>'
            f'<rect class="track" x="{label_px}" y="{y + 2}" width="{BAR_PX}" height="{ROW - 4}"/>'
            f'<rect class="{_bar_class(b)}" x="{label_px}" y="{y + 2}" width="{w:.1f}" height="{ROW - 4}"/>'
            f'<text class="n" x="{label_px + BAR_PX + 6}" y="{y + ROW - 5}">{esc(b.text)}</text></g>'
        )
    if marker is not None:
        x = label_px + max(0.0, min(1.0, marker)) * BAR_PX
        out.append(
            f'<g class="marker"><line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{height - 4}"/>'
            f'<text x="{x:.1f}" y="{FONT}" text-anchor="middle">{esc(marker_text)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def columns(chart_id: str, title: str, bars: Sequence[Bar], *, height: int = 160) -> str:
    """A column chart (a histogram): one column per bar, its number above and its label below.

    >>> svg = columns("h", "Hours", [Bar("0–15", 0.2, "3"), Bar("≥ 75", 1.0, "12")])
    >>> svg.count('<rect class="bar')
    2
    """
    col = max(44, min(90, int(max((text_px(b.label) for b in bars), default=0) + 10)))
    plot = height - 2 * (FONT + 8)
    width = max(col * len(bars) + 20, 200)
    desc = ";".join(f"{b.label}:{b.text}" for b in bars)
    out = [_open(chart_id, title, desc, width, height, "columns")]
    base = FONT + 8 + plot
    out.append(f'<line class="axis" x1="6" y1="{base}" x2="{width - 6}" y2="{base}"/>')
    for i, b in enumerate(bars):
        x = 10 + i * col
        h = max(0.0, min(1.0, b.share)) * plot
        tip = b.tip or f"{b.label}:{b.text}"
        key = f' data-key="{esc(b.key)}"' if b.key else ""
        out.append(
            f'<g class="col"{key}><title>{esc(tip)}</title>'
            f'<rect class="{_bar_class(b)}" x="{x + 4}" y="{base - h:.1f}" width="{col - 8}" height="{h:.1f}"/>'
            f'<text class="n" x="{x + col / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle">{esc(b.text)}</text>'
            f'<text x="{x + col / 2:.1f}" y="{base + FONT + 4}" text-anchor="middle">{esc(fit(b.label, col - 2))}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)
