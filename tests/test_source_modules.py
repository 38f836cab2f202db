"""Each `data_sources` choice of the interview is a module of the generated `sources`
package with the same name: the code loads `sources.<name>` for each chosen source.
"""

from __future__ import annotations

import re

from conftest import REPO
from conftest import _copier_questions as copier_questions

SOURCES = REPO / "template" / "src" / "{{package_name}}" / "sources"
# The postgres source's module comes with the postgres index work (sources/postgres.py).
NOT_YET_BUILT = {"postgres"}


def source_modules() -> dict[str, str]:
    """Module name -> its file name in the template, conditional names included."""
    modules = {}
    for path in SOURCES.iterdir():
        name = re.sub(r"\{%.*?%\}", "", path.name).removesuffix(".jinja")
        if name.endswith(".py"):
            modules[name.removesuffix(".py")] = path.name
    return modules


def test_every_data_source_choice_has_its_module() -> None:
    choices = set(copier_questions()["data_sources"]["choices"].values())
    modules = source_modules()

    assert choices - NOT_YET_BUILT <= set(modules), sorted(choices - set(modules))
    # Their dependencies (httpx, boto3) are installed only when they are chosen.
    for choice in ("web", "s3"):
        assert modules[choice] == f"{{% if '{choice}' in data_sources %}}{choice}.py{{% endif %}}"
