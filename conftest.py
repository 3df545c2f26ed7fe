"""Collection rules for the one pytest session of `make test`, and figures closed after each test.

The notebooks' .py twins are for reading and review; nbval runs the .ipynb files. With
--doctest-modules pytest would import (and so execute) the twins: keep them out.
"""

import sys

import pytest

collect_ignore_glob = ["notebooks/*.py", "notebooks/**/*.py", "benchmarks/*", "data/*", "build/*"]


@pytest.fixture(autouse=True)
def _close_doctest_figures():
    """The examples in custlab's docstrings draw figures: close them, or after 20 matplotlib warns
    (an error here). Leaves matplotlib unloaded when a test did not load it."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
