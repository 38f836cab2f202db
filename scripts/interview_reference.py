"""Write docs/reference.md, the list of every question, from copier.yml.

    python3 -m uv run python scripts/interview_reference.py          # rewrite the page
    python3 -m uv run python scripts/interview_reference.py --check  # exit 1 when it is stale

The page is generated so that it cannot drift from the interview; tests/test_docs.py
fails when the committed page differs from what this script writes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
COPIER_YML = REPO / "copier.yml"
REFERENCE = REPO / "docs" / "reference.md"

# "# ----\n# Title\n# ----" blocks in copier.yml name the parts of the interview.
PART = re.compile(r"^# -{10,}\n# (?P<title>[^\n]+)\n", re.MULTILINE)
QUESTION = re.compile(r"^(?P<key>[a-z][a-z0-9_]*):", re.MULTILINE)


def is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def code(value: Any) -> str:
    shown = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("\n...")
    return f"`{cell(shown)}`"


def default_of(spec: dict[str, Any]) -> str:
    if "default" not in spec:
        return "**none: must be answered**"
    if is_template(spec["default"]):
        return "derived from earlier answers"
    return code(spec["default"])


def asked_when(spec: dict[str, Any]) -> str:
    when = spec.get("when", True)
    if when is True:
        return "always"
    match = re.fullmatch(r"\{\{\s*(.+?)\s*\}\}", str(when).strip())
    return f"`{cell(match.group(1))}`" if match else f"`{cell(when)}`"


def choices_of(spec: dict[str, Any]) -> str:
    choices = spec.get("choices")
    if not choices:
        return ""
    values = choices.values() if isinstance(choices, dict) else choices
    many = "any of" if spec.get("multiselect") else "one of"
    return f"{many} " + ", ".join(f"`{value}`" for value in values)


def type_of(spec: dict[str, Any]) -> str:
    kind = spec.get("type", "yaml")
    if spec.get("multiselect"):
        return f"list of {kind}"
    return f"{kind}, multi-line" if spec.get("multiline") else kind


def parts(text: str) -> list[tuple[str, list[str]]]:
    """The interview's parts in order, each with the question keys under it."""
    found: list[tuple[str, list[str]]] = [("Before the first question", [])]
    events = sorted(
        [(m.start(), "part", m["title"].strip()) for m in PART.finditer(text)]
        + [(m.start(), "key", m["key"]) for m in QUESTION.finditer(text)]
    )
    for _, kind, value in events:
        if kind == "part":
            found.append((value.split(". ")[0].removesuffix("."), []))
        else:
            found[-1][1].append(value)
    return [(title, keys) for title, keys in found if keys]


def render() -> str:
    text = COPIER_YML.read_text(encoding="utf-8")
    questions = yaml.safe_load(text)
    lines = [
        "# Question reference",
        "",
        "<!-- Generated from copier.yml by scripts/interview_reference.py: do not edit by hand. -->",
        "",
        "Every question of `copier.yml`, in the order `copier copy` asks it. The help text is",
        "what the prompt shows. [The interview](interview.md) explains each rule and what each",
        "answer changes in the generated project.",
        "",
    ]
    computed = []
    for title, keys in parts(text):
        rows = []
        for key in keys:
            spec = questions[key]
            if spec.get("when") is False:
                computed.append(key)
                continue
            rows.append(
                f"| `{key}` | {type_of(spec)} | {default_of(spec)} | {asked_when(spec)} | "
                f"{cell(spec.get('help', ''))} | {choices_of(spec)} |"
            )
        if rows:
            header = "| key | type | default | asked | help | choices |"
            lines += [f"## {title}", "", header, "| --- | --- | --- | --- | --- | --- |", *rows, ""]
    lines += [
        "## Computed, never asked",
        "",
        "Derived from the answers above and used by the templates; not recorded in",
        "`.copier-answers.yml`: " + ", ".join(f"`{key}`" for key in computed) + ".",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    page = render()
    if "--check" in argv:
        if REFERENCE.read_text(encoding="utf-8") != page:
            print(f"{REFERENCE.relative_to(REPO)} is stale: run python3 -m uv run python scripts/interview_reference.py")
            return 1
        return 0
    REFERENCE.write_text(page, encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
