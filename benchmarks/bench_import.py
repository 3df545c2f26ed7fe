"""How long ``import custlab`` takes, and what the first use of a name then costs.

    .venv/bin/python benchmarks/bench_import.py     # a few seconds; make bench runs it too

``import custlab`` loads none of pandas, scipy, scikit-learn, lifelines or matplotlib: each
public name is imported from its module the first time it is used. Each case below runs
in its own fresh interpreter (nothing is cached in ``sys.modules``), 5 times; the times are
medians of the clock read inside that interpreter around the statements, so the
interpreter's own start-up is not counted. Then ``python -X importtime -c "import custlab"``
shows the ten slowest imports, by cumulative time in microseconds.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys

RUNS = 5

CASES = {
    "import custlab": "import custlab as cl",
    "... then cl.rfm_summary": "import custlab as cl; cl.rfm_summary",
    "... then cl.BetaGeo": "import custlab as cl; cl.BetaGeo",
    "... then cl.plot_tracking(...)": (
        "import matplotlib; matplotlib.use('Agg'); import custlab as cl; import pandas as pd; "
        "cl.plot_tracking(pd.DataFrame({'period': [0, 1], 'actual': [1, 2], 'expected': [1, 2], "
        "'calibration': [True, False]}))"
    ),
}


def seconds(statements: str) -> float:
    """Wall time of ``statements`` in a fresh interpreter, read by that interpreter."""
    code = f"import time; t0 = time.perf_counter(); {statements}; print(time.perf_counter() - t0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def slowest_imports(n: int = 10) -> list[str]:
    """The ``n`` lines of ``-X importtime`` with the largest cumulative time."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import custlab"], capture_output=True,
                          text=True, check=True)
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:") and "|" in line]
    timed = [line for line in lines if line.split("|")[1].strip().isdigit()]
    return sorted(timed, key=lambda line: int(line.split("|")[1]))[-n:]


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {RUNS} fresh interpreters per case")
    print(f"{'case':34} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, statements in CASES.items():
        times = [seconds(statements) for _ in range(RUNS)]
        print(f"{name:34} {statistics.median(times):9.3f} {min(times):7.3f} {max(times):7.3f}")
    print("\npython -X importtime -c 'import custlab', ten slowest (microseconds):")
    print("import time: self [us] | cumulative | imported package")
    for line in slowest_imports():
        print(line)


if __name__ == "__main__":
    main()
