"""Student copies of the notebooks, with the solutions left blank, and the solutions on one page for teachers.

An exercise is a markdown cell stating it, followed by a code cell whose
source starts with ``# Solution``: its solution. Every course notebook
(``notebooks/NN_*.ipynb`` and ``notebooks/reproductions/NN_*.ipynb``) has at
least one.

- ``python -m custlab.course.student student --output build/student``
  (``make student``) writes a copy of every notebook, and of
  ``contents.ipynb``, at the same relative path under the output folder:
  no outputs, no execution counts, and each solution cell cut down to its
  ``# Solution`` line and a prompt (:func:`student_notebook`).
- ``python -m custlab.course.student solutions --output build/solutions/index.html``
  (``make solutions``) writes one HTML page with, for each notebook in
  course order, every exercise, its solution and the outputs stored in the
  executed notebook (:func:`write_solutions_page`). The page loads nothing
  from the network: it is rendered with the runner's offline template
  (:mod:`custlab.runner.job`).

Only the ``# Solution`` cell is emptied: code cells after it are kept as
they are, so a later cell that uses a solution's variables fails in a student
copy until the student has answered.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_markdown_cell("**1.** Add one and one."),
...     nbformat.v4.new_code_cell("# Solution\\nanswer = 1 + 1\\nanswer", execution_count=3)])
>>> student = student_notebook(nb)
>>> print(student.cells[1].source)
# Solution
# Your answer here: write the code, then run the cell.
>>> student.cells[1].execution_count is None, solution_cells(student)
(True, [1])
>>> nb.cells[1].source.splitlines()[1]  # the original is left as it was
'answer = 1 + 1'
"""

from __future__ import annotations

import argparse
import copy
import html
import sys
from pathlib import Path

import nbformat

from custlab.runner.job import _PAGE_TEMPLATE, notebook_title
from custlab.runner.selection import NOTEBOOK_DIR, find_notebooks, notebook_key

__all__ = ["SOLUTION_MARK", "PROMPT", "solution_cells", "student_notebook", "course_notebooks",
           "write_student_copies", "write_solutions_page", "main"]

#: How a solution cell starts.
SOLUTION_MARK = "# Solution"
#: What a solution cell holds, under its first line, in a student copy.
PROMPT = "# Your answer here: write the code, then run the cell."
#: The contents notebook, copied as well when the source folder has one.
CONTENTS = "contents.ipynb"
#: Cell metadata written by a run (Jupyter's timings, papermill's status): left out of student copies.
_RUN_METADATA = ("execution", "papermill")


def solution_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of the solution cells: code cells whose source starts with ``# Solution``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.

    Returns
    -------
    list of int
        In the notebook's order; empty when it has no exercise.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
    ...                                      nbformat.v4.new_markdown_cell("# Solution"),
    ...                                      nbformat.v4.new_code_cell("# Solution\\nx + 1")])
    >>> solution_cells(nb)
    [2]
    """
    return [i for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and cell.source.startswith(SOLUTION_MARK)]


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A student's copy of a notebook: no outputs, and every solution left blank.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook, usually executed; it is not changed.

    Returns
    -------
    nbformat.NotebookNode
        A copy in which every code cell has no outputs and no execution
        count, every solution cell (:func:`solution_cells`) holds only its
        first line and :data:`PROMPT`, and no cell keeps the metadata of a
        run (``execution``, ``papermill``). Everything else is kept: the
        other cells' sources, cell ids and tags (``parameters`` included),
        and the notebook's metadata (kernel ``python3``) except papermill's and jupytext's
        pairing (a student's copy is one file).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "# Solution: by hand\\nprint(2)", outputs=[nbformat.v4.new_output("stream", text="2\\n")])])
    >>> cell = student_notebook(nb).cells[0]
    >>> cell.source.splitlines(), cell.outputs
    (['# Solution: by hand', '# Your answer here: write the code, then run the cell.'], [])
    """
    student = copy.deepcopy(nb)
    student.metadata.pop("papermill", None)
    student.metadata.pop("jupytext", None)  # a student's copy is one file: no .py twin appears on save
    solutions = set(solution_cells(student))
    for i, cell in enumerate(student.cells):
        for key in _RUN_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if i in solutions:
            cell.source = cell.source.splitlines()[0] + "\n" + PROMPT
    return student


def course_notebooks(source: Path = NOTEBOOK_DIR) -> list[tuple[Path, nbformat.NotebookNode]]:
    """The course notebooks under ``source``, in course order, each read and checked.

    Parameters
    ----------
    source : Path
        The notebooks' folder (default: the repository's ``notebooks/``).

    Returns
    -------
    list of (Path, nbformat.NotebookNode)
        Every ``[0-9]*.ipynb`` file: the top-level ones, then those in
        subfolders (``reproductions/``), each group by name; checkpoints
        are left out. ``contents.ipynb`` is not among them.

    Raises
    ------
    ValueError
        ``source`` holds no notebook, or a notebook has no solution cell.
    """
    paths = find_notebooks(root=Path(source))
    if not paths:
        raise ValueError(f"{source} holds no course notebook ([0-9]*.ipynb).")
    read = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not solution_cells(nb):
            raise ValueError(f"{path} has no solution cell (a code cell starting with {SOLUTION_MARK!r}); "
                             "every course notebook needs at least one exercise.")
        read.append((path, nb))
    return read


def write_student_copies(source: Path = NOTEBOOK_DIR, output: Path = Path("build/student")) -> list[Path]:
    """Write the student copy (:func:`student_notebook`) of every notebook under ``source``.

    Parameters
    ----------
    source : Path
        The notebooks' folder (default: the repository's ``notebooks/``).
    output : Path
        The folder of the copies, e.g. ``build/student``. It is generated:
        each copy is overwritten, and any other ``.ipynb`` file under it
        (a notebook since renamed or removed) is deleted, so that no stale
        notebook is handed out. Other files are left alone. Students should
        work on a copy of this folder, not in it.

    Returns
    -------
    list of Path
        The copies written, in course order, then ``contents.ipynb`` when
        ``source`` has one; each at its path relative to ``source``
        (``reproductions/01_....ipynb``).

    Raises
    ------
    ValueError
        As :func:`course_notebooks` (before anything is written or deleted),
        or ``output`` and ``source`` are the same folder or one holds the other.

    Examples
    --------
    >>> import shutil, tempfile, nbformat
    >>> folder, copies = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# Solution\\nx = 1")])
    >>> nbformat.write(nb, folder / "01_first.ipynb")
    >>> [p.relative_to(copies).as_posix() for p in write_student_copies(folder, copies)]
    ['01_first.ipynb']
    >>> write_student_copies(folder, folder / "student")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the student copies' folder ... must be apart from the notebooks' folder ...
    >>> shutil.rmtree(folder); shutil.rmtree(copies)
    """
    source, output = Path(source), Path(output)
    out, src = output.resolve(), source.resolve()
    if out.is_relative_to(src) or src.is_relative_to(out):
        raise ValueError(f"the student copies' folder {output} must be apart from the notebooks' folder {source}.")
    notebooks = course_notebooks(source)
    if (source / CONTENTS).is_file():
        notebooks.append((source / CONTENTS, nbformat.read(source / CONTENTS, as_version=4)))
    targets = {output / path.relative_to(source): nb for path, nb in notebooks}
    for stale in list(output.rglob("*.ipynb")):
        if stale not in targets and ".ipynb_checkpoints" not in stale.parts:
            stale.unlink()
    for target, nb in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_notebook(nb), target)
    return list(targets)


def _anchor(path: Path, source: Path) -> str:
    """The id of a notebook's heading on the solutions page: ``reproductions-01_...``."""
    return notebook_key(path, source).replace("/", "-")


def _title(path: Path, nb: nbformat.NotebookNode) -> str:
    """A notebook's title (or file name), escaped for HTML."""
    return html.escape(notebook_title(nb) or path.stem)


def write_solutions_page(source: Path = NOTEBOOK_DIR,
                         output: Path = Path("build/solutions/index.html")) -> Path:
    """Write one HTML page with every exercise, its solution and the solution's stored outputs.

    For each course notebook in order (:func:`course_notebooks`): a heading
    with its title (:func:`custlab.runner.job.notebook_title`), then each
    exercise: the markdown cell just before the solution cell, the solution
    cell and the outputs it has in the executed notebook. A contents list at
    the top links to each notebook's heading. The page is rendered by
    nbconvert with :mod:`custlab.runner.job`'s offline template: no script,
    style sheet or font comes from the network, and figures are embedded.

    Parameters
    ----------
    source : Path
        The executed notebooks' folder (default: the repository's ``notebooks/``).
    output : Path
        The page to write, e.g. ``build/solutions/index.html``; its folder is
        made if missing.

    Returns
    -------
    Path
        ``output``.

    Raises
    ------
    ValueError
        As :func:`course_notebooks`.
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    source, output = Path(source), Path(output)
    notebooks = course_notebooks(source)
    title = "Solutions to the exercises"
    items = []
    for path, nb in notebooks:
        count = len(solution_cells(nb))
        items.append(f'<li><a href="#{_anchor(path, source)}">{_title(path, nb)}</a> '
                     f"({count} exercise{'' if count == 1 else 's'})</li>")
    contents = "\n".join(items)
    cells = [nbformat.v4.new_markdown_cell(
        f"# {title}\n\nFor teachers: every exercise of the course, with its solution and the outputs it gave "
        "when the notebook was last executed. Students get the notebooks without them (`make student`).\n\n"
        f'<h2 id="contents">Notebooks</h2>\n<ol>\n{contents}\n</ol>\n')]
    for path, nb in notebooks:
        cells.append(nbformat.v4.new_markdown_cell(
            f'<h1 id="{_anchor(path, source)}">{_title(path, nb)}</h1>\n\n'
            f"From `{path.relative_to(source).as_posix()}`."))
        for i in solution_cells(nb):
            if i > 0 and nb.cells[i - 1].cell_type == "markdown":
                cells.append(copy.deepcopy(nb.cells[i - 1]))
            cells.append(copy.deepcopy(nb.cells[i]))
    for n, cell in enumerate(cells):
        cell.id = f"cell-{n}"  # unique on the page (the notebooks' own ids may repeat), and the same each time
    # The first notebook's language and kernel, for the highlighting of the code.
    metadata = {key: notebooks[0][1].metadata[key] for key in ("kernelspec", "language_info")
                if key in notebooks[0][1].metadata}
    page = nbformat.v4.new_notebook(cells=cells, metadata={**metadata, "title": title})
    exporter = HTMLExporter(extra_loaders=[DictLoader({"custlab_page.html.j2": _PAGE_TEMPLATE})],
                            template_file="custlab_page.html.j2")
    # The template's link back to an index goes to this page's own list of notebooks.
    body, _ = exporter.from_notebook_node(page, resources={"custlab_index_href": "#contents"})
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    return output


def main(argv: list[str] | None = None) -> int:
    """``student [--source DIR] [--output DIR]`` or ``solutions [--source DIR] [--output PAGE]``.

    Parameters
    ----------
    argv : list of str, optional
        The command and its options (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when written; 1 when refused (the reason goes to stderr).
    """
    parser = argparse.ArgumentParser(prog="custlab", description="Student copies and the solutions page.")
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="student copies: no outputs, solutions left blank")
    student.add_argument("--output", type=Path, default=Path("build/student"),
                         help="folder of the copies (default build/student); stale .ipynb files there are deleted")
    solutions = commands.add_parser("solutions", help="every exercise's solution on one page, for teachers")
    solutions.add_argument("--output", type=Path, default=Path("build/solutions/index.html"),
                           help="the page (default build/solutions/index.html)")
    for command in (student, solutions):
        command.add_argument("--source", type=Path, default=NOTEBOOK_DIR,
                             help=f"folder of the executed notebooks (default {NOTEBOOK_DIR})")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "student":
            written = write_student_copies(args.source, args.output)
            emptied = sum(len(solution_cells(nbformat.read(p, as_version=4))) for p in written)
            print(f"student copies: {len(written)} notebooks, {emptied} solutions left blank, in {args.output}")
        else:
            page = write_solutions_page(args.source, args.output)
            notebooks = course_notebooks(args.source)
            count = sum(len(solution_cells(nb)) for _, nb in notebooks)
            print(f"solutions page: {count} solutions from {len(notebooks)} notebooks; open {page}")
    except (ValueError, OSError) as exc:
        print(f"custlab {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
