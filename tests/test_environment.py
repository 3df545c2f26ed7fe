"""environment.yml (conda, Binder) and pyproject.toml must list the same dependencies."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
#: conda-forge names that differ from PyPI's, and conda packages that are not Python (Java for Spark).
CONDA_NAMES = {"python-duckdb": "duckdb"}
NOT_PYTHON = {"openjdk"}


def normalise(spec: str) -> tuple[str, str]:
    spec = spec.split(";")[0].replace(" ", "")
    name, version = re.match(r"([A-Za-z0-9_.\-]+)(.*)", spec).groups()
    return name.lower().replace("_", "-"), version


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(normalise(s) for s in project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted.update(normalise(s) for s in extra)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    specs = [normalise(s) for s in conda if not re.match(r"(python|pip)([<>=!]|$)", s)]
    have = {CONDA_NAMES.get(name, name): version for name, version in specs if name not in NOT_PYTHON}
    from_pypi = dict(normalise(s) for s in pip if s != "-e .")
    assert not set(have) & set(from_pypi), "each dependency once: from conda-forge or from PyPI"
    assert {**have, **from_pypi} == wanted
    assert "-e ." in pip, "Binder users need custlab itself installed"
    # Binder (repo2docker) reads only an exact `python=3.X`; other specs get its default Python.
    python = next(s for s in conda if re.match(r"python[<>=]", s))
    assert re.fullmatch(r"python=3\.\d+", python), python
    assert SpecifierSet(project["requires-python"]).contains(python.removeprefix("python=") + ".0")


def test_lock_pins_every_dependency():
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {normalise(line)[0] for line in lock.splitlines() if "==" in line and not line.startswith("#")}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {normalise(s)[0] for s in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {normalise(s)[0] for s in extra}
    assert names <= pinned
    assert re.search(r"^pandas==2\.", lock, re.M), "lifelines needs pandas < 3"
