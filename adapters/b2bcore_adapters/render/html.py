"""Self-contained HTML pages: every text escaped, the style inline, charts
embedded (inline SVG or PNG ``data:`` URIs) — one file, no network.

Build a page from fragments::

    page("Title", heading("Deals"), table(["name", "tier"], rows), figure(svg))

Every function escapes the text it is given; ``Html`` marks a fragment that
is already HTML and is inserted as it is.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

from b2bcore_adapters.render.cells import whole

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "Html",
    "definitions",
    "escape",
    "figure",
    "heading",
    "page",
    "paragraph",
    "table",
]


class Html(str):
    """Markup that is already escaped: inserted into a page as it is."""

    __slots__ = ()


STYLE = """
body { font-family: system-ui, "Noto Sans KR", "Malgun Gothic", sans-serif;
       margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left;
         vertical-align: top; }
th { background: #f2f5f8; }
td.whole { white-space: nowrap; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
figure { margin: 1em 0; } figure svg, figure img { max-width: 100%; height: auto; }
""".strip()


#: What a page may load when served over HTTP: nothing but its own inline
#: style (the <style> element, and the style attributes of inline SVG charts)
#: and images from ``data:`` URIs (PNG charts); no script, no frame, no form.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def escape(value: object) -> Html:
    """``value`` as text (None as empty), escaped; an ``Html`` fragment as it is."""
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def page(title: str, *parts: Html) -> Html:
    """A whole HTML document: ``title`` as its title and first heading."""
    return Html(
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>\n{STYLE}\n</style>\n"
        f"</head>\n<body>\n<h1>{escape(title)}</h1>\n"
        + "".join(f"{part}\n" for part in parts)
        + "</body>\n</html>\n"
    )


def heading(text: str) -> Html:
    return Html(f"<h2>{escape(text)}</h2>")


def paragraph(text: object) -> Html:
    return Html(f"<p>{escape(text)}</p>")


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
) -> Html:
    """A table with a header row; cells are escaped text or ``Html``."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(cell) for cell in row) + "</tr>\n" for row in rows
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return Html(
        f"<table>{title}\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>"
        "</table>"
    )


def _cell(value: object) -> str:
    """A cell; a number, amount, date or id is kept on one line."""
    text = escape(value)
    shown = ' class="whole"' if not isinstance(value, Html) and whole(text) else ""
    return f"<td{shown}>{text}</td>"


def definitions(pairs: Iterable[tuple[str, object]]) -> Html:
    """Name → value pairs as a definition list."""
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs)
    return Html(f"<dl>{items}</dl>")


def figure(chart: bytes, *, alt: str = "") -> Html:
    """A chart in the page: SVG bytes inline (without their XML prologue),
    PNG bytes as a ``data:`` URI."""
    if chart.startswith(b"\x89PNG"):
        encoded = base64.b64encode(chart).decode("ascii")
        return Html(
            f'<figure><img alt="{escape(alt)}" '
            f'src="data:image/png;base64,{encoded}"></figure>'
        )
    text = chart.decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        raise ValueError("chart: neither PNG nor SVG bytes")
    return Html(f'<figure aria-label="{escape(alt)}">{text[start:].strip()}</figure>')
