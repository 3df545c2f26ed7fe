import json

import nbformat
import pytest
import yaml

from custlab import runner


def make_notebook(path, body):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("x: int = 1  # a number below 5")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def root(tmp_path):
    d = tmp_path / "nbs"
    (d / "sub").mkdir(parents=True)
    make_notebook(d / "01_check.ipynb", "assert x < 5, f'x is {x}'\nprint('x =', x)")
    make_notebook(d / "sub" / "02_other.ipynb", "print(x * 2)")
    return d


def test_find_notebooks_by_number_name_and_glob(root):
    assert [p.name for p in runner.find_notebooks(None, root=root)] == ["01_check.ipynb", "02_other.ipynb"]
    assert [p.name for p in runner.find_notebooks(["01"], root=root)] == ["01_check.ipynb"]
    assert [p.name for p in runner.find_notebooks(["01_check"], root=root)] == ["01_check.ipynb"]
    assert [p.name for p in runner.find_notebooks(["sub/*"], root=root)] == ["02_other.ipynb"]
    with pytest.raises(ValueError, match="No notebook matches '07'.*01_check"):
        runner.find_notebooks(["07"], root=root)


def test_parameter_file_fans_out(tmp_path):
    f = tmp_path / "grid.yaml"
    f.write_text(yaml.safe_dump([{"x": 1}, {"x": 2}]))
    assert runner.load_parameter_sets(f, {"y": 0}) == [{"x": 1, "y": 0}, {"x": 2, "y": 0}]
    f.write_text("x: 3\n")
    assert runner.load_parameter_sets(f, {}) == [{"x": 3}]
    f.write_text("- 1\n- 2\n")
    with pytest.raises(ValueError, match="must be a mapping"):
        runner.load_parameter_sets(f, {})


def test_unknown_parameter_is_refused_before_running(root, tmp_path):
    nbs = runner.find_notebooks(["01"], root=root)
    with pytest.raises(ValueError, match="has no parameter 'y'. Its parameters: x"):
        runner.plan_runs(nbs, [{"y": 1}], tmp_path / "out", root=root)


def test_a_failing_run_does_not_stop_the_batch(root, tmp_path, capsys):
    out = tmp_path / "out"
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump([{"x": 1}, {"x": 9}]))
    code = runner.main(["run", "--root", str(root), "--output", str(out), "--params", str(grid),
                        "--jobs", "2", "--no-progress"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "1 of 4 notebook run(s) succeeded" not in printed
    assert "3 of 4 notebook run(s) succeeded" in printed
    assert "AssertionError: x is 9" in printed
    assert (out / "01_check__x=1.html").exists() and (out / "01_check__x=9.ipynb").exists()
    assert (out / "sub" / "02_other__x=9.html").exists()
    index = (out / "index.html").read_text()
    assert index.count("<tr>") == 5 and "failed" in index and "x = 9" in index
    executed = json.loads((out / "01_check__x=1.ipynb").read_text())
    assert "x = 1" in "".join(executed["cells"][-1]["outputs"][0]["text"])


def test_cli_errors_are_short(root, tmp_path, capsys):
    assert runner.main(["run", "--root", str(root), "nope"]) == 2
    assert "No notebook matches 'nope'" in capsys.readouterr().err
    assert runner.main(["run", "--root", str(root), "-p", "z", "1", "--output", str(tmp_path)]) == 2
    assert "has no parameter 'z'" in capsys.readouterr().err


def test_list_shows_parameters_with_help(root, capsys):
    assert runner.main(["list", "--root", str(root)]) == 0
    assert "x: int = 1  # a number below 5" in capsys.readouterr().out
