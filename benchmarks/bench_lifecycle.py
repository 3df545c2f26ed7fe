"""Lifecycle states of a million customers: custlab beside the plain pandas way, same run.

    .venv/bin/python benchmarks/bench_lifecycle.py        # make bench runs it too

``lifecycle_states(tx, freq="M", at_risk_after=3, churned_after=6, observation_end=...)``
on about 10 million transactions of about 1 million customers over 24 months (2023-2024),
generated here with numpy (fixed seed, in memory): integer ids, datetime64 dates, first
purchases spread over the window, repeat purchases clustered in a few bursts per customer
so that customers have gaps. Timed with pandas input, with Polars input, and beside a
plain pandas implementation of the same states, written the way an analyst would: monthly
periods with ``dt.to_period``, a grid of every customer and month from the first month to
the end (a cross merge, filtered), a boolean "bought" column, then group-wise ``ffill``
and ``shift`` per customer for the gap and the previous state.

Before anything is timed, the three must give the same table, row by row (customer,
period, state), on a log of 20,000 customers. Each variant then runs in a fresh process
(``subprocess``), which builds the same log; its peak memory is the high-water mark of
resident memory during the first call (``VmHWM`` from ``/proc/self/status``, reset with
``/proc/self/clear_refs`` once the input is built) minus resident memory just before the
call, so the input and the interpreter are not counted. Times: best of ``REPEATS`` calls in
that process, the first call included (a call that would take the repeats past
``PLAIN_BUDGET_S`` is not repeated). If one plain pandas call takes more than
``PLAIN_BUDGET_S`` at the full size, it is measured on half the customers (and so on), and
the output says so. BLAS is kept to one thread (nothing here uses it).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # keep BLAS out of it (inherited by the child processes)

import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import narwhals  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

from custlab.lifecycle import STATES, lifecycle_states  # noqa: E402

START, END = "2023-01-01", "2024-12-31"  # 24 calendar months observed
AT_RISK, CHURNED = 3, 6
N_CUSTOMERS = 1_000_000
CHECK_CUSTOMERS = 20_000
REPEATS = 3
PLAIN_BUDGET_S = 120  # the plain pandas run may take this long at the full size, else it is shrunk


# --------------------------------------------------------------------------- the log

def make_log(n_customers: int, seed: int = 2026) -> pd.DataFrame:
    """About 10 transactions per customer, first purchases uniform over the 24 months.

    The repeat purchases (negative binomial, mean 9) fall into 1 + Poisson(1) bursts per
    customer, centred uniformly between the first purchase and the end, each purchase an
    exponential 10 days (mean) after its burst's centre: active spells with gaps between.
    Rows are in date order, so the customers are interleaved.
    """
    rng = np.random.default_rng(seed)
    days = int((np.datetime64(END) - np.datetime64(START)).astype(int)) + 1
    first = rng.integers(0, days, n_customers)
    repeats = rng.negative_binomial(1.5, 1.5 / (1.5 + 9.0), n_customers)  # mean 9 repeat purchases
    bursts = 1 + rng.poisson(1.0, n_customers)
    owner = np.repeat(np.arange(n_customers), bursts)
    centre = first[owner] + rng.random(owner.size) * (days - first[owner])
    burst_start = np.cumsum(bursts) - bursts
    buyer = np.repeat(np.arange(n_customers), repeats)
    burst = burst_start[buyer] + (rng.random(buyer.size) * bursts[buyer]).astype(np.int64)
    later = centre[burst] + rng.exponential(10.0, buyer.size)
    later = np.minimum(later, days - 1).astype(np.int64)
    who = np.concatenate([np.arange(n_customers), buyer])
    day = np.concatenate([first, later])
    order = np.argsort(day, kind="stable")
    ids = 100_000 + rng.permutation(n_customers).astype(np.int64)
    dates = np.datetime64(START, "ns") + day[order].astype("timedelta64[D]")
    return pd.DataFrame({"customer_id": ids[who[order]], "date": dates})


# --------------------------------------------------------------------------- the plain pandas way

def plain_pandas_states(tx: pd.DataFrame, observation_end: str, at_risk_after: int,
                        churned_after: int) -> pd.DataFrame:
    """The same states as lifecycle_states(freq="M"), the way an analyst writes them in pandas."""
    act = pd.DataFrame({"customer_id": tx["customer_id"],
                        "period": tx["date"].dt.to_period("M")})
    # distinct (customer, month) by groupby: drop_duplicates() would box the Period column
    # into a Python object per row (5 s instead of 0.35 s on 3 million rows, pandas 2.3)
    act = act.groupby(["customer_id", "period"], as_index=False).size().drop(columns="size")
    end_period = pd.Period(observation_end, freq="M")
    months = pd.DataFrame({"period": pd.period_range(act["period"].min(), end_period, freq="M")})
    months["month_no"] = np.arange(len(months))
    first = (act.groupby("customer_id", as_index=False)["period"].min()
             .rename(columns={"period": "first_period"}))
    grid = first.merge(months, how="cross")
    grid = grid[grid["period"] >= grid["first_period"]]
    grid = grid.merge(act.assign(bought=True), on=["customer_id", "period"], how="left")
    grid["bought"] = grid["bought"].notna()
    grid = grid.sort_values(["customer_id", "period"], ignore_index=True)
    grid["last_buy"] = grid["month_no"].where(grid["bought"])
    grid["last_buy"] = grid.groupby("customer_id")["last_buy"].ffill()
    grid["gap"] = grid["month_no"] - grid["last_buy"]
    grid["prev_gap"] = grid.groupby("customer_id")["gap"].shift()
    state = np.select([grid["gap"] < at_risk_after, grid["gap"] < churned_after],
                      ["active", "at_risk"], "churned")
    state = np.where(grid["bought"] & (grid["prev_gap"] >= churned_after), "reactivated", state)
    state = np.where(grid["period"] == grid["first_period"], "new", state)
    return pd.DataFrame({"customer_id": grid["customer_id"],
                         "period": grid["period"].dt.to_timestamp(),
                         "state": pd.Categorical(state, categories=list(STATES), ordered=True)})


VARIANTS = {
    "custlab, pandas input": ("pandas", lambda tx: lifecycle_states(
        tx, freq="M", at_risk_after=AT_RISK, churned_after=CHURNED, observation_end=END)),
    "custlab, Polars input": ("polars", lambda tx: lifecycle_states(
        tx, freq="M", at_risk_after=AT_RISK, churned_after=CHURNED, observation_end=END)),
    "plain pandas": ("pandas", lambda tx: plain_pandas_states(tx, END, AT_RISK, CHURNED)),
}


def as_pandas(states) -> pd.DataFrame:
    out = states.to_pandas() if isinstance(states, pl.DataFrame) else states
    return out.assign(state=out["state"].astype(str)).reset_index(drop=True)


# ----------------------------------------------------------------- one variant, fresh process

def _rss_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(name: str, n_customers: int, repeats: int, budget: float) -> None:
    """Build the log, call the variant, print one JSON line: times, peak memory, rows, state counts.

    The call is repeated only while the repeats fit in ``budget`` seconds.
    """
    library, fn = VARIANTS[name]
    tx = make_log(n_customers)
    if library == "polars":
        tx = pl.from_pandas(tx)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")                                  # resident-memory high-water mark := now
    before = _rss_mb("VmRSS")
    t0 = time.perf_counter()
    out = fn(tx)
    times = [time.perf_counter() - t0]
    peak = _rss_mb("VmHWM") - before
    n_out = out.shape[0]
    counts = as_pandas(out)["state"].value_counts().reindex(list(STATES), fill_value=0)
    del out
    for _ in range(repeats - 1):
        if times[0] * (repeats - 1) > budget:
            break
        t0 = time.perf_counter()
        fn(tx)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"times": times, "peak_mb": peak, "rows_in": tx.shape[0], "rows_out": n_out,
                      "customers": n_customers, "counts": {k: int(v) for k, v in counts.items()}}))


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
    return result if result["times"][0] <= budget else None


# --------------------------------------------------------------------------- main

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.machine()}; "
            f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
            f"polars {pl.__version__}, narwhals {narwhals.__version__}")


def check_same() -> int:
    """The three variants give the same table, row by row, on a smaller log; returns its rows."""
    tx = make_log(CHECK_CUSTOMERS)
    inputs = {"pandas": tx, "polars": pl.from_pandas(tx)}
    results = {name: as_pandas(fn(inputs[library])) for name, (library, fn) in VARIANTS.items()}
    ref = results["plain pandas"][["customer_id", "period", "state"]]
    for name, got in results.items():
        got = got[["customer_id", "period", "state"]]
        assert got.shape == ref.shape, (name, got.shape, ref.shape)
        for col in ref.columns:
            assert (got[col].to_numpy() == ref[col].to_numpy()).all(), (name, col)
    print(f"Same table, row by row (customer, period, state), from all three on "
          f"{CHECK_CUSTOMERS:,} customers: {len(tx):,} transactions, {len(ref):,} rows out, "
          f"every state present: {set(ref['state']) == set(STATES)}.")
    return len(ref)


def main() -> None:
    t_start, load_start = time.perf_counter(), os.getloadavg()[0]
    print(machine())
    print(f"lifecycle_states(tx, freq='M', at_risk_after={AT_RISK}, churned_after={CHURNED}, "
          f"observation_end='{END}'); log {START} to {END}, 24 months\n")
    check_same()

    results = {}
    for name in ("custlab, pandas input", "custlab, Polars input"):
        results[name] = run_child(name, N_CUSTOMERS, REPEATS)
    n_plain = N_CUSTOMERS                             # the full size if one call fits the budget,
    plain = run_child("plain pandas", n_plain, REPEATS, PLAIN_BUDGET_S)    # else a smaller log
    while plain is None:
        print(f"plain pandas: over {PLAIN_BUDGET_S} s at {n_plain:,} customers; "
              f"trying {n_plain // 2:,}")
        n_plain //= 2
        plain = run_child("plain pandas", n_plain, REPEATS, PLAIN_BUDGET_S)
    results["plain pandas"] = plain

    ref = results["custlab, pandas input"]
    same_counts = {name: r["counts"] == ref["counts"] for name, r in results.items()
                   if r["customers"] == ref["customers"]}
    rows = []
    for name, r in results.items():
        rows.append({"variant": name, "customers": f"{r['customers']:,}",
                     "rows in": f"{r['rows_in']:,}", "rows out": f"{r['rows_out']:,}",
                     "runs": len(r["times"]), "best s": f"{min(r['times']):.2f}",
                     "peak MB": f"{r['peak_mb']:,.0f}"})
    plain_same_size = results["plain pandas"]["customers"] == N_CUSTOMERS
    for row, (name, r) in zip(rows, results.items()):
        if name == "plain pandas":
            row["plain / this, time"] = row["plain / this, memory"] = "1.0x"
        elif plain_same_size:
            row["plain / this, time"] = f"{min(plain['times']) / min(r['times']):.1f}x"
            row["plain / this, memory"] = f"{plain['peak_mb'] / r['peak_mb']:.1f}x"
        else:
            row["plain / this, time"] = row["plain / this, memory"] = "- (other size)"
    table = pd.DataFrame(rows)
    try:
        print(table.to_markdown(index=False))
    except ImportError:                               # tabulate is in the peer environment only
        print(table.to_string(index=False))
    print("\nStates in the output (customer-months), full size:")
    print(pd.DataFrame({name: r["counts"] for name, r in results.items()
                        if r["customers"] == N_CUSTOMERS}).to_string())
    print(f"Same state counts as custlab with pandas input: {same_counts}")
    if not plain_same_size:
        print(f"\nplain pandas took more than {PLAIN_BUDGET_S} s at {N_CUSTOMERS:,} customers: "
              f"measured at {plain['customers']:,} customers ({plain['rows_in']:,} transactions), "
              "the largest that finished in time.")
    print("\nbest s: best of the runs, the first included. peak MB: resident-memory high-water "
          "mark during the first call minus resident memory just before it, each variant in its "
          f"own process.\nWhole script: {time.perf_counter() - t_start:.0f} s. Load average "
          f"(1 min) {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; the script "
          "keeps one to two cores busy itself, so a start value well above 0 means something else "
          "was running.")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        main()
