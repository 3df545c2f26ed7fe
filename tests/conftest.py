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
