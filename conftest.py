"""Collection rules for the one pytest session of `make test`, and figures closed after each test.

The notebooks' .py twins are for reading and review; nbval runs the .ipynb files. With
--doctest-modules pytest would import (and so execute) the twins: keep them out.
"""

import sys

import pytest

collect_ignore_glob = ["notebooks/*.py", "notebooks/**/*.py", "benchmarks/*", "data/*", "build/*"]

#: Tests that run whole notebooks on their own, sharing nothing but the machine: each may go to any worker.
_ALONE = ("tests/test_notebooks.py::test_smoke_run_with_other_parameters[",)
#: Groups that go first, so that the two workers end together: the slowest groups, then the notebooks.
_FIRST = ("spark", "notebooks/")


def pytest_itemcollected(item):
    """The group of each test for ``pytest -n 2 --dist loadgroup``, set as soon as it is collected.

    A test module, or a notebook's cells under nbval, runs on one worker (module fixtures are built
    once; a notebook's cells share one kernel, in order). The smoke runs of the notebooks are the
    exception: each is a group of its own, so they spread over both workers. A test marked
    ``xdist_group`` keeps its group (the Spark tests share one Spark session). pytest-xdist turns
    the marks into groups in its own ``pytest_collection_modifyitems``, so they must exist before it.
    """
    if item.get_closest_marker("xdist_group"):
        return
    nodeid = item.nodeid
    group = nodeid if nodeid.startswith(_ALONE) else nodeid.split("::")[0]
    item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_modifyitems(config, items):
    """An order that keeps both workers busy: the slowest groups first, then the notebooks, then the rest."""

    def rank(item):
        mark = item.get_closest_marker("xdist_group")
        group = mark.args[0] if mark.args else mark.kwargs.get("name", "")
        return next((k for k, prefix in enumerate(_FIRST) if group.startswith(prefix)), len(_FIRST))

    items.sort(key=rank)  # stable: the order within each rank is kept


@pytest.fixture(autouse=True)
def _close_doctest_figures():
    """The examples in custlab's docstrings draw figures: close them, or after 20 matplotlib warns
    (an error here). Leaves matplotlib unloaded when a test did not load it."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")

