"""Speed of the foundation layer, with the peer measured beside custlab in the same run.

    make bench          # builds benchmarks/.venv-peer (the lock + lifetimes 0.11.3), runs this

Peer: lifetimes 0.11.3 (``summary_data_from_transaction_data`` and
``calibration_and_holdout_data``), the summary functions most Python users know.
Each timing is the median of several runs after one warm-up; every pair of
results is checked to hold the same numbers before its time is reported.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd
import polars as pl

import custlab as cl

warnings.filterwarnings("ignore")  # the peer's own deprecation warnings on current pandas
try:
    from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data
except ImportError:  # pragma: no cover
    sys.exit("lifetimes is not installed here: run `make bench`, which builds the benchmark environment.")


def median_seconds(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def same(peer: pd.DataFrame, ours: pd.DataFrame, cols=("frequency", "recency", "T", "monetary_value")) -> bool:
    peer = peer.sort_index()
    ours = ours.set_index(ours.columns[0]).sort_index()
    return all(np.allclose(peer[c].to_numpy(float), ours[c].to_numpy(float)) for c in cols)


def big_log(copies: int) -> pd.DataFrame:
    """CDNOW's master file repeated with fresh customer ids: same shape of behaviour, more rows."""
    base = cl.load_cdnow()
    step = int(base["customer_id"].max())
    parts = [base.assign(customer_id=base["customer_id"] + k * step) for k in range(copies)]
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    rows = []
    master = cl.load_cdnow()
    sample = cl.load_cdnow(sample=True)
    end = "1998-06-30"

    def add(case, n_rows, peer_fn, our_fn, check, repeats=5, polars_fn=None):
        """Time both sides, after checking that their results hold the same numbers."""
        same_numbers = check(peer_fn(), our_fn())
        rows.append({"case": case, "rows": f"{n_rows:,}", "lifetimes s": median_seconds(peer_fn, repeats),
                     "custlab pandas s": median_seconds(our_fn, repeats),
                     "custlab polars s": median_seconds(polars_fn, repeats) if polars_fn else float("nan"),
                     "same numbers": same_numbers})

    def summarise(log, **peer_kw):
        return summary_data_from_transaction_data(log, "customer_id", "date", monetary_value_col="amount",
                                                  observation_period_end=end, freq="D", **peer_kw)

    # 1. Summary of the full CDNOW log, in days.
    add("CDNOW master, days", len(master), lambda: summarise(master),
        lambda: cl.rfm_summary(master, observation_end=end, time_unit="D"), same,
        polars_fn=(lambda m=pl.from_pandas(master): cl.rfm_summary(m, observation_end=end, time_unit="D")))

    # 2. Calibration and holdout on the CDNOW sample, in days.
    def same_holdout(p, o):
        return (np.array_equal(p["frequency_cal"].sort_index().to_numpy(), o["frequency"].to_numpy())
                and np.array_equal(p["frequency_holdout"].sort_index().to_numpy(), o["frequency_holdout"].to_numpy()))

    add("CDNOW sample, calibration + holdout", len(sample),
        lambda: calibration_and_holdout_data(sample, "customer_id", "date", calibration_period_end="1997-09-30",
                                             observation_period_end=end, freq="D", monetary_value_col="amount"),
        lambda: cl.rfm_summary(sample, observation_end=end, calibration_end="1997-09-30", time_unit="D"),
        same_holdout)

    # 3. A log of a million rows.
    big = big_log(15)
    add("CDNOW x15, days", len(big), lambda: summarise(big),
        lambda: cl.rfm_summary(big, observation_end=end, time_unit="D"), same, repeats=3,
        polars_fn=(lambda b=pl.from_pandas(big): cl.rfm_summary(b, observation_end=end, time_unit="D")))

    # 4. Calendar months: the peer refuses them.
    try:
        summary_data_from_transaction_data(master, "customer_id", "date", observation_period_end=end, freq="M")
        months = "ran"
    except Exception as exc:  # noqa: BLE001
        months = f"fails: {type(exc).__name__}"
    rows.append({"case": "CDNOW master, calendar months", "rows": f"{len(master):,}", "lifetimes s": months,
                 "custlab pandas s": median_seconds(lambda: cl.rfm_summary(master, observation_end=end,
                                                                          time_unit="M"), 5),
                 "custlab polars s": float("nan"), "same numbers": "-"})

    # 5. The simulated company (no peer).
    rows.append({"case": "crm_world(5000), two years", "rows": "-", "lifetimes s": "-",
                 "custlab pandas s": median_seconds(lambda: cl.crm_world(5000, random_state=0), 5),
                 "custlab polars s": float("nan"), "same numbers": "-"})

    table = pd.DataFrame(rows)
    for col in ("lifetimes s", "custlab pandas s", "custlab polars s"):
        table[col] = table[col].map(lambda v: f"{v:.3f}" if isinstance(v, float) and not np.isnan(v)
                                    else ("-" if isinstance(v, float) else v))
    print(f"python {platform.python_version()}, pandas {pd.__version__}, polars {pl.__version__}, "
          f"{platform.machine()}, median of 5 runs (3 for the million rows)\n")
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
