"""Production delivery: every combination of ci_provider x deploy_target x observability
renders a Dockerfile clean under hadolint, CI files valid against their schemas (and
GitHub workflows clean under zizmor), a valid compose.yaml, and Kustomize overlays that
build and validate against the Kubernetes schemas, offline.

The combinations render only the delivery files (no install, no copy task), from one
plain copy of the template, and each tool runs once over all of them.
"""

from __future__ import annotations

import itertools
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from conftest import (
    EXAMPLE_NAMES,
    MINIMAL_ANSWERS,
    REPO,
    check,
    describe,
    render,
    run,
    uv_executable,
)
from plumbum import local

CI_PROVIDERS = ["github", "gitlab", "none"]
DEPLOY_TARGETS = ["compose", "kubernetes"]
OBSERVABILITY = [[], ["prometheus"], ["otel"], ["prometheus", "otel"]]
PYTHON_VERSIONS = ["3.11", "3.12", "3.13"]
COMBINATIONS = list(itertools.product(CI_PROVIDERS, DEPLOY_TARGETS, OBSERVABILITY))
# Python sources, tests and documents do not change with these answers: not rendered here.
NOT_DELIVERY = ["src", "tests", "data", "evals", "*.md", "*.md.jinja"]


def combination_id(ci: str, deploy: str, observability: list[str]) -> str:
    return f"{ci}-{deploy}-{'+'.join(observability) or 'logs'}"


def tool(name: str) -> str:
    """A checker installed in this repository's dev environment (see pyproject.toml)."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        pytest.fail(f"{name} is not installed beside {sys.executable}: run `uv sync` in the template repository")
    return str(path)


@pytest.fixture(scope="session")
def template_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as a plain folder: copier renders it without cloning a repository."""
    source = tmp_path_factory.mktemp("template-copy")
    for name in ("copier.yml", "template", "includes", "hooks"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / name, source / name)
    return source


@pytest.fixture(scope="session")
def delivery_projects(template_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every combination, its delivery files rendered; the Python version cycles through all."""
    projects = {}
    versions = itertools.cycle(PYTHON_VERSIONS)
    # These change compose.yaml, the prod overlay and the Ingress: both values of each occur.
    index_backends = itertools.cycle(["sqlite", "postgres"])
    web_ui = itertools.cycle([True, True, False])
    for ci, deploy, observability in COMBINATIONS:
        name = combination_id(ci, deploy, observability)
        answers: dict[str, Any] = {
            **MINIMAL_ANSWERS,
            "ci_provider": ci,
            "deploy_target": deploy,
            "observability": observability,
            "python_version": next(versions),
            "index_backend": next(index_backends),
            "include_web_ui": next(web_ui),
        }
        dst = tmp_path_factory.mktemp(name) / "project"
        copier.run_copy(
            str(template_copy),
            str(dst),
            data=answers,
            defaults=True,
            unsafe=True,
            quiet=True,
            skip_tasks=True,
            exclude=NOT_DELIVERY,
        )
        projects[name] = dst
    return projects


def files(projects: dict[str, Path], pattern: str) -> list[str]:
    return sorted(str(path) for project in projects.values() for path in project.glob(pattern))


def validate(builtin_schema: str, paths: list[str]) -> None:
    """check-jsonschema against one of the schemas it ships (no download)."""
    assert paths, f"nothing to validate against {builtin_schema}"
    check(run([tool("check-jsonschema"), "--builtin-schema", builtin_schema, *paths], cwd=REPO))


def answers_of(name: str) -> tuple[str, str, list[str]]:
    return next(combo for combo in COMBINATIONS if combination_id(*combo) == name)


# ---------------------------------------------------------------------------------------
# Which files each answer produces
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_each_answer_produces_its_delivery_files(delivery_projects: dict[str, Path]) -> None:
    for name, project in delivery_projects.items():
        ci, deploy, observability = answers_of(name)
        present = {
            "github": (project / ".github/workflows/ci.yml").is_file(),
            "release": (project / ".github/workflows/release.yml").is_file(),
            "dependabot": (project / ".github/dependabot.yml").is_file(),
            "gitlab": (project / ".gitlab-ci.yml").is_file(),
            "kubernetes": (project / "k8s/overlays/prod/kustomization.yaml").is_file(),
            "prometheus-config": (project / "deploy/prometheus.yml").is_file(),
            "collector-config": (project / "deploy/otel-collector.yaml").is_file(),
        }
        expected = {
            "github": ci == "github",
            "release": ci == "github",
            "dependabot": ci == "github",
            "gitlab": ci == "gitlab",
            "kubernetes": deploy == "kubernetes",
            "prometheus-config": "prometheus" in observability,
            "collector-config": "otel" in observability,
        }
        assert present == expected, name
        for always in ("Dockerfile", ".dockerignore", "compose.yaml", "Makefile", ".pre-commit-config.yaml"):
            assert (project / always).is_file(), f"{name}: {always} missing"


@pytest.mark.slow
def test_python_version_answer_picks_the_base_image_and_ci(delivery_projects: dict[str, Path]) -> None:
    for project in delivery_projects.values():
        version = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))["python_version"]
        assert f"ARG PYTHON_VERSION={version}\n" in (project / "Dockerfile").read_text(encoding="utf-8")
        for ci_file in (project / ".github/workflows/ci.yml", project / ".gitlab-ci.yml"):
            if ci_file.exists():
                assert f"{version}" in ci_file.read_text(encoding="utf-8")


@pytest.mark.slow
def test_make_help_lists_every_target(delivery_projects: dict[str, Path]) -> None:
    if shutil.which("make") is None:
        pytest.fail("make is not installed: apt-get install -y make")
    for name in ("github-compose-prometheus", "none-kubernetes-otel"):
        listed = check(run(["make", "help"], cwd=delivery_projects[name])).stdout
        targets = {line.split()[0] for line in listed.splitlines() if line.strip()}
        deploy = f"deploy-{answers_of(name)[1]}"
        expected = {"help", "setup", "dev", "demo", "test", "lint", "eval", "loadtest", "docker-build", deploy}
        assert targets == expected, listed
        # The deploy target does what it says, shown without running it.
        planned = check(run(["make", "--dry-run", deploy], cwd=delivery_projects[name])).stdout
        command = "kubectl apply --kustomize k8s/overlays/prod" if "kubernetes" in deploy else "docker compose up"
        assert command in planned


# ---------------------------------------------------------------------------------------
# The container
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_dockerfiles_are_clean_under_hadolint(delivery_projects: dict[str, Path]) -> None:
    check(run([tool("hadolint"), *files(delivery_projects, "Dockerfile")], cwd=REPO))


def final_stage(dockerfile: str) -> str:
    return dockerfile[dockerfile.rindex("\nFROM ") :]


@pytest.mark.slow
def test_final_image_stage_runs_unprivileged_without_build_tools(delivery_projects: dict[str, Path]) -> None:
    dockerfile = next(iter(delivery_projects.values())) / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    assert text.count("\nFROM ") >= 2, "the Dockerfile must have a build and a runtime stage"
    assert "UV_COMPILE_BYTECODE=1" in text
    assert "uv sync --frozen" in text, "the image must install exactly uv.lock"
    runtime = final_stage(text)
    assert re.search(r"^USER 10001", runtime, re.MULTILINE)
    assert "HEALTHCHECK" in runtime
    assert "/uv" not in runtime and "apt-get" not in runtime, "no build tools in the final stage"
    assert "COPY . " not in runtime, "the final stage copies named paths only"
    ignored = (dockerfile.parent / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored and ".git/" in ignored, "secrets and history stay out of the build context"


@pytest.mark.slow
def test_compose_files_are_valid_and_keep_data_in_volumes(delivery_projects: dict[str, Path]) -> None:
    validate("vendor.compose-spec", files(delivery_projects, "compose.yaml"))
    for name, project in delivery_projects.items():
        compose = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
        _, deploy, observability = answers_of(name)
        index_backend = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))["index_backend"]
        services = set(compose["services"])
        expected = {"app"} | ({"redis"} if deploy == "kubernetes" else set())
        expected |= {"postgres"} if index_backend == "postgres" else set()
        expected |= {"prometheus"} if "prometheus" in observability else set()
        expected |= {"otel-collector"} if "otel" in observability else set()
        assert services == expected, name
        named_volumes = set(compose.get("volumes", {}))
        for service, spec in compose["services"].items():
            for volume in spec.get("volumes", []):
                source = volume.split(":")[0]
                assert source.startswith("./") or source in named_volumes, f"{name}: {service} mounts {volume}"
        assert "app-state" in named_volumes, f"{name}: the index and feedback need a volume"


# ---------------------------------------------------------------------------------------
# CI
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_github_workflows_are_valid_and_clean_under_zizmor(delivery_projects: dict[str, Path]) -> None:
    workflows = files(delivery_projects, ".github/workflows/*.yml")
    assert workflows
    validate("vendor.github-workflows", workflows)
    validate("vendor.dependabot", files(delivery_projects, ".github/dependabot.yml"))
    github_projects = [str(p) for p in delivery_projects.values() if (p / ".github").is_dir()]
    check(run([tool("zizmor"), "--offline", "--no-progress", *github_projects], cwd=REPO))


@pytest.mark.slow
def test_github_workflows_pin_actions_and_grant_least_privilege(delivery_projects: dict[str, Path]) -> None:
    for path in map(Path, files(delivery_projects, ".github/workflows/*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow["permissions"] == {}, f"{path}: the workflow grants nothing by default"
        assert "concurrency" in workflow
        for job_name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path}: job {job_name} must say what it needs"
            for step in job["steps"]:
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    ci = yaml.safe_load(Path(files(delivery_projects, ".github/workflows/ci.yml")[0]).read_text(encoding="utf-8"))
    commands = " ".join(step.get("run", "") for job in ci["jobs"].values() for step in job["steps"])
    for expected in ("uv sync --locked", "ruff check", "mypy", "pytest", " eval", "pip-audit"):
        assert expected in commands, f"CI does not run {expected!r}"


@pytest.mark.slow
def test_gitlab_ci_is_valid(delivery_projects: dict[str, Path]) -> None:
    gitlab = files(delivery_projects, ".gitlab-ci.yml")
    assert gitlab
    validate("vendor.gitlab-ci", gitlab)


# ---------------------------------------------------------------------------------------
# Kubernetes
# ---------------------------------------------------------------------------------------


def kustomize_builds(delivery_projects: dict[str, Path], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    for name, project in delivery_projects.items():
        for overlay in sorted((project / "k8s/overlays").glob("*")):
            built = check(run([tool("kubectl"), "kustomize", str(overlay)], cwd=REPO)).stdout
            output = tmp_path / f"{name}-{overlay.name}.yaml"
            output.write_text(built, encoding="utf-8")
            yield f"{name}/{overlay.name}", output


@pytest.mark.slow
def test_kustomize_overlays_build_and_match_the_kubernetes_schemas(
    delivery_projects: dict[str, Path], tmp_path: Path
) -> None:
    builds = dict(kustomize_builds(delivery_projects, tmp_path))
    assert {key.rsplit("/", 1)[1] for key in builds} == {"dev", "prod"}
    check(run([tool("kubernetes-validate"), "--strict", "--quiet", *map(str, builds.values())], cwd=REPO))

    for key, path in builds.items():
        documents = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
        kinds = {doc["kind"] for doc in documents}
        assert kinds >= {
            "Deployment",
            "Service",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "ConfigMap",
            "Ingress",
            "Job",
        }, key
        assert "Secret" not in kinds, f"{key}: secrets are referenced, never written"
        deployment = next(doc for doc in documents if doc["kind"] == "Deployment")
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert any("secretRef" in source for source in container["envFrom"])
        hpa = next(doc for doc in documents if doc["kind"] == "HorizontalPodAutoscaler")
        if key.endswith("/prod"):
            assert deployment["spec"]["replicas"] >= 3 and hpa["spec"]["minReplicas"] >= 3


@pytest.mark.slow
def test_the_checkers_refuse_broken_files(tmp_path: Path) -> None:
    """Each checker above fails on a typical mistake, so a green run means something."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:latest\nRUN apt-get install curl\n", encoding="utf-8")
    assert run([tool("hadolint"), str(dockerfile)], cwd=tmp_path).returncode != 0

    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
        "spec: {replicas: two, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}},"
        " spec: {containers: [{name: x, image: x, livenessProbes: {}}]}}}\n",
        encoding="utf-8",
    )
    assert run([tool("kubernetes-validate"), "--strict", str(manifest)], cwd=tmp_path).returncode != 0

    workflow = tmp_path / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - uses: actions/checkout@v5\n      - run: echo ${{ github.event.head_commit.message }}\n",
        encoding="utf-8",
    )
    assert run([tool("zizmor"), "--offline", "--no-progress", str(tmp_path)], cwd=tmp_path).returncode != 0


# ---------------------------------------------------------------------------------------
# The lock file
# ---------------------------------------------------------------------------------------


def test_copy_writes_uv_lock(rendered_example) -> None:
    project = rendered_example(EXAMPLE_NAMES[0])
    lock = (project / "uv.lock").read_text(encoding="utf-8")
    assert 'name = "fastapi"' in lock and 'name = "prometheus-client"' in lock


@pytest.mark.slow
def test_offline_copy_succeeds_and_make_setup_makes_the_lock(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # An empty cache and no network: uv cannot resolve, the copy must still succeed.
    # Copier runs tasks with plumbum's copy of the environment, so it is set there.
    with local.env(UV_OFFLINE="1", UV_CACHE_DIR=str(tmp_path / "empty-cache")):
        project = render(tmp_path / "project", MINIMAL_ANSWERS)
    assert not (project / "uv.lock").exists()
    assert "the first `make setup` makes it" in capfd.readouterr().out

    if shutil.which("make") is None:
        pytest.fail("make is not installed: apt-get install -y make")
    env_path = f"{Path(uv_executable()).parent}:/usr/bin:/bin"
    result = run(["env", f"PATH={env_path}", "make", "setup"], cwd=project)
    check(result)
    assert "uv.lock was missing: made it now" in result.stdout, describe(result)
    assert (project / "uv.lock").is_file()
