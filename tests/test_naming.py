"""Naming rules in includes/naming.jinja: the reserved-name lists follow the running
Python, and the slug and package defaults fold, trim and rename as documented."""

from __future__ import annotations

import keyword
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_ANSWERS, jinja_env, read_answers, render

# The version includes/naming.jinja says its lists were taken from.
REFERENCE_PYTHON = (3, 11)


def naming(name: str) -> object:
    """A variable or macro of includes/naming.jinja, as copier's questions import it."""
    return getattr(jinja_env().get_template("includes/naming.jinja").module, name)


def slugify(text: str) -> str:
    return str(naming("slugify")(text))


def package_from_slug(slug: str) -> str:
    return str(naming("package_from_slug")(slug))


def check_list(name: str, expected: set[str]) -> None:
    listed = list(naming(name))
    assert len(listed) == len(set(listed)), f"{name} has duplicates"
    missing = sorted(expected - set(listed))
    assert not missing, f"{name} lacks names of Python {sys.version_info[:2]}: {missing}"
    if sys.version_info[:2] == REFERENCE_PYTHON:
        extra = sorted(set(listed) - expected)
        assert not extra, f"{name} has names Python {REFERENCE_PYTHON} does not: {extra}"


def test_keywords_follow_the_running_python() -> None:
    check_list("KEYWORDS", set(keyword.kwlist + keyword.softkwlist))


def test_stdlib_modules_follow_the_running_python() -> None:
    check_list("STDLIB_MODULES", {name for name in sys.stdlib_module_names if not name.startswith("_")})


def test_reserved_packages_include_keywords_stdlib_and_dependencies() -> None:
    reserved = set(naming("RESERVED_PACKAGES"))
    assert set(naming("KEYWORDS")) | set(naming("STDLIB_MODULES")) <= reserved
    assert {"fastapi", "pydantic", "tests", "yaml"} <= reserved


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Zürich Café Bot!", "zurich-cafe-bot"),
        ("Ærø Støtte", "aero-stotte"),
        ("2024 Roadmap Helper", "roadmap-helper"),
        ("Straße & Œuvre", "strasse-oeuvre"),
        ("  --Support   Answers--  ", "support-answers"),
        ("中文 Support 😀", "support"),
    ],
)
def test_slugify_folds_to_ascii(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize(
    "name", ["A" * 70, "Abcdefghi " * 7, "Knowledge base answers for the customer support organisation"]
)
def test_slugify_keeps_at_most_40_chars_without_trailing_hyphen(name: str) -> None:
    slug = slugify(name)
    assert 0 < len(slug) <= 40
    assert not slug.endswith("-")


@pytest.mark.parametrize(
    ("slug", "package"),
    [
        ("support-answers", "support_answers"),
        ("email", "email_service"),
        ("class", "class_service"),
        ("fastapi", "fastapi_service"),
    ],
)
def test_package_from_slug(slug: str, package: str) -> None:
    assert package_from_slug(slug) == package


# Derived defaults as copier records them, the interview run end to end.
DERIVED = [
    ("Zürich Café Bot!", "zurich-cafe-bot", "zurich_cafe_bot"),
    ("Ærø Støtte", "aero-stotte", "aero_stotte"),
    ("2024 Roadmap Helper", "roadmap-helper", "roadmap_helper"),
    ("Email", "email", "email_service"),
    # 60 characters whose first 40 slug characters end on a hyphen
    ("Abcdefghi " * 6, "abcdefghi-abcdefghi-abcdefghi-abcdefghi", "abcdefghi_abcdefghi_abcdefghi_abcdefghi"),
]


@pytest.mark.parametrize(("name", "slug", "package"), DERIVED, ids=[row[1] for row in DERIVED])
def test_rendered_defaults_derive_slug_and_package(tmp_path: Path, name: str, slug: str, package: str) -> None:
    answers = read_answers(render(tmp_path / "project", {**MINIMAL_ANSWERS, "project_name": name}))
    assert (answers["project_slug"], answers["package_name"]) == (slug, package)


def test_name_without_ascii_letters_asks_for_a_slug(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="project_slug is required"):
        render(tmp_path / "project", {**MINIMAL_ANSWERS, "project_name": "中文 2024 😀"})
