"""Navigation written into the notebooks, the contents notebook and the README's index.

Run ``python -m custlab nav`` after adding, renaming or retitling a notebook.
It writes, from :func:`custlab.course.catalog.read_catalog`:

- in each notebook, a line under the introduction and a line at the end with
  links to the previous and next notebooks and to the contents (markdown cells
  tagged ``custlab-nav``; the ``.py`` twin is written from the notebook, so
  the pair stays in step);
- ``notebooks/contents.ipynb`` (and its ``.py`` twin): the README's
  introduction, then every notebook with its question, learning objectives,
  prerequisites and data;
- the README's notebook index, between two marker comments.

``python -m custlab nav --check`` writes nothing and exits 1 when any of these
is out of date; a test runs the same check. Markdown cells change nothing
that nbval compares, so no notebook needs executing again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

from custlab.course.catalog import PARTS, REPO_DIR, CourseNotebook, read_catalog, readme_intro
from custlab.runner.selection import NOTEBOOK_DIR

__all__ = ["NAV_TAG", "CONTENTS", "planned_files", "outdated", "write", "main"]

#: Tag of the navigation cells, so that they can be found, rewritten and left out of the site's pages.
NAV_TAG = "custlab-nav"
#: The contents notebook, relative to the notebooks' root.
CONTENTS = Path("contents.ipynb")
README_START = "<!-- notebook index: written by `python -m custlab nav` from the notebooks; do not edit by hand -->"
README_END = "<!-- end of the notebook index -->"


def _link(nb: CourseNotebook, origin: Path) -> str:
    return f"[{nb.label} · {_escape(nb.title)}]({nb.href(origin)})"


def _escape(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]").replace("|", "\\|")


def _contents_link(origin: Path) -> str:
    return f"[Contents]({CourseNotebook(CONTENTS, '', 0, '', (), '').href(origin)})"


def nav_lines(course: list[CourseNotebook], i: int) -> tuple[str, str]:
    """The markdown of notebook ``i``'s two navigation cells: (under the introduction, at the end)."""
    here = course[i].path
    previous = f"Previous: {_link(course[i - 1], here)}" if i > 0 else "The first notebook of the course"
    following = course[i + 1] if i + 1 < len(course) else None
    top = f"{_contents_link(here)} · {previous}"
    if following:
        top += f" · Next: {_link(following, here)}"
        bottom = f"**Next:** {_link(following, here)} · {_contents_link(here)}"
    else:
        bottom = f"This is the last notebook of the course. {_contents_link(here)}"
    return top, bottom


def _nav_cell(source: str, cell_id: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source, metadata={"tags": [NAV_TAG]})
    cell.id = cell_id
    return cell


def with_navigation(nb: nbformat.NotebookNode, top: str, bottom: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with its navigation cells (re)written: one after the first cell, one at the end."""
    copy = nbformat.from_dict(nb)
    cells = [c for c in copy.cells if NAV_TAG not in c.get("metadata", {}).get("tags", [])]
    copy.cells = cells[:1] + [_nav_cell(top, "custlab-nav-top")] + cells[1:] + [_nav_cell(bottom, "custlab-nav-end")]
    return copy


def _entry(nb: CourseNotebook, origin: Path, *, with_data: bool = True) -> str:
    lines = [f"**{_link(nb, origin)}**", "", "You will learn to:"]
    lines += [f"- {objective};" if k < len(nb.objectives) - 1 else f"- {objective}."
              for k, objective in enumerate(nb.objectives)]
    if nb.prerequisites:
        lines += ["", f"*Prerequisites:* {nb.prerequisites}"]
    if with_data and nb.data_sets:
        lines += ["", f"*Data:* {', '.join(nb.data_sets)}."]
    return "\n".join(lines)


def contents_notebook(course: list[CourseNotebook], intro: str) -> nbformat.NotebookNode:
    """The contents notebook: the introduction, then each part of the course with its notebooks."""
    cells = [nbformat.v4.new_markdown_cell(
        "# Customers, from who they are to what they are worth: contents\n\n" + intro
        + "\n\nOpen any notebook below; each one ends with a link to the next.")]
    for part, heading in PARTS:
        entries = [_entry(nb, CONTENTS) for nb in course if nb.part == part]
        if entries:
            cells.append(nbformat.v4.new_markdown_cell(f"## {heading}\n\n" + "\n\n".join(entries)))
    # Every notebook of the course has a parameters cell (papermill, the runner); this one has nothing to set.
    cells.insert(1, nbformat.v4.new_code_cell("# The contents take no parameters: open a notebook below.",
                                              metadata={"tags": ["parameters"]}))
    for k, cell in enumerate(cells):
        cell.id = f"contents-{k}"
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "jupytext": {"formats": "ipynb,py:percent"},
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def readme_index(course: list[CourseNotebook], notebooks: str = "notebooks") -> str:
    """The README's notebook index: one table per part, each notebook with its question and objectives."""
    blocks = [README_START]
    for part, heading in PARTS:
        rows = [f"| {nb.label} | [{_escape(nb.title)}]({notebooks}/{nb.path.as_posix()}) | "
                f"{'; '.join(_escape(o) for o in nb.objectives)} |" for nb in course if nb.part == part]
        if rows:
            blocks += ["", f"**{heading}**", "", "| | question | you will learn to |", "|---|---|---|", *rows]
    blocks += ["", README_END]
    return "\n".join(blocks)


def _notebook_text(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def planned_files(root: Path | None = None, readme: Path | None = None) -> dict[Path, str]:
    """Every file navigation writes, with the text it should hold."""
    root = Path(root or NOTEBOOK_DIR)
    readme = Path(readme or REPO_DIR / "README.md")
    course = read_catalog(root)
    files: dict[Path, str] = {}
    for i, entry in enumerate(course):
        path = root / entry.path
        nb = with_navigation(nbformat.read(path, as_version=4), *nav_lines(course, i))
        files[path] = _notebook_text(nb)
        files[path.with_suffix(".py")] = jupytext.writes(nb, fmt="py:percent")
    contents = contents_notebook(course, readme_intro(readme))
    files[root / CONTENTS] = _notebook_text(contents)
    files[(root / CONTENTS).with_suffix(".py")] = jupytext.writes(contents, fmt="py:percent")
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise ValueError(f"{readme}: put the two lines\n{README_START}\n{README_END}\nwhere the notebook index goes.")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    files[readme] = head + readme_index(course) + tail
    return files


def outdated(root: Path | None = None, readme: Path | None = None) -> list[Path]:
    """The files whose navigation, contents or index is not what the notebooks say (empty: all in step)."""
    return [path for path, text in planned_files(root, readme).items()
            if not path.exists() or path.read_text(encoding="utf-8") != text]


def write(root: Path | None = None, readme: Path | None = None) -> list[Path]:
    """Write the navigation cells, the contents notebook and the README index; return the files changed."""
    changed = []
    for path, text in planned_files(root, readme).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m custlab nav [--check]``."""
    parser = argparse.ArgumentParser(prog="custlab nav", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is out of date")
    args = parser.parse_args(argv)
    paths = outdated() if args.check else write()
    for path in paths:
        print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(REPO_DIR).as_posix()}")
    if args.check and paths:
        print("Run `python -m custlab nav` to bring them in step.", file=sys.stderr)
        return 1
    if not paths:
        print("navigation, contents and README index are in step with the notebooks.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
