"""Fit and prediction speed of the customer-base models, beside lifetimes 0.11.3.

    make bench
    benchmarks/.venv-peer/bin/python benchmarks/bench_models.py --predictions   # predictions only

Four data sets, from small to large:

- the CDNOW 1/10 sample, calibration to 1997-09-30, in weeks (2,357 customers);
- the whole CDNOW cohort over 78 weeks (23,570 customers);
- 100,000 and 1,000,000 simulated BG/NBD customers with continuous purchase times (so about
  half of the (x, t_x, T) rows are distinct), first purchases on one of 84 days, observed
  to week 78, with CDNOW-like parameters; spend drawn from a Gamma-Gamma model.

Each model is fitted by lifetimes and by custlab on the same rows, in the same run, with
BLAS on one thread for both. Both sets of estimates are scored with custlab's likelihood,
so a difference in the last digits shows which optimum is higher. custlab's time includes
the standard errors (every fit computes them); lifetimes' does not. Then predictions for
the million customers: expected purchases in the next 39 weeks, P(alive) and the value of
the next 12 months (12 monthly discounting steps, 1 % a month).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

import custlab as cl
from custlab.models.bgnbd import bgnbd_loglik
from custlab.models.gamma_gamma import gamma_gamma_loglik
from custlab.models.pareto_nbd import pareto_nbd_loglik
from custlab.simulate import simulate_bgnbd

sys.path.insert(0, os.path.dirname(__file__))
from bench_lifecycle import machine  # noqa: E402

warnings.filterwarnings("ignore")
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter  # noqa: E402


def timed(fn, repeats: int):
    """Median wall-clock seconds of ``repeats`` calls after one warm-up call, and the last result."""
    result = fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out), result


def continuous_customers(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` BG/NBD customers (r 0.243, alpha 4.414 weeks, a 0.793, b 2.426) with continuous
    purchase times, first purchases on one of 84 days, observed to week 78; mean spend per
    repeat purchase from a Gamma-Gamma model (p 6.25, q 3.74, gamma 15.44)."""
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, 84, n)
    T = (546 - first_day) / 7
    lam, p = rng.gamma(0.243, 1 / 4.414, n), rng.beta(0.793, 2.426, n)
    who, weeks, _ = simulate_bgnbd(lam, p, T, rng)
    x = np.bincount(who, minlength=n)
    last = np.zeros(n)
    np.maximum.at(last, who, weeks)
    nu = rng.gamma(3.74, 1 / 15.44, n)
    m = np.where(x > 0, rng.gamma(6.25 * np.maximum(x, 1), 1 / nu) / np.maximum(x, 1), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": last, "T": T, "monetary_value": m})


def datasets() -> list[tuple[str, pd.DataFrame, int]]:
    """(name, one row per customer, repeats) for each data set."""
    sample = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
                            calibration_end="1997-09-30")
    full = cl.rfm_summary(cl.load_cdnow(), observation_end="1998-06-30")
    return [("CDNOW sample", sample, 5), ("CDNOW full, 78 weeks", full, 3),
            ("100k customers, continuous", continuous_customers(100_000), 3),
            ("1M customers, continuous", continuous_customers(1_000_000), 1)]


def distinct_rows(s: pd.DataFrame) -> int:
    return len(s[["frequency", "recency", "T"]].drop_duplicates())


def fit_row(data_name: str, s: pd.DataFrame, repeats: int, model: str) -> dict:
    if model == "Gamma-Gamma":
        s = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
        columns = (s["frequency"].to_numpy(float), s["monetary_value"].to_numpy(float))

        def peer():
            return GammaGammaFitter().fit(s["frequency"], s["monetary_value"])

        def ours():
            return cl.GammaGamma().fit(s)

        score = gamma_gamma_loglik
        rows = len(s[["frequency", "monetary_value"]].drop_duplicates())
    else:
        columns = tuple(s[c].to_numpy(float) for c in ("frequency", "recency", "T"))
        peer_cls, our_cls, score = {"BG/NBD": (BetaGeoFitter, cl.BetaGeo, bgnbd_loglik),
                                    "Pareto/NBD": (ParetoNBDFitter, cl.ParetoNBD, pareto_nbd_loglik)}[model]

        def peer():
            return peer_cls().fit(s["frequency"], s["recency"], s["T"])

        def ours():
            return our_cls().fit(s)

        rows = distinct_rows(s)
    # lifetimes is slow on large data: one warm-up fit is its measurement there.
    if repeats == 1:
        t0 = time.perf_counter()
        peer_fit = peer()
        t_peer = time.perf_counter() - t0
    else:
        t_peer, peer_fit = timed(peer, repeats)
    t_ours, our_fit = timed(ours, max(repeats, 3))
    pv = np.array(list(peer_fit.params_.to_numpy()), float)
    ov = our_fit.params_.to_numpy(float)
    with np.errstate(all="ignore"):
        ll_peer = float(np.sum(score(pv, *columns)))
    return {"data": data_name, "distinct rows": f"{rows:,}", "model": model,
            "lifetimes s": f"{t_peer:.3f}", "custlab s": f"{t_ours:.3f}", "speed-up": f"{t_peer / t_ours:.1f}x",
            "custlab estimates": ", ".join(f"{v:.6g}" for v in ov),
            "max rel. diff": f"{np.max(np.abs(pv - ov) / np.abs(ov)):.1e}",
            "LL custlab - lifetimes": f"{our_fit.loglik_ - ll_peer:+.2e}",
            "converged": our_fit.converged_}


def prediction_rows(s: pd.DataFrame) -> list[dict]:
    """BG/NBD predictions for every customer of ``s``, custlab beside lifetimes at the same estimates."""
    ours = cl.BetaGeo().fit(s)
    spend = cl.GammaGamma().fit(s[(s["frequency"] > 0) & (s["monetary_value"] > 0)])
    peer = BetaGeoFitter()
    peer.params_ = pd.Series(ours.params_.to_numpy(), index=["r", "alpha", "a", "b"])
    peer.predict = peer.conditional_expected_number_of_purchases_up_to_time   # as lifetimes' fit sets it
    peer_spend = GammaGammaFitter()
    peer_spend.params_ = pd.Series(spend.params_.to_numpy(), index=["p", "q", "v"])
    x, t_x, T = (s[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    month = 4.345                                    # lifetimes' weeks per month
    cases = [
        ("expected purchases, next 39 weeks",
         lambda: peer.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T),
         lambda: ours.conditional_expected_purchases(39, x, t_x, T)),
        ("P(alive)", lambda: peer.conditional_probability_alive(x, t_x, T), lambda: ours.p_alive(x, t_x, T)),
        ("value of the next 12 months",
         lambda: peer_spend.customer_lifetime_value(peer, s["frequency"], s["recency"], s["T"], s["monetary_value"],
                                                    time=12, discount_rate=0.01, freq="W").to_numpy(),
         lambda: cl.clv.residual_value(ours, spend, s, horizon=12 * month, step=month, discount_rate=0.01)
         ["residual_value"].to_numpy()),
    ]
    out = []
    for name, peer_fn, our_fn in cases:
        t_peer, a = timed(peer_fn, 3)
        t_ours, b = timed(our_fn, 3)
        rel = np.max(np.abs(np.asarray(a, float) - b) / np.maximum(np.abs(b), 1e-12))
        out.append({"prediction (1M customers, BG/NBD)": name, "lifetimes s": f"{t_peer:.3f}",
                    "custlab s": f"{t_ours:.3f}", "speed-up": f"{t_peer / t_ours:.1f}x",
                    "max rel. diff": f"{rel:.1e}"})
    return out


def main() -> None:
    if sys.argv[1:] == ["--predictions"]:
        with threadpool_limits(1, user_api="blas"):
            print(pd.DataFrame(prediction_rows(continuous_customers(1_000_000))).to_markdown(index=False))
        return
    print(machine())
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    rows = []
    with threadpool_limits(1, user_api="blas"):
        data = datasets()
        for name, s, repeats in data:
            for model in ("BG/NBD", "Pareto/NBD", "Gamma-Gamma"):
                rows.append(fit_row(name, s, repeats, model))
                print(rows[-1], flush=True)
        print(pd.DataFrame(rows).to_markdown(index=False))
        print()
        print(pd.DataFrame(prediction_rows(data[-1][1])).to_markdown(index=False))


if __name__ == "__main__":
    main()
