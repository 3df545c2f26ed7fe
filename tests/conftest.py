"""Shared test settings: a headless plotting backend here, the inline one for notebook kernels."""

import os

import matplotlib
import pytest

# Kernels started by nbval and papermill inherit the environment: let them use their inline backend.
os.environ.pop("MPLBACKEND", None)
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(scope="session")
def cdnow_sample():
    import custlab as cl

    return cl.load_cdnow(sample=True)


@pytest.fixture(scope="session")
def world():
    import custlab as cl

    return cl.crm_world(3000, random_state=7)


@pytest.fixture(scope="session")
def course_site():
    """The course site built once from the notebooks' stored outputs into build/site-test/; its index.html.

    tests/test_course.py and tests/test_site_browser.py share it: they are one xdist group ("site")."""
    import shutil
    from pathlib import Path

    from custlab.course.site import build_site

    site = Path(__file__).resolve().parent.parent / "build" / "site-test"
    shutil.rmtree(site, ignore_errors=True)
    index = build_site(output=site)
    assert index == site / "index.html" and index.is_file()
    return index
