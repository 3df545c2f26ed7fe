"""Checks and compaction of the per-customer summaries the models are fitted on."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rfm_arrays(data: pd.DataFrame, frequency_col: str, recency_col: str, T_col: str, *, model: str):
    """Validated (x, t_x, T) arrays from an rfm table; clear errors name the customers at fault."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{model}.fit takes a pandas DataFrame such as cl.rfm_summary(...); got {type(data).__name__}.")
    missing = [c for c in (frequency_col, recency_col, T_col) if c not in data.columns]
    if missing:
        raise ValueError(f"{model}.fit: no column {missing}; columns found: {list(data.columns)}.")
    if len(data) == 0:
        raise ValueError(f"{model}.fit: the table has no customers.")
    x = data[frequency_col].to_numpy(float)
    t_x = data[recency_col].to_numpy(float)
    T = data[T_col].to_numpy(float)
    problems = {
        "frequency is negative or not a whole number": (x < 0) | (x != np.round(x)),
        "recency is negative": t_x < 0,
        "recency is greater than T": t_x > T + 1e-9,
        "T is negative": T < 0,
        "a repeat buyer has recency 0": (x > 0) & (t_x == 0),
        "a value is missing": ~np.isfinite(x) | ~np.isfinite(t_x) | ~np.isfinite(T),
    }
    for what, bad in problems.items():
        if bad.any():
            rows = data.loc[bad].head(5)
            raise ValueError(f"{model}.fit: {int(bad.sum()):,} customer(s) where {what}, e.g.\n{rows.to_string()}")
    if not (x > 0).any():
        raise ValueError(f"{model}.fit: none of the {len(x):,} customers made a repeat purchase, so there is "
                         "nothing to learn a purchase rate or a dropout from. Use a longer observation window.")
    return x, t_x, T


def compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the columns, and how many customers share each (the fit's weights)."""
    cols = [np.asarray(c, float) for c in columns]
    order = np.lexsort(cols[::-1])
    sorted_cols = [c[order] for c in cols]
    new = np.ones(order.size, bool)
    new[1:] = np.any([np.diff(c) != 0 for c in sorted_cols], axis=0)
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, order.size)).astype(float)
    return [c[starts] for c in sorted_cols], counts
