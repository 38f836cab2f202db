"""The readable text of an HTML page, as Markdown, with its title and links.

Headings become `#` headings (so chunks and citations follow the page's sections), lists,
tables and preformatted text keep their shape, and what is not content (scripts, styles,
navigation, footers) is left out. A page with a <main> or <article> is read from it alone.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "nav"}
    | {"footer", "aside", "form", "button", "select", "head"}
)
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "header", "blockquote", "figure", "figcaption"}
    | {"ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "hr", "address", "details"}
    | {"summary", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "pre", "body", "html"}
)
_CONTENT_ROOTS = frozenset({"main", "article"})
_LOOKS_LIKE_HEADING = re.compile(r"#{1,6}(?:\s|$)")


@dataclass
class HtmlPage:
    title: str | None
    text: str
    # href values as written (relative ones are resolved against `base` by the caller).
    links: list[str] = field(default_factory=list)
    base: str | None = None
    # <meta name="robots">: noindex keeps the page out of the index, nofollow its links.
    noindex: bool = False
    nofollow: bool = False


def extract_html(html: str) -> HtmlPage:
    parser = _ReadableText()
    parser.feed(html)
    parser.close()
    return parser.page()


class _ReadableText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[bool, str]] = []  # (inside <main>/<article>, Markdown)
        self.links: list[str] = []
        self.base: str | None = None
        self.robots: set[str] = set()
        self.title_parts: list[str] = []
        self.first_h1: str | None = None
        self._skip: list[str] = []  # open elements whose content is not read
        self._in_title = False
        self._content_depth = 0
        self._pre_depth = 0
        self._current: list[str] = []
        self._prefix = ""
        self._heading = 0
        self._lists: list[list[int]] = []  # per open list: [next number] or [] for <ul>
        self._row: list[str] | None = None
        self._in_cell = False
        self._rows: list[list[str]] = []

    # -- the tree -------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        elif tag == "meta" and values.get("name", "").lower() == "robots":
            self.robots |= {part.strip().lower() for part in values.get("content", "").split(",")}
        if tag == "title" and not self._skip_all_but_title():
            self._in_title = True
            return
        if self._skip or tag in _SKIPPED:
            if tag in _SKIPPED:
                self._skip.append(tag)
            return
        if tag in _CONTENT_ROOTS:
            self._content_depth += 1
        if tag == "br":
            self._current.append("\n")
        elif tag in ("td", "th"):
            self._close_cell()
            self._current = []
            self._in_cell = self._row is not None
        elif self._in_cell and tag not in ("tr", "table"):
            self._current.append(" ")  # blocks inside a cell stay in the cell
        elif tag in _BLOCKS:
            self._flush()
            self._open_block(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        if tag in ("td", "th"):
            self._close_cell()
        elif self._in_cell and tag not in ("tr", "table"):
            self._current.append(" ")
        elif tag in _BLOCKS:
            self._flush()
            self._close_block(tag)
        if tag in _CONTENT_ROOTS and self._content_depth:
            self._content_depth -= 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "meta", "base", "img", "input", "link"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip:
            # Outside <pre> a line break in the source is a space; <br> breaks lines.
            self._current.append(data if self._pre_depth else " ".join(data.split("\n")))

    def _skip_all_but_title(self) -> bool:
        """<title> lives in <head>, whose other content is skipped."""
        return any(tag != "head" for tag in self._skip)

    # -- blocks ---------------------------------------------------------------------
    def _open_block(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = int(tag[1])
        elif tag == "ul":
            self._lists.append([])
        elif tag == "ol":
            self._lists.append([1])
        elif tag == "li":
            depth = "  " * max(len(self._lists) - 1, 0)
            numbers = self._lists[-1] if self._lists else []
            if numbers:
                self._prefix = f"{depth}{numbers[0]}. "
                numbers[0] += 1
            else:
                self._prefix = f"{depth}- "
        elif tag == "pre":
            self._pre_depth += 1
        elif tag == "tr":
            self._row = []
        elif tag == "blockquote":
            self._prefix = "> "

    def _close_block(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = 0
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        elif tag == "tr" and self._row is not None:
            self._close_cell()
            if any(self._row):
                self._rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._flush_table()

    def _flush(self) -> None:
        raw = "".join(self._current)
        self._current = []
        if self._row is not None:  # text in a row outside a cell
            if raw.strip():
                self._row.append(" ".join(raw.split()))
            return
        if self._pre_depth:
            code = raw.strip("\n")
            if code.strip():
                self._add(f"```\n{code}\n```")
            return
        text = "\n".join(" ".join(line.split()) for line in raw.split("\n"))
        text = "\n".join(line for line in text.split("\n") if line)
        if not text:
            return
        if self._heading:
            flat = " ".join(text.split())
            self._add(f"{'#' * self._heading} {flat}")
            if self._heading == 1 and self.first_h1 is None:
                self.first_h1 = flat
        else:
            # Text that reads as a Markdown heading would start a section of its own.
            self._add(self._prefix + ("\\" + text if _LOOKS_LIKE_HEADING.match(text) else text))
        self._prefix = ""

    def _close_cell(self) -> None:
        if not self._in_cell or self._row is None:
            return
        cell = " ".join("".join(self._current).split())
        self._current = []
        self._in_cell = False
        self._row.append(cell.replace("|", "\\|"))

    def _flush_table(self) -> None:
        rows, self._rows = self._rows, []
        if not rows:
            return
        width = max(len(row) for row in rows)
        lines = [f"| {' | '.join(row + [''] * (width - len(row)))} |" for row in rows]
        lines.insert(1, "|" + " --- |" * width)
        self._add("\n".join(lines))

    def _add(self, block: str) -> None:
        self.blocks.append((self._content_depth > 0, block))

    def page(self) -> HtmlPage:
        self._flush()
        self._flush_table()
        in_content = [block for inside, block in self.blocks if inside]
        chosen = in_content or [block for _, block in self.blocks]
        title = " ".join("".join(self.title_parts).split()) or self.first_h1
        return HtmlPage(
            title=title or None,
            text="\n\n".join(chosen),
            links=self.links,
            base=self.base,
            noindex="noindex" in self.robots or "none" in self.robots,
            nofollow="nofollow" in self.robots or "none" in self.robots,
        )
