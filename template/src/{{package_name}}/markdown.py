"""Markdown read by a real parser (markdown-it-py, CommonMark with tables).

A `#` line inside a code fence is code, not a heading, and a code block is text like any
other: chunking, titles and the sentences the offline model quotes all agree on that.
"""

from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable("table")
# Block structure only, for chunking: inline markup is parsed just for heading titles.
_BLOCK_PARSER = MarkdownIt("commonmark").enable("table").disable("inline")


@dataclass(frozen=True)
class Block:
    """A top-level block (paragraph, heading, list, code, table...) as written in the source."""

    text: str
    # 1 to 6 for a heading, 0 otherwise; `title` is the heading's plain text.
    heading_level: int = 0
    title: str = ""


@dataclass(frozen=True)
class Statement:
    """A paragraph, heading, list item, table row or code line, in reading order.

    Code is `verbatim`: its lines are kept as written, never split into sentences."""

    text: str
    verbatim: bool = False


def blocks(text: str) -> list[Block]:
    """The top-level blocks of a text, each with its source lines as written."""
    lines = text.splitlines()
    tokens = _BLOCK_PARSER.parse(text)
    found: list[Block] = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting < 0 or token.map is None:
            continue
        start, end = token.map
        source = "\n".join(lines[start:end]).strip("\n")
        if token.type == "heading_open":
            title = " ".join(
                _inline_text(token) for token in _PARSER.parseInline(tokens[index + 1].content)
            )
            found.append(Block(source, heading_level=int(token.tag[1]), title=title))
        elif source.strip():
            found.append(Block(source))
    return found


def title(text: str) -> str | None:
    """The text of the first level-1 heading, if any."""
    for block in blocks(text):
        if block.heading_level == 1 and block.title:
            return block.title
    return None


@lru_cache(maxsize=4096)
def statements(text: str) -> tuple[Statement, ...]:
    """Every statement of the text without Markdown markup; code lines kept as written."""
    found: list[Statement] = []
    cells: list[str] = []
    in_cell = False
    for token in _PARSER.parse(text):
        if token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.nesting == 1
        elif token.type == "inline":
            content = _inline_text(token)
            if in_cell:
                cells.append(content)  # a table row is one statement
            elif content:
                found.append(Statement(content))
        elif token.type == "tr_close":
            if any(cells):
                found.append(Statement(" | ".join(cells)))
            cells = []
        elif token.type in ("fence", "code_block", "html_block"):
            lines = (line.strip() for line in token.content.splitlines())
            found.extend(Statement(line, verbatim=True) for line in lines if line)
    return tuple(found)


def _inline_text(token: Token) -> str:
    """An inline token's text: emphasis, links and inline HTML dropped, code kept."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child))
    return " ".join("".join(parts).split())
