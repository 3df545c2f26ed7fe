"""Shared checks and small helpers of :mod:`custlab.feedback`."""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd
from scipy import stats

from custlab._frames import refuse_missing
from custlab.schema import require_columns

#: The three NPS groups, from the lowest answers to the highest: 0-6, 7-8, 9-10.
NPS_GROUPS = ("detractor", "passive", "promoter")


def _pandas(frame, caller: str, what: str) -> pd.DataFrame:
    """A pandas DataFrame from a pandas or Polars one, or a TypeError naming what was expected."""
    if isinstance(frame, pd.DataFrame):
        return frame
    try:
        return nw.from_native(frame, eager_only=True).to_pandas()
    except TypeError:
        raise TypeError(f"{caller} takes a pandas or Polars DataFrame as {what}, got {type(frame).__name__}.") \
            from None


def _answers(data, score_col: str, caller: str) -> pd.DataFrame:
    """The answers as a DataFrame holding ``score_col``: a table as it is, a Series or array wrapped."""
    if isinstance(data, pd.Series):
        return data.rename(score_col).to_frame()
    if isinstance(data, (np.ndarray, list, tuple)):
        return pd.DataFrame({score_col: np.asarray(data)})
    frame = _pandas(data, caller, "the answers (or pass a Series or array of scores)")
    require_columns(frame, {"score_col": score_col}, what="survey table")
    return frame


def _scores(frame: pd.DataFrame, score_col: str, low: int, high: int, caller: str) -> pd.Series:
    """The scores as whole numbers, or a ValueError showing the first rows that are not ``low``..``high``."""
    raw = frame[score_col]
    if pd.api.types.is_bool_dtype(raw):
        raise ValueError(f"{caller}: column {score_col!r} holds True/False, not scores from {low} to {high}.")
    score = pd.to_numeric(raw, errors="coerce")
    bad = score.isna() | (score < low) | (score > high) | (score != score.round())
    if bad.any():
        raise ValueError(f"{caller}: {int(bad.sum()):,} row(s) of {score_col!r} hold no whole number from {low} to "
                         f"{high} (missing, out of range or with a fraction), e.g.\n"
                         f"{frame.loc[bad.to_numpy()].head(3).to_string()}\nFix or drop them first.")
    if score.empty:
        raise ValueError(f"{caller}: there are no responses in {score_col!r}; a score needs at least one answer.")
    return score.astype(int)


def _split(frame: pd.DataFrame, by, caller: str) -> tuple[str | None, list[tuple[object, np.ndarray]]]:
    """``(name, [(group, row positions)])``, groups sorted; one group ``None`` (every row) without ``by``.

    ``by`` is a column of ``frame``, or one label per row (a Series or array, in the rows' order).
    """
    if by is None:
        return None, [(None, np.arange(len(frame)))]
    if isinstance(by, str):
        require_columns(frame, {"by": by}, what="survey table")
        name, values = by, frame[by]
    elif len(by) == len(frame):
        name = str(getattr(by, "name", None) or "group")
        values = pd.Series(np.asarray(by), index=frame.index, name=name)
    else:
        raise ValueError(f"{caller}: by holds {len(by):,} values for {len(frame):,} answers; pass a column name or "
                         "one value per answer, in the same order.")
    refuse_missing(values.to_frame(), name, caller)
    positions = pd.Series(values.to_numpy(), dtype=object).groupby(values.to_numpy(), sort=False).indices
    try:
        keys = sorted(positions)
    except TypeError:
        keys = sorted(positions, key=str)
    return name, [(g, positions[g]) for g in keys]


def _table(rows: list[dict], name: str | None, groups: list) -> pd.DataFrame:
    """One row per group, the group column first when there is one."""
    out = pd.DataFrame(rows)
    if name is not None:
        out.insert(0, name, [g for g, _ in groups])
    return out


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be between 0 and 1, e.g. 0.95.")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    if n == 0:
        return np.nan, np.nan
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


def _ids(frame: pd.DataFrame, col: str, caller: str, what: str) -> None:
    """Refuse missing ids in ``col``, naming the first rows."""
    missing = frame[col].isna()
    if missing.any():
        raise ValueError(f"{caller}: {int(missing.sum()):,} row(s) of the {what} have no {col!r}, e.g.\n"
                         f"{frame.loc[missing.to_numpy()].head(3).to_string()}")


def _dates(frame: pd.DataFrame, col: str, caller: str, what: str) -> pd.Series:
    """The days of ``col`` (midnight), after refusing a column without dates or with missing ones."""
    if not pd.api.types.is_datetime64_any_dtype(frame[col]):
        raise ValueError(f"{caller}: column {col!r} of the {what} holds {frame[col].dtype}, not dates; parse it "
                         "first (pd.to_datetime).")
    refuse_missing(frame, col, caller)
    return frame[col].dt.normalize()


def _customer_ids(customers, customer_col: str, caller: str) -> pd.Index:
    """Distinct customer ids from ids (a list, array, Series or Index) or from a table's ``customer_col``."""
    if isinstance(customers, (pd.Series, pd.Index, np.ndarray, list, tuple)):
        values = np.asarray(customers, dtype=object)
    else:
        frame = _pandas(customers, caller, "customers (or pass their ids)")
        require_columns(frame, {"customer_col": customer_col}, what="customers table")
        values = frame[customer_col].to_numpy()
    return pd.Index(pd.unique(values[pd.notna(values)]))
