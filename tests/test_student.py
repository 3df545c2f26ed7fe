"""Student copies (no outputs, solutions left blank) and the teachers' solutions page (offline)."""

import html
import re
from pathlib import Path

import nbformat
import pytest

from custlab.course import student as st
from custlab.runner.job import notebook_title
from custlab.runner.selection import NOTEBOOK_DIR, find_notebooks

NOTEBOOKS = find_notebooks(root=NOTEBOOK_DIR)
EMPTIED = "# Solution\n" + st.PROMPT


def exercise_notebook() -> nbformat.NotebookNode:
    """A small executed notebook: parameters, one computation, two exercises, a closing cell."""
    v4 = nbformat.v4
    params = v4.new_code_cell("n = 3", execution_count=1, metadata={"tags": ["parameters"]})
    work = v4.new_code_cell("total = n * 2\ntotal", execution_count=2, outputs=[
        v4.new_output("execute_result", data={"text/plain": "6"}, execution_count=2)])
    work.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    work.metadata["papermill"] = {"status": "completed", "duration": 0.1}
    first = v4.new_code_cell("# Solution\nprint(total + 1)", execution_count=3,
                             outputs=[v4.new_output("stream", name="stdout", text="7\n")])
    second = v4.new_code_cell("# Solution (one way)\n\nanswer = total ** 2\nanswer", execution_count=4,
                              outputs=[v4.new_output("execute_result", data={"text/plain": "36"},
                                                     execution_count=4)])
    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# Doubling\n\nA heading cell."), params, work,
        v4.new_markdown_cell("## Exercises\n\n**1.** Add one."), first,
        v4.new_markdown_cell("# Solution\n\nNot code: not a solution cell."),
        v4.new_markdown_cell("**2.** Square it."), second,
        v4.new_code_cell("# Not a solution\nprint('done')", execution_count=5)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                  "papermill": {"duration": 1.0}})


def test_solution_cells_are_the_code_cells_that_start_with_the_mark():
    assert st.solution_cells(exercise_notebook()) == [4, 7]
    assert st.solution_cells(nbformat.v4.new_notebook()) == []


def test_the_student_copy_has_no_outputs_and_blank_solutions_and_the_input_is_untouched():
    nb = exercise_notebook()
    before = nbformat.writes(nb)
    copy = st.student_notebook(nb)
    assert nbformat.writes(nb) == before
    nbformat.validate(copy)
    assert len(copy.cells) == len(nb.cells)
    codes = [c for c in copy.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in codes)
    assert copy.cells[4].source == EMPTIED
    assert copy.cells[7].source == "# Solution (one way)\n" + st.PROMPT
    assert st.solution_cells(copy) == [4, 7]
    for i in (0, 1, 2, 3, 5, 6, 8):
        assert copy.cells[i].source == nb.cells[i].source and copy.cells[i].id == nb.cells[i].id
    assert copy.cells[1].metadata == {"tags": ["parameters"]}
    assert copy.cells[2].metadata == {}
    assert copy.metadata == {"kernelspec": nb.metadata.kernelspec}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(NOTEBOOK_DIR).as_posix())
def test_every_course_notebook_gets_a_student_copy_with_every_solution_blank(path):
    nb = nbformat.read(path, as_version=4)
    solutions = st.solution_cells(nb)
    assert solutions, f"{path.name} has no exercise"
    copy = st.student_notebook(nb)
    nbformat.validate(copy)
    assert len(copy.cells) == len(nb.cells)
    assert copy.metadata.kernelspec.name == "python3"
    for i, (cell, original) in enumerate(zip(copy.cells, nb.cells)):
        assert cell.cell_type == original.cell_type and cell.id == original.id
        assert "execution" not in cell.metadata and "papermill" not in cell.metadata
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        if i in solutions:
            assert cell.source == original.source.splitlines()[0] + "\n" + st.PROMPT
        else:
            assert cell.source == original.source
            assert cell.metadata.get("tags") == original.metadata.get("tags")


def write(path: Path, *cells) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=list(cells)), path)


@pytest.fixture
def course(tmp_path):
    """A small course: two notebooks with exercises, the contents notebook and a checkpoint."""
    root = tmp_path / "notebooks"
    exercise = (nbformat.v4.new_markdown_cell("# A notebook\n\n**1.** Do it."),
                nbformat.v4.new_code_cell("# Solution\nprint('it')"))
    write(root / "01_first.ipynb", *exercise)
    write(root / "reproductions" / "01_study.ipynb", *exercise)
    write(root / "contents.ipynb", nbformat.v4.new_markdown_cell("# Contents"))
    write(root / ".ipynb_checkpoints" / "01_first-checkpoint.ipynb", nbformat.v4.new_code_cell("x"))
    return root


def test_copies_keep_their_paths_and_stale_notebooks_go(course, tmp_path):
    out = tmp_path / "student"
    write(out / "00_renamed_since.ipynb")
    (out / "notes.txt").write_text("kept")
    written = st.write_student_copies(course, out)
    assert [p.relative_to(out).as_posix() for p in written] == [
        "01_first.ipynb", "reproductions/01_study.ipynb", "contents.ipynb"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ipynb")) == [
        "01_first.ipynb", "contents.ipynb", "reproductions/01_study.ipynb"]
    assert (out / "notes.txt").read_text() == "kept"
    assert nbformat.read(out / "01_first.ipynb", as_version=4).cells[1].source == EMPTIED


def test_a_notebook_without_a_solution_is_refused_by_name_before_anything_is_written(course, tmp_path):
    write(course / "02_no_exercise.ipynb", nbformat.v4.new_code_cell("print('no exercise')"))
    with pytest.raises(ValueError, match="02_no_exercise.ipynb has no solution cell"):
        st.write_student_copies(course, tmp_path / "student")
    assert not (tmp_path / "student").exists()
    with pytest.raises(ValueError, match="02_no_exercise.ipynb"):
        st.write_solutions_page(course, tmp_path / "solutions" / "index.html")


def test_copies_are_never_written_into_the_notebooks_folder(course):
    for output in (course, course / "student", course.parent):
        with pytest.raises(ValueError, match="must be apart"):
            st.write_student_copies(course, output)


def test_the_commands_say_what_they_wrote(course, tmp_path, capsys):
    assert st.main(["student", "--source", str(course), "--output", str(tmp_path / "student")]) == 0
    assert "3 notebooks, 2 solutions left blank" in capsys.readouterr().out
    page = tmp_path / "solutions" / "index.html"
    assert st.main(["solutions", "--source", str(course), "--output", str(page)]) == 0
    assert "2 solutions from 2 notebooks" in capsys.readouterr().out and page.is_file()
    assert st.main(["student", "--source", str(course), "--output", str(course / "out")]) == 1
    assert "must be apart" in capsys.readouterr().err


def test_every_real_notebook_is_copied_under_its_own_path(tmp_path):
    written = st.write_student_copies(NOTEBOOK_DIR, tmp_path)
    expected = [p.relative_to(NOTEBOOK_DIR) for p in NOTEBOOKS]
    if (NOTEBOOK_DIR / "contents.ipynb").is_file():
        expected.append(Path("contents.ipynb"))
    assert [p.relative_to(tmp_path) for p in written] == expected
    for path in written:
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") or c.get("execution_count") for c in nb.cells)


# --- the solutions page ----------------------------------------------------------------------

NETWORK = re.compile(r"""\ssrc\s*=\s*["']?(https?:)?//"""
                     r"""|<link[^>]*\shref\s*=\s*["']?(https?:)?//"""
                     r"""|url\(\s*["']?(https?:)?//|@import""", re.IGNORECASE)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    return st.write_solutions_page(NOTEBOOK_DIR, tmp_path_factory.mktemp("solutions") / "index.html").read_text()


def test_the_page_holds_every_solution_in_course_order(page):
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    position = 0
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        title = notebook_title(nb)
        position = text.index(title, position)
        for i in st.solution_cells(nb):
            code = next(line for line in nb.cells[i].source.splitlines()[1:] if line.strip())
            position = text.index(code, position)


def test_the_page_is_titled_has_a_contents_list_and_loads_nothing_from_the_network(page):
    assert "<title>Solutions to the exercises</title>" in page
    assert not NETWORK.search(page), NETWORK.search(page).group(0)
    for word in ("mathjax", "require.min.js", "cdnjs", "@jupyter-widgets"):
        assert word not in page.lower(), word
    links = re.findall(r'<li><a href="#([^"]+)">', page)
    assert len(links) == len(NOTEBOOKS)
    for anchor in links:
        assert page.count(f'id="{anchor}"') == 1, anchor
