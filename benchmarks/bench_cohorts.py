"""Cohort tables of a million customers: custlab beside a plain pandas pivot, same run.

    .venv/bin/python benchmarks/bench_cohorts.py        # make bench runs it too

``cohort_table(tx, freq="M", metric=..., observation_end="2024-12-31")`` for
``metric="customers"`` and ``metric="revenue"`` on about 10 million transactions of about
1 million customers over 24 months (2023-2024), generated here with numpy (fixed seeds, in
memory): the log of ``bench_lifecycle.py`` (same construction and seed, so the same
customers and dates) with an amount per purchase (log-normal, mean about 28 currency units,
whole cents). Timed with pandas input, Polars input and a lazy Polars query
(``pl.from_pandas(tx).lazy()``, built before the clock starts), and beside a plain pandas
pivot written the way an analyst would: monthly periods with ``dt.to_period("M")``, each
customer's first period with ``groupby().transform("min")``, the age as the difference of
the period ordinals, then
``pivot_table(index="cohort", columns="age", values="customer_id", aggfunc="nunique")``
(``values="amount", aggfunc="sum"`` for revenue).

``observation_end`` is the last day of a month and no purchase falls after it, so no
period is partial and the plain pivot, which knows nothing of partial periods, has the
same cells. Before anything is timed, custlab (every input) and the plain pivot must give
the same numbers, cell by cell, on a log of 20,000 customers from which one cohort's
purchases in one later month were removed: the plain pivot has NaN for that cell and past
the ragged edge; custlab must have 0 for the first and missing for the second. The same
comparison is made again on the full-size tables that the timed runs return.

Each variant runs in a fresh process (``subprocess``), which builds the same log; its peak
memory is the high-water mark of resident memory during the first call (``VmHWM`` from
``/proc/self/status``, reset with ``/proc/self/clear_refs`` once the input is built) minus
resident memory just before the call, so the input and the interpreter are not counted.
Times: best of ``REPEATS`` calls in that process, the first call included (a call that
would take the repeats past ``PLAIN_BUDGET_S`` is not repeated). If one plain pandas call
takes more than ``PLAIN_BUDGET_S`` at the full size, it is measured on half the customers
(and so on), and the output says so. BLAS is kept to one thread (nothing here uses it).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # keep BLAS out of it (inherited by the child processes)

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

from bench_lifecycle import _rss_mb, machine, make_log  # noqa: E402  (the same log, memory and machine probes)
from custlab.retention import cohort_table  # noqa: E402

START, END = "2023-01-01", "2024-12-31"  # 24 calendar months observed; END is a month end
N_CUSTOMERS = 1_000_000
CHECK_CUSTOMERS = 20_000
HOLE_COHORT, HOLE_MONTH = "2023-03", "2024-06"  # check log: this cohort buys nothing in this month
METRICS = ("customers", "revenue")
REPEATS = 3
PLAIN_BUDGET_S = 120  # the plain pandas run may take this long at the full size, else it is shrunk
REL_TOL = 1e-9        # revenue: sums of the same amounts in another order


# --------------------------------------------------------------------------- the log

def make_cohort_log(n_customers: int, seed: int = 2026) -> pd.DataFrame:
    """The log of ``bench_lifecycle.make_log`` (same customers and dates) with an amount per purchase.

    Amounts: log-normal (median 20, mean about 28 currency units), whole cents, from a
    second generator (seed + 1), so the dates do not depend on them.
    """
    tx = make_log(n_customers, seed)
    tx["amount"] = np.round(np.random.default_rng(seed + 1).lognormal(3.0, 0.8, len(tx)), 2)
    return tx


# --------------------------------------------------------------------------- the plain pandas way

def plain_pandas_cohorts(tx: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Cohorts by calendar month, the way an analyst writes them in pandas: one pivot table."""
    df = tx.assign(period=tx["date"].dt.to_period("M"))
    df["cohort"] = df.groupby("customer_id")["period"].transform("min")
    df["age"] = df["period"].astype("int64") - df["cohort"].astype("int64")  # period ordinals
    if metric == "customers":
        return df.pivot_table(index="cohort", columns="age", values="customer_id",
                              aggfunc="nunique")
    return df.pivot_table(index="cohort", columns="age", values="amount", aggfunc="sum")


def _custlab(metric: str):
    return lambda tx: cohort_table(tx, freq="M", metric=metric, observation_end=END)


VARIANTS = {}
for _metric in METRICS:
    VARIANTS[f"custlab, pandas input, {_metric}"] = ("pandas", _metric, _custlab(_metric))
    VARIANTS[f"custlab, Polars input, {_metric}"] = ("polars", _metric, _custlab(_metric))
    VARIANTS[f"custlab, Polars lazy, {_metric}"] = ("lazy", _metric, _custlab(_metric))
    VARIANTS[f"plain pandas pivot, {_metric}"] = ("pandas", _metric,
                                                  lambda tx, m=_metric: plain_pandas_cohorts(tx, m))


def as_grid(table: pd.DataFrame) -> dict:
    """Cohorts ("YYYY-MM"), ages and cells (float, NaN where missing) of either kind of table."""
    cells = table.drop(columns=["cohort_size"], errors="ignore")
    return {"cohorts": list(cells.index.strftime("%Y-%m")),
            "ages": [int(a) for a in cells.columns],
            "cells": cells.to_numpy(dtype=float, na_value=np.nan),
            "sizes": table["cohort_size"].tolist() if "cohort_size" in table.columns else None}


def compare(got: dict, plain: dict, last_month: str, metric: str) -> dict:
    """custlab's grid against the plain pivot's, cell by cell; AssertionError if they differ.

    Both missing counts as equal. Where the cohort has reached the age (the month is observed),
    custlab must have a number: the plain pivot's, or 0 where the plain pivot has NaN (the cohort
    bought nothing). Past the ragged edge both must be missing. Returns the largest relative
    difference and the number of zeros.
    """
    assert got["cohorts"] == plain["cohorts"], ("cohorts", got["cohorts"], plain["cohorts"])
    assert set(plain["ages"]) <= set(got["ages"]), ("ages", got["ages"], plain["ages"])
    a = got["cells"]
    b = (pd.DataFrame(plain["cells"], columns=plain["ages"]).reindex(columns=got["ages"])
         .to_numpy(dtype=float))
    month = np.array([int(c[:4]) * 12 + int(c[5:7]) - 1 for c in got["cohorts"]])
    last = int(last_month[:4]) * 12 + int(last_month[5:7]) - 1
    reached = month[:, None] + np.array(got["ages"])[None, :] <= last
    assert (np.isnan(a) == ~reached).all(), "custlab: missing cells are not those past the edge"
    assert np.isnan(b[~reached]).all(), "plain pivot: a number past the edge"
    both = reached & ~np.isnan(b)
    zeros = reached & np.isnan(b)
    assert (a[zeros] == 0).all(), "custlab: a cell the plain pivot leaves empty is not 0"
    assert (b[both & (a == 0)] == 0).all(), "custlab: 0 where the plain pivot has a number"
    if metric == "customers":
        assert (a[both] == b[both]).all(), "customers: cells differ"
        rel = 0.0
    else:
        rel = float(np.max(np.abs(a[both] - b[both]) / np.maximum(np.abs(b[both]), 1e-300)))
        assert rel <= REL_TOL, f"revenue: cells differ by {rel:.2e} (relative)"
    return {"max_rel_diff": rel, "zeros": int(zeros.sum()), "cells": int(reached.sum())}


# ----------------------------------------------------------------- one variant, fresh process

def child(name: str, n_customers: int, repeats: int, budget: float) -> None:
    """Build the log, call the variant, print one JSON line: times, peak memory, sizes, the table.

    The call is repeated only while the repeats fit in ``budget`` seconds.
    """
    library, _, fn = VARIANTS[name]
    tx = make_cohort_log(n_customers)
    rows_in = tx.shape[0]
    if library == "polars":
        tx = pl.from_pandas(tx)
    elif library == "lazy":
        tx = pl.from_pandas(tx).lazy()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")                                  # resident-memory high-water mark := now
    before = _rss_mb("VmRSS")
    t0 = time.perf_counter()
    out = fn(tx)
    times = [time.perf_counter() - t0]
    peak = _rss_mb("VmHWM") - before
    grid = as_grid(out)
    del out
    for _ in range(repeats - 1):
        if times[0] * (repeats - 1) > budget:
            break
        t0 = time.perf_counter()
        fn(tx)
        times.append(time.perf_counter() - t0)
    cells = grid["cells"]
    print(json.dumps({"times": times, "peak_mb": peak, "rows_in": rows_in, "customers": n_customers,
                      "cohorts": len(grid["cohorts"]), "cells": int((~np.isnan(cells)).sum()),
                      "grid": {**grid, "cells": [[None if np.isnan(v) else v for v in row]
                                                 for row in cells.tolist()]}}))


def run_child(name: str, n_customers: int, repeats: int, budget: float = 1e9) -> dict | None:
    """One variant in a fresh process; None when its first call takes more than ``budget`` s."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", name, str(n_customers),
           str(repeats), str(budget)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=True,
                              timeout=60 + 2 * budget if budget < 1e9 else None)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        sys.exit(f"{name} failed at {n_customers:,} customers:\n{exc.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    grid = result["grid"]
    grid["cells"] = np.array([[np.nan if v is None else v for v in row] for row in grid["cells"]],
                             dtype=float).reshape(len(grid["cohorts"]), len(grid["ages"]))
    return result if result["times"][0] <= budget else None


# --------------------------------------------------------------------------- main

def check_same() -> None:
    """custlab (each input) and the plain pivot give the same cells on a smaller log with a hole."""
    tx = make_cohort_log(CHECK_CUSTOMERS)
    period = tx["date"].dt.to_period("M")
    cohort = period.groupby(tx["customer_id"]).transform("min")
    hole = (cohort == pd.Period(HOLE_COHORT, "M")) & (period == pd.Period(HOLE_MONTH, "M"))
    tx = tx[~hole].reset_index(drop=True)
    inputs = {"pandas": tx, "polars": pl.from_pandas(tx), "lazy": pl.from_pandas(tx).lazy()}
    last = END[:7]
    for metric in METRICS:
        plain = as_grid(plain_pandas_cohorts(tx, metric))
        plain_sizes = as_grid(plain_pandas_cohorts(tx, "customers"))["cells"][:, 0]
        for name, (library, m, fn) in VARIANTS.items():
            if m != metric or name.startswith("plain"):
                continue
            got = as_grid(fn(inputs[library]))
            found = compare(got, plain, last, metric)
            assert (np.array(got["sizes"]) == plain_sizes).all(), (name, "cohort_size")
            hole_cell = got["cells"][got["cohorts"].index(HOLE_COHORT),
                                     got["ages"].index(pd.Period(HOLE_MONTH, "M").ordinal
                                                       - pd.Period(HOLE_COHORT, "M").ordinal)]
            assert hole_cell == 0 and found["zeros"] >= 1, (name, hole_cell, found)
        rel = (f", largest relative difference {found['max_rel_diff']:.1e}"
               if metric == "revenue" else "")
        print(f"metric={metric!r}: same cells from custlab (pandas, Polars, lazy Polars) and the "
              f"plain pivot on {CHECK_CUSTOMERS:,} customers ({len(tx):,} transactions, "
              f"{hole.sum():,} removed: cohort {HOLE_COHORT} in {HOLE_MONTH}): "
              f"{len(got['cohorts'])} cohorts, {found['cells']} observed cells, "
              f"{found['zeros']} of them 0 in custlab and NaN in the plain pivot{rel}; "
              "cohort_size = the plain pivot's age 0.")


def main() -> None:
    t_start, load_start = time.perf_counter(), os.getloadavg()[0]
    print(machine())
    print(f"cohort_table(tx, freq='M', metric=..., observation_end='{END}'); log {START} to {END}, "
          "24 months\n")
    check_same()

    results = {}
    for name in VARIANTS:
        if name.startswith("plain"):
            n_plain = N_CUSTOMERS                     # the full size if one call fits the budget,
            plain = run_child(name, n_plain, REPEATS, PLAIN_BUDGET_S)          # else a smaller log
            while plain is None:
                print(f"{name}: over {PLAIN_BUDGET_S} s at {n_plain:,} customers; "
                      f"trying {n_plain // 2:,}")
                n_plain //= 2
                plain = run_child(name, n_plain, REPEATS, PLAIN_BUDGET_S)
            results[name] = plain
        else:
            results[name] = run_child(name, N_CUSTOMERS, REPEATS)

    rows, same = [], {}
    for name, r in results.items():
        metric = VARIANTS[name][1]
        plain = results[f"plain pandas pivot, {metric}"]
        row = {"variant": name.rsplit(", ", 1)[0], "metric": metric,
               "customers": f"{r['customers']:,}", "rows in": f"{r['rows_in']:,}",
               "cohorts": r["cohorts"], "cells": r["cells"], "runs": len(r["times"]),
               "best s": f"{min(r['times']):.2f}", "peak MB": f"{r['peak_mb']:,.0f}"}
        if name.startswith("plain"):
            row["plain / this, time"] = row["plain / this, memory"] = "1.0x"
        elif plain["customers"] == r["customers"]:
            row["plain / this, time"] = f"{min(plain['times']) / min(r['times']):.1f}x"
            row["plain / this, memory"] = f"{plain['peak_mb'] / r['peak_mb']:.1f}x"
            same[name] = compare(r["grid"], plain["grid"], END[:7], metric)["max_rel_diff"]
        else:
            row["plain / this, time"] = row["plain / this, memory"] = "- (other size)"
        rows.append(row)
    table = pd.DataFrame(rows)
    try:
        print(table.to_markdown(index=False))
    except ImportError:                               # tabulate is in the peer environment only
        print(table.to_string(index=False))
    print("\nSame cells as the plain pivot in the timed runs (largest relative difference): "
          + ", ".join(f"{name}: {rel:.1e}" for name, rel in same.items()))
    for name, r in results.items():
        if r["customers"] != N_CUSTOMERS:
            print(f"\n{name} took more than {PLAIN_BUDGET_S} s at {N_CUSTOMERS:,} customers: "
                  f"measured at {r['customers']:,} customers ({r['rows_in']:,} transactions), the "
                  "largest that finished in time.")
    sizes = results["custlab, pandas input, customers"]["grid"]["sizes"]
    print(f"\nCohort sizes (2023-01 to 2024-12): {min(sizes):,} to {max(sizes):,} customers, "
          f"{sum(sizes):,} in all.")
    print("\nbest s: best of the runs, the first included. peak MB: resident-memory high-water "
          "mark during the first call minus resident memory just before it, each variant in its "
          "own process. cells: cells with a number (the ragged edge is missing).\n"
          f"Whole script: {time.perf_counter() - t_start:.0f} s. Load average (1 min) "
          f"{load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; the script keeps "
          "one to two cores busy itself, so a start value well above 0 means something else was "
          "running.")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        main()
