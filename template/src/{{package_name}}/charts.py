"""Self-contained HTML pages with inline SVG charts: no script, font or style from a URL,
so a report opens the same with no network.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid #ddd; }
td { vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { color: #1a7f37; } .fail { color: #cf222e; font-weight: bold; } .skipped { color: #9a6700; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; } figcaption { font-size: 0.8rem; color: #555; }
p.note { color: #555; font-size: 0.9rem; }
"""

PASS_COLOUR, FAIL_COLOUR, NEUTRAL_COLOUR = "#2da44e", "#cf222e", "#8c959f"


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<h1>{escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """A table of already-escaped cells; `numeric` holds the right-aligned column indexes."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    threshold: float | None
    passed: bool | None


def threshold_bars(bars: Sequence[Bar], width: int = 640) -> str:
    """One row a figure, each on its own scale, with its threshold as a vertical mark."""
    row_height, label_width = 26, 190
    plot = width - label_width - 90
    parts = []
    for row, bar in enumerate(bars):
        y = row * row_height
        scale = max(bar.value or 0.0, bar.threshold or 0.0, 1e-9) * 1.15
        if 0 <= (bar.value or 0) <= 1 and (bar.threshold is None or bar.threshold <= 1):
            scale = 1.0
        colour = (
            NEUTRAL_COLOUR if bar.passed is None else PASS_COLOUR if bar.passed else FAIL_COLOUR
        )
        parts.append(
            f'<text x="0" y="{y + 17}" font-size="12">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{plot}" height="14" fill="#eaeef2"/>'
        )
        if bar.value is not None:
            length = plot * min(bar.value / scale, 1.0)
            parts.append(
                f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="14" '
                f'fill="{colour}"><title>{escape(bar.label)}: {bar.value:g}</title></rect>'
                f'<text x="{label_width + plot + 6}" y="{y + 17}" font-size="12">'
                f"{bar.value:g}</text>"
            )
        else:
            parts.append(
                f'<text x="{label_width + 6}" y="{y + 17}" font-size="12" fill="#555">'
                "not measured</text>"
            )
        if bar.threshold is not None:
            x = label_width + plot * min(bar.threshold / scale, 1.0)
            parts.append(
                f'<line x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + 23}" stroke="#222" '
                f'stroke-width="2"><title>threshold {bar.threshold:g}</title></line>'
            )
    height = max(1, len(bars)) * row_height
    return _svg(width, height, "".join(parts), "each figure against its threshold")


def line_chart(
    title: str, values: Sequence[float | None], threshold: float | None = None, width: int = 300
) -> str:
    """A small trend: one point a run, oldest first; gaps where a run did not measure it."""
    height, pad = 120, 24
    known = [v for v in values if v is not None]
    top = max([*known, threshold or 0.0, 1e-9]) * 1.1
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def y_of(value: float) -> float:
        return height - pad - (height - 2 * pad) * value / top

    points = [(pad + i * step, y_of(v)) for i, v in enumerate(values) if v is not None]
    parts = [f'<text x="4" y="14" font-size="12">{escape(title)}</text>']
    if threshold is not None:
        y = y_of(threshold)
        parts.append(
            f'<line x1="{pad}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}" stroke="#cf222e" '
            f'stroke-dasharray="4 3"><title>threshold {threshold:g}</title></line>'
        )
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0969da" stroke-width="2"/>')
    parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0969da"/>' for x, y in points]
    if known:
        parts.append(
            f'<text x="{width - 4}" y="14" font-size="12" text-anchor="end">{known[-1]:g}</text>'
        )
    return _svg(width, height, "".join(parts), title)


def column_chart(
    title: str, labels: Sequence[str], values: Sequence[float], width: int = 640
) -> str:
    """Columns, one a label (a day, say), scaled to the largest value."""
    height, pad = 180, 28
    top = max([*values, 1e-9])
    slot = (width - 2 * pad) / max(1, len(values))
    parts = [f'<text x="4" y="14" font-size="12">{escape(title)}</text>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_height = (height - 2 * pad - 10) * value / top
        x = pad + i * slot
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - pad - bar_height:.1f}" '
            f'width="{max(slot - 2, 1):.1f}" height="{bar_height:.1f}" fill="#0969da">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
        )
    if labels:
        parts.append(
            f'<text x="{pad}" y="{height - 8}" font-size="11">{escape(labels[0])}</text>'
            f'<text x="{width - pad}" y="{height - 8}" font-size="11" text-anchor="end">'
            f"{escape(labels[-1])}</text>"
        )
    return _svg(width, height, "".join(parts), title)


def _svg(width: int, height: int, content: str, label: str) -> str:
    # No xmlns attribute: inline SVG in HTML needs none, and the page names no URL at all.
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">{content}</svg>'
    )
