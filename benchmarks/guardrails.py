#!/usr/bin/env python3
"""What the guardrail layer costs per request, against the pipeline without it.

Renders an example (or uses --project, an already synced generated project), then in that
project's environment, in one process and one run:

  pipeline   the whole offline `pipeline.ask` per question (retrieval, model, grounding,
             guardrails included): the baseline the guardrail cost is compared with
  guardrails the guardrail steps alone on the same questions and the passages retrieved
             for them: input checks (normalise, injection rules, topics, personal data),
             passage screening, sentence grounding and the output checks

over the project's benign corpus (tests/corpus/benign.jsonl) and, for the input check
alone, over the attack corpus. It prints medians and 95th percentiles in milliseconds and
the guardrails' share of the pipeline's median, and never asserts a time.

    python benchmarks/guardrails.py
    python benchmarks/guardrails.py --project /path/to/generated/project --rounds 5
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from generated_project import REPO, render_and_sync, run_inside

INNER = r"""
import asyncio, json, statistics, sys, time
from pathlib import Path
from {package}.services import build_services, ensure_index
from {package}.settings import Settings
from {package}.grounding import ground
from {package}.errors import ServiceError

rounds = int(sys.argv[1])
# The sample documents in the embedded index: other sources and backends need servers.
settings = Settings(_env_file=None, llm_provider="offline", fallback_provider="none", data_sources=["files"], index_backend="sqlite", state_dir=Path(sys.argv[2]))
services = build_services(settings)
ensure_index(services)
guard = services.pipeline.guardrails
read = lambda name: [json.loads(l)["text"] for l in Path("tests/corpus", name).read_text(encoding="utf-8").split("\n") if l.strip()]
benign, attacks = read("benign.jsonl"), read("injections.jsonl")
retrieved = {q: services.index.search(guard.input.check(q).text, settings.top_k) for q in benign}
drafts = {q: asyncio.run(services.pipeline.ask(q)).answer for q in benign}

def guardrails(q):
    checked = guard.input.check(q)
    passages = guard.passages.screen(retrieved[q])
    grounding = ground(drafts[q], passages, guard.policy.grounding.min_support)
    verdict = guard.output.judge(drafts[q], grounding, passages)
    guard.output.final(drafts[q], grounding, verdict)

def input_only(q):
    try:
        guard.input.check(q)
    except ServiceError:
        pass

def timed(fn, items):
    out = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter()
            fn(item)
            out.append((time.perf_counter() - start) * 1000)
    return out

def pipeline(q):
    asyncio.run(services.pipeline.ask(q))

figures = {
    "pipeline (baseline)": timed(pipeline, benign),
    "guardrails, benign questions": timed(guardrails, benign),
    "input check, attacks": timed(input_only, attacks),
}
print(json.dumps({name: [statistics.median(v), statistics.quantiles(v, n=20)[18], len(v)] for name, v in figures.items()}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", default=str(REPO / "examples" / "support-ticket-deflection.yml"))
    parser.add_argument("--project", type=Path, help="an already synced generated project")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project or render_and_sync(args.example, Path(tmp) / "project")
        output = run_inside(project, INNER, str(args.rounds), str(Path(tmp) / "var"))
    figures = json.loads(output.strip().splitlines()[-1])
    base = figures["pipeline (baseline)"][0]
    print(f"{'what':32} {'median ms':>10} {'p95 ms':>10} {'samples':>8} {'of pipeline median':>19}")
    for name, (median, p95, count) in figures.items():
        print(f"{name:32} {median:10.3f} {p95:10.3f} {count:8d} {median / base:18.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
