"""The course's catalogue, read from the notebooks themselves.

Every title, learning objective and prerequisite shown in the contents
notebook, the README's index and the course site comes from here, and here
from the notebooks' first markdown cell: nothing about a notebook is typed
twice. The course is the top-level notebooks ``01`` to ``10`` in order, then
the reproduced studies ``reproductions/01`` onwards.

The data sets a notebook uses are found the same way: each section of
``data/README.md`` names the ``custlab`` function that loads it, and a
notebook uses a data set when its code calls that function.

Examples
--------
>>> from custlab.course.catalog import read_catalog
>>> course = read_catalog()
>>> course[0].label, course[0].title
('01', 'Who is a customer? Customers, buyers, clients and consumers')
>>> course[-1].label
'R04'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from custlab.runner.job import learning_objectives, notebook_title, plain_text
from custlab.runner.selection import NOTEBOOK_DIR

__all__ = ["CourseNotebook", "DataSet", "read_catalog", "read_data_sets", "readme_intro", "REPO_DIR"]

#: The repository: the notebooks' parent folder.
REPO_DIR = NOTEBOOK_DIR.parent

#: Parts of the course, in order: (folder under the notebooks' root, heading).
PARTS = (("", "The course"), ("reproductions", "Published studies, reproduced"))


@dataclass(frozen=True)
class DataSet:
    """One section of ``data/README.md``: a data set, what it is, and what loads it."""

    name: str
    anchor: str
    description: str
    loaders: tuple[str, ...]


@dataclass(frozen=True)
class CourseNotebook:
    """One notebook of the course, as its first markdown cell describes it.

    ``path`` is relative to the notebooks' root (``06_customer_lifetime_value.ipynb``,
    ``reproductions/01_counting_your_customers_2005.ipynb``); ``label`` is its
    short name in the course (``06``, ``R01``).
    """

    path: Path
    part: str
    number: int
    title: str
    objectives: tuple[str, ...]
    prerequisites: str
    data_sets: tuple[str, ...] = field(default=())

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def label(self) -> str:
        return f"R{self.number:02d}" if self.part == "reproductions" else f"{self.number:02d}"

    def href(self, origin: Path, suffix: str = ".ipynb") -> str:
        """Relative address of this notebook (with ``suffix``) from a file at ``origin`` (relative to the root)."""
        return Path(os.path.relpath(self.path.with_suffix(suffix), origin.parent)).as_posix()


def prerequisites(nb: nbformat.NotebookNode) -> str:
    """The text after ``**Prerequisites:**`` in the first markdown cell, joined onto one line."""
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    match = re.search(r"\*\*Prerequisites:?\*\*:?\s*(.+?)(?:\n\s*\n|\Z)", first, re.DOTALL)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def _code(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def read_data_sets(readme: Path | None = None) -> list[DataSet]:
    """The data sets described in ``data/README.md``, each with the ``custlab`` functions it names.

    Parameters
    ----------
    readme : Path, optional
        Default: ``data/README.md`` of the repository.

    Returns
    -------
    list of DataSet
        One per ``##`` section, in the file's order; ``description`` is the
        section's first paragraph.
    """
    text = (readme or REPO_DIR / "data" / "README.md").read_text(encoding="utf-8")
    sets = []
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = section.partition("\n")
        paragraphs = [p.strip() for p in body.strip().split("\n\n") if p.strip()]
        loaders = tuple(sorted(set(re.findall(r"`custlab\.(\w+)\(", body))))
        name = re.sub(r"\s*\(`[^`]*`\)\s*$", "", heading).strip()
        anchor = re.sub(r"[^a-z0-9]+", "-", plain_text(name).lower()).strip("-")
        sets.append(DataSet(name, anchor, re.sub(r"\s+", " ", paragraphs[0]) if paragraphs else "", loaders))
    return sets


def _uses(code: str, data_set: DataSet) -> bool:
    return any(re.search(rf"\b{re.escape(loader)}\(", code) for loader in data_set.loaders)


def _number(path: Path) -> int:
    match = re.match(r"(\d+)_", path.name)
    if not match:
        raise ValueError(f"{path}: a course notebook's name starts with its number, as in 06_name.ipynb.")
    return int(match.group(1))


def read_catalog(root: Path | None = None, *, data_readme: Path | None = None) -> list[CourseNotebook]:
    """Every notebook of the course, in course order, described by its own first markdown cell.

    Parameters
    ----------
    root : Path, optional
        The folder holding ``NN_name.ipynb`` and ``reproductions/NN_name.ipynb``
        (default: the repository's ``notebooks/``; executed copies under
        ``build/`` work the same).
    data_readme : Path, optional
        Where the data sets are described (default: ``data/README.md``).

    Returns
    -------
    list of CourseNotebook

    Raises
    ------
    ValueError
        When a notebook has no ``# title`` or no learning objectives.
    """
    root = Path(root or NOTEBOOK_DIR)
    data_sets = read_data_sets(data_readme)
    course = []
    for part, _ in PARTS:
        folder = root / part if part else root
        for path in sorted(folder.glob("[0-9]*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            title, objectives = notebook_title(nb), learning_objectives(nb)
            if not title or not objectives:
                raise ValueError(f"{path}: the first markdown cell needs a '# title' and a '**You will learn to**' "
                                 "list; the course's contents are read from them.")
            code = _code(nb)
            course.append(CourseNotebook(
                path=path.relative_to(root), part=part, number=_number(path), title=title,
                objectives=tuple(objectives), prerequisites=prerequisites(nb),
                data_sets=tuple(d.name for d in data_sets if _uses(code, d))))
    if not course:
        raise ValueError(f"{root}: no notebooks named NN_name.ipynb here.")
    return course


def readme_intro(readme: Path | None = None) -> str:
    """The README's introduction (markdown): what the course teaches and for whom.

    It is the text between the README's ``# title`` and its first ``##`` section, without
    badges (their images come from the network).
    """
    text = (readme or REPO_DIR / "README.md").read_text(encoding="utf-8")
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    lines = body.split("\n## ", 1)[0].splitlines()
    return "\n".join(line for line in lines if not line.startswith("[![")).strip()  # badges load from the web
