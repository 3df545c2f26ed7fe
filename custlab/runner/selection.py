"""Which notebooks ``custlab run`` means: by number, by name, by path, or by glob.

A pattern selects exactly one notebook unless it is a glob:

- ``01`` or ``1``: the top-level notebook numbered 01 (``notebooks/01_*.ipynb``);
- ``reproductions/01``: notebook 01 in ``notebooks/reproductions/``;
- ``01_who_is_a_customer``, ``01_counting_your_customers_2005``: a notebook
  by its name, in any folder; a leading part of a name that ends at a word
  (``01_who``) works too;
- ``reproductions/01_counting_your_customers_2005`` or the file's path
  (``notebooks/reproductions/01_counting_your_customers_2005.ipynb``);
- a glob, ``01_*``, ``reproductions/*`` or ``*``, selects every notebook whose
  path under ``notebooks/`` (without ``.ipynb``) it matches; ``*`` also
  matches ``/``, and ``01_*`` means the top-level ones only.

A number or a name that fits several notebooks is refused, with the
candidates listed (:class:`AmbiguousNotebook`); one that fits none is refused
with every notebook listed.

Examples
--------
>>> import tempfile, nbformat
>>> root = Path(tempfile.mkdtemp())
>>> (root / "reproductions").mkdir()
>>> for name in ["01_who_is_a_customer", "reproductions/01_counting_your_customers_2005"]:
...     nbformat.write(nbformat.v4.new_notebook(), root / f"{name}.ipynb")
>>> [notebook_key(p, root) for p in find_notebooks(["01"], root=root)]
['01_who_is_a_customer']
>>> [notebook_key(p, root) for p in find_notebooks(["reproductions/1"], root=root)]
['reproductions/01_counting_your_customers_2005']
>>> [notebook_key(p, root) for p in find_notebooks(["*customer*"], root=root)]
['01_who_is_a_customer', 'reproductions/01_counting_your_customers_2005']
>>> import shutil; shutil.rmtree(root)
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

__all__ = ["NOTEBOOK_DIR", "NotebookNotFound", "AmbiguousNotebook", "find_notebooks", "notebook_key"]

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"


class NotebookNotFound(ValueError):
    """No notebook fits a pattern; the message lists the notebooks there are."""


class AmbiguousNotebook(ValueError):
    """A number or name fits several notebooks; the message lists them."""


def notebook_key(path: Path, root: Path) -> str:
    """A notebook's path under ``root`` without ``.ipynb``, with ``/``: ``reproductions/01_x``."""
    return path.relative_to(root).with_suffix("").as_posix()


def _all_notebooks(root: Path) -> list[Path]:
    return sorted((p for p in root.rglob("[0-9]*.ipynb") if ".ipynb_checkpoints" not in p.parts),
                  key=lambda p: (len(p.relative_to(root).parts), notebook_key(p, root)))


def _number(path: Path) -> int | None:
    digits = re.match(r"\d+", path.stem)
    return int(digits.group()) if digits else None


def _matches(pattern: str, every: list[Path], root: Path) -> list[Path]:
    file = Path(pattern)
    if pattern.endswith(".ipynb") and file.is_file():
        found = file.resolve()
        return [next((p for p in every if p.resolve() == found), found)]
    pat = pattern.removesuffix(".ipynb").strip("/")
    prefix = root.name + "/"
    if pat.startswith(prefix) and not (root / root.name).is_dir():
        pat = pat[len(prefix):]
    if any(c in pat for c in "*?["):
        return [p for p in every if fnmatch.fnmatchcase(notebook_key(p, root), pat)]
    folder, _, name = pat.rpartition("/")
    in_folder = [p for p in every if p.relative_to(root).parent.as_posix() == (folder or ".")]
    if name.isdigit():
        return [p for p in in_folder if _number(p) == int(name)]
    candidates = in_folder if folder else every
    exact = [p for p in candidates if p.stem == name]
    return exact or [p for p in candidates if p.stem.startswith(name + "_")]


def _listing(paths: list[Path], root: Path) -> str:
    return ", ".join(notebook_key(p, root) for p in paths)


def find_notebooks(patterns: list[str] | None = None, root: Path = NOTEBOOK_DIR) -> list[Path]:
    """The notebooks under ``root`` that ``patterns`` select, in the order given (all when empty).

    Parameters
    ----------
    patterns : list of str, optional
        Numbers, names, paths or globs (see the module's description).
    root : Path
        The folder holding the notebooks (``notebooks/``).

    Returns
    -------
    list of Path
        Each notebook once. With no patterns: the top-level notebooks, then
        those in subfolders, each group sorted by name.

    Raises
    ------
    NotebookNotFound
        A pattern selects nothing.
    AmbiguousNotebook
        A number or name (not a glob) fits more than one notebook.
    """
    every = _all_notebooks(root)
    if not patterns:
        return every
    chosen: list[Path] = []
    for pattern in patterns:
        hits = _matches(pattern, every, root)
        if not hits:
            hint = ""
            bare = pattern.removesuffix(".ipynb")
            if bare.isdigit():
                elsewhere = sorted({notebook_key(p.parent / bare, root) for p in every
                                    if _number(p) == int(bare)})
                if elsewhere:
                    hint = (" There is no top-level notebook with that number; in a subfolder, name it "
                            f"with its folder: {', '.join(elsewhere)}.")
            raise NotebookNotFound(f"No notebook matches {pattern!r}.{hint} "
                                   f"Notebooks: {_listing(every, root)}.")
        is_glob = any(c in pattern for c in "*?[")
        if len(hits) > 1 and not is_glob:
            raise AmbiguousNotebook(f"{pattern!r} matches {len(hits)} notebooks: {_listing(hits, root)}. "
                                    "Name one of them.")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen
