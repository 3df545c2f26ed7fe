"""Binder builds this repository with repo2docker: what it would build, checked without Docker.

`repo2docker --no-build` prints the Dockerfile it would build and needs no Docker daemon
(about a second). tests/test_environment.py checks that environment.yml lists pyproject's
dependencies and pins a Python that Binder reads; these tests check what Binder makes of that
file, that Spark gets a Java it runs on, and that the README's Binder link opens a file that
exists in this repository.
"""

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
ENV = yaml.safe_load((ROOT / "environment.yml").read_text())
CONDA = [d for d in ENV["dependencies"] if isinstance(d, str)]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REQUIRES_PYTHON = SpecifierSet(PROJECT["requires-python"])


def conda_spec(name: str) -> str:
    """The version part of `name`'s entry in environment.yml ('' when it has none)."""
    spec = next((s for s in CONDA if re.fullmatch(rf"{re.escape(name)}(?![\w.-]).*", s)), None)
    assert spec is not None, f"environment.yml does not list {name}"
    return spec[len(name):].strip()


def as_pep440(spec: str) -> SpecifierSet:
    """A conda version spec (`=17`, `>=17,<22`, `17.*`) as a PEP 440 specifier set."""
    parts = []
    for part in filter(None, spec.replace(" ", "").split(",")):
        if re.fullmatch(r"=?[\d.]+(\.\*)?", part):  # conda's `=17` and `17` mean 17.*
            part = "==" + part.lstrip("=").removesuffix(".*") + ".*"
        parts.append(part)
    return SpecifierSet(",".join(parts))


# ---- environment.yml as repo2docker reads it (no repo2docker needed) ----


def test_only_conda_forge():
    assert ENV.get("channels") == ["conda-forge"], "Binder's base environment is conda-forge only"
    assert not any(str(d).startswith(("defaults::", "anaconda::")) for d in CONDA)


def test_spark_gets_a_java_it_runs_on():
    """Spark runs on Java 17 and 21; from Java 23 on, Hadoop's Subject.getSubject call stops a
    Spark session at start. conda picks the newest openjdk a spec allows."""
    spec = conda_spec("openjdk")
    java = as_pep440(spec)
    assert java.contains("17.0.0") or java.contains("21.0.0"), f"openjdk{spec}: neither 17 nor 21"
    too_new = [v for v in ("22.0.0", "23.0.0", "25.0.0") if java.contains(v)]
    assert not too_new, f"openjdk{spec} lets conda pick Java {too_new[-1][:2]}: pin `openjdk=17`"


def test_readme_binder_link_opens_a_file_in_the_repository():
    urls = re.findall(r"https://mybinder\.org/v2/[^\s)\]\"'>]+", (ROOT / "README.md").read_text())
    assert urls, "README.md has no Binder link (https://mybinder.org/v2/...)"
    for url in urls:
        query = parse_qs(urlsplit(url).query)
        if "labpath" in query:
            target = query["labpath"][0]
        else:
            assert "urlpath" in query, f"{url}: no labpath= or urlpath= (opens the file browser)"
            target = re.sub(r"^/?(lab/tree|tree|notebooks|doc/tree)/", "", query["urlpath"][0])
        target = unquote(target).lstrip("/")
        assert (ROOT / target).is_file(), f"{url} opens {target}, which is not in the repository"
        assert not target.startswith("build/"), f"{url} opens {target}: build/ is not in git"


def test_readme_binder_link_builds_this_repository():
    repository = PROJECT["urls"]["Repository"]
    owner_repo = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", repository).group(1)
    urls = re.findall(r"https://mybinder\.org/v2/[^\s)\]\"'>]+", (ROOT / "README.md").read_text())
    assert all(urlsplit(url).path.startswith(f"/v2/gh/{owner_repo}/") for url in urls), (urls, repository)


# ---- what repo2docker itself would build (needs jupyter-repo2docker; no Docker daemon) ----


@pytest.fixture(scope="module")
def repo2docker(tmp_path_factory) -> tuple[str, str]:
    """(Dockerfile, log) of `repo2docker --no-build`, as Binder's user (uid 1000, jovyan)."""
    if importlib.util.find_spec("repo2docker") is None:
        pytest.skip("jupyter-repo2docker is not installed")
    run = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build",
         "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
        cwd=tmp_path_factory.mktemp("repo2docker"),  # it reads a repo2docker_config.py from the cwd
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout, run.stderr


def test_repo2docker_builds_environment_yml(repo2docker):
    dockerfile, _ = repo2docker
    update = r'env update -p \$\{NB_PYTHON_PREFIX\} --file "environment\.yml"'
    assert re.search(update, dockerfile), (
        "repo2docker did not pick the conda build pack on ./environment.yml"
    )


def test_repo2docker_python_is_the_pinned_one(repo2docker):
    _, log = repo2docker
    assert "Python version unspecified" not in log, log
    built = re.search(r"Building conda environment for python=(\d+\.\d+)", log).group(1)
    assert built == conda_spec("python").lstrip("=").removesuffix(".*"), log
    assert REQUIRES_PYTHON.contains(built + ".0")


def test_repo2docker_installs_custlab_from_the_copied_repository(repo2docker):
    """`-e .` needs the repository in place, owned by the user who runs pip."""
    dockerfile, _ = repo2docker
    copy = dockerfile.find("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    install = dockerfile.find('--file "environment.yml"')
    assert 0 <= copy < install, "environment.yml is installed before the repository is copied in"
