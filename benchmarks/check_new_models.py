"""Do custlab's newer models give lifetimes 0.11.3's estimates?

    benchmarks/.venv-peer/bin/python benchmarks/check_new_models.py

- MBG/NBD: lifetimes' ``ModifiedBetaGeoFitter`` beside ``cl.ModifiedBetaGeo`` on the CDNOW
  1/10 sample (calibration to 1997-09-30, weeks);
- BG/BB: lifetimes' ``BetaGeoBetaBinomFitter`` beside ``cl.BetaGeoBetaBinom`` on the
  donations table (``cl.load_donations()``, 11,104 donors, six yearly opportunities).
  Skipped, with the reason printed, if this custlab has no BG/BB model or donations loader.

Both sets of estimates are scored with custlab's likelihood ("LL"), so a difference in the
last digits shows which optimum is higher. The script exits with status 1 if any estimate
differs from lifetimes' by more than :data:`TOLERANCE` (relative) or custlab's LL is below
lifetimes' by more than :data:`LL_SLACK`.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd

import custlab as cl

warnings.filterwarnings("ignore")
import lifetimes  # noqa: E402

#: Largest accepted relative difference between an estimate and lifetimes'.
TOLERANCE = 1e-4
#: How far custlab's log-likelihood may fall below lifetimes' (rounding of the sums).
LL_SLACK = 1e-6


def compare(name: str, names, peer: np.ndarray, ours: np.ndarray, loglik) -> dict:
    """One row of the report: both estimates, the largest relative difference, both LL."""
    rel = float(np.max(np.abs(peer - ours) / np.abs(ours)))
    ll_peer, ll_ours = loglik(peer), loglik(ours)
    same = rel <= TOLERANCE and ll_ours >= ll_peer - LL_SLACK
    return {"model": name, "parameters": ", ".join(names),
            "lifetimes": ", ".join(f"{v:.6g}" for v in peer), "custlab": ", ".join(f"{v:.6g}" for v in ours),
            "max rel. diff": f"{rel:.1e}", "LL lifetimes": f"{ll_peer:.6f}", "LL custlab": f"{ll_ours:.6f}",
            "same": same}


def check_mbgnbd() -> dict:
    from custlab.models.mbgnbd import mbgnbd_loglik

    s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30", calibration_end="1997-09-30")
    x, t_x, T = (s[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    peer = lifetimes.ModifiedBetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    ours = cl.ModifiedBetaGeo().fit(s)
    peer_params = peer.params_[list(ours.param_names)].to_numpy(float)
    return compare("MBG/NBD, CDNOW sample", ours.param_names, peer_params, ours.params_.to_numpy(),
                   lambda p: float(np.sum(mbgnbd_loglik(p, x, t_x, T))))


def check_bgbb() -> dict | str:
    """The BG/BB row, or why it was skipped."""
    try:
        from custlab.models.bgbb import BetaGeoBetaBinom, bgbb_loglik

        table = cl.load_donations()
    except (ImportError, AttributeError) as err:
        return f"BG/BB skipped: {err}"
    x, t_x, n, count = (table[c].to_numpy(float) for c in ("frequency", "recency", "n_periods", "count"))
    peer = lifetimes.BetaGeoBetaBinomFitter().fit(table["frequency"], table["recency"], table["n_periods"],
                                                  weights=table["count"])
    ours = BetaGeoBetaBinom().fit(table, weights_col="count")
    peer_params = peer.params_[list(ours.param_names)].to_numpy(float)
    return compare("BG/BB, donations", ours.param_names, peer_params, ours.params_.to_numpy(),
                   lambda p: float(np.dot(count, bgbb_loglik(p, x, t_x, n))))


def main() -> int:
    rows, notes = [check_mbgnbd()], []
    bgbb = check_bgbb()
    if isinstance(bgbb, str):
        notes.append(bgbb)
    else:
        rows.append(bgbb)
    table = pd.DataFrame(rows)
    print(f"lifetimes {lifetimes.__version__}, custlab {cl.__version__}; tolerance {TOLERANCE:g} relative\n")
    print(table.to_markdown(index=False, disable_numparse=True))
    for note in notes:
        print(f"\n{note}")
    failed = table.loc[~table["same"], "model"].tolist()
    if failed:
        print(f"\nDIFFERENT from lifetimes: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
