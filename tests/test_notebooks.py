"""The notebooks: each .ipynb is paired with its .py twin, executed top to bottom, and
runs with parameters other than its defaults (nbval checks the stored outputs separately)."""

import ast
import re
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import papermill as pm
import pytest

import custlab as cl
from custlab.course.student import PROMPT, solution_cells, student_notebook
from custlab.simulate.large_log import write_transaction_log

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
IPYNB = sorted(p for p in NOTEBOOKS.rglob("[0-9]*.ipynb") if ".ipynb_checkpoints" not in p.parts)
PY = sorted(NOTEBOOKS.rglob("[0-9]*.py"))


def cells(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_every_notebook_has_a_twin():
    assert IPYNB, "no notebooks found"
    assert [p.with_suffix("") for p in IPYNB] == [p.with_suffix("") for p in PY]


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.name)
def test_pair_holds_the_same_cells(path):
    stored = nbformat.read(path, as_version=4)
    twin = jupytext.read(path.with_suffix(".py"))
    assert cells(stored) == cells(twin), f"{path.name} and its .py differ: run `make refresh`"


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.name)
def test_stored_notebook_was_executed_top_to_bottom(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert None not in counts, f"{path.name} has unexecuted cells: nbval would skip them"
    assert counts == list(range(1, len(code) + 1)), f"{path.name} was not run top to bottom in one go"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert any("parameters" in c.metadata.get("tags", []) for c in code)
    # nbval runs cells without history, so a trailing ";" no longer hides the last value (nbval#194):
    # end plot cells with a statement that returns nothing instead.
    trailing = [c.source.splitlines()[-1] for c in code if c.source.rstrip().endswith(";")]
    assert not trailing, f"cells end with ';' (nbval would see their value): {trailing}"
    solutions = [c for c in code if c.source.startswith("# Solution")]
    assert solutions, "exercises need solution cells starting with '# Solution'"


def run(path, tmp_path, *, student=False, **parameters):
    """Execute a notebook (or its student copy: no outputs, every solution blank) with papermill, from the
    notebook's own folder, and return the executed notebook."""
    source = path
    if student:
        source = tmp_path / f"student_{path.name}"
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), source)
    out = tmp_path / path.name
    pm.execute_notebook(str(source), str(out), parameters=parameters, kernel_name="python3",
                        progress_bar=False, cwd=str(path.parent), log_output=False)
    return nbformat.read(out, as_version=4)


def declared_choices(path) -> dict[str, list]:
    """The values each categorical parameter offers, read from the notebook itself: every
    ``cl.params.require_choice("name", name, {...})`` call, and both values of each bool parameter."""
    nb = nbformat.read(path, as_version=4)
    choices: dict[str, list] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("params.require_choice"):
                offered = ast.literal_eval(node.args[2])
                choices[ast.literal_eval(node.args[0])] = list(offered)
    for name, spec in pm.inspect_notebook(str(path)).items():
        if spec["inferred_type_name"] == "bool":
            choices[name] = [True, False]
    return choices


def defaults(path) -> dict:
    return {name: ast.literal_eval(spec["default"]) for name, spec in pm.inspect_notebook(str(path)).items()}


# Runs with several parameters changed at once, and values that are not a fixed choice (a data set, numbers).
# The categorical values they set are not run again (see smoke_runs).
EXTRA = {
    "01_who_is_a_customer": [
        {"dataset": "cdnow", "min_periods": 3, "period": "W"},
        {"window_start": "2023-07-01", "window_end": "2024-06-30", "returns": "exclude",
         "n_customers": 1500, "seed": 3, "period": "D"},
    ],
    "04_lifecycle_funnel": [
        {"dataset": "cdnow", "freq": "W", "at_risk_days": 30, "churned_days": 30, "window_days": 14,
         "holdout_days": 60},
        {"n_customers": 1500, "seed": 9, "at_risk_days": 60, "churned_days": 365, "holdout_days": 270},
    ],
    "05_cohort_retention_survival": [
        {"dataset": "cdnow", "freq": "W", "churned_days": 90},
        {"n_customers": 2000, "seed": 8, "churned_days": 365},
    ],
    "08_feedback_nps": [
        {"confidence": 0.8, "n_customers": 1000, "seed": 3},
    ],
    "09_turning_buyers_into_clients": [
        {"weeks": 12, "n_customers": 3000, "seed": 2},
    ],
    "06_customer_lifetime_value": [
        {"dataset": "cdnow", "time_unit": "M", "yearly_discount_rate": 0.15, "margin": 1.0},
        {"n_customers": 3000, "seed": 1},
    ],
    "02_customer_types": [
        {"n_customers": 1500, "seed": 7, "as_of": "2024-03-31", "period": "W", "loyal_periods": 26,
         "loyal_min_periods": 4, "new_days": 60, "impulsive_minutes": 15.0, "discount_share": 0.75},
    ],
    "03_segmentation": [
        {"dataset": "cdnow", "bins": 3, "k": 6},
        {"method": "gmm", "bins": 10, "k": 2, "seed": 11, "n_customers": 1000},
    ],
    "07_contractual_retention": [
        {"n_customers": 6000, "seed": 11, "discount_rate": 0.02, "show_months": 12},
    ],
    "01_counting_your_customers_2005": [
        {"calibration_end": "1997-12-31", "time_unit": "M"},
    ],
    "02_gamma_gamma_spend_2013": [
        {"calibration_end": "1997-12-31"},
    ],
    "03_project_customer_retention_2007": [
        {"fit_years": 5, "cohort_size": 500},
        {"fit_years": 2},
    ],
}


# What every smoke run of a notebook shares beside the value it changes: a smaller log keeps them quick.
SMOKE_BASE = {
    "01_who_is_a_customer": {"n_customers": 2000},
    "03_segmentation": {"n_customers": 2000},
    "04_lifecycle_funnel": {"n_customers": 2000},
    "05_cohort_retention_survival": {"n_customers": 2000},
    "06_customer_lifetime_value": {"n_customers": 3000},
    "07_contractual_retention": {"n_customers": 6000},
    "08_feedback_nps": {"n_customers": 2000},
    "09_turning_buyers_into_clients": {"n_customers": 3000},
    "10_at_scale": {"n_transactions": 20_000},
}


def smoke_runs():
    """(notebook, parameters, student) of every smoke run.

    Every value that a categorical parameter offers is run at least once, and runs share work: the runs of
    EXTRA come first, and the values they leave out are run together, one value of each parameter per run
    (so a notebook offering 3 time units and 2 data sets needs 2 runs, not 3). The first run of each notebook
    executes its student copy (every solution blank): it proves that the rest of the notebook runs with the
    exercises not done, at no extra cost, since nbval already runs the solutions with the default parameters.
    """
    runs = []
    for path in IPYNB:
        base = defaults(path)
        shared = SMOKE_BASE.get(path.stem, {})
        extra = EXTRA.get(path.stem, [])
        covered = {(name, value) for parameters in extra for name, value in parameters.items()}
        left = {name: [v for v in values if v != base[name] and (name, v) not in covered]
                for name, values in declared_choices(path).items()}
        together = [{**shared, **{name: values[k] for name, values in left.items() if k < len(values)}}
                    for k in range(max(map(len, left.values()), default=0))]
        runs += [(path.stem, parameters, k == 0) for k, parameters in enumerate(extra + together)]
    return runs


def _smoke_id(value):
    if isinstance(value, bool):
        return "student-copy" if value else "solved"
    return value if isinstance(value, str) else "-".join(f"{k}={x}" for k, x in value.items())


@pytest.mark.notebook
@pytest.mark.parametrize("name, parameters, student", smoke_runs(), ids=_smoke_id)
def test_smoke_run_with_other_parameters(name, parameters, student, tmp_path, request):
    path = next(p for p in IPYNB if p.stem == name)
    nb = run(path, tmp_path, student=student, **parameters)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and all(f"{k} = " in injected[0].source for k in parameters)
    solutions = [nb.cells[i] for i in solution_cells(nb)]
    assert solutions
    if student:
        assert all(c.source.splitlines()[1:] == [PROMPT] and not c.outputs for c in solutions)
    if name in CHECKS:
        CHECKS[name](nb, parameters, request)


def shown(nb, marker: str) -> str:
    """What the code cell whose source holds ``marker`` printed and displayed, as text."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and marker in c.source)
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)


@pytest.fixture(scope="session")
def at_scale_reference(tmp_path_factory):
    """Notebook 10 with its default backend, on the smoke runs' smaller log."""
    return run(NOTEBOOKS / "10_at_scale.ipynb", tmp_path_factory.mktemp("at_scale"), **SMOKE_BASE["10_at_scale"])


def same_numbers_on_every_backend(nb, parameters, request):
    # The summary, the fitted models, the forecast and the sizes print the same on every engine as on the
    # default one; only the words naming the engine and the seconds may differ.
    reference = request.getfixturevalue("at_scale_reference")
    markers = ['with timed("collect")', "retention.cohort_table(log", "lifecycle.lifecycle_states(log",
               "estimates = pd.DataFrame", "holdout_weeks = ", "log_mb = "]
    for marker in markers:
        assert shown(nb, marker) == shown(reference, marker), f"{parameters}: the cell with {marker!r} differs"
    assert "customers with a first purchase by 2023-12-31" in shown(nb, 'with timed("collect")')
    if shown(nb, "# Solution") or not shown(reference, "# Solution"):  # blank in a student copy
        assert "the same customers; every column agrees to within 1e-9." in shown(nb, "# Solution")


# Checks of a smoke run's outputs, by notebook: called with the executed notebook, its parameters and the request.
CHECKS = {
    "10_at_scale": same_numbers_on_every_backend,
}


def test_every_notebook_has_a_smoke_run_and_a_run_of_its_student_copy():
    assert {name for name, _, _ in smoke_runs()} == {p.stem for p in IPYNB}
    assert sorted(name for name, _, student in smoke_runs() if student) == sorted(p.stem for p in IPYNB)
    assert set(EXTRA) <= {p.stem for p in IPYNB}


def test_categorical_parameters_are_declared():
    # Every notebook with a unit parameter says which units it offers, so the smoke runs cover each one.
    for path in IPYNB:
        units = [n for n in pm.inspect_notebook(str(path)) if n in ("time_unit", "period")]
        assert set(units) <= set(declared_choices(path)), f"{path.name}: declare {units} with cl.params.require_choice"


@pytest.mark.notebook
def test_a_value_not_offered_is_refused_at_the_top(tmp_path):
    path = next(p for p in IPYNB if p.stem == "06_customer_lifetime_value")
    with pytest.raises(pm.PapermillExecutionError, match=r"time_unit='Q' is not offered here; pass one of 'D'") as err:
        run(path, tmp_path, time_unit="Q")
    assert err.value.exec_count <= 3


@pytest.mark.notebook
@pytest.mark.parametrize("parameters, message", [
    ({"backend": "dask"}, r"backend='dask' is not offered here; pass one of 'pandas'"),
    ({"table": "sales"}, r"table='sales' is a table name, and polars reads files, not tables"),
])
def test_10_at_scale_refuses_at_the_top(parameters, message, tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match=message) as err:
        run(NOTEBOOKS / "10_at_scale.ipynb", tmp_path, **parameters)
    assert err.value.exec_count <= 3


@pytest.mark.notebook
def test_10_at_scale_on_your_own_parquet_file(tmp_path):
    # An analyst's own log, by path: read instead of the simulated one, its last year the holdout.
    own = write_transaction_log(tmp_path / "my_log.parquet", 20_000, start="2021-03-01", end="2022-08-31",
                                random_state=1)
    nb = run(NOTEBOOKS / "10_at_scale.ipynb", tmp_path, backend="duckdb", table=str(own))
    log = pd.read_parquet(own)
    observation_end = log["date"].max().normalize()
    calibration_end = observation_end - pd.DateOffset(years=1)
    summary = cl.rfm_summary(log, observation_end=observation_end, calibration_end=calibration_end)
    assert "Your own log is read below; nothing is simulated." in shown(nb, "write_transaction_log(source")
    assert f"It holds 20,000 purchases, from {log['date'].min():%Y-%m-%d}" in shown(nb, 'with timed("read")')
    assert f"{len(summary):,} customers with a first purchase by {calibration_end:%Y-%m-%d}" in shown(
        nb, 'with timed("collect")')
    assert "no truth to compare with" in shown(nb, "gap = (params / truth - 1)")


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.name)
def test_stored_outputs_hold_no_warning_path_or_address(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr", f"{path.name}: stderr in stored output: {out.get('text', '')[:300]}"
            text = out.get("text", "") + "".join(
                v for k, v in out.get("data", {}).items() if k.startswith("text/") and isinstance(v, str))
            for pattern in (r"Warning:", r"/tmp/", r"/home/", r"/root/", r"/work/", r"\bat 0x[0-9a-f]+",
                            r"np\.float64\(", r"np\.int64\("):
                assert not re.search(pattern, text), f"{path.name}: {pattern!r} in a stored output: {text[:300]}"


@pytest.mark.notebook
def test_notebook_01_on_your_own_csv(tmp_path):
    # What the README tells an analyst to do: their own file, their own column names.
    mine = cl.load_cdnow(sample=True).rename(columns={"customer_id": "client", "date": "day", "amount": "paid"})
    mine["day"] = mine["day"].dt.strftime("%Y-%m-%d")
    mine.loc[len(mine)] = [9999, "not a date", 1, 5.0]
    f = tmp_path / "my_log.csv"
    mine.to_csv(f, index=False)
    nb = run(NOTEBOOKS / "01_who_is_a_customer.ipynb", tmp_path, dataset=str(f),
             customer_col="client", date_col="day", amount_col="paid")
    report_cell = next(c for c in nb.cells if c.source.strip() == "report")
    text = report_cell.outputs[0]["data"]["text/plain"]
    assert "6,920 rows in: 6,919 accepted, 1 rejected" in text
    assert pd.Timestamp("1998-06-30").strftime("%Y-%m-%d") in "".join(
        o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.name)
def test_papermill_sees_every_parameter_with_type_and_help(path):
    # papermill skips lines it cannot parse (e.g. a comment holding "="): the runner would then refuse them.
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    tree = ast.parse(cell.source)
    assert all(isinstance(node, ast.AnnAssign) for node in tree.body), "annotate every parameter"
    assert all(isinstance(node.value, ast.Constant) for node in tree.body), "parameters are literals"
    names = [node.target.id for node in tree.body]
    found = pm.inspect_notebook(str(path))
    assert list(found) == names
    assert all(spec["help"] and spec["inferred_type_name"] != "None" for spec in found.values())
