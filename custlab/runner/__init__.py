"""Run notebooks in batches with papermill: ``python -m custlab run``.

Each run executes one notebook with one set of parameters in a fresh
``python3`` kernel of the current interpreter, writes the executed notebook
and an HTML page under the output folder, and adds a row to ``index.html``.
A failing or timed-out run does not stop the batch; the summary names it
with its error and the exit code is 1. Ctrl-C (or SIGTERM) stops the batch:
runs going are interrupted, queued ones skipped, the index and the summary
still written, and the exit code is 130.

Modules: :mod:`~custlab.runner.selection` (which notebooks a pattern
means), :mod:`~custlab.runner.parameters` (values read by the parameters'
annotations), :mod:`~custlab.runner.batch` (planning and executing),
:mod:`~custlab.runner.job` (one run in its own process, and its HTML page),
:mod:`~custlab.runner.index` (``index.html`` and the summary),
:mod:`~custlab.runner.cli` (the command line).

Examples
--------
Every notebook, two at a time::

    python -m custlab run --jobs 2

Notebook 01 on your own file (a relative path is relative to where you run
the command), and on a grid of windows from a YAML file holding a list of
parameter sets (one run each)::

    python -m custlab run 01 -p dataset orders.csv -p customer_col client
    python -m custlab run 01 --params windows.yaml --output build/windows

The first reproduction, and all of them::

    python -m custlab run reproductions/01
    python -m custlab run "reproductions/*"
"""

# Each name is imported from its module the first time it is used (``__getattr__`` below),
# so importing one submodule does not load the others and what they import.

from __future__ import annotations

from typing import TYPE_CHECKING

from custlab._lazy import attach

if TYPE_CHECKING:
    from custlab.runner.batch import Run, StopRequest, check_output_folder, plan_runs, run_batch
    from custlab.runner.cli import main
    from custlab.runner.index import write_index
    from custlab.runner.job import learning_objectives, notebook_title, write_page
    from custlab.runner.parameters import Given, ParameterError, convert_value, load_parameter_sets
    from custlab.runner.selection import (
        NOTEBOOK_DIR,
        AmbiguousNotebook,
        NotebookNotFound,
        find_notebooks,
    )

__all__ = [
    "NOTEBOOK_DIR",
    "AmbiguousNotebook",
    "Given",
    "NotebookNotFound",
    "ParameterError",
    "Run",
    "StopRequest",
    "check_output_folder",
    "convert_value",
    "find_notebooks",
    "learning_objectives",
    "load_parameter_sets",
    "main",
    "notebook_title",
    "plan_runs",
    "run_batch",
    "write_index",
    "write_page",
]

_ORIGINS = {
    "custlab.runner.batch": ("Run", "StopRequest", "check_output_folder", "plan_runs", "run_batch"),
    "custlab.runner.cli": ("main",),
    "custlab.runner.index": ("write_index",),
    "custlab.runner.job": ("learning_objectives", "notebook_title", "write_page"),
    "custlab.runner.parameters": ("Given", "ParameterError", "convert_value", "load_parameter_sets"),
    "custlab.runner.selection": ("NOTEBOOK_DIR", "AmbiguousNotebook", "NotebookNotFound", "find_notebooks"),
}
_SUBMODULES = frozenset({"batch", "cli", "index", "job", "parameters", "selection"})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES)
