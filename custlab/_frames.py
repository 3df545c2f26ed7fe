"""Checks shared by the functions that read transaction and event logs with narwhals.

Each turns a mistake into an error that names the function, the column and what to do,
instead of a traceback from deep inside pandas, Polars or narwhals.
"""

from __future__ import annotations

import narwhals as nw
import pandas as pd

__all__ = ["eager", "naive_dates", "refuse_missing", "require_dates"]


def eager(frame, caller: str, what: str):
    """``frame`` as an eager narwhals DataFrame, or a TypeError that names what was expected."""
    try:
        return nw.from_native(frame, eager_only=True)
    except TypeError:
        raise TypeError(f"{caller} takes a pandas or Polars DataFrame as {what}, "
                        f"got {type(frame).__name__}.") from None


def require_dates(schema, col: str, caller: str) -> None:
    """Refuse a column that does not hold datetimes (``schema``: a narwhals schema)."""
    dtype = schema[col]
    if not isinstance(dtype, (nw.Datetime, nw.Date)) and dtype not in (nw.Datetime, nw.Date):
        raise ValueError(f"{caller}: column {col!r} holds {dtype}, not dates. "
                         "Run custlab.validate_transactions first: it parses dates and reports bad rows.")


def naive_dates(df, col: str):
    """Dates with a time zone keep their local wall-clock time (a narwhals frame, eager or lazy)."""
    dtype = df.collect_schema()[col] if isinstance(df, nw.LazyFrame) else df.schema[col]
    if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
        return df.with_columns(nw.col(col).dt.replace_time_zone(None))
    return df


def refuse_missing(frame: pd.DataFrame, col: str, caller: str) -> None:
    """Refuse missing values in a grouping column, naming the first rows."""
    missing = frame[col].isna()
    if missing.any():
        raise ValueError(f"{caller}: {int(missing.sum()):,} row(s) have no {col!r}, e.g.\n"
                         f"{frame.loc[missing].head(3).to_string()}\nFill them (e.g. 'unknown') or drop them first.")
