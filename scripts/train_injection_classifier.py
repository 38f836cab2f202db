"""Train the generated project's optional injection classifier on the DEVELOPMENT data only.

    python3 scripts/train_injection_classifier.py

Positives: tests/corpus/development.jsonl (PyRIT, deduplicated against the evaluation
attacks). Negatives: the hand-written tests/corpus/benign.jsonl and, so that length alone
does not read as an attack, docstrings of 200-1,800 characters from the half of this
Python's standard-library modules whose name hashes to an even number (the other half is
held out: 300 of them, drawn with a fixed seed, are written to
tests/corpus/benign_long_heldout.jsonl, where tests/test_guardrail_corpus.py measures
false positives on them). The evaluation
attacks (injections.jsonl) and the held-out benign questions (benign_heldout.jsonl) are
never read here. Logistic regression over the hashed features of the project's own
`guardrails/classifier.py`, trained by plain stochastic gradient descent with fixed seeds,
so a rerun gives the same weights. The threshold is chosen by 5-fold cross-validation on
the same development data and printed, and the model written beside classifier.py.
"""

import ast
import importlib.util
import json
import math
import random
import sys
import sysconfig
import zlib
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "template" / "src" / "{{package_name}}" / "guardrails"
CORPUS = REPO / "template" / "tests" / "corpus"
BUCKETS = 1 << 12
EPOCHS, RATE, L2 = 40, 0.5, 1e-4
SCALE = 10_000
LONG_NEGATIVES = 400
LONG_HELD_OUT = 300


def guardrails_module(name: str) -> ModuleType:
    """A module of the template's guardrails package, loaded from its file (no Jinja in it)."""
    if "_guardrails" not in sys.modules:
        package = ModuleType("_guardrails")
        package.__path__ = [str(PACKAGE)]
        sys.modules["_guardrails"] = package
    spec = importlib.util.spec_from_file_location(f"_guardrails.{name}", PACKAGE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def read(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").split("\n")
    return [json.loads(line)["text"] for line in lines if line.strip()]


def stdlib_docstrings(parity: int) -> list[str]:
    """Docstrings of 200-1,800 characters from stdlib modules whose name's CRC-32 has this parity."""
    found: list[str] = []
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        if zlib.crc32(path.stem.encode()) % 2 != parity:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node)
                if doc and 200 <= len(doc) <= 1800:
                    found.append(doc)
    return found


def train(rows: list[dict[int, float]], labels: list[int], seed: int = 7) -> tuple[list[float], float]:
    weights, bias = [0.0] * BUCKETS, 0.0
    positives = sum(labels)
    balance = {1: len(labels) / (2 * positives), 0: len(labels) / (2 * (len(labels) - positives))}
    order = list(range(len(rows)))
    shuffle = random.Random(seed)
    for _ in range(EPOCHS):
        shuffle.shuffle(order)
        for i in order:
            gradient = (probability(weights, bias, rows[i]) - labels[i]) * balance[labels[i]]
            for index, value in rows[i].items():
                weights[index] -= RATE * (gradient * value + L2 * weights[index])
            bias -= RATE * gradient
    return weights, bias


def probability(weights: list[float], bias: float, row: dict[int, float]) -> float:
    logit = bias + sum(weights[index] * value for index, value in row.items())
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, logit))))


def main() -> None:
    normalize = guardrails_module("normalize").normalize
    features = guardrails_module("classifier").hashed_features
    attacks = read("development.jsonl")
    questions = read("benign.jsonl")
    documents = stdlib_docstrings(0)
    random.Random(1).shuffle(documents)
    documents = documents[:LONG_NEGATIVES]
    texts = attacks + questions + documents
    labels = [1] * len(attacks) + [0] * (len(questions) + len(documents))
    rows = [features(normalize(text), BUCKETS) for text in texts]

    folds = [i % 5 for i in range(len(rows))]
    random.Random(3).shuffle(folds)
    held: list[float] = [0.0] * len(rows)
    for fold in range(5):
        train_on = [i for i in range(len(rows)) if folds[i] != fold]
        weights, bias = train([rows[i] for i in train_on], [labels[i] for i in train_on])
        for i in range(len(rows)):
            if folds[i] == fold:
                held[i] = probability(weights, bias, rows[i])
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
        caught = sum(p >= threshold for p, y in zip(held, labels, strict=True) if y) / sum(labels)
        false = sum(p >= threshold for p, y in zip(held, labels, strict=True) if not y) / labels.count(0)
        print(
            f"cross-validated on development: threshold {threshold}: attacks {caught:.3f}, benign refused {false:.3f}"
        )

    held_out = stdlib_docstrings(1)
    random.Random(2).shuffle(held_out)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    records = [
        {
            "text": text,
            "category": "stdlib_docstring",
            "source": f"Python {version} standard library docstrings (modules with an odd CRC-32 of their name)",
            "licence": "PSF-2.0",
        }
        for text in held_out[:LONG_HELD_OUT]
    ]
    (CORPUS / "benign_long_heldout.jsonl").write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8"
    )

    weights, bias = train(rows, labels)
    model = {
        "about": "Hashed word and word-pair logistic regression; see docs/guardrails.md. Trained on "
        f"{len(attacks)} development attacks (pyrit 1.1.0, MIT), {len(questions)} hand-written "
        f"questions and {len(documents)} Python {sys.version_info.major}.{sys.version_info.minor} "
        "standard-library docstrings (PSF-2.0); no evaluation data.",
        "scale": SCALE,
        "bias": round(bias, 6),
        "weights": [round(weight * SCALE) for weight in weights],
    }
    out = PACKAGE / "injection_classifier.json"
    out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{out.relative_to(REPO)}: {BUCKETS} weights, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
