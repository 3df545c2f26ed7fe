"""Time units shared by every function that reports a duration or a rate.

Durations in custlab are always counted in one of three units, named by the
pandas-style codes ``"D"`` (days), ``"W"`` (weeks of 7 days) and ``"M"``
(calendar months). Days and weeks are fixed lengths; a calendar month is not,
so months run on a calendar clock (see :func:`clock`): the first of each month
is a whole number, and a part of a month is counted in that month's own days.

Examples
--------
>>> from custlab.units import normalize_unit, unit_label
>>> normalize_unit("weeks"), unit_label("W")
('W', 'weeks')
"""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd

__all__ = [
    "CALENDAR_PERIODS",
    "CLOCK_TICKS",
    "TIME_UNITS",
    "as_date",
    "clock",
    "clock_scalar",
    "clock_values",
    "day_number",
    "elapsed",
    "normalize_period",
    "normalize_unit",
    "period_index",
    "period_number",
    "period_numbers",
    "period_start",
    "unit_label",
    "wall_clock",
    "whole_periods",
]

_MS_PER_DAY = 86_400_000
#: Clock readings per unit of duration (see :func:`clock`).
CLOCK_TICKS = {"D": 1.0, "W": 7.0, "M": 1.0}

#: The accepted spellings of each unit.
TIME_UNITS: dict[str, tuple[str, ...]] = {
    "D": ("d", "day", "days", "daily"),
    "W": ("w", "week", "weeks", "weekly"),
    "M": ("m", "month", "months", "monthly", "me", "ms"),
}
_LABELS = {"D": "days", "W": "weeks", "M": "months"}


def normalize_unit(unit: str) -> str:
    """Return the one-letter code (``"D"``, ``"W"`` or ``"M"``) for a time unit.

    Parameters
    ----------
    unit : str
        ``"D"``, ``"day"``, ``"days"``, ``"W"``, ``"weeks"``, ``"M"``, ``"months"``, ...

    Raises
    ------
    ValueError
        If the unit is not days, weeks or months.
    """
    key = str(unit).strip().lower()
    for code, spellings in TIME_UNITS.items():
        if key in spellings:
            return code
    raise ValueError(
        f"time_unit={unit!r} is not a unit custlab knows; use 'D' (days), 'W' (weeks) "
        "or 'M' (calendar months)."
    )


def unit_label(unit: str) -> str:
    """Plain-words name of a unit: ``"days"``, ``"weeks"`` or ``"months"``."""
    return _LABELS[normalize_unit(unit)]


def day_number(expr: nw.Expr) -> nw.Expr:
    """Whole days from 1970-01-01 to the calendar day of a datetime, on every engine.

    Built from the year and the day of the year (Gregorian leap years), so the same
    integer arithmetic runs where ``dt.timestamp`` (DuckDB, Spark) and a duration's
    ``dt.total_seconds`` (Spark) are missing.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.to_datetime(["1969-12-31 23:59", "1970-01-01 00:00", "2024-03-01 23:59"])
    >>> df = nw.from_native(pd.DataFrame({"t": t}))
    >>> df.select(day_number(nw.col("t"))).get_column("t").to_list()
    [-1, 0, 19783]
    """
    year = expr.dt.year()
    before = year - 1
    # Days from 1970-01-01 to 1 January of `year`: 365 a year plus the leap days since then
    # (477 leap years end on or before 1969 in the proleptic Gregorian calendar).
    jan1 = (year - 1970) * 365 + before // 4 - before // 100 + before // 400 - 477
    return jan1 + expr.dt.ordinal_day() - 1


def clock(expr: nw.Expr, unit: str) -> nw.Expr:
    """A narwhals expression: a clock reading at day resolution, for durations in ``unit``.

    For days and weeks the clock counts whole days since 1970-01-01 (a
    difference of readings, divided by ``CLOCK_TICKS[unit]`` = 7 for weeks, is
    a duration; dividing after subtracting keeps whole weeks exact). Months run
    on the calendar: ``12 * year + month - 1 + (day - 1) / days_in_that_month``,
    so the first of each month is a whole number and every month is one unit
    long, whatever its number of days.
    """
    code = normalize_unit(unit)
    if code in ("D", "W"):
        return day_number(expr)
    year, month, day = expr.dt.year(), expr.dt.month(), expr.dt.day()
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days_in_month = (
        nw.when(month == 2)
        .then(28 + leap.cast(nw.Int64))
        .otherwise(nw.when(month.is_in([4, 6, 9, 11])).then(30).otherwise(31))
    )
    return year * 12 + (month - 1) + (day - 1) / days_in_month


def clock_scalar(date, unit: str) -> float:
    """:func:`clock` for one date, in plain Python (a query's constants, with no frame to build).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-02-15 18:00")
    >>> all(clock_scalar(t, u) == clock_values(t, u)[0] for u in "DWM")
    True
    """
    ts = pd.Timestamp(date)
    if normalize_unit(unit) in ("D", "W"):
        return float((ts.normalize() - pd.Timestamp(1970, 1, 1)).days)
    return ts.year * 12 + (ts.month - 1) + (ts.day - 1) / ts.days_in_month


def clock_values(dates, unit: str) -> np.ndarray:
    """:func:`clock` for a pandas Series, array or scalar of dates, as floats."""
    series = pd.Series(pd.to_datetime(np.atleast_1d(np.asarray(dates, dtype="datetime64[ns]"))))
    frame = nw.from_native(pd.DataFrame({"t": series}), eager_only=True)
    return frame.select(clock(nw.col("t"), unit)).get_column("t").to_numpy().astype(float)


def elapsed(start, end, unit: str) -> np.ndarray:
    """Time from ``start`` to ``end`` in ``unit`` (days, weeks or calendar months), as floats.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.to_datetime(pd.Series(["2024-01-01", "2024-01-01"]))
    >>> e = pd.to_datetime(pd.Series(["2024-02-01", "2024-03-16"]))
    >>> elapsed(s, e, "M").round(3).tolist(), elapsed(s, e, "W").round(2).tolist()
    ([1.0, 2.484], [4.43, 10.71])
    """
    return (clock_values(end, unit) - clock_values(start, unit)) / CLOCK_TICKS[normalize_unit(unit)]


def whole_periods(start, end, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """Whole periods from ``start`` to ``end``, and whether days are left over.

    Months are calendar months: 2024-01-15 to 2024-02-15 is exactly one, 2024-01-31 to
    2024-02-29 too (the day is clipped to the month's end). Days and weeks are fixed lengths.

    Returns
    -------
    whole : array of int
    remainder : array of bool
        True where ``end`` is past the last whole period.
    """
    code = normalize_unit(unit)
    s = pd.DatetimeIndex(np.asarray(start, dtype="datetime64[ns]")).normalize()
    e = pd.DatetimeIndex(np.asarray(end, dtype="datetime64[ns]")).normalize()
    if code in ("D", "W"):
        days = (e - s).days.to_numpy()
        size = 1 if code == "D" else 7
        return days // size, (days % size) != 0
    months = (e.year - s.year) * 12 + (e.month - s.month)
    months = months.to_numpy()
    # The day a whole number of months after start (clipped to that month's last day).
    target_first = pd.to_datetime(pd.DataFrame({"year": e.year, "month": e.month, "day": 1}))
    clipped = np.minimum(s.day.to_numpy(), target_first.dt.days_in_month.to_numpy())
    short = e.day.to_numpy() < clipped
    months = months - short
    prev_first = pd.to_datetime(pd.DataFrame({
        "year": (s.year.to_numpy() * 12 + s.month.to_numpy() - 1 + months) // 12,
        "month": (s.year.to_numpy() * 12 + s.month.to_numpy() - 1 + months) % 12 + 1, "day": 1}))
    anchor = prev_first + pd.to_timedelta(
        np.minimum(s.day.to_numpy(), prev_first.dt.days_in_month.to_numpy()) - 1, unit="D")
    return months, (e.to_numpy() > anchor.to_numpy())


def period_index(dates, origin, unit: str) -> np.ndarray:
    """Whole periods from the period holding ``origin`` to each date (0 for the first).

    Days and weeks count from ``origin``; months are calendar months
    (all of January is one period, whatever the day of ``origin``).
    """
    code = normalize_unit(unit)
    start = clock_values(origin, unit)[0]
    if code == "M":
        return (np.floor(clock_values(dates, unit)) - np.floor(start)).astype(int)
    return ((clock_values(dates, unit) - start) // CLOCK_TICKS[code]).astype(int)


def wall_clock(frame, columns):
    """The frame with time-zone-aware pandas datetime columns replaced by their local wall-clock time.

    A purchase at 00:30 in Berlin belongs to that day in Berlin, not to the day before in
    UTC. Done on the native pandas frame because narwhals does not recognise every zone
    name in a pandas dtype (``America/New_York`` reads as an unknown type); Polars frames
    and naive columns are returned as they are. The input is never changed.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": pd.to_datetime(["2024-01-31 22:00"]).tz_localize("America/New_York")})
    >>> str(wall_clock(df, ["t"])["t"].iloc[0])
    '2024-01-31 22:00:00'
    """
    if not isinstance(frame, pd.DataFrame):
        return frame
    aware = [c for c in columns if c is not None and c in frame.columns
             and isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    if not aware:
        return frame
    out = frame.copy(deep=False)
    for c in aware:
        out[c] = frame[c].dt.tz_localize(None)
    return out


#: Calendar periods that group dates (cohorts, lifecycle states): days, weeks that run Monday to
#: Sunday, calendar months and calendar quarters.
CALENDAR_PERIODS: dict[str, tuple[str, ...]] = {**TIME_UNITS, "Q": ("q", "quarter", "quarters", "quarterly", "qs")}
_PERIOD_NAMES = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters"}


def normalize_period(freq: str, allowed: str = "DWMQ") -> str:
    """The one-letter code of a calendar period, refused unless it is one of ``allowed``.

    Examples
    --------
    >>> normalize_period("quarters"), normalize_period("weekly", allowed="WMQ")
    ('Q', 'W')
    """
    key = str(freq).strip().lower()
    for code, spellings in CALENDAR_PERIODS.items():
        if key in spellings and code in allowed:
            return code
    names = ", ".join(f"{c!r} ({_PERIOD_NAMES[c]})" for c in allowed)
    raise ValueError(f"freq={freq!r}: use {names}; weeks run Monday to Sunday, months and quarters are calendar ones.")


def period_number(expr: nw.Expr, freq: str) -> nw.Expr:
    """A narwhals expression: the whole period number of a datetime (consecutive periods differ by 1).

    Days since 1970-01-01; Monday-to-Sunday weeks; ``12 * year + month - 1``; ``4 * year + quarter - 1``.
    The same integer arithmetic runs on every backend narwhals supports.
    """
    if freq == "M":
        return expr.dt.year() * 12 + expr.dt.month() - 1
    if freq == "Q":
        return expr.dt.year() * 4 + (expr.dt.month() - 1) // 3
    day = day_number(expr)
    return day if freq == "D" else (day + 3) // 7      # 1970-01-01 was a Thursday: weeks start on Monday


def period_numbers(dates, freq: str) -> np.ndarray:
    """:func:`period_number` for pandas dates (a scalar, list, array or Series), as int64.

    Examples
    --------
    >>> import pandas as pd
    >>> period_numbers(pd.to_datetime(["2024-01-31", "2024-02-01"]), "M").tolist()
    [24288, 24289]
    """
    series = pd.Series(pd.to_datetime(np.atleast_1d(np.asarray(dates, dtype="datetime64[ns]"))))
    frame = nw.from_native(pd.DataFrame({"t": series}), eager_only=True)
    return frame.select(period_number(nw.col("t"), freq)).get_column("t").to_numpy().astype(np.int64)


def period_start(numbers, freq: str) -> np.ndarray:
    """The first day of each period number (inverse of :func:`period_number`), as datetime64[ns].

    Examples
    --------
    >>> [str(d)[:10] for d in period_start([24288, 24289], "M")]
    ['2024-01-01', '2024-02-01']
    """
    number = np.asarray(numbers, dtype=np.int64)
    if freq in ("M", "Q"):
        months = number - 1970 * 12 if freq == "M" else number * 3 - 1970 * 12
        return months.astype("datetime64[M]").astype("datetime64[ns]")
    days = number if freq == "D" else number * 7 - 3
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def as_date(value, name: str) -> pd.Timestamp:
    """A date argument as a time-zone-naive Timestamp (its wall-clock time), with a clear error.

    Examples
    --------
    >>> as_date("2024-12-31", "observation_end")
    Timestamp('2024-12-31 00:00:00')
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a date; use e.g. '2024-12-31'.") from None
    if ts is pd.NaT:
        raise ValueError(f"{name} is missing; give a date, e.g. '2024-12-31'.")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts

