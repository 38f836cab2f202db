"""Copy task: write uv.lock, so the first commit pins every dependency.

Resolving needs the package index. When it cannot be reached (offline, a proxy, no uv),
the copy still succeeds and says so: the first `make setup` makes the lock file.
"""

import shutil
import subprocess
import sys
from pathlib import Path

TIMEOUT_SECONDS = 120


def uv_command() -> list[str] | None:
    """uv on PATH, beside this interpreter, or as this interpreter's module."""
    beside = Path(sys.executable).with_name("uv")
    for candidate in (shutil.which("uv"), str(beside) if beside.exists() else None):
        if candidate:
            return [candidate]
    try:
        import uv  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "uv"]


def main(project: Path) -> int:
    if (project / "uv.lock").exists():
        print("uv.lock exists: left unchanged")
        return 0
    uv = uv_command()
    if uv is None:
        print("uv not found: no uv.lock yet; `make setup` makes it (install uv first)")
        return 0
    try:
        result = subprocess.run(
            [*uv, "lock", "--quiet"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        result = None
    if result is None or result.returncode != 0:
        reason = "timed out" if result is None else _first_error(result.stderr)
        print(f"uv lock did not finish ({reason}): no uv.lock yet; the first `make setup` makes it")
        return 0
    print("wrote uv.lock: commit it, CI and the image install exactly these versions")
    return 0


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return next((line for line in lines if line.startswith("error")), lines[-1] if lines else "failed")


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
