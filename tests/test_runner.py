"""``custlab run``: choosing notebooks, reading parameters by type, stopping cleanly, pages and index."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from custlab import runner
from custlab.runner import batch, cli, index, job, parameters
from custlab.runner.parameters import ParameterError, convert_value, given
from custlab.runner.job import latex_to_mathml

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

HEADER = """# Is *x* below five?

**You will learn to**
- check a number against a `bound`;
- print it,
  with its name.

**Prerequisites:** none."""


def make_notebook(path, body, params="x: int = 1  # a number below 5", header=HEADER):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(header), cell]
    nb.cells += [nbformat.v4.new_code_cell(b) for b in ([body] if isinstance(body, str) else body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def root(tmp_path):
    d = tmp_path / "nbs"
    make_notebook(d / "01_check.ipynb", "assert x < 5, f'x is {x}'\nprint('x =', x)")
    make_notebook(d / "sub" / "02_other.ipynb", "print(x * 2)", header="# Twice x")
    return d


@pytest.fixture
def library(tmp_path):
    """Notebooks laid out like notebooks/: two numbered 01, in different folders."""
    d = tmp_path / "library"
    for name in ["01_who_is_a_customer", "06_value", "reproductions/01_counting_your_customers_2005",
                 "reproductions/02_gamma_gamma_spend_2013"]:
        make_notebook(d / f"{name}.ipynb", "print(x)")
    return d


def keys(paths, root):
    return [p.relative_to(root).with_suffix("").as_posix() for p in paths]


# --- choosing notebooks -------------------------------------------------------------------------


@pytest.mark.parametrize("pattern, expected", [
    ("01", ["01_who_is_a_customer"]),
    ("1", ["01_who_is_a_customer"]),
    ("01_who_is_a_customer", ["01_who_is_a_customer"]),
    ("01_who", ["01_who_is_a_customer"]),
    ("01_who_is_a_customer.ipynb", ["01_who_is_a_customer"]),
    ("reproductions/01", ["reproductions/01_counting_your_customers_2005"]),
    ("reproductions/01_counting_your_customers_2005", ["reproductions/01_counting_your_customers_2005"]),
    ("01_counting_your_customers_2005", ["reproductions/01_counting_your_customers_2005"]),
    ("library/reproductions/02", ["reproductions/02_gamma_gamma_spend_2013"]),
    ("01_*", ["01_who_is_a_customer"]),
    ("reproductions/*", ["reproductions/01_counting_your_customers_2005",
                         "reproductions/02_gamma_gamma_spend_2013"]),
    ("*customer*", ["01_who_is_a_customer", "reproductions/01_counting_your_customers_2005"]),
])
def test_a_pattern_selects_notebooks_by_number_name_path_or_glob(library, pattern, expected):
    assert keys(runner.find_notebooks([pattern], root=library), library) == expected


def test_every_notebook_top_level_first_and_file_paths(library):
    every = keys(runner.find_notebooks(None, root=library), library)
    assert every == ["01_who_is_a_customer", "06_value", "reproductions/01_counting_your_customers_2005",
                     "reproductions/02_gamma_gamma_spend_2013"]
    file = library / "reproductions" / "02_gamma_gamma_spend_2013.ipynb"
    assert runner.find_notebooks([str(file)], root=library) == [file]
    assert len(runner.find_notebooks(["01", "01_who", "06"], root=library)) == 2


def test_a_number_only_in_a_subfolder_says_how_to_name_it(library):
    with pytest.raises(runner.NotebookNotFound, match="No notebook matches '02'.*reproductions/02"):
        runner.find_notebooks(["02"], root=library)


def test_a_number_or_name_fitting_several_notebooks_is_refused(library, capsys):
    make_notebook(library / "06_other.ipynb", "print(x)")
    with pytest.raises(runner.AmbiguousNotebook, match="'06' matches 2 notebooks: 06_other, 06_value"):
        runner.find_notebooks(["06"], root=library)
    assert runner.main(["run", "--root", str(library), "06"]) == 2
    err = capsys.readouterr().err
    assert "06_other" in err and "06_value" in err
    make_notebook(library / "reproductions" / "01_who_is_a_customer.ipynb", "print(x)")
    with pytest.raises(runner.AmbiguousNotebook, match="reproductions/01_who_is_a_customer"):
        runner.find_notebooks(["01_who_is_a_customer"], root=library)
    # Globs select every match on purpose.
    assert len(runner.find_notebooks(["06_*"], root=library)) == 2


def test_the_readme_selection_of_notebook_01_is_unambiguous(tmp_path):
    """Regression: ``01`` matched the reproduction too, which has no ``dataset`` parameter."""
    assert runner.find_notebooks(["01"]) == [NOTEBOOKS / "01_who_is_a_customer.ipynb"]
    assert runner.find_notebooks(["reproductions/01"]) == [
        NOTEBOOKS / "reproductions" / "01_counting_your_customers_2005.ipynb"]
    sets = runner.load_parameter_sets(None, parameters.from_command_line(
        [("dataset", "cdnow"), ("customer_col", "no"), ("seed", "0012")]))
    (run,) = runner.plan_runs(runner.find_notebooks(["01"]), sets, tmp_path)
    assert run.parameters["customer_col"] == "no" and run.parameters["seed"] == 12


# --- parameters, read by their annotations ------------------------------------------------------


@pytest.mark.parametrize("text, type_name, expected", [
    ("no", "str", "no"), ("0012", "str", "0012"), ("", "str", ""), ("2024-01-01", "str", "2024-01-01"),
    ("0012", "int", 12), ("-3", "int", -3), ("1_000", "int", 1000),
    ("0.25", "float", 0.25), ("1e-3", "float", 0.001), ("2", "float", 2.0),
    ("true", "bool", True), ("Yes", "bool", True), ("1", "bool", True),
    ("FALSE", "bool", False), ("no", "bool", False), ("0", "bool", False),
    ("[1, 2]", "list", [1, 2]), ("0.5", "None", 0.5),
])
def test_values_are_read_by_the_annotation(text, type_name, expected):
    value = convert_value("p", given(text), type_name)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text, type_name, problem", [
    ("abc", "int", "'abc' is not a whole number"),
    ("1.5", "int", "'1.5' is not a whole number"),
    ("nan", "float", "'nan' is not a finite decimal number"),
    ("ten", "float", "'ten' is not a finite decimal number"),
    ("on", "bool", "'on' is not one of true/false, yes/no, 1/0"),
])
def test_a_value_that_does_not_fit_is_refused_with_name_and_type(text, type_name, problem):
    with pytest.raises(ParameterError) as err:
        convert_value("seed", given(text, where="-p seed"), type_name, "01_x.ipynb")
    article = "an" if type_name == "int" else "a"
    assert str(err.value) == f"-p seed: seed is {article} {type_name} parameter of 01_x.ipynb; {problem}."


def test_python_values_from_code_must_have_the_type():
    assert convert_value("margin", 1, "float") == 1.0
    with pytest.raises(ParameterError, match="seed is an int parameter; '3' is a str"):
        convert_value("seed", "3", "int")
    with pytest.raises(ParameterError, match="seed is an int parameter; True is a bool"):
        convert_value("seed", True, "int")


def test_a_bad_value_stops_the_command_before_anything_runs(root, tmp_path, capsys):
    out = tmp_path / "out"
    assert runner.main(["run", "--root", str(root), "01", "-p", "x", "abc", "--output", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "custlab run: -p x: x is an int parameter of 01_check.ipynb; 'abc' is not a whole number.")
    assert not out.exists()
    assert runner.main(["run", "01", "-p", "seed", "abc", "--output", str(out)]) == 2
    assert "seed is an int parameter of 01_who_is_a_customer.ipynb" in capsys.readouterr().err


def test_parameter_file_fans_out_and_keeps_the_text_as_written(tmp_path):
    f = tmp_path / "grid.yaml"
    f.write_text(yaml.safe_dump([{"x": 1}, {"x": 2}]))
    sets = runner.load_parameter_sets(f, parameters.from_command_line([("y", "0")]))
    texts = [{k: v.text for k, v in s.items()} for s in sets]
    assert texts == [{"x": "1", "y": "0"}, {"x": "2", "y": "0"}]
    f.write_text("x: 3\n")
    assert runner.load_parameter_sets(f)[0]["x"].text == "3"
    f.write_text("")
    assert runner.load_parameter_sets(f) == [{}]
    f.write_text("- 1\n- 2\n")
    with pytest.raises(ValueError, match="set 1 is int; each parameter set must be a mapping"):
        runner.load_parameter_sets(f)
    f.write_text("- {x: 1, x: 2}\n")
    with pytest.raises(ValueError, match="set 1 gives x twice"):
        runner.load_parameter_sets(f)
    with pytest.raises(ValueError, match="cannot read the parameter file"):
        runner.load_parameter_sets(tmp_path / "missing.yaml")


def test_parameter_file_values_are_checked_against_the_annotations(tmp_path):
    declared = {name: {"inferred_type_name": t} for name, t in
                [("customer_col", "str"), ("window_start", "str"), ("seed", "int"), ("sample", "bool")]}
    f = tmp_path / "grid.yaml"
    f.write_text("- {customer_col: no, window_start: 2024-01-01, seed: 0012, sample: yes}\n"
                 "- {customer_col: 'off', seed: \"7\", sample: False}\n")
    sets = [parameters.typed_parameters(s, declared, "nb") for s in runner.load_parameter_sets(f)]
    assert sets == [{"customer_col": "no", "window_start": "2024-01-01", "seed": 12, "sample": True},
                    {"customer_col": "off", "seed": 7, "sample": False}]
    f.write_text("- {window_start: }\n")
    with pytest.raises(ParameterError, match=r"grid.yaml, set 1, window_start: window_start is a str "
                                             r"parameter of nb; the value is empty .*write ''"):
        parameters.typed_parameters(runner.load_parameter_sets(f)[0], declared, "nb")
    f.write_text("- {seed: [1, 2]}\n")
    with pytest.raises(ParameterError, match="int parameter of nb; a YAML list cannot be given"):
        parameters.typed_parameters(runner.load_parameter_sets(f)[0], declared, "nb")


def test_unknown_parameter_is_refused_before_running(root, tmp_path):
    nbs = runner.find_notebooks(["01"], root=root)
    with pytest.raises(ValueError, match="has no parameter 'y'. Its parameters: x"):
        runner.plan_runs(nbs, [{"y": 1}], tmp_path / "out", root=root)


def test_relative_paths_are_made_absolute_from_where_the_command_runs(tmp_path):
    nb = make_notebook(tmp_path / "nbs" / "01_read.ipynb", "print(open(path).read())",
                       params='path: str = "none"  # a file\nlabel: str = ""  # a word')
    here = tmp_path / "here"
    (here / "data").mkdir(parents=True)
    (here / "data" / "orders.csv").write_text("a,b\n")
    sets = runner.load_parameter_sets(None, parameters.from_command_line(
        [("path", "data/orders.csv"), ("label", "missing.csv")]))
    (run,) = runner.plan_runs([nb], sets, tmp_path / "out", root=nb.parent, cwd=here)
    assert run.parameters == {"path": str(here / "data" / "orders.csv"), "label": "missing.csv"}
    assert run.given == {"path": "data/orders.csv", "label": "missing.csv"}
    assert run.name == "01_read__label=missing.csv__path=data-orders.csv"


def test_marks_and_plain_words_are_never_taken_for_paths(tmp_path):
    # "." names the current folder and "cdnow" a folder beside it, but as values they are a
    # thousands separator and a data set name.
    nb = make_notebook(tmp_path / "nbs" / "01_read.ipynb", "print(thousands, dataset)",
                       params='thousands: str = ""  # a mark\ndataset: str = "simulated"  # a name or a file')
    here = tmp_path / "here"
    (here / "cdnow").mkdir(parents=True)
    sets = runner.load_parameter_sets(None, parameters.from_command_line([("thousands", "."), ("dataset", "cdnow")]))
    (run,) = runner.plan_runs([nb], sets, tmp_path / "out", root=nb.parent, cwd=here)
    assert run.parameters == {"thousands": ".", "dataset": "cdnow"}


def test_values_that_differ_only_in_marks_get_different_files(tmp_path):
    nb = make_notebook(tmp_path / "nbs" / "01_read.ipynb", "print(sep)", params='sep: str = ","  # separator')
    sets = [s for mark in (";", "|", "\t") for s in runner.load_parameter_sets(
        None, parameters.from_command_line([("sep", mark)]))]
    runs = runner.plan_runs([nb], sets, tmp_path / "out", root=nb.parent)
    assert [r.name for r in runs] == ["01_read__sep=~3b", "01_read__sep=~7c", "01_read__sep=-"]


@pytest.mark.notebook
def test_a_relative_path_reaches_the_kernel(tmp_path, monkeypatch, capsys):
    make_notebook(tmp_path / "nbs" / "01_read.ipynb", "print(open(path).read())",
                  params='path: str = "none"  # a file')
    (tmp_path / "orders.csv").write_text("client,paid\n")
    monkeypatch.chdir(tmp_path)
    code = runner.main(["run", "--root", "nbs", "01", "-p", "path", "orders.csv", "--output", "out",
                        "--no-progress", "--no-html"])
    assert code == 0, capsys.readouterr()
    executed = nbformat.read(tmp_path / "out" / "01_read__path=orders.csv.ipynb", as_version=4)
    assert "client,paid" in executed.cells[-1].outputs[0]["text"]


# --- the output folder --------------------------------------------------------------------------


def test_an_unwritable_output_folder_is_refused_before_anything_runs(root, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert runner.main(["run", "--root", str(root), "--output", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"custlab run: cannot write to the output folder {blocker / 'out'}")
    assert "--output" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions bind")
def test_a_read_only_output_folder_is_refused(root, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir(mode=0o500)
    assert runner.main(["run", "--root", str(root), "--output", str(out)]) == 2
    assert "Permission denied" in capsys.readouterr().err


def test_the_summary_is_printed_when_the_index_cannot_be_written(root, tmp_path, capsys, monkeypatch):
    def pretend(runs, **kwargs):
        for run in runs:
            run.status, run.seconds = "ok", 1.0
        return runs

    def refuse(runs, output):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli, "run_batch", pretend)
    monkeypatch.setattr(cli, "write_index", refuse)
    assert runner.main(["run", "--root", str(root), "--output", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "2 of 2 notebook run(s) succeeded; no index written" in captured.out
    assert "could not write" in captured.err and "Permission denied" in captured.err


# --- pages and index ----------------------------------------------------------------------------


NETWORK = re.compile(r"""<script[^>]*\ssrc\s*=\s*["']?(https?:)?//"""
                     r"""|<link[^>]*\shref\s*=\s*["']?(https?:)?//"""
                     r"""|url\(\s*["']?(https?:)?//|@import|@font-face[^}]*https?://""", re.IGNORECASE)


def assert_offline(page: str):
    assert not NETWORK.search(page), NETWORK.search(page).group(0)
    for word in ("mathjax", "require.min.js", "cdnjs", "mermaid.esm", "@jupyter-widgets"):
        assert word not in page.lower(), word


def test_title_and_learning_objectives_are_read_from_the_markdown():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(HEADER), nbformat.v4.new_markdown_cell("# Later heading")])
    assert runner.notebook_title(nb) == "Is x below five?"
    assert runner.learning_objectives(nb) == ["check a number against a `bound`",
                                              "print it, with its name"]
    nb.cells = [nbformat.v4.new_markdown_cell("```\n# a comment\n```\nno title here")]
    assert runner.notebook_title(nb) is None and runner.learning_objectives(nb) == []


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.rglob("[0-9]*.ipynb")), ids=lambda p: p.name)
def test_every_notebook_has_a_title_objectives_and_math_the_page_can_draw(path):
    """Pages load no MathJax: every piece of TeX in the markdown must become MathML when the page is made."""
    nb = nbformat.read(path, as_version=4)
    assert runner.notebook_title(nb)
    assert len(runner.learning_objectives(nb)) >= 2
    markdown = "\n".join(latex_to_mathml(c.source) for c in nb.cells if c.cell_type == "markdown")
    markdown = re.sub(r"`[^`]*`", "", markdown)
    tex = re.findall(r"\$\$.+?\$\$|(?<![\\$\w])\$[^\s$][^$\n]*?(?<![\s\\])\$(?![\w$])|\\\(|\\\[|\\begin\{",
                     markdown, re.S)
    assert not tex, f"{path.name} has TeX math that is not turned into MathML: {tex[:3]}"


def test_a_page_is_titled_links_to_the_index_and_loads_nothing_from_the_network(root, tmp_path):
    out = tmp_path / "out"
    nb = make_notebook(out / "sub" / "02_other.ipynb", "print(x)",
                       header="# Twice *x*?\n\nText with $5 and $6.")
    page = runner.write_page(nb, out / "index.html").read_text()
    assert "<title>Twice x?</title>" in page
    assert "Text with $5 and $6." in page and "<math" not in page
    assert re.search(r"<a href=\"\.\./index\.html\">", page)
    assert_offline(page)


def run_(name, status, seconds=1.0, error="", **given):
    nb = NOTEBOOKS / name
    return runner.Run(nb, dict(given), nb.stem, Path("/out") / f"{nb.stem}.ipynb", given=dict(given),
                      status=status, error=error, seconds=seconds)


def test_the_index_shows_question_objectives_parameters_status_and_time(tmp_path):
    runs = [run_("01_who_is_a_customer.ipynb", "ok", 12.34, period="W"),
            run_("07_contractual_retention.ipynb", "skipped")]
    for run in runs:
        run.output = tmp_path / run.output.name
    page = runner.write_index(runs, tmp_path).read_text()
    assert "<h2>Who is a customer? Customers, buyers, clients and consumers</h2>" in page
    assert "<li>tell apart four notions that everyday language mixes up" in page
    assert "period = &#x27;W&#x27;" in page and "12.3 s" in page
    colours = r"style='color:#[0-9a-f]{6};background:#[0-9a-f]{6}'"
    assert re.search(rf"<span class='status status-ok' {colours}>ok", page)
    assert "status-skipped" in page and "2 run(s): 1 ok, 1 skipped." in page
    assert "<th>error</th>" not in page
    assert_offline(page)
    runs[1].status, runs[1].error = "failed", "ValueError: no such plan"
    page = runner.write_index(runs, tmp_path).read_text()
    assert page.count("<th>error</th>") == 1 and "ValueError: no such plan" in page
    colours = index.STATUS_COLOURS
    assert len({colours["ok"], colours["failed"], colours["interrupted"], colours["skipped"]}) == 4


# --- running ------------------------------------------------------------------------------------


@pytest.mark.notebook
def test_a_failing_run_does_not_stop_the_batch(root, tmp_path, capsys):
    out = tmp_path / "out"
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump([{"x": 1}, {"x": 9}]))
    code = runner.main(["run", "--root", str(root), "--output", str(out), "--params", str(grid),
                        "--jobs", "2", "--no-progress"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "3 of 4 notebook run(s) succeeded" in printed
    assert "AssertionError: x is 9" in printed
    assert (out / "01_check__x=1.html").exists() and (out / "01_check__x=9.ipynb").exists()
    page = (out / "sub" / "02_other__x=9.html").read_text()
    assert "<title>Twice x</title>" in page and 'href="../index.html"' in page
    assert_offline(page)
    page = (out / "index.html").read_text()
    assert page.count("<th>error</th>") == 1 and "status-failed" in page and "x = 9" in page
    assert "<h2>Is x below five?</h2>" in page
    assert "<li>check a number against a <code>bound</code>" in page
    executed = json.loads((out / "01_check__x=1.ipynb").read_text())
    assert "x = 1" in "".join(executed["cells"][-1]["outputs"][0]["text"])


@pytest.mark.notebook
def test_a_cell_over_the_timeout_leaves_the_rest_pending(root, tmp_path, capsys):
    make_notebook(root / "05_slow.ipynb", ["import time\ntime.sleep(30)", "print('after')"])
    out = tmp_path / "out"
    code = runner.main(["run", "--root", str(root), "05", "--timeout", "1", "--output", str(out),
                        "--no-progress", "--no-html"])
    assert code == 1
    assert "timeout" in capsys.readouterr().out
    nb = nbformat.read(out / "05_slow.ipynb", as_version=4)
    statuses = [c.metadata.get("papermill", {}).get("status") for c in nb.cells]
    assert statuses[-2:] == ["failed", "pending"]
    assert "**Timeout:**" in nb.cells[0].source


def alive(pid: int) -> bool:
    """True while ``pid`` is a process that has not exited (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return " Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
    except OSError:
        return True


@pytest.mark.notebook
def test_ctrl_c_stops_the_batch_and_still_writes_index_and_summary(tmp_path):
    """SIGTERM takes the same path: see test_a_stop_request_counts_signals_instead_of_raising."""
    nbs, out, marker = tmp_path / "nbs", tmp_path / "out", tmp_path / "started"
    slow = ("import os, pathlib, time\n"
            f"pathlib.Path({str(marker)!r}).write_text(f'{{os.getpid()}} {{os.getppid()}}')\n"
            "time.sleep(120)")
    make_notebook(nbs / "01_slow.ipynb", [slow, "print('never printed')"])
    make_notebook(nbs / "02_queued.ipynb", "print(x)")
    command = [sys.executable, "-m", "custlab", "run", "--root", str(nbs), "--output", str(out),
               "--no-progress", "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), process.communicate(timeout=60)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "0 of 2 notebook run(s) succeeded; stopped: 1 interrupted while running, 1 skipped" in stdout
    assert re.search(r"interrupted +[\d.]+ s  01_slow.ipynb", stdout)
    assert re.search(r"skipped +[\d.]+ s  02_queued.ipynb", stdout)
    assert "Traceback" not in stderr
    page = (out / "index.html").read_text()
    assert "status-interrupted" in page and "status-skipped" in page
    nb = nbformat.read(out / "01_slow.ipynb", as_version=4)
    statuses = [c.metadata.get("papermill", {}).get("status") for c in nb.cells]
    assert statuses[-2:] == ["interrupted", "pending"] and "completed" not in statuses[-2:]
    assert nb.cells[0].source.startswith("**Interrupted:**")
    assert (out / "01_slow.html").exists() and not (out / "02_queued.ipynb").exists()
    kernel, job_process = map(int, marker.read_text().split())
    deadline = time.monotonic() + 10
    while (alive(kernel) or alive(job_process)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(kernel) and not alive(job_process)


def test_a_stop_request_counts_signals_instead_of_raising():
    before = signal.getsignal(signal.SIGINT)
    with batch.StopRequest() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.01)
    assert stop.count == 2 and stop.signal == signal.SIGINT
    assert signal.getsignal(signal.SIGINT) is before


def test_an_interrupted_notebook_marks_its_cells(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(str(i)) for i in range(4)])
    for i, cell in enumerate(nb.cells):
        cell.metadata["papermill"] = {"status": "completed", "start_time": "t" if i < 3 else None}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    job.mark_unfinished(path, last_started=1, first_not_run=None, cell_status="interrupted",
                        note="**Stopped.**")
    marked = nbformat.read(path, as_version=4)
    assert [c.metadata.get("papermill", {}).get("status") for c in marked.cells] == [
        None, "completed", "interrupted", "pending", "pending"]
    assert marked.cells[0].metadata["tags"] == [job.STATUS_CELL_TAG]


def test_list_shows_titles_and_parameters_with_help(root, capsys):
    assert runner.main(["list", "--root", str(root)]) == 0
    printed = capsys.readouterr().out
    assert "01_check.ipynb: Is x below five?" in printed
    assert "x: int = 1  # a number below 5" in printed
