#!/usr/bin/env python3
"""Mutation testing of a generated project: how many deliberate bugs its own suite catches.

Renders one example answer file (the working tree, uncommitted changes included), installs
the project, runs mutmut over the trust-critical modules the generated `pyproject.toml`
names under `[tool.mutmut]`, and prints the kill rate of each module. A mutant is caught
when a test fails (killed) or the suite stops finishing in time (timeout); it escapes when
every test still passes (survived) or no test runs its code (no tests). Each survivor is
listed, to be killed by a new test or written down as equivalent in docs/testing.md.

Slow (tens of minutes on two cores), so not part of CI:

    python3 scripts/mutation_report.py
    python3 scripts/mutation_report.py --example examples/it-helpdesk.yml --keep /tmp/mutants
    python3 scripts/mutation_report.py --project /tmp/mutants   # report on an earlier run
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import copier
import yaml

REPO = Path(__file__).resolve().parents[1]
CAUGHT = {"killed", "timeout"}
ESCAPED = {"survived", "no tests"}


def render(example: Path, destination: Path) -> Path:
    answers = yaml.safe_load(example.read_text(encoding="utf-8"))
    copier.run_copy(str(REPO), str(destination), data=answers, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
    return destination


def uv(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "uv", *args], cwd=cwd, text=True, capture_output=True)


def run_mutmut(project: Path, children: int) -> None:
    for step in (("sync", "-q"), ("run", "--with", "mutmut", "mutmut", "run", "--max-children", str(children))):
        result = uv(*step, cwd=project)
        if result.returncode != 0:
            sys.exit(f"`uv {' '.join(step)}` failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def statuses(project: Path) -> dict[str, str]:
    """Each mutant's name and status, from `mutmut results --all true`."""
    result = uv("run", "--with", "mutmut", "mutmut", "results", "--all", "true", cwd=project)
    found = {}
    for line in result.stdout.splitlines():
        name, separator, status = line.strip().rpartition(": ")
        if separator and "__mutmut_" in name:
            found[name] = status
    if not found:
        sys.exit(f"mutmut reported no mutants:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return found


def module_of(mutant: str) -> str:
    """'pkg.llm.offline.x_extract_answer__mutmut_3' -> 'llm.offline'."""
    dotted = mutant.split("__mutmut_")[0].rsplit(".", 1)[0]
    return dotted.split(".", 1)[1] if "." in dotted else dotted


def report(found: dict[str, str]) -> int:
    by_module: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for mutant, status in found.items():
        by_module[module_of(mutant)][status] += 1
    print(
        f"{'module':32} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} "
        f"{'no tests':>8} {'not run':>7} {'kill rate':>9}"
    )
    total: collections.Counter[str] = collections.Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        print(row(module, counts))
    print(row("all", total))
    print("kill rate: (killed + timeout) / the mutants run; 'not run' are left for a later run")
    survivors = sorted(m for m, s in found.items() if s in ESCAPED)
    if survivors:
        print(f"\n{len(survivors)} mutants escaped (see each with `uv run --with mutmut mutmut show NAME`):")
        for mutant in survivors:
            print(f"  {mutant}: {found[mutant]}")
    return 0


def row(label: str, counts: collections.Counter[str]) -> str:
    mutants = sum(counts.values())
    not_run = counts["not checked"]
    caught = sum(counts[s] for s in CAUGHT)
    run = mutants - not_run
    rate = f"{caught / run:.0%}" if run else "-"
    return (
        f"{label:32} {mutants:>7} {counts['killed']:>7} {counts['timeout']:>7} "
        f"{counts['survived']:>8} {counts['no tests']:>8} {not_run:>7} {rate:>9}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", type=Path, default=REPO / "examples" / "support-ticket-deflection.yml")
    parser.add_argument("--keep", type=Path, help="render into this folder and keep it (default: a temporary one)")
    parser.add_argument("--project", type=Path, help="only report on a project mutmut already ran in")
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once (default 2)")
    args = parser.parse_args()

    if args.project:
        return report(statuses(args.project))
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="mutation-"))
    try:
        project = render(args.example, workdir if args.keep else workdir / "project")
        run_mutmut(project, args.children)
        return report(statuses(project))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
