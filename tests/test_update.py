"""copier update from an older template version: answers carried over, user edits kept.

The full update story (migrations, every older tag) grows with the template; this guards
the basics: `copier update --defaults` needs no answer again and loses nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import copier
from conftest import REPO, check, clean_env, load_example, read_answers, run


def git(cwd: Path, *args: str) -> None:
    check(run(["git", *args], cwd=cwd))


def template_clone(tmp_path: Path) -> Path:
    """This working tree committed and tagged v1 in a scratch repository."""
    clone = tmp_path / "template"
    shutil.copytree(REPO, clone, ignore=shutil.ignore_patterns(".git", ".venv", "*_cache", "__pycache__"))
    git(clone, "init", "-q")
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "v1")
    git(clone, "tag", "v1")
    return clone


def test_update_keeps_answers_and_user_edits(tmp_path: Path) -> None:
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    answers = load_example("it-helpdesk")
    copier.run_copy(str(template), str(project), data=answers, defaults=True, unsafe=True, quiet=True)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    goals = project / "GOALS.md"
    goals.write_text(goals.read_text(encoding="utf-8") + "\nOur own note.\n", encoding="utf-8")
    env_file = (project / ".env").read_text(encoding="utf-8")
    git(project, "commit", "-qam", "our edit")

    readme = template / "template" / "data" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA template improvement.\n")
    git(template, "commit", "-qam", "v2")
    git(template, "tag", "v2")

    copier.run_update(str(project), defaults=True, unsafe=True, quiet=True, overwrite=True)

    assert "A template improvement." in (project / "data" / "README.md").read_text()
    assert "Our own note." in goals.read_text(encoding="utf-8")
    assert (project / ".env").read_text(encoding="utf-8") == env_file
    recorded = read_answers(project)
    assert recorded["_commit"] == "v2"
    assert {key: recorded[key] for key in answers} == answers
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=project,
        env=clean_env(),
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    assert "UU" not in status
