#!/usr/bin/env python3
"""How long the offline eval of 200 cases takes, against the bare pipeline on the same cases.

For one example answer file it renders and syncs a project (untimed), writes a 200-case
dataset from the project's own golden cases (repeated, renamed), and measures in the same
run and the same process:

  pipeline   the bare pipeline: a scratch index ingested, then every question asked
             (at the eval's concurrency), refusals caught; the baseline
  eval       run_gate on the same cases: pydantic-evals, every evaluator, the metrics,
             thresholds, JSON and HTML reports and the history line

and, as a separate process, `uv run <slug> eval --dataset <200 cases>` end to end (Python
start-up and imports included: what CI pays). Medians over --runs, ratios to the pipeline
of the same run. It never asserts a time; it exits 1 when a step failed.

    python benchmarks/eval_offline.py
    python benchmarks/eval_offline.py --runs 5 --cases 400 --json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from copy_to_green import (  # noqa: E402  (the sibling benchmark's tools)
    DEFAULT_EXAMPLE,
    REPO,
    console_script,
    copier_command,
    measure,
    project_environment,
    uv_command,
)

# Runs inside the generated project's venv: prints one JSON object of seconds.
INNER = r'''
import asyncio, json, sys, tempfile, time
from pathlib import Path
import anyio
from {package}.errors import ServiceError
from {package}.evals.dataset import load_dataset
from {package}.evals.gate import EvalPaths, run_gate
from {package}.evals.run import CONCURRENCY
from {package}.ingest import ingest
from {package}.services import build_services
from {package}.settings import get_settings

dataset_path, order = Path(sys.argv[1]), sys.argv[2]
settings = get_settings()
questions = [case.inputs.question for case in load_dataset(dataset_path).cases]

def bare_pipeline() -> float:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as state:
        scratch = settings.model_copy(update={{"state_dir": Path(state)}})
        services = build_services(scratch)
        ingest(scratch, services.index)
        limiter = anyio.Semaphore(CONCURRENCY)

        async def ask(question: str) -> None:
            async with limiter:
                try:
                    await services.pipeline.ask(question)
                except ServiceError:
                    pass

        async def ask_all() -> None:
            async with anyio.create_task_group() as group:
                for question in questions:
                    group.start_soon(ask, question)

        asyncio.run(ask_all())
    return time.perf_counter() - started

def full_eval() -> tuple[float, bool]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        paths = EvalPaths(dataset_path, Path("evals/thresholds.yaml"), Path(out) / "reports", Path(out) / "h.jsonl")
        result = run_gate(settings, paths)
    return time.perf_counter() - started, not result.failed

timings = {{}}
for step in order.split(","):
    cpu = time.process_time()
    if step == "pipeline":
        timings["pipeline"] = bare_pipeline()
    else:
        timings["eval"], timings["eval_passed"] = full_eval()
    # CPU of this process, every thread included: steadier than wall time on a busy machine.
    timings[step + "_cpu"] = time.process_time() - cpu
print(json.dumps(timings))
'''


def write_dataset(project: Path, target: Path, cases: int) -> int:
    """The project's golden cases repeated and renamed until there are `cases` of them."""
    import yaml

    golden = yaml.safe_load((project / "evals" / "dataset.yaml").read_text(encoding="utf-8"))
    originals = golden["cases"]
    golden["cases"] = [
        {**originals[i % len(originals)], "name": f"{originals[i % len(originals)]['name']}_{i}"}
        for i in range(cases)
    ]
    target.write_text(yaml.safe_dump(golden, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(originals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", type=Path, default=DEFAULT_EXAMPLE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    uv, env = uv_command(), project_environment()
    with tempfile.TemporaryDirectory(prefix="eval-bench-") as scratch:
        project = Path(scratch) / "project"
        copied = subprocess.run(
            [*copier_command(), "copy", "--trust", "--defaults", "--vcs-ref=HEAD",
             "--data-file", str(args.example), str(REPO), str(project)],
            capture_output=True, text=True, check=False,
        )
        if copied.returncode != 0:
            print(copied.stdout + copied.stderr)
            return 1
        synced = measure([uv, "sync"], project, env)
        if synced.returncode != 0:
            print(synced.tail)
            return 1
        slug = console_script(project)
        package = slug.replace("-", "_")
        dataset = Path(scratch) / "dataset-200.yaml"
        golden = write_dataset(project, dataset, args.cases)
        inner = Path(scratch) / "inner.py"
        inner.write_text(INNER.format(package=package), encoding="utf-8")

        runs: list[dict[str, Any]] = []
        for run in range(args.runs):
            # Alternate which goes first, so a warm cache favours neither.
            order = "pipeline,eval" if run % 2 == 0 else "eval,pipeline"
            timed = subprocess.run(
                [uv, "run", "python", str(inner), str(dataset), order],
                cwd=project, env=env, capture_output=True, text=True, check=False,
            )
            if timed.returncode != 0:
                print(timed.stdout + timed.stderr)
                return 1
            figures = json.loads(timed.stdout.strip().splitlines()[-1])
            cli = measure(
                [uv, "run", slug, "eval", "--dataset", str(dataset), "--reports",
                 str(Path(scratch) / "reports"), "--history", str(Path(scratch) / "history.jsonl")],
                project, env,
            )
            if cli.returncode != 0:
                print(cli.tail)
                return 1
            figures["cli"], figures["cli_cpu"] = cli.seconds, cli.cpu_seconds
            runs.append(figures)

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    report = {
        "example": args.example.name,
        "cases": args.cases,
        "golden_cases": golden,
        "runs": args.runs,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "median_seconds": {
            key: round(median(key), 3)
            for key in ("pipeline", "pipeline_cpu", "eval", "eval_cpu", "cli", "cli_cpu")
        },
        "eval_over_pipeline": round(median("eval") / median("pipeline"), 2),
        "eval_over_pipeline_cpu": round(median("eval_cpu") / median("pipeline_cpu"), 2),
        "every_eval_passed": all(run["eval_passed"] for run in runs),
        "each_run": runs,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    seconds = report["median_seconds"]
    print(f"{args.cases} cases ({golden} golden cases repeated), {args.runs} runs, medians:")
    print(f"  {'step':<50} {'wall s':>7} {'x pipeline':>11} {'CPU s':>7} {'x pipeline':>11} {'ms/case':>8}")
    for key, label in (
        ("pipeline", "bare pipeline (baseline)"),
        ("eval", "eval: run_gate, in process"),
        ("cli", f"uv run {slug} eval (start-up included)"),
    ):
        wall, cpu = seconds[key], seconds[f"{key}_cpu"]
        print(
            f"  {label:<50} {wall:>7.2f} {wall / seconds['pipeline']:>11.2f} {cpu:>7.2f}"
            f" {cpu / seconds['pipeline_cpu']:>11.2f} {1000 * wall / args.cases:>8.1f}"
        )
    print(f"  every eval passed: {report['every_eval_passed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
