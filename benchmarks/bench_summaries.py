"""Customer summaries on every engine custlab takes, beside hand-written peers, same run.

    benchmarks/.venv-peer/bin/python benchmarks/bench_summaries.py            # make bench runs it
    benchmarks/.venv-peer/bin/python benchmarks/bench_summaries.py --sizes 1e6 --repeats 1
    ... --only rfm --backends pandas,polars,hand-polars,plain-pandas

Three summaries of one simulated transaction log (``customer_id`` int64, ``date``
datetime64[ns] with times of day, ``amount`` float64; about 10 transactions per customer
over 2023-2024), at 1 and 10 million transactions:

1. ``rfm_summary(tx, observation_end=END, calibration_end=CAL, time_unit="W")``
   (calibration to 2024-06-30, holdout to 2024-12-31);
2. ``retention.cohort_table(tx, freq="M", observation_end=END)``;
3. ``lifecycle.lifecycle_states(tx, freq="M", observation_end=END)``;

each with five inputs: a pandas DataFrame, a Polars DataFrame, a Polars LazyFrame
(``pl.scan_parquet``), a DuckDB relation (``duckdb.read_parquet``) and a Spark DataFrame
(``SparkSession`` on ``local[2]``, session time zone UTC, UI off, driver memory 4g, Arrow
for ``toPandas``; read from Parquet, then ``.cache()`` and ``.count()``). An input custlab
refuses with a TypeError is "not supported" in the table; any other error is shown as such.

Peers of ``rfm_summary``, same run: a hand-written Polars lazy query on the in-memory Polars
frame (one query, collected once), a plain pandas groupby, and lifetimes 0.11.3's
``summary_data_from_transaction_data`` (one run, with a time budget). lifetimes computes the
summary without a holdout (``calibration_and_holdout_data`` is a second call), so it is timed
beside custlab's summary without a holdout (``rfm_summary(tx, observation_end=END,
time_unit="W")``, pandas input). It is called with ``freq="D", freq_multiplier=7``: weeks
counted from whole days, which are custlab's numbers; ``freq="W"`` makes each calendar week
one period (purchases in one week merged, recency and T in whole weeks), a different summary.
The check below says for how many customers.

The log is generated once per size with numpy (fixed seed, vectorised) and written to
``benchmarks/.data/`` (Parquet, timestamps in microseconds, which Spark reads); every
measurement runs in a fresh process (``subprocess``) that reads the file into the form it
needs before the clock starts, then calls the contender once on the log's first 1,000 rows
(same kind of input; imports and first-call set-up out of the way). Time: the call on the
whole log plus materialising its answer (``.collect()`` for a LazyFrame, ``.df()`` for a
DuckDB relation, ``.toPandas()`` for a Spark DataFrame); median of ``--repeats`` calls
(default 3 up to 1 million rows, 1 above), the first included. For the LazyFrame
and the DuckDB relation the call includes reading the Parquet file (that is what those inputs
are; the file is in the page cache). Peak memory: the resident-memory high-water mark during
the first call (``VmHWM`` from ``/proc/self/status``, reset through ``/proc/self/clear_refs``
just before it) minus resident memory just before it, so an eager input already in memory is
not counted; for Spark the JVM's own high-water mark (measured the same way on the ``java``
process) is added to the Python process's.

Before anything is timed, on the customers of the smallest log with ids below 120,000
(20,000 customers): custlab with pandas input gives the same summary as the hand-written
Polars query and the plain pandas groupby (frequencies equal, every other number within
1e-9, relative above 1), lifetimes gives custlab's summary without a holdout, and every
other input gives custlab's pandas answer (rows sorted by customer). An input whose answer
differs there is not timed. The full-size answers of the timed runs are compared again.

Targets (PASS/FAIL printed): custlab with Polars input within 1.2x of the hand-written
Polars query in time and in peak memory; custlab with pandas input no slower than the plain
pandas groupby; custlab at least 5x faster than lifetimes at 10 million rows. DuckDB and
Spark: figures only. BLAS is kept to one thread (nothing here uses it).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # keep BLAS out of it (inherited by the child processes)

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import pickle  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
from bench_lifecycle import _rss_mb, machine  # noqa: E402  (the same memory and machine probes)

import custlab  # noqa: E402
from custlab.lifecycle import lifecycle_states  # noqa: E402
from custlab.retention import cohort_table  # noqa: E402

warnings.filterwarnings("ignore", category=FutureWarning)     # lifetimes on current pandas
warnings.filterwarnings("ignore", category=DeprecationWarning)

START, CAL, END = "2023-01-01", "2024-06-30", "2024-12-31"
_EPOCH = dt.date(1970, 1, 1)
CAL_DAY = (dt.date.fromisoformat(CAL) - _EPOCH).days          # days since 1970-01-01
END_DAY = (dt.date.fromisoformat(END) - _EPOCH).days
SEED = 2026
DATA_VERSION = 1                       # part of the file name: change it when make_tx changes
FIRST_ID = 100_000                     # customer ids are FIRST_ID + a permutation of 0 .. n-1
CHECK_CUSTOMERS = 20_000
TOL = 1e-9                             # |a - b| <= TOL * max(1, |b|) for every non-count number
LIFETIMES_BUDGET_S = 300               # lifetimes runs once; killed after this long
WARMUP_ROWS = 1_000                    # one untimed call on the log's first rows, same input kind
REPEAT_BUDGET_S = 120                  # no repeats when they would take longer than this
CHILD_TIMEOUT_S = 1800
DATA = Path(__file__).resolve().parent / ".data"

SUMMARIES = ("rfm", "cohorts", "states")
BACKENDS = ("pandas", "polars", "lazy", "duckdb", "spark")     # the inputs custlab is given
PEERS = ("hand-polars", "plain-pandas", "lifetimes")           # rfm_summary's peers
INPUT_LABEL = {"pandas": "pandas DataFrame", "polars": "Polars DataFrame",
               "lazy": "Polars LazyFrame (scan_parquet)", "duckdb": "DuckDB relation (read_parquet)",
               "spark": "Spark DataFrame (cached)"}
SUMMARY_CALL = {
    "rfm": f"rfm_summary(tx, observation_end='{END}', calibration_end='{CAL}', time_unit='W')",
    "cohorts": f"cohort_table(tx, freq='M', observation_end='{END}')",
    "states": f"lifecycle_states(tx, freq='M', observation_end='{END}')",
}


# --------------------------------------------------------------------------- the log

def make_tx(n_rows: int, seed: int = SEED) -> pd.DataFrame:
    """``n_rows`` transactions of ``n_rows // 10`` customers over 2023-2024, in time order.

    Each customer's first purchase falls on a uniform day of the two years; the other
    purchases go to customers in proportion to a Gamma(0.8) rate times the days left after
    their first purchase (so on average 10 per customer, from 1 to a few hundred), each on a
    uniform day between the first purchase and the end, or (one in ten) on the day of the
    first purchase: baskets split over several rows. Times of day uniform, to the
    microsecond; amounts log-normal (median 20, mean about 28), whole cents.
    """
    rng = np.random.default_rng(seed)
    n_cust = max(n_rows // 10, 1)
    days = int((np.datetime64(END) - np.datetime64(START)).astype(int)) + 1
    first = rng.integers(0, days, n_cust)
    weight = np.cumsum(rng.gamma(0.8, 1.0, n_cust) * (days - first))
    rest = n_rows - n_cust
    owner = np.searchsorted(weight, rng.random(rest) * weight[-1], side="right")
    same_day = rng.random(rest) < 0.1
    later = first[owner] + np.where(same_day, 0,
                                    (rng.random(rest) * (days - first[owner])).astype(np.int64))
    who = np.concatenate([np.arange(n_cust), owner])
    micros = (np.concatenate([first, later]) * 86_400_000_000
              + rng.integers(0, 86_400_000_000, n_rows))
    order = np.argsort(micros, kind="stable")
    ids = FIRST_ID + rng.permutation(n_cust).astype(np.int64)
    date = (np.datetime64(START, "us") + micros[order].astype("timedelta64[us]")).astype("datetime64[ns]")
    amount = np.round(rng.lognormal(3.0, 0.8, n_rows), 2)
    return pd.DataFrame({"customer_id": ids[who[order]], "date": date, "amount": amount})


def data_path(n_rows: int) -> Path:
    return DATA / f"tx-{n_rows}-seed{SEED}-v{DATA_VERSION}.parquet"


def check_path(n_rows: int) -> Path:
    return DATA / f"check-{n_rows}-seed{SEED}-v{DATA_VERSION}.parquet"


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    df.to_parquet(tmp, index=False, coerce_timestamps="us")     # Spark reads no nanoseconds
    tmp.replace(path)


def write_data(sizes: list[int]) -> None:
    """Each size's log once (kept between runs), and the check slice of the smallest."""
    DATA.mkdir(exist_ok=True)
    for n in sizes:
        if not data_path(n).exists():
            t0 = time.perf_counter()
            _write_parquet(make_tx(n), data_path(n))
            print(f"wrote {data_path(n).name} ({n:,} transactions) in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)
    n = min(sizes)
    if not check_path(n).exists():
        tx = pd.read_parquet(data_path(n))
        _write_parquet(tx[tx["customer_id"] < FIRST_ID + CHECK_CUSTOMERS], check_path(n))


# --------------------------------------------------------------------------- inputs and answers

def start_spark():
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("bench_summaries")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "4g")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def load(form: str, path: Path) -> tuple[object, dict]:
    """The log in the form a contender takes, and how long getting it took (not timed)."""
    info = {}
    t0 = time.perf_counter()
    if form == "pandas":
        tx = pd.read_parquet(path)
        tx["date"] = tx["date"].astype("datetime64[ns]")
    elif form == "polars":
        tx = pl.read_parquet(path)
    elif form == "lazy":
        tx = pl.scan_parquet(path)
    elif form == "duckdb":
        import duckdb

        tx = duckdb.read_parquet(str(path))
    elif form == "spark":
        spark = start_spark()
        info["spark_start_s"] = time.perf_counter() - t0
        tx = spark.read.parquet(str(path)).cache()
        tx.count()
    else:
        raise ValueError(form)
    info["load_s"] = time.perf_counter() - t0
    return tx, info


def materialise(out):
    """Run a lazy answer: collect a LazyFrame, ``.df()`` a DuckDB relation, ``.toPandas()`` Spark."""
    module = type(out).__module__
    if module.startswith("narwhals"):
        out = out.to_native()
        module = type(out).__module__
    if isinstance(out, pl.LazyFrame):
        return out.collect()
    if module.startswith("duckdb"):
        return out.df()
    if module.startswith("pyspark"):
        return out.toPandas()
    return out


def to_pandas(out) -> pd.DataFrame:
    return out.to_pandas() if isinstance(out, pl.DataFrame) else out


# --------------------------------------------------------------------------- the peers

def hand_polars_rfm(tx: pl.DataFrame) -> pl.DataFrame:
    """rfm_summary with calibration and holdout, in weeks, as one Polars lazy query.

    Purchase days per customer (amounts of a day added), then one group-by per customer:
    customers are those whose first day is on or before CAL; the first day's amount is taken
    at the position of the smallest day.
    """
    day = pl.col("date").dt.date().cast(pl.Int32).alias("day")       # days since 1970-01-01
    cal = pl.col("day") <= CAL_DAY
    n = pl.col("n")
    return (
        tx.lazy()
        .group_by("customer_id", day).agg(pl.col("amount").sum())
        .group_by("customer_id").agg(
            first=pl.col("day").min(),
            last=pl.col("day").filter(cal).max(),
            n=cal.sum(),
            total=pl.col("amount").filter(cal).sum(),
            first_amount=pl.col("amount").get(pl.col("day").arg_min()),
            frequency_holdout=(~cal).sum(),
            monetary_value_holdout=pl.col("amount").filter(~cal).mean(),
        )
        .filter(pl.col("first") <= CAL_DAY)
        .select(
            "customer_id",
            frequency=(n - 1).cast(pl.Int64),
            recency=(pl.col("last") - pl.col("first")) / 7.0,
            T=(CAL_DAY - pl.col("first")) / 7.0,
            monetary_value=pl.when(n > 1).then((pl.col("total") - pl.col("first_amount")) / (n - 1))
            .otherwise(0.0),
            frequency_holdout=pl.col("frequency_holdout").cast(pl.Int64),
            monetary_value_holdout=pl.col("monetary_value_holdout").fill_null(0.0),
            duration_holdout=pl.lit((END_DAY - CAL_DAY) / 7.0),
        )
        .sort("customer_id")
        .collect()
    )


def plain_pandas_rfm(tx: pd.DataFrame) -> pd.DataFrame:
    """The same summary as a plain pandas groupby: purchase days, then one aggregation each side of CAL."""
    days = tx.groupby([tx["customer_id"], tx["date"].dt.normalize().rename("day")])["amount"].sum()
    days = days.reset_index()                                 # sorted by customer, then day
    cal_end, obs_end, week = pd.Timestamp(CAL), pd.Timestamp(END), pd.Timedelta(days=7)
    in_cal = days["day"] <= cal_end
    s = days[in_cal].groupby("customer_id").agg(
        first=("day", "min"), last=("day", "max"), n=("day", "size"),
        total=("amount", "sum"), first_amount=("amount", "first"))
    h = days[~in_cal].groupby("customer_id")["amount"].agg(["size", "mean"]).reindex(s.index)
    freq = s["n"] - 1
    out = pd.DataFrame({
        "frequency": freq,
        "recency": (s["last"] - s["first"]) / week,
        "T": (cal_end - s["first"]) / week,
        "monetary_value": ((s["total"] - s["first_amount"]) / freq).where(freq > 0, 0.0),
        "frequency_holdout": h["size"].fillna(0).astype(np.int64),
        "monetary_value_holdout": h["mean"].fillna(0.0),
        "duration_holdout": (obs_end - cal_end) / week,
    })
    return out.reset_index()


def lifetimes_rfm(tx: pd.DataFrame) -> pd.DataFrame:
    return _lifetimes_summary()(tx, "customer_id", "date", monetary_value_col="amount",
                                observation_period_end=END, freq="D", freq_multiplier=7)


def _lifetimes_summary():
    from lifetimes.utils import summary_data_from_transaction_data  # only where lifetimes runs

    return summary_data_from_transaction_data


def custlab_call(summary: str):
    """custlab's call for one summary; the function is looked up now, not inside the timed call."""
    if summary == "rfm":
        rfm = custlab.rfm_summary
        return lambda tx: rfm(tx, observation_end=END, calibration_end=CAL, time_unit="W")
    if summary == "cohorts":
        return lambda tx: cohort_table(tx, freq="M", observation_end=END)
    return lambda tx: lifecycle_states(tx, freq="M", observation_end=END)


def custlab_no_holdout(tx):
    return custlab.rfm_summary(tx, observation_end=END, time_unit="W")


PEER_INFO = {     # input form and label of each peer (and of custlab's summary without holdout)
    "hand-polars": ("polars", "hand-written Polars lazy query"),
    "plain-pandas": ("pandas", "plain pandas groupby"),
    "lifetimes": ("pandas", "lifetimes 0.11.3, no holdout (freq='D' x 7)"),
    "custlab-no-holdout": ("pandas", "custlab, no holdout"),
}


def describe(name: str) -> tuple[str, str]:
    """(input form, label) of a contender: a custlab input or a peer."""
    return (name, "custlab") if name in BACKENDS else PEER_INFO[name]


def contender(summary: str, name: str):
    """The function a contender's child times, with everything it needs imported and looked up."""
    if name in BACKENDS:
        return custlab_call(summary)
    if name == "lifetimes":
        summarise = _lifetimes_summary()       # imported before the clock starts: not the summary's cost
        return lambda tx: summarise(tx, "customer_id", "date", monetary_value_col="amount",
                                    observation_period_end=END, freq="D", freq_multiplier=7)
    if name == "custlab-no-holdout":
        rfm = custlab.rfm_summary
        return lambda tx: rfm(tx, observation_end=END, time_unit="W")
    return {"hand-polars": hand_polars_rfm, "plain-pandas": plain_pandas_rfm}[name]


# --------------------------------------------------------------------------- same numbers?

def _rfm_frame(df) -> pd.DataFrame:
    df = to_pandas(df)
    if "customer_id" not in df.columns:                       # lifetimes: customers in the index
        df = df.reset_index()
    return df.sort_values("customer_id", kind="stable").reset_index(drop=True)


def compare_rfm(got, ref) -> tuple[bool, str]:
    """Same customers, counts equal, every other number within TOL (relative above 1)."""
    got, ref = _rfm_frame(got), _rfm_frame(ref)
    if len(got) != len(ref) or not np.array_equal(got["customer_id"].to_numpy(np.int64),
                                                  ref["customer_id"].to_numpy(np.int64)):
        return False, f"customers differ ({len(got):,} rows against {len(ref):,})"
    worst, bad = 0.0, []
    for col in ref.columns.drop("customer_id"):
        if col not in got.columns:
            bad.append(f"no column {col}")
            continue
        a, b = got[col].to_numpy(float), ref[col].to_numpy(float)
        if col.startswith("frequency"):
            if not np.array_equal(a, b):
                bad.append(f"{col}: {int((a != b).sum()):,} rows differ")
            continue
        rel = float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)), initial=0.0))
        if not rel <= TOL:
            bad.append(f"{col}: differs by {rel:.1e}")
        worst = max(worst, rel)
    return (False, "; ".join(bad)) if bad else (True, f"max diff {worst:.0e}")


def compare_cohorts(got, ref) -> tuple[bool, str]:
    got, ref = to_pandas(got), to_pandas(ref)
    if list(map(str, got.columns)) != list(map(str, ref.columns)):
        return False, f"columns differ: {list(got.columns)[:5]}... against {list(ref.columns)[:5]}..."
    if not np.array_equal(pd.DatetimeIndex(got.index).to_numpy("datetime64[ns]"),
                          pd.DatetimeIndex(ref.index).to_numpy("datetime64[ns]")):
        return False, "cohorts differ"
    a = got.to_numpy(dtype=float, na_value=np.nan)
    b = ref.to_numpy(dtype=float, na_value=np.nan)
    if not np.array_equal(a, b, equal_nan=True):
        return False, f"{int((~((a == b) | (np.isnan(a) & np.isnan(b)))).sum())} cells differ"
    return True, "equal"


def _states_frame(df) -> pd.DataFrame:
    df = to_pandas(df)
    out = pd.DataFrame({"customer_id": df["customer_id"].to_numpy(np.int64),
                        "period": pd.to_datetime(df["period"]).to_numpy("datetime64[ns]"),
                        "state": df["state"].astype(str).to_numpy()})
    return out.sort_values(["customer_id", "period"], kind="stable").reset_index(drop=True)


def compare_states(got, ref) -> tuple[bool, str]:
    got, ref = _states_frame(got), _states_frame(ref)
    if len(got) != len(ref):
        return False, f"{len(got):,} rows against {len(ref):,}"
    for col in ref.columns:
        if not np.array_equal(got[col].to_numpy(), ref[col].to_numpy()):
            return False, f"{col} differs in {int((got[col].to_numpy() != ref[col].to_numpy()).sum()):,} rows"
    return True, "equal"


COMPARE = {"rfm": compare_rfm, "cohorts": compare_cohorts, "states": compare_states}


# ----------------------------------------------------------------- memory of this process and the JVM

def _descendants_named(name: str) -> list[int]:
    """Process ids of this process's descendants whose command is ``name`` (Spark's ``java``)."""
    parent, comm = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        pid = int(entry)
        comm[pid] = stat[stat.index("(") + 1:stat.rindex(")")]
        parent[pid] = int(stat.rsplit(")", 1)[1].split()[1])
    found, mine = [], {os.getpid()}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parent.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                changed = True
                if comm[pid] == name:
                    found.append(pid)
    return found


def _status_mb(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _reset_hwm(pid: int | str = "self") -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")                                  # resident-memory high-water mark := now


# ----------------------------------------------------------------- one measurement, fresh process

def _failure(exc: BaseException) -> dict:
    first = (str(exc).strip().splitlines() or [""])[0][:160]
    if isinstance(exc, TypeError):
        return {"status": "not supported", "message": f"TypeError: {first}"}
    return {"status": "error", "message": f"{type(exc).__name__}: {first}"}


def child(summary: str, name: str, n_rows: int, repeats: int, out_file: str) -> None:
    """Read the log, time the contender, save its answer (as pandas), print one JSON line."""
    fn = contender(summary, name)
    form = describe(name)[0]
    tx, info = load(form, data_path(n_rows))
    jvms = _descendants_named("java") if form == "spark" else []
    try:                                    # imports and first-call set-up, on a small input of the same kind
        materialise(fn(tx.limit(WARMUP_ROWS) if form in ("duckdb", "spark") else tx.head(WARMUP_ROWS)))
    except Exception:  # noqa: BLE001 (the timed call reports it)
        pass
    gc.collect()
    _reset_hwm()
    for pid in jvms:
        _reset_hwm(pid)
    before = _rss_mb("VmRSS")
    jvm_before = {pid: _status_mb(pid, "VmRSS") for pid in jvms}
    try:
        t0 = time.perf_counter()
        out = materialise(fn(tx))
        times = [time.perf_counter() - t0]
    except Exception as exc:  # noqa: BLE001 (recorded in the table)
        print(json.dumps({**info, **_failure(exc)}))
        return
    peak = _rss_mb("VmHWM") - before
    jvm_peak = sum(_status_mb(pid, "VmHWM") - jvm_before[pid] for pid in jvms)
    answer = to_pandas(out)
    del out
    with open(out_file, "wb") as f:
        pickle.dump(answer, f, protocol=pickle.HIGHEST_PROTOCOL)
    rows_out = len(answer)
    del answer
    for _ in range(repeats - 1):
        if times[0] * (repeats - 1) > REPEAT_BUDGET_S:
            break
        gc.collect()
        t0 = time.perf_counter()
        out = materialise(fn(tx))
        times.append(time.perf_counter() - t0)
        del out
    print(json.dumps({**info, "status": "ok", "times": times,
                      "peak_mb": peak + jvm_peak, "python_peak_mb": peak,
                      "jvm_peak_mb": jvm_peak if jvms else None, "rows_out": rows_out}))


def check_child(backend: str, n_rows: int, summaries: list[str], out_dir: str) -> None:
    """On the check slice: each summary with this input; answers saved as pandas; one JSON line."""
    tx, info = load(backend, check_path(n_rows))
    status = {}
    for summary in summaries:
        try:
            answer = to_pandas(materialise(custlab_call(summary)(tx)))
        except Exception as exc:  # noqa: BLE001
            status[summary] = _failure(exc)
            continue
        with open(Path(out_dir) / f"{summary}-{backend}.pkl", "wb") as f:
            pickle.dump(answer, f, protocol=pickle.HIGHEST_PROTOCOL)
        status[summary] = {"status": "ok"}
    print(json.dumps({**info, "summaries": status}))


def _run(cmd: list[str], timeout: float) -> tuple[dict | None, str]:
    """A child process's JSON line, or None and why not."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"over {timeout:.0f} s"
    lines = [line for line in done.stdout.strip().splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return None, f"child failed (exit {done.returncode}): {tail}"
    return json.loads(lines[-1]), ""


def run_child(summary: str, name: str, n_rows: int, repeats: int) -> dict:
    out_file = DATA / "out" / f"{summary}-{n_rows}-{name}.pkl"
    out_file.parent.mkdir(exist_ok=True)
    out_file.unlink(missing_ok=True)
    once = name == "lifetimes"
    timeout = LIFETIMES_BUDGET_S + 120 if once else CHILD_TIMEOUT_S
    cmd = [sys.executable, os.path.abspath(__file__), "--child", summary, name, str(n_rows),
           str(1 if once else repeats), str(out_file)]
    result, why = _run(cmd, timeout)
    if result is None:
        if once and why.startswith("over"):
            return {"status": "over budget", "message": f"over {LIFETIMES_BUDGET_S} s (killed)",
                    "over_s": LIFETIMES_BUDGET_S}
        return {"status": "error", "message": why}
    if result["status"] == "ok":
        result["out_file"] = str(out_file)
    return result


# --------------------------------------------------------------------------- the check

def check_same(n_rows: int, summaries: list[str], backends: list[str], peers: list[str]) -> dict:
    """Answers on the check slice; returns {(summary, backend): status} for the custlab inputs.

    Exits when custlab with pandas input disagrees with a peer: the timings would compare
    different things.
    """
    out_dir = DATA / "check"
    out_dir.mkdir(exist_ok=True)
    for old in out_dir.glob("*.pkl"):
        old.unlink()
    inputs = sorted(set(backends) | {"pandas"}, key=BACKENDS.index)   # pandas is the reference
    support = {}
    for backend in inputs:
        cmd = [sys.executable, os.path.abspath(__file__), "--check-child", backend, str(n_rows),
               ",".join(summaries), str(out_dir)]
        result, why = _run(cmd, CHILD_TIMEOUT_S)
        if result is None:
            for summary in summaries:
                support[summary, backend] = {"status": "error", "message": why}
            continue
        spark = (f"; Spark session {result['spark_start_s']:.1f} s, slice read and cached in "
                 f"{result['load_s'] - result['spark_start_s']:.1f} s" if "spark_start_s" in result else "")
        print(f"check slice, {INPUT_LABEL[backend]}: "
              + ", ".join(f"{s} {r['status']}" for s, r in result["summaries"].items()) + spark,
              flush=True)
        for summary, r in result["summaries"].items():
            support[summary, backend] = r

    def answer(summary, backend):
        with open(out_dir / f"{summary}-{backend}.pkl", "rb") as f:
            return pickle.load(f)

    tx = load("pandas", check_path(n_rows))[0]
    n_cust = tx["customer_id"].nunique()
    print(f"check slice: {len(tx):,} transactions of {n_cust:,} customers "
          f"(ids below {FIRST_ID + CHECK_CUSTOMERS:,} in the {n_rows:,}-row log)")
    for summary in summaries:
        ref_status = support[summary, "pandas"]
        if ref_status["status"] != "ok":
            sys.exit(f"custlab with pandas input fails on {summary}: {ref_status['message']}")
        ref = answer(summary, "pandas")
        if summary == "rfm":
            peer_fns = {"hand-polars": lambda: hand_polars_rfm(pl.from_pandas(tx)),
                        "plain-pandas": lambda: plain_pandas_rfm(tx)}
            for peer, fn in peer_fns.items():
                if peer in peers:
                    ok, how = compare_rfm(fn(), ref)
                    if not ok:
                        sys.exit(f"check: the {describe(peer)[1]} differs from custlab: {how}")
                    print(f"check rfm: {describe(peer)[1]} = custlab (pandas input), "
                          f"{len(ref):,} customers, {how}")
            if "lifetimes" in peers:
                base = custlab_no_holdout(tx)
                ok, how = compare_rfm(lifetimes_rfm(tx), base)
                if not ok:
                    sys.exit(f"check: lifetimes differs from custlab's summary without holdout: {how}")
                weeks = _rfm_frame(_lifetimes_summary()(
                    tx, "customer_id", "date", monetary_value_col="amount",
                    observation_period_end=END, freq="W"))
                mine = _rfm_frame(base)
                differ = ~np.isclose(weeks[["frequency", "recency", "T"]].to_numpy(float),
                                     mine[["frequency", "recency", "T"]].to_numpy(float),
                                     rtol=TOL, atol=TOL).all(axis=1)
                print(f"check rfm: lifetimes (freq='D', freq_multiplier=7) = custlab without "
                      f"holdout, {len(base):,} customers, {how}; lifetimes with freq='W' (calendar "
                      f"weeks as periods) differs in frequency, recency or T for "
                      f"{int(differ.sum()):,} of them, so it is not the call timed")
        for backend in inputs:
            status = support[summary, backend]
            if backend == "pandas" or status["status"] != "ok":
                if status["status"] != "ok":
                    print(f"check {summary}: {INPUT_LABEL[backend]}: {status['status']} "
                          f"({status['message']})")
                continue
            ok, how = COMPARE[summary](answer(summary, backend), ref)
            if not ok:
                support[summary, backend] = {"status": "error",
                                             "message": f"wrong answer on the check slice: {how}"}
            print(f"check {summary}: {INPUT_LABEL[backend]} "
                  + ("= pandas input" if ok else "DIFFERS from pandas input, not timed")
                  + f" ({how})", flush=True)
    for old in out_dir.glob("*.pkl"):
        old.unlink()
    return support


# --------------------------------------------------------------------------- main

def _fmt_s(r: dict, short: bool = False) -> str:
    """The median time, or what happened instead (in a table: the kind of error only)."""
    if r["status"] == "ok":
        return f"{statistics.median(r['times']):.3f}"
    if r["status"] == "over budget":
        return f"> {r['over_s']} (budget)"
    message = r.get("message") or ""
    if short:
        message = message.split(":", 1)[0] if message[:1].isupper() and ":" in message[:40] else "see below"
    return r["status"] + (f" ({message})" if message else "")


def _ratio(a: dict | None, b: dict | None, key: str) -> float | None:
    """a's figure over b's (median time or peak memory); None if either is missing."""
    if not a or not b or a["status"] != "ok" or b["status"] != "ok":
        return None
    va = statistics.median(a["times"]) if key == "time" else a["peak_mb"]
    vb = statistics.median(b["times"]) if key == "time" else b["peak_mb"]
    return va / vb if vb > 0 else None


def targets(n: int, res: dict) -> list[str]:
    """The PASS/FAIL lines for the rfm_summary targets at one size."""
    lines = []
    pol, hand = res.get("polars"), res.get("hand-polars")
    t, m = _ratio(pol, hand, "time"), _ratio(pol, hand, "memory")
    if t is not None and m is not None:
        ok = t <= 1.2 and m <= 1.2
        lines.append(f"- custlab (Polars DataFrame) / hand-written Polars query: time {t:.2f}x, "
                     f"peak memory {m:.2f}x (target: both at most 1.2x): "
                     f"**{'PASS' if ok else 'FAIL'}**")
    else:
        lines.append("- custlab (Polars DataFrame) against the hand-written Polars query: not measured")
    lazy = res.get("lazy")
    t_lazy, m_lazy = _ratio(lazy, hand, "time"), _ratio(lazy, hand, "memory")
    if t_lazy is not None and m_lazy is not None:
        lines.append(f"- (for information) custlab (Polars LazyFrame, reads the file inside the call) / "
                     f"hand-written Polars query: time {t_lazy:.2f}x, peak memory {m_lazy:.2f}x")
    t = _ratio(res.get("pandas"), res.get("plain-pandas"), "time")
    if t is not None:
        lines.append(f"- custlab (pandas DataFrame) / plain pandas groupby: time {t:.2f}x "
                     f"(target: at most 1.0x): **{'PASS' if t <= 1.0 else 'FAIL'}**")
    else:
        lines.append("- custlab (pandas DataFrame) against the plain pandas groupby: not measured")
    life, same = res.get("lifetimes"), res.get("custlab-no-holdout")
    if life and same and same["status"] == "ok" and life["status"] in ("ok", "over budget"):
        custlab_s = statistics.median(same["times"])
        life_s = statistics.median(life["times"]) if life["status"] == "ok" else life["over_s"]
        speed = life_s / custlab_s
        bound = "" if life["status"] == "ok" else "at least "
        verdict = (f"**{'PASS' if speed >= 5 else 'FAIL'}**" if n >= 10_000_000
                   else "target applies at 10,000,000 rows")
        lines.append(f"- lifetimes / custlab, the same summary without holdout (pandas input): "
                     f"{bound}{speed:.1f}x faster (target: at least 5x at 10M rows): {verdict}")
        for name in ("pandas", "polars"):
            if res.get(name) and res[name]["status"] == "ok":
                lines.append(f"- (for information) lifetimes without holdout / custlab with holdout "
                             f"({INPUT_LABEL[name]}): {bound}"
                             f"{life_s / statistics.median(res[name]['times']):.1f}x")
    else:
        lines.append("- custlab against lifetimes: not measured")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1e6,1e7", help="transactions per log, e.g. 1e6,1e7")
    parser.add_argument("--repeats", type=int, default=None,
                        help="calls per measurement, median reported (default 3 up to 1e6 rows, 1 above)")
    parser.add_argument("--only", default=",".join(SUMMARIES),
                        help="summaries to run: rfm, cohorts, states (comma-separated)")
    parser.add_argument("--backends", default=",".join(BACKENDS + PEERS),
                        help="custlab inputs (" + ", ".join(BACKENDS) + ") and rfm peers ("
                        + ", ".join(PEERS) + "), comma-separated")
    args = parser.parse_args()
    sizes = sorted({int(float(s)) for s in args.sizes.split(",") if s.strip()})
    summaries = [s.strip() for s in args.only.split(",") if s.strip()]
    chosen = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [s for s in summaries if s not in SUMMARIES] + [b for b in chosen if b not in BACKENDS + PEERS]
    if unknown or not sizes:
        parser.error(f"unknown: {unknown}" if unknown else "no sizes")
    backends = [b for b in BACKENDS if b in chosen]
    peers = [p for p in PEERS if p in chosen]

    t_start, load_start = time.perf_counter(), os.getloadavg()[0]
    versions = []
    for mod in ("duckdb", "pyspark", "lifetimes"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            versions.append(f"{mod} missing")
    try:
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    except (OSError, IndexError):
        java = "no java"
    print(machine() + ", " + ", ".join(versions) + f"; {java}")
    print(f"log {START} to {END}, calibration to {CAL}; sizes {', '.join(f'{n:,}' for n in sizes)}; "
          f"summaries {', '.join(summaries)}; inputs {', '.join(backends)}; peers {', '.join(peers) or 'none'}\n",
          flush=True)

    write_data(sizes)
    support = check_same(min(sizes), summaries, backends, peers)
    print(flush=True)

    tables = {s: [] for s in summaries}
    notes = {s: {} for s in summaries}                       # messages of failures, once each
    target_lines = {}
    for n in sizes:
        repeats = args.repeats or (3 if n <= 1_000_000 else 1)
        for summary in summaries:
            names = list(backends)
            if summary == "rfm":
                names += [p for p in peers if p != "lifetimes"]
                if "lifetimes" in peers:
                    names += ["custlab-no-holdout", "lifetimes"]
            res = {}
            for name in names:
                if name in BACKENDS and support[summary, name]["status"] != "ok":
                    res[name] = dict(support[summary, name])      # not supported / wrong: not timed
                else:
                    res[name] = run_child(summary, name, n, repeats)
                r = res[name]
                form, label = describe(name)
                if r["status"] == "ok":
                    extra = (f", Python {r['python_peak_mb']:,.0f} MB + JVM {r['jvm_peak_mb']:,.0f} MB; "
                             f"Spark session {r['spark_start_s']:.1f} s"
                             if r.get("jvm_peak_mb") is not None else "")
                    print(f"[{n:,} rows] {summary}: {label}, {INPUT_LABEL[form]}: "
                          f"{statistics.median(r['times']):.3f} s (median of {len(r['times'])}), "
                          f"peak {r['peak_mb']:,.0f} MB; input ready in {r['load_s']:.1f} s{extra}",
                          flush=True)
                else:
                    print(f"[{n:,} rows] {summary}: {label}, {INPUT_LABEL[form]}: {_fmt_s(r)}", flush=True)

            # Full-size answers against custlab with pandas input (lifetimes: without holdout).
            def answer(name):
                r = res.get(name)
                if not r or r["status"] != "ok":
                    return None
                with open(r["out_file"], "rb") as f:
                    return pickle.load(f)

            ref, ref_no_holdout = answer("pandas"), answer("custlab-no-holdout")
            for name, r in res.items():
                if name == "pandas":
                    r["same"] = "reference" if ref is not None else "-"
                elif name == "custlab-no-holdout":
                    r["same"] = "reference for lifetimes" if ref_no_holdout is not None else "-"
                else:
                    against = ref_no_holdout if name == "lifetimes" else ref
                    if r["status"] == "ok" and against is not None:
                        ok, how = COMPARE[summary](answer(name), against)
                        r["same"] = ("yes" if ok else "NO") + f" ({how})"
                    else:
                        r["same"] = "-"
            del ref, ref_no_holdout
            for r in res.values():
                if r.get("out_file"):
                    Path(r["out_file"]).unlink(missing_ok=True)

            for name, r in res.items():
                form, label = describe(name)
                tables[summary].append({
                    "rows in": f"{n:,}", "contender": label, "input": INPUT_LABEL[form],
                    "runs": len(r["times"]) if r["status"] == "ok" else "-",
                    "median s": _fmt_s(r, short=True),
                    "peak MB": f"{r['peak_mb']:,.0f}" if r["status"] == "ok" else "-",
                    "input ready s": f"{r['load_s']:.1f}" if "load_s" in r else "-",
                    "rows out": f"{r['rows_out']:,}" if r["status"] == "ok" else "-",
                    "same answer": r["same"]})
                if r["status"] != "ok" and r.get("message"):
                    notes[summary].setdefault(f"{label}, {INPUT_LABEL[form]}: {r['message']}", None)
            if summary == "rfm":
                target_lines[n] = targets(n, res)

    print()
    for summary in summaries:
        print(f"### {SUMMARY_CALL[summary]}\n")
        table = pd.DataFrame(tables[summary])
        try:
            print(table.to_markdown(index=False))
        except ImportError:                               # tabulate is in the peer environment only
            print(table.to_string(index=False))
        print()
        for note in notes[summary]:
            print(f"- {note}")
        if notes[summary]:
            print()
    if target_lines:
        print("### Targets (rfm_summary)\n")
        for n, lines in target_lines.items():
            print(f"{n:,} rows:")
            print("\n".join(lines))
        print()
    print("median s: median of the runs, the first included. peak MB: resident-memory high-water mark "
          "during the first call minus resident memory just before it (Spark: Python process plus JVM). "
          "input ready s: reading the Parquet file into the input (Spark: session start, read, cache, "
          "count), not timed; a LazyFrame and a DuckDB relation read the file inside the timed call. "
          "same answer: the full-size answer against custlab with pandas input (lifetimes: against "
          "custlab without holdout), rows sorted by customer.")
    print(f"Whole script: {time.perf_counter() - t_start:.0f} s. Load average (1 min) {load_start:.2f} "
          f"at the start, {os.getloadavg()[0]:.2f} at the end; the script keeps one to two cores busy "
          "itself, so a start value well above 0 means something else was running.")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    elif len(sys.argv) > 1 and sys.argv[1] == "--check-child":
        check_child(sys.argv[2], int(sys.argv[3]), sys.argv[4].split(","), sys.argv[5])
    else:
        main()
