"""Document formats every source shares: Markdown, text, HTML and PDF, from bytes to text.

A document that cannot be read becomes a `Skipped` record with the reason, never an
exception that would stop the run.
"""

import io
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from .. import markdown
from . import Document, Skipped
from .html_text import extract_html

Format = Literal["markdown", "text", "html", "pdf"]

SUFFIXES: dict[str, Format] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
MEDIA_TYPES: dict[str, Format] = {
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
}
SUPPORTED = "Markdown, text, HTML and PDF"

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


class UnreadableDocument(ValueError):
    """The document's bytes could not be turned into text; the message says why."""


@dataclass(frozen=True)
class Parsed:
    title: str | None
    text: str


def format_of(name: str) -> Format | None:
    """The format a file or object name's suffix says, if supported."""
    return SUFFIXES.get(PurePosixPath(name).suffix.lower())


def unsupported_reason(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower() or "(no suffix)"
    return f"{suffix} is not a supported format ({SUPPORTED}: {', '.join(SUFFIXES)})"


def to_document(
    source: str, name: str, data: bytes, form: Format, charset: str | None = None
) -> Document | Skipped:
    """The document in `data`, or why it was skipped. `name` titles a document with none."""
    try:
        parsed = parse(data, form, charset)
    except UnreadableDocument as error:
        return Skipped(source, str(error))
    except Exception as error:  # a parser bug on one document must not stop the others
        return Skipped(source, f"could not be parsed as {form}: {type(error).__name__}: {error}")
    if not parsed.text.strip():
        return Skipped(source, "no text to index")
    return Document(source=source, title=parsed.title or title_from_name(name), text=parsed.text)


def parse(data: bytes, form: Format, charset: str | None = None) -> Parsed:
    if form == "pdf":
        return _pdf(data)
    text = decode(data, charset, sniff_meta=form == "html")
    if form == "html":
        page = extract_html(text)
        return Parsed(page.title, page.text)
    return Parsed(markdown.title(text), text)


def decode(data: bytes, charset: str | None = None, sniff_meta: bool = False) -> str:
    """Text in the declared charset, else an HTML page's own <meta charset>, else UTF-8."""
    if charset is None and sniff_meta and (declared := _META_CHARSET.search(data[:2048])):
        charset = declared.group(1).decode("ascii")
    try:
        return data.decode(charset or "utf-8-sig", errors="replace")
    except LookupError:  # an unknown charset name
        return data.decode("utf-8-sig", errors="replace")


def title_from_name(name: str) -> str:
    """`guides/reset-password.md` -> `Reset password`."""
    stem = PurePosixPath(name.rstrip("/")).stem or name
    return stem.replace("-", " ").replace("_", " ").strip().capitalize() or name


def _pdf(data: bytes) -> Parsed:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("the PDF is encrypted with a password")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except PyPdfError as error:
        raise UnreadableDocument(f"not a readable PDF: {error}") from error
    text = "\n\n".join(page for page in pages if page)
    if not text:
        raise UnreadableDocument("the PDF has no text layer (a scanned PDF needs OCR first)")
    return Parsed(title.strip() if isinstance(title, str) and title.strip() else None, text)
