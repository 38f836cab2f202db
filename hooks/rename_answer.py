"""Migration: carry an answer over to its new key in the project's answers file.

Run by a `_migrations` entry in copier.yml, in the "before" stage, so copier reads the
answer under its new name instead of asking again:

    rename_answer.py ANSWERS_FILE OLD_KEY NEW_KEY

Idempotent: once OLD_KEY is gone the file is left as it is; when both keys are present
the new one wins and the old one is dropped. Only the key changes: the value, its YAML
form (block scalars included) and the comments stay byte for byte.
"""

import re
import sys
from pathlib import Path

KEY = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?=\s|$)")


def top_level_keys(lines: list[str]) -> dict[str, int]:
    """Each top-level key of the answers file and the index of its line."""
    return {match["key"]: index for index, line in enumerate(lines) if (match := KEY.match(line))}


def value_end(lines: list[str], start: int) -> int:
    """The index after the last line of the entry starting at `start` (its indented value lines)."""
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    return end


def rename(text: str, old: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    keys = top_level_keys(lines)
    if old not in keys:
        return text
    start = keys[old]
    if new in keys:
        del lines[start : value_end(lines, start)]
    else:
        lines[start] = new + lines[start][len(old) :]
    return "".join(lines)


def main(answers_file: str, old: str, new: str) -> int:
    path = Path(answers_file)
    if not path.exists():
        print(f"{answers_file} not found: nothing to migrate", file=sys.stderr)
        return 0
    text = path.read_text(encoding="utf-8")
    migrated = rename(text, old, new)
    if migrated != text:
        path.write_text(migrated, encoding="utf-8")
        print(f"{answers_file}: answer {old} is now {new}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: rename_answer.py ANSWERS_FILE OLD_KEY NEW_KEY")
    sys.exit(main(*sys.argv[1:]))
