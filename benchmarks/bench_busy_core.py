"""BG/NBD fit time on a quiet machine and with one core held by another process.

    benchmarks/.venv-peer/bin/python benchmarks/bench_busy_core.py     # or .venv/bin/python

The full CDNOW log (calibration to 1997-09-30, weeks, 23,570 customers) is fitted
repeatedly, first with the machine quiet, then while a second Python process spins in
``while True: pass`` (started here, killed afterwards). custlab runs BLAS on one thread
inside fits and predictions; the row "custlab, BLAS threads not limited" calls the same
fit without that limit, to show what it buys. lifetimes' BetaGeoFitter is timed beside
it when lifetimes can be imported. Target: custlab's busy time within 1.5x of its quiet
time. Also reported: the cost of entering and leaving the one-thread limit, per call.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import warnings

import pandas as pd
from threadpoolctl import ThreadpoolController

import custlab as cl
from custlab.models import _base

TARGET = 1.5


def median_seconds(fn, repeats: int) -> float:
    fn()                                              # warm up: imports, caches, page faults
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def with_busy_core(fn):
    """Run ``fn()`` while another process keeps one core busy; the process is always killed."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)                               # let it get going
        return fn()
    finally:
        spinner.kill()
        spinner.wait()


def limit_overhead_us(calls: int = 20_000) -> float:
    """Microseconds that the one-thread BLAS limit adds to each model call (a limited no-op)."""
    noop = _base.one_blas_thread(lambda: None)
    noop()                                            # builds the controller once
    t0 = time.perf_counter()
    for _ in range(calls):
        noop()
    return (time.perf_counter() - t0) / calls * 1e6


def main() -> None:
    summary = cl.rfm_summary(cl.load_cdnow(sample=False), observation_end="1998-06-30",
                             calibration_end="1997-09-30", time_unit="W")
    cases = [
        ("custlab BetaGeo", lambda: cl.BetaGeo().fit(summary), 15),
        ("custlab, BLAS threads not limited", lambda: cl.BetaGeo.fit.__wrapped__(cl.BetaGeo(), summary), 15),
    ]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoFitter
        f, r, T = summary["frequency"], summary["recency"], summary["T"]
        cases.append(("lifetimes BetaGeoFitter", lambda: BetaGeoFitter().fit(f, r, T), 5))
    except ImportError:
        print("lifetimes is not installed here: timing custlab only (make bench builds benchmarks/.venv-peer).")

    rows = []
    for name, fit, repeats in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quiet = median_seconds(fit, repeats)
            busy = with_busy_core(lambda fit=fit, repeats=repeats: median_seconds(fit, repeats))
        rows.append({"fit": name, "repeats": repeats, "quiet s": round(quiet, 4), "busy s": round(busy, 4),
                     "busy / quiet": round(busy / quiet, 2)})
    table = pd.DataFrame(rows)
    blas = ThreadpoolController().select(user_api="blas").info()
    print(f"{os.cpu_count()} CPUs; BLAS: "
          + ", ".join(f"{lib['internal_api']} {lib['version']} ({lib['num_threads']} threads)" for lib in blas))
    print(f"Full CDNOW, weeks: {len(summary):,} customers.\n")
    try:
        print(table.to_markdown(index=False))
    except ImportError:                               # tabulate is in the peer environment only
        print(table.to_string(index=False))
    overhead = limit_overhead_us()
    fit_time = float(table.loc[0, "quiet s"])
    print(f"\nOne-thread BLAS limit: {overhead:.1f} microseconds per call, "
          f"{100 * overhead * 1e-6 / fit_time:.3f} % of the quiet fit.")
    ratio = float(table.loc[0, "busy / quiet"])
    print(f"Target (custlab busy within {TARGET}x of quiet): {'met' if ratio <= TARGET else 'MISSED'} ({ratio}x).")


if __name__ == "__main__":
    main()
