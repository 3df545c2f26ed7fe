"""A transaction log in whichever engine holds it: one check, one lazy query, the same kind of frame back.

The summaries (``rfm_summary``, ``cohort_table``, the activity behind
``lifecycle_states``, the funnel's stage times) reduce a log of any length to a
small table. They take

* a pandas DataFrame (returned as pandas),
* a Polars DataFrame (returned as Polars) or LazyFrame (returned lazy),
* a DuckDB relation (returned as a relation, not yet run),
* a PySpark DataFrame (returned as a Spark DataFrame, not yet run),

and build one narwhals query per call. narwhals supplies the expression language these
engines share; this module adds what it leaves to its callers: opening any of them,
one set of checks with the same messages on every engine, dates as whole day numbers
computed from year and day of year (``dt.timestamp`` does not exist on DuckDB or Spark),
and handing the answer back in the caller's kind of frame.

A pandas log runs on Polars' engine: the columns move over with almost no copying
(numbers and dates), and the query is several times faster than pandas' own group-bys
(``benchmarks/bench_summaries.py``). The answer comes back as pandas.

Spark's timestamps are read in the session's time zone (``spark.sql.session.timeZone``):
set it to the zone the log was written in, or to UTC for naive times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import narwhals as nw
import pandas as pd

from custlab._frames import require_dates
from custlab.schema import amount_limit, require_columns
from custlab.units import wall_clock

__all__ = ["ACCEPTED", "Log", "open_log"]

#: What the summaries accept, for messages.
ACCEPTED = "a pandas or Polars DataFrame, a Polars LazyFrame, a DuckDB relation or a Spark DataFrame"
_MIXED_KINDS = ("mixed", "mixed-integer")        # pandas.api.types.infer_dtype: numbers and text in one column
_VALIDATE = "Run custlab.validate_transactions first: it rejects such rows and counts them in its report."


@dataclass
class Log:
    """An opened log: a narwhals LazyFrame of the needed columns, and how to hand answers back."""

    frame: nw.LazyFrame
    kind: str          # "pandas", "polars", "polars-lazy", "duckdb", "spark" or another narwhals backend
    caller: str
    columns: dict[str, str]
    index: pd.Index | None = None     # a pandas log's row labels, for messages
    first_date: pd.Timestamp | None = None   # the earliest date, found by the checks

    def finish(self, query: nw.LazyFrame):
        """The answer in the caller's kind of frame: pandas, Polars, or the lazy query itself."""
        if self.kind == "pandas":
            return query.collect("polars").to_native().to_pandas()
        if self.kind == "polars":
            return query.collect("polars").to_native()
        return query.to_native()

    def to_pandas(self, query: nw.LazyFrame) -> pd.DataFrame:
        """Run ``query`` now and return a pandas frame (for small answers that pandas shapes)."""
        return query.collect("pandas").to_native() if self.kind not in ("pandas", "polars") \
            else query.collect("polars").to_native().to_pandas()

    def collect_rows(self, query: nw.LazyFrame) -> list[dict]:
        """Run a small query now and return its rows as dictionaries."""
        return query.collect().rows(named=True)


def open_log(native, columns: dict[str, str | None], *, caller: str, what: str = "transaction log",
             dates: str | None = None, amount: str | None = None, late_after=None, group: str | None = None,
             reserved: frozenset[str] = frozenset()) -> Log:
    """Open ``native``, check it, and keep the ``columns`` the caller needs.

    Parameters
    ----------
    native : pandas, Polars, DuckDB or Spark frame
    columns : dict
        ``{keyword_argument: column_name}``; ``None`` names are skipped.
    caller : str
        The function's name, for messages.
    dates : str, optional
        A column that must hold dates (time zones are dropped, keeping the wall-clock time).
    amount : str, optional
        A column that must hold finite numbers small enough to add up without overflow.
    late_after : pandas.Timestamp, optional
        The last day observed: a row dated after it is an error.
    group : str, optional
        A column of labels that groups people (``by``); a missing label is an error that
        asks for a label, not for validation.
    reserved : set of str
        Names the caller uses for its own columns.

    Raises
    ------
    TypeError
        ``native`` is not a frame custlab reads.
    custlab.SchemaError
        A column is missing.
    ValueError
        No rows, a date column that does not hold dates, an amount column that does not
        hold numbers, missing values, amounts that are infinite or too large, ids that
        mix numbers and text, or rows after ``late_after``. The messages are the same
        on every engine.
    """
    wanted = {kw: c for kw, c in columns.items() if c is not None}
    _refuse_reserved(wanted, reserved, caller)
    frame, kind = _lazy(native, caller, wanted, what)
    schema = frame.collect_schema()
    if dates is not None:
        if not _is_date(schema[dates]) and not frame.select(nw.len()).collect().item():
            raise ValueError(f"{caller}: the {what} has no rows.")     # an empty column has no type to speak of
        require_dates(schema, dates, caller)
        if isinstance(schema[dates], nw.Datetime) and schema[dates].time_zone is not None:
            frame = frame.with_columns(nw.col(dates).dt.replace_time_zone(None))
        elif schema[dates] == nw.Date:                  # days, as midnight: the arithmetic is on datetimes
            frame = frame.with_columns(nw.col(dates).cast(nw.Datetime("us")))
    if amount is not None and not schema[amount].is_numeric():
        raise ValueError(f"{caller}: column {amount!r} holds {schema[amount]}, not numbers. "
                         "Run custlab.validate_transactions first: it reads amounts written as text.")
    if amount is not None and not schema[amount].is_float():
        # Whole-number amounts are added up as floats: Polars adds an Int32 column in Int32 and wraps around.
        frame = frame.with_columns(nw.col(amount).cast(nw.Float64))
        schema = frame.collect_schema()
    log = Log(frame, kind, caller, wanted, native.index if kind == "pandas" else None)
    _check_values(log, schema, what, dates, amount, late_after, group)
    return log


def _lazy(native, caller: str, wanted: dict[str, str], what: str) -> tuple[nw.LazyFrame, str]:
    cols = list(dict.fromkeys(wanted.values()))
    if isinstance(native, pd.DataFrame):
        _require_present(native.columns, wanted, what)
        native = wall_clock(native, cols)
        for kw, c in wanted.items():
            if native[c].dtype == object and pd.api.types.infer_dtype(native[c], skipna=True) in _MIXED_KINDS:
                raise ValueError(
                    f"{caller}: column {c!r} ({kw}) mixes ids of different types (numbers and text, such as 1 "
                    "and 'x'): they cannot be sorted, and 1 and '1' would be two customers. Run "
                    "custlab.validate_transactions first: it makes every id text.")
        import polars as pl

        return nw.from_native(pl.from_pandas(native[cols]).lazy()), "pandas"
    try:
        frame = nw.from_native(native)
    except TypeError:
        raise TypeError(f"{caller} takes {ACCEPTED}, got {type(native).__name__}.") from None
    if isinstance(frame, nw.Series):
        raise TypeError(f"{caller} takes {ACCEPTED}, got a Series.")
    if isinstance(frame, nw.DataFrame):
        kind = "polars" if frame.implementation.is_polars() else str(frame.implementation).lower()
        _require_present(frame.columns, wanted, what)
        return frame.select(cols).lazy(), kind
    impl = frame.implementation
    kind = ("polars-lazy" if impl.is_polars() else "duckdb" if impl.is_duckdb()
            else "spark" if impl.is_pyspark() or impl.is_pyspark_connect() else str(impl).lower())
    _require_present(frame.collect_schema().names(), wanted, what)
    return frame.select(cols), kind


def _require_present(found, wanted: dict[str, str], what: str) -> None:
    require_columns(pd.DataFrame(columns=pd.Index(list(found), dtype=object)), wanted, what=what)


def _refuse_reserved(columns: dict[str, str], reserved, caller: str) -> None:
    clash = {kw: c for kw, c in columns.items() if c in reserved}
    if clash:
        raise ValueError(f"{caller}: " + ", ".join(f"{kw}={c!r}" for kw, c in clash.items())
                         + f" is a name used inside the computation ({sorted(reserved)}); rename the column.")
    names = list(columns.values())
    twice = sorted({c for c in names if names.count(c) > 1})
    if twice:
        raise ValueError(f"{caller}: the column {twice[0]!r} is given for two arguments "
                         f"({', '.join(kw for kw, c in columns.items() if c == twice[0])}).")


def _is_date(dtype) -> bool:
    return isinstance(dtype, (nw.Datetime, nw.Date)) or dtype in (nw.Datetime, nw.Date)


def _check_values(log: Log, schema, what, dates, amount, late_after, group) -> None:
    """One pass over the log, a one-row answer: rows, missing values, amounts, late rows."""
    frame, caller = log.frame, log.caller
    names = list(dict.fromkeys(log.columns.values()))
    checks = [nw.len().alias("_rows")]
    for i, c in enumerate(names):
        missing = nw.col(c).is_null()
        if schema[c].is_float():
            missing = missing | nw.col(c).is_nan()
        checks.append(missing.cast(nw.Int64).sum().alias(f"_missing{i}"))
    if amount is not None:
        finite = nw.col(amount).is_finite() if schema[amount].is_float() else ~nw.col(amount).is_null()
        checks += [(~finite).cast(nw.Int64).sum().alias("_not_finite"),
                   nw.when(finite).then(nw.col(amount).abs()).otherwise(None).max().alias("_largest")]
    after = None if late_after is None else nw.col(dates) >= nw.lit(late_after.normalize() + pd.Timedelta(days=1))
    if after is not None:
        checks.append(after.cast(nw.Int64).sum().alias("_late"))
    if dates is not None:
        checks.append(nw.col(dates).min().alias("_first"))
    row = log.collect_rows(frame.select(*checks))[0]
    log.first_date = None if dates is None or row["_first"] is None else pd.Timestamp(row["_first"])
    rows = int(row["_rows"])
    if rows == 0:
        raise ValueError(f"{caller}: the {what} has no rows.")
    kws = {c: kw for kw, c in log.columns.items()}
    for i, c in enumerate(names):
        n = int(row[f"_missing{i}"] or 0)
        if n and c == group:
            raise ValueError(f"{caller}: {n:,} row(s) have no {c!r}{_where(log, nw.col(c).is_null() | _nan(schema, c))}. "
                             "Fill them (e.g. 'unknown') or drop them first.")
        if n:
            raise ValueError(f"{caller}: column {c!r} ({kws[c]}) has {n:,} missing value(s) "
                             f"(null, NaT or NaN){_where(log, nw.col(c).is_null() | _nan(schema, c))}. "
                             + _VALIDATE)
    if amount is not None:
        limit = amount_limit(rows)
        largest = row["_largest"]
        if int(row["_not_finite"] or 0) or (largest is not None and largest > limit):
            bad = ~nw.col(amount).is_finite() if schema[amount].is_float() else nw.lit(False)
            bad = bad | (nw.col(amount).abs() > limit)
            n = int(log.collect_rows(frame.select(bad.cast(nw.Int64).sum().alias("n")))[0]["n"])
            raise ValueError(
                f"{caller}: column {amount!r} (amount_col) has {n:,} amount(s) that are infinite or larger "
                f"than {limit:.3g} (the largest float divided by the number of rows: their sum could overflow)"
                f"{_where(log, bad)}. Run custlab.validate_transactions first: it rejects them.")
    if after is not None and row["_late"]:
        examples = [{k: str(pd.Timestamp(v)) if isinstance(v, (datetime, date)) else v for k, v in r.items()}
                    for r in log.collect_rows(frame.filter(after).sort(*names).head(3))]
        raise ValueError(
            f"{caller}: {int(row['_late']):,} purchase(s) are dated after observation_end {late_after.date()}, "
            f"e.g. {examples}. Move observation_end, or validate with "
            "validate_transactions(..., observation_end=...) to reject them.")


def _nan(schema, col: str) -> nw.Expr:
    return nw.col(col).is_nan() if schema[col].is_float() else nw.lit(False)


def _where(log: Log, mask: nw.Expr) -> str:
    """``, at rows [...]`` for a frame held in memory (row positions mean something there), else nothing."""
    if log.kind not in ("pandas", "polars"):
        return ""
    flags = log.frame.select(mask.alias("_bad")).collect("polars").to_native()["_bad"]
    positions = flags.fill_null(True).arg_true().head(5).to_list()
    if log.index is not None:
        return f", at rows {log.index[positions].tolist()}"
    return f", at row positions {positions}"
