"""Checks on what the models are given: the per-customer tables they are fitted on, and the
numbers their predictions are asked about.

Tables may be pandas or Polars (anything narwhals reads eagerly); columns are read as
float arrays. Every check is vectorised and every refusal names the argument or column,
says what is wrong and what to pass.
"""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd

__all__ = ["read_columns", "refuse_rows", "show_rows", "rfm_arrays", "compress", "group_codes",
           "per_distinct", "values", "check_recency", "check_shapes", "customer_values"]

#: How far recency may exceed T before it counts as an error, relative to T (rounding slack).
RECENCY_SLACK = 1e-6


def _frame(data, where: str, columns: tuple[str, ...]):
    try:
        return nw.from_native(data, eager_only=True)
    except TypeError:
        wanted = ", ".join(repr(c) for c in columns)
        lazy = " (a lazy frame: call .collect() first)" if hasattr(data, "collect") else ""
        raise TypeError(
            f"{where} takes a data frame (pandas or Polars) with one row per customer and the columns "
            f"{wanted}, such as cl.rfm_summary(...) returns; got {type(data).__name__}{lazy}."
        ) from None


def show_rows(frame, bad: np.ndarray, n: int = 5) -> str:
    """The first ``n`` rows of ``frame`` where ``bad`` is true, as text."""
    rows = frame[np.flatnonzero(bad)[:n].tolist()].to_native()
    return rows.to_string() if hasattr(rows, "to_string") else str(rows)


def read_columns(data, columns: tuple[str, ...], *, where: str):
    """The narwhals frame and each of ``columns`` as a float array.

    Raises TypeError for something that is not a data frame, ValueError for a missing or
    non-numeric column or an empty table.
    """
    frame = _frame(data, where, columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: no column {missing}; columns found: {list(frame.columns)}. "
                         "Name yours with the *_col arguments, e.g. frequency_col='n_repeat'.")
    if len(frame) == 0:
        raise ValueError(f"{where}: the table has no customers.")
    arrays = []
    for c in columns:
        try:
            arrays.append(np.asarray(frame[c].to_numpy(), dtype=float))
        except (TypeError, ValueError):
            raise ValueError(f"{where}: column {c!r} must hold numbers; it holds {frame[c].dtype}.") from None
    return frame, arrays


def refuse_rows(frame, problems: dict[str, np.ndarray], where: str) -> None:
    """Raise ValueError for the first problem that any row has, showing those rows."""
    for what, bad in problems.items():
        if bad.any():
            raise ValueError(f"{where}: {int(bad.sum()):,} customer(s) where {what}, e.g.\n{show_rows(frame, bad)}")


def rfm_arrays(data, frequency_col: str, recency_col: str, T_col: str, *, model: str):
    """Validated (x, t_x, T) arrays from an rfm table; clear errors name the customers at fault."""
    where = f"{model}.fit"
    frame, (x, t_x, T) = read_columns(data, (frequency_col, recency_col, T_col), where=where)
    refuse_rows(frame, {
        "a value is missing": ~np.isfinite(x) | ~np.isfinite(t_x) | ~np.isfinite(T),
        "frequency is negative or not a whole number": (x < 0) | (x != np.round(x)),
        "recency is negative": t_x < 0,
        "T is negative": T < 0,
        "recency is greater than T": t_x - T > RECENCY_SLACK * np.maximum(1.0, np.abs(T)),
        "a repeat buyer has recency 0": (x > 0) & (t_x == 0),
    }, where)
    if not (x > 0).any():
        raise ValueError(f"{where}: none of the {len(x):,} customers made a repeat purchase, so there is "
                         "nothing to learn a purchase rate or a dropout from. Use a longer observation window.")
    return x, t_x, T


def group_codes(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group among the distinct rows of the (flat, equally long) columns, numbered in
    order of first appearance, and the position of each group's first row.

    Rows are grouped by hashing (pandas' factorize, column by column), which is about three
    times faster than sorting them on a million rows.
    """
    code, span = np.zeros(columns[0].size, np.int64), 1
    for c in columns:
        levels, distinct = pd.factorize(c, use_na_sentinel=False)
        code, span = code * distinct.size + levels, span * distinct.size
        if span > 2**40:                            # keep the codes far from overflowing
            code, distinct = pd.factorize(code)
            span = distinct.size
    code, _ = pd.factorize(code)
    first = np.empty(int(code.max(initial=-1)) + 1, np.int64)
    first[code[::-1]] = np.arange(code.size - 1, -1, -1)
    return code, first


def compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the columns, in order of first appearance, and how many customers
    share each (the fit's weights)."""
    cols = [np.asarray(c, float) for c in columns]
    code, first = group_codes(*cols)
    return [c[first] for c in cols], np.bincount(code).astype(float)


#: Above this many values, :func:`per_distinct` groups before computing.
GROUP_ABOVE = 1_000


def per_distinct(fn, *columns: np.ndarray) -> np.ndarray:
    """``fn(*columns)`` computed once per distinct combination of the columns' values.

    For a prediction whose costly part depends on a few columns that take few distinct
    values (a customer's repeat purchases and time observed, say), however many customers
    there are. Small inputs are computed directly.
    """
    cols = np.broadcast_arrays(*[np.asarray(c, float) for c in columns])
    if cols[0].size <= GROUP_ABOVE:
        return fn(*cols)
    flat = [c.reshape(-1) for c in cols]
    # A single value broadcast adds no distinction.
    varying = [c for c in flat if c.strides != (0,)] or flat[:1]
    code, first = group_codes(*varying)
    return np.asarray(fn(*[c[first] for c in flat]))[code].reshape(cols[0].shape)


def values(value, name: str, *, where: str, minimum: float = 0.0, whole: bool = False,
           meaning: str = "") -> np.ndarray:
    """``value`` as a float array (scalars, lists, NumPy, pandas or Polars), checked.

    Every value must be ``>= minimum`` and, with ``whole``, a whole number; missing
    values (NaN) pass through and give NaN predictions.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a number or an array of numbers; "
                        f"got {type(value).__name__}.") from None
    about = f" ({meaning})" if meaning else ""
    low = arr < minimum
    if low.any():
        raise ValueError(f"{where}: {name}{about} must be {minimum:g} or more; got {arr[low].flat[0]:g}"
                         f"{_count(low)}.")
    if whole:
        odd = np.isfinite(arr) & (arr != np.round(arr))
        if odd.any():
            raise ValueError(f"{where}: {name}{about} must be a whole number; got {arr[odd].flat[0]:g}"
                             f"{_count(odd)}.")
    return arr


def check_recency(recency: np.ndarray, T: np.ndarray, *, where: str) -> None:
    """Refuse a recency (time of the last purchase) later than T (time observed)."""
    late = recency - T > RECENCY_SLACK * np.maximum(1.0, np.abs(T))
    if np.any(late):
        r, t = np.broadcast_arrays(recency, T)
        first = np.flatnonzero(late)[0]
        raise ValueError(f"{where}: recency must not exceed T (the last purchase falls inside the time "
                         f"observed); got recency {r.flat[first]:g} with T {t.flat[first]:g}{_count(late)}.")


def _count(bad: np.ndarray) -> str:
    n = int(np.count_nonzero(bad))
    return "" if n == 1 else f" (and {n - 1:,} more)"


def check_shapes(where: str, **arrays: np.ndarray) -> None:
    """Refuse arrays whose shapes do not broadcast together, naming them and their lengths."""
    try:
        np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {np.shape(a)}" for name, a in arrays.items())
        raise ValueError(f"{where}: {', '.join(arrays)} must be single numbers or arrays of one length (or shapes "
                         f"that broadcast); got {shapes}.") from None


def customer_values(frequency, recency, T, *, where: str):
    """Checked (x, t_x, T) arrays for a prediction about customers with this history."""
    x = values(frequency, "frequency", where=where, whole=True, meaning="number of repeat purchases")
    t_x = values(recency, "recency", where=where, meaning="time of the last purchase")
    T = values(T, "T", where=where, meaning="time observed")
    check_shapes(where, frequency=x, recency=t_x, T=T)
    check_recency(t_x, T, where=where)
    return x, t_x, T
