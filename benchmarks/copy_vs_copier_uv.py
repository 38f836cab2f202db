#!/usr/bin/env python3
"""`copier copy` of the full service against copier-uv's copy, in the same run.

copier-uv (pawamoy/copier-uv) is the reference for a lean, well-made Copier template. Both
copies run the same way: `python -m copier copy --defaults --trust --skip-tasks` from
this Python, answers given on the command line, tasks skipped (ours locks dependencies,
copier-uv's initialise git: neither is rendering). Runs alternate between the two so a
busy machine slows both alike. It prints the median wall and CPU time of each and the
ratio ours / copier-uv; it never asserts a time.

    git clone https://github.com/pawamoy/copier-uv /tmp/copier-uv
    python3 -m uv run --with copier-templates-extensions python benchmarks/copy_vs_copier_uv.py \
        --copier-uv /tmp/copier-uv --runs 7
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "support-ticket-deflection.yml"
COPIER_UV_ANSWERS = {
    "project_name": "Support Answers",
    "project_description": "Answers questions from the team's own documents.",
    "author_fullname": "Support Operations",
    "author_email": "support-ops@example.com",
    "author_username": "support-ops",
}


def copy_command(template: Path, destination: Path, answers: list[str]) -> list[str]:
    base = [sys.executable, "-m", "copier", "copy", "--quiet", "--defaults", "--trust", "--skip-tasks"]
    return [*base, "--vcs-ref", "HEAD", *answers, str(template), str(destination)]


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system of the child) seconds of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"`{' '.join(command)}` failed:\n{result.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copier-uv", type=Path, required=True, help="a git clone of pawamoy/copier-uv")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if importlib.util.find_spec("copier_templates_extensions") is None:
        sys.exit("copier-uv needs copier-templates-extensions: run with `uv run --with copier-templates-extensions`")

    ours_answers = [f"--data-file={EXAMPLE}"]
    theirs_answers = [f"--data={key}={value}" for key, value in COPIER_UV_ANSWERS.items()]
    samples: dict[str, list[tuple[float, float]]] = {"ours": [], "copier-uv": []}
    with tempfile.TemporaryDirectory(prefix="copy-vs-copier-uv.") as scratch:
        for run in range(args.runs + 1):  # the first round warms caches and is not counted
            ours = timed(copy_command(REPO, Path(scratch, f"ours-{run}"), ours_answers))
            theirs = timed(copy_command(args.copier_uv, Path(scratch, f"theirs-{run}"), theirs_answers))
            if run:
                samples["ours"].append(ours)
                samples["copier-uv"].append(theirs)
        files = {
            name: sum(1 for p in Path(scratch).glob(f"{prefix}-1/**/*") if p.is_file())
            for name, prefix in (("ours", "ours"), ("copier-uv", "theirs"))
        }

    medians = {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in samples.items()
    }
    print(f"median of {args.runs} runs, python {sys.version.split()[0]}")
    print(f"{'template':<10} {'files':>5} {'wall s':>7} {'cpu s':>7}")
    for name, (wall, cpu) in medians.items():
        print(f"{name:<10} {files[name]:>5} {wall:>7.2f} {cpu:>7.2f}")
    wall_ratio = medians["ours"][0] / medians["copier-uv"][0]
    cpu_ratio = medians["ours"][1] / medians["copier-uv"][1]
    print(f"ratio ours / copier-uv: wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
