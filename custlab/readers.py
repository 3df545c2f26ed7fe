"""Reading the dates and amounts that spreadsheets and shop systems write as text.

Two readers, each of which either reads a column one way or says what to pass
(the bytes and separators of files are read by
:func:`custlab.datasets.load_transactions`, with :class:`EncodingError`):

* :func:`parse_dates`: ISO 8601, or one common day-first, month-first or
  named-month format for the whole column; a column that reads both day first
  and month first is refused (:class:`AmbiguousDateError`);
* :func:`parse_amounts`: numbers with the decimal mark and thousands separator
  given, currency marks removed and counted; when amounts fail to read but
  would read with other settings, the hint names those settings.

No reader guesses between two readings that give different values.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "AmbiguousDateError",
    "EncodingError",
    "ReadError",
    "parse_amounts",
    "parse_dates",
]

#: Text that means "no value" in a date or amount column (compared lower-cased, stripped).
NULL_TEXT = frozenset({"", "na", "n/a", "#n/a", "null", "none", "nan", "nat"})
# Persian and Arabic-Indic digits are digits: read them as 0-9. U+066B and U+066C
# are the Arabic decimal and thousands separators; U+2212 is the minus sign.
_DIGITS = str.maketrans({**{chr(0x06F0 + i): str(i) for i in range(10)},
                         **{chr(0x0660 + i): str(i) for i in range(10)}, "\u2212": "-"})
_EDGE_MARKS = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"


class ReadError(ValueError):
    """A file or a column cannot be read one way only, or not at all; the message says what to pass."""


class EncodingError(ReadError):
    """The file's bytes are not in the encoding tried; the message shows where and what to pass."""


class AmbiguousDateError(ReadError):
    """A date column reads more than one way (day or month first); pass ``date_format=`` or ``dayfirst=``."""


# --------------------------------------------------------------------------- text cells

def _as_text(raw: pd.Series) -> tuple[pd.Series, np.ndarray, int]:
    """Stripped text (object dtype, None where missing), the missing mask, and how many had non-ASCII digits.

    Each distinct value is cleaned once: a column of a million rows has far fewer distinct values.
    """
    codes, uniques = pd.factorize(raw.astype("object"), use_na_sentinel=True)
    cleaned = [_clean_cell(v) for v in uniques]
    text = np.array([c[0] for c in cleaned] + [None], dtype=object)[codes]  # code -1 (missing) -> None
    digits = np.array([c[1] for c in cleaned] + [False], dtype=bool)[codes]
    missing = np.array([c[0] is None for c in cleaned] + [True], dtype=bool)[codes]
    return pd.Series(text, index=raw.index, dtype=object), missing, int(digits.sum())


def _clean_cell(value) -> tuple[str | None, bool]:
    """A cell as stripped text (None when it says "no value"), and whether it had non-ASCII digits."""
    if not isinstance(value, str):
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    value = value.strip().strip(_EDGE_MARKS).strip()
    if value.lower() in NULL_TEXT:
        return None, False
    if value.isascii():
        return value, False
    translated = value.translate(_DIGITS)
    return translated, translated != value


def _label(idx) -> str:
    """A row's index label as people write it: 7, not np.int64(7)."""
    return str(int(idx)) if isinstance(idx, (int, np.integer)) else repr(idx)


def _examples(text: pd.Series, mask, k: int = 3) -> str:
    picked = text[np.asarray(mask)].head(k)
    return ", ".join(f"row {_label(idx)}: {val!r}" for idx, val in picked.items())


# --------------------------------------------------------------------------- dates

@dataclass
class DateReading:
    """Dates of a column: ``values`` (naive datetime64[ns], NaT where not read), masks and notes."""

    values: pd.Series
    missing: np.ndarray
    notes: list[str] = field(default_factory=list)
    hint: str | None = None  # why rows were not read, and what to pass

    @property
    def unparseable(self) -> np.ndarray:
        return self.values.isna().to_numpy() & ~self.missing


@dataclass
class _Reading:
    label: str  # a strftime format, or "ISO 8601"
    order: str  # "iso", "dmy", "mdy", "named", "given"
    values: pd.Series  # one per distinct text value; NaT where this reading does not fit
    exact: bool = True  # label is a format that pandas can read every fitting value with
    group: tuple = ()

    @property
    def shown(self) -> str:
        return "ISO 8601 (YYYY-MM-DD)" if self.order == "iso" else repr(self.label)

    @property
    def words(self) -> str:
        return {"dmy": "day first", "mdy": "month first"}.get(self.order, self.label)


_DATE_PART = r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2}),?$"
_TIME_PART = r"^(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d{1,9})?)?\s*(?P<p>[AaPp]\.?[Mm]\.?)?$"
_NAMED_FORMATS = ("%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%d %B %Y", "%d-%B-%Y", "%b %d, %Y", "%B %d, %Y",
                  "%b %d %Y", "%d. %B %Y")


def parse_dates(raw: pd.Series, *, date_format: str | None = None, dayfirst: bool | None = None,
                column: str = "date") -> DateReading:
    """Read a date column one way: a datetime dtype, ISO 8601, or one format for every row.

    Text that is not ISO 8601 is tried against common day-first, month-first
    and named-month formats (separators ``/ . -``, two- or four-digit years,
    an optional time of day). The format that fits the most rows is used for
    the whole column and rows that do not fit it stay unread (NaT).

    Parameters
    ----------
    raw : pandas.Series
        Datetimes (naive or with a time zone), ``yyyymmdd`` integers, or text.
    date_format : str, optional
        A ``strftime`` format (``"%d.%m.%Y"``) or ``"ISO8601"``, used for every row.
    dayfirst : bool, optional
        True: numeric dates are day first (``31/12/2024``); False: month first
        (``12/31/2024``). Needed when every date reads both ways.
    column : str
        The column's name, for messages.

    Returns
    -------
    DateReading
        ``values`` (naive ``datetime64[ns]``, wall clock kept), ``missing``,
        ``unparseable`` (masks), ``notes`` and ``hint``.

    Raises
    ------
    AmbiguousDateError
        The dates read both day first and month first (and differ), the column
        mixes the two orders, or two formats fit equally many rows.

    Examples
    --------
    >>> r = parse_dates(pd.Series(["02/08/2024", "13/08/2024"]))
    >>> r.values.dt.strftime("%Y-%m-%d").tolist()
    ['2024-08-02', '2024-08-13']
    >>> r.notes[0][:51]
    "column 'date' read day first with format '%d/%m/%Y'"
    """
    if date_format is not None and dayfirst is not None:
        raise ValueError("Pass date_format= or dayfirst=, not both: a format already says where the day is.")
    if date_format == "mixed":
        raise ValueError("date_format='mixed' reads each row its own way; pass one format, e.g. '%d/%m/%Y'.")
    notes: list[str] = []
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        notes.append(f"dates carried time zone {raw.dt.tz}; local wall-clock times kept, zone dropped")
        values = raw.dt.tz_localize(None).astype("datetime64[ns]")
        return DateReading(values, raw.isna().to_numpy(), notes)
    if pd.api.types.is_datetime64_any_dtype(raw):
        return DateReading(raw.astype("datetime64[ns]"), raw.isna().to_numpy(), notes)
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        # Numbers such as 19970101 are yyyymmdd dates (as in CDNOW).
        raw = raw.map(lambda v: f"{int(v)}" if pd.notna(v) and float(v).is_integer() else
                      (None if pd.isna(v) else str(v)))
        date_format = date_format or "%Y%m%d"
    text, missing, n_digits = _as_text(raw)
    if n_digits:
        notes.append(f"{n_digits:,} date(s) in column {column!r} written with Persian or Arabic digits, "
                     "read as 0-9")
    present = text[~missing]
    codes, uniques = pd.factorize(present)
    uniques = pd.Series(uniques, dtype=object)
    weights = np.bincount(codes, minlength=len(uniques))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if date_format is not None:
            chosen = _given_reading(uniques, date_format)
            notes.append(f"dates read with format {date_format!r}")
        else:
            readings = _candidate_readings(uniques)
            chosen = _choose(readings, weights, present, codes, dayfirst, column, notes)
    values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if chosen is not None:
        values[~missing] = chosen.values.to_numpy()[codes]
    offsets = chosen is not None and chosen.order in ("iso", "given") and len(uniques) > 0
    if offsets and uniques.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True).any():
        notes.append("dates carried UTC offsets; converted to UTC, offset dropped")
    reading = DateReading(values, missing, notes)
    if reading.unparseable.any():
        reading.hint = _date_hint(text, reading.unparseable, chosen, column)
    return reading


def _given_reading(uniques: pd.Series, date_format: str) -> _Reading:
    parsed = pd.to_datetime(uniques, format=date_format, errors="coerce", utc=True)
    return _Reading(repr(date_format), "given", _naive(parsed))


def _naive(parsed) -> pd.Series:
    parsed = pd.Series(parsed)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _candidate_readings(uniques: pd.Series) -> list[_Reading]:
    readings = [_Reading("ISO 8601", "iso", _naive(pd.to_datetime(uniques, format="ISO8601", errors="coerce",
                                                                     utc=True)))]
    readings += _numeric_readings(uniques)
    if uniques.str.contains(r"[A-Za-z]{3}", regex=True).any():
        for fmt in _NAMED_FORMATS:
            parsed = _naive(pd.to_datetime(uniques, format=fmt, errors="coerce"))
            if parsed.notna().any():
                readings.append(_Reading(fmt, "named", parsed))
    return [r for r in readings if r.values.notna().any()]


def _numeric_readings(uniques: pd.Series) -> list[_Reading]:
    """Day-first and month-first readings of dd/mm/yyyy-like text, one pair per separator and year width.

    The date and the time of day are read apart, each distinct one once (a
    log has few distinct days even when every row has its own time).
    """
    halves = [v.partition(" ") for v in uniques]
    head_codes, heads = pd.factorize(pd.Series([h for h, _, _ in halves], dtype=object))
    parts = pd.Series(heads, dtype=object).str.extract(_DATE_PART)
    matched = parts["a"].notna().to_numpy()
    if not matched.any():
        return []
    tail_codes, tails = pd.factorize(pd.Series([t.strip() for _, _, t in halves], dtype=object))
    time, time_ok, shape = _time_of_day(pd.Series(tails, dtype=object))
    time, time_ok, shape = time[tail_codes], time_ok[tail_codes], shape[tail_codes]
    a, b, y = (parts[k].astype(float) for k in "aby")
    width = parts["y"].str.len()
    year = y.where(width != 2, y + np.where(y < 69, 2000, 1900))
    key = (parts["sep"] + width.astype("Int64").astype(str)).to_numpy()
    readings = []
    for group in pd.unique(key[matched]):
        sep, ylab = group[0], ("%Y" if group[1:] == "4" else "%y")
        in_heads = key == group
        label_time, exact = _time_label(shape[in_heads[head_codes]])
        for order, (day, month) in (("dmy", (a, b)), ("mdy", (b, a))):
            ok = in_heads & month.between(1, 12).to_numpy() & day.between(1, 31).to_numpy()
            days = np.full(len(heads), np.datetime64("NaT"), dtype="datetime64[ns]")
            if ok.any():
                ymd = pd.DataFrame({"year": year[ok], "month": month[ok], "day": day[ok]}).astype("int64")
                days[ok] = pd.to_datetime(ymd, errors="coerce").to_numpy()
            values = pd.Series(days[head_codes] + time, dtype="datetime64[ns]").where(time_ok)
            fmt = f"%d{sep}%m{sep}{ylab}" if order == "dmy" else f"%m{sep}%d{sep}{ylab}"
            readings.append(_Reading(fmt + label_time, order, values, exact, (sep, ylab)))
    return readings


def _time_of_day(tails: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text after the date: the time of day (timedelta64), whether it reads, and its shape.

    The shape is "" (no time), "HM", "HMS", "HMp" or "HMSp" (with AM/PM).
    """
    parts = tails.str.extract(_TIME_PART)
    hour, minute, second = (parts[k].astype(float).fillna(0) for k in ("H", "M", "S"))
    ampm = parts["p"].fillna("").str.lower().str[:1]
    ok = ((minute < 60) & (second < 60) & np.where(ampm == "", hour < 24, hour.between(1, 12))).to_numpy()
    ok = (ok & parts["H"].notna().to_numpy()) | (tails == "").to_numpy()
    hour = hour.where(ampm == "", hour % 12 + np.where(ampm == "p", 12, 0))
    time = pd.to_timedelta(hour * 3600 + minute * 60 + second, unit="s").to_numpy()
    shape = np.where(parts["H"].notna(), "HM", "") + np.where(parts["S"].notna(), "S", "")
    shape = shape + np.where(parts["p"].notna(), "p", "")
    return time, ok, shape.astype(object)


def _time_label(shapes: np.ndarray) -> tuple[str, bool]:
    """The time part of a format's label, and whether one format fits every row (no optional time)."""
    timed = shapes[shapes != ""]
    if len(timed) == 0:
        return "", True
    seconds = ":%S" if all("S" in t for t in timed) else ""
    clock = f" %I:%M{seconds} %p" if all("p" in t for t in timed) else f" %H:%M{seconds}"
    exact = len(set(shapes)) == 1
    return (clock if exact else f" [{clock.strip()}]"), exact


def _choose(readings, weights, present, codes, dayfirst, column, notes) -> _Reading | None:
    """The one reading of the column, or an AmbiguousDateError; adds the note that says which and why."""
    if dayfirst is not None:
        readings = [r for r in readings if r.order != ("mdy" if dayfirst else "dmy")]
    if not readings:
        return None
    cover = [int(weights[r.values.notna().to_numpy()].sum()) for r in readings]
    order = sorted(range(len(readings)), key=lambda i: -cover[i])
    best, top = readings[order[0]], cover[order[0]]
    rows = _Rows(present, np.unique(codes, return_index=True)[1])
    for i in order[1:]:
        rival = readings[i]
        twin = rival.group == best.group and {rival.order, best.order} == {"dmy", "mdy"}
        if not twin and cover[i] < top:
            continue
        b_ok, r_ok = best.values.notna(), rival.values.notna()
        differ = (b_ok & r_ok & (best.values != rival.values)).to_numpy()
        if twin and (r_ok & ~b_ok).any():
            raise AmbiguousDateError(_mixed_orders_message(best, rival, rows, column))
        if cover[i] == top and (differ.any() or (r_ok != b_ok).any()):
            if twin:
                raise AmbiguousDateError(_two_orders_message(best, rival, differ, rows, column))
            raise AmbiguousDateError(_tie_message(best, rival, top, rows, column))
    note = _reading_note(best, readings, top, int(weights.sum()), rows, column, dayfirst)
    if note:
        notes.append(note)
    return best


class _Rows:
    """Where each distinct text value first occurs, to show it as "row 7: '02/08/2024'"."""

    def __init__(self, present: pd.Series, first_positions: np.ndarray):
        self.present, self.first = present, first_positions

    def show(self, unique: int) -> str:
        pos = self.first[unique]
        return f"row {_label(self.present.index[pos])} ({self.present.iloc[pos]!r})"

    def text(self, unique: int) -> str:
        return self.present.iloc[self.first[unique]]


def _reading_note(best, readings, top, n, rows, column, dayfirst) -> str:
    if best.order == "iso" and top == n:
        return ""
    how = {"dmy": "day first", "mdy": "month first"}.get(best.order, "")
    what = f"column {column!r} read {how + ' ' if how else ''}with format {best.label!r}"
    if best.order == "iso":
        what = f"column {column!r} read as ISO 8601 (YYYY-MM-DD)"
    if dayfirst is not None and how:
        why = f"as dayfirst={dayfirst} asks"
    else:
        why = ("the only format that fits every date" if top == n
               else f"the format that fits the most dates ({top:,} of {n:,})")
        twin = [r for r in readings if r.group == best.group and r is not best and how]
        only = np.flatnonzero((best.values.notna() & twin[0].values.isna()).to_numpy()) if twin else []
        if len(only):
            why += f"; {rows.show(only[0])} cannot be {twin[0].words}"
    if "%y" in best.label:
        why += "; two-digit years 00-68 read as 2000-2068, 69-99 as 1969-1999"
    return f"{what}: {why}"


def _two_orders_message(best, rival, differ, rows, column) -> str:
    dmy, mdy = (best, rival) if best.order == "dmy" else (rival, best)
    shown = "\n".join(f"  {rows.show(u)} -> {dmy.values[u]:%Y-%m-%d} day first, "
                      f"{mdy.values[u]:%Y-%m-%d} month first" for u in np.flatnonzero(differ)[:3])
    return (f"Column {column!r} can be read two ways: its dates fit both day first ({dmy.shown}) and month "
            f"first ({mdy.shown}), and the two give different days. custlab does not guess which:\n{shown}\n"
            f"Pass {_how_to_pass(dmy, True)} if the day comes first, or {_how_to_pass(mdy, False)} if the "
            "month comes first.")


def _mixed_orders_message(best, rival, rows, column) -> str:
    dmy, mdy = (best, rival) if best.order == "dmy" else (rival, best)
    only_d = np.flatnonzero((dmy.values.notna() & mdy.values.isna()).to_numpy())[0]
    only_m = np.flatnonzero((mdy.values.notna() & dmy.values.isna()).to_numpy())[0]
    return (f"Column {column!r} mixes day-first and month-first dates: {rows.show(only_d)} can only be "
            f"day first, {rows.show(only_m)} only month first. One column is never read two ways: pass "
            f"{_how_to_pass(dmy, True)} if the day comes first, or {_how_to_pass(mdy, False)} if the month "
            "does; dates that do not fit are then rejected (unparseable_date).")


def _tie_message(best, rival, top, rows, column) -> str:
    def example(r):
        return f"{rows.text(np.flatnonzero(r.values.notna().to_numpy())[0])!r} ({r.shown})"
    iso = " (date_format='ISO8601' for YYYY-MM-DD)" if "iso" in (best.order, rival.order) else ""
    return (f"Column {column!r} holds dates in two formats, {top:,} rows each: e.g. {example(best)} and "
            f"{example(rival)}. One column is never read two ways: pass date_format= with the format to "
            f"use{iso}; rows in the other format are then rejected.")


def _how_to_pass(r: _Reading, first: bool) -> str:
    return f"dayfirst={first} (or date_format={r.label!r})" if r.exact else f"dayfirst={first}"


def _date_hint(text: pd.Series, bad: np.ndarray, chosen: _Reading | None, column: str) -> str:
    n = int(bad.sum())
    examples = _examples(text, bad)
    if chosen is None:
        hint = (f"{n:,} date(s) in column {column!r} fit no common date format ({examples}): "
                "pass date_format= (e.g. '%d/%m/%Y')")
    else:
        hint = (f"{n:,} date(s) in column {column!r} do not fit {chosen.shown}, the one format the column is "
                f"read with ({examples}); if the file uses another format, pass date_format=")
    bad_text = text[bad].astype(str)
    if bad_text.str.fullmatch(r"\d{5}(?:\.\d+)?").all():
        hint += "; numbers such as 45321 are Excel day serials: format the column as dates before exporting"
    elif bad_text.str.contains(r"^1[34]\d\d[-/.]|[-/.]1[34]\d\d$", regex=True).any():
        hint += ("; years such as 1402 are Solar Hijri (Persian calendar) years: convert the dates to the "
                 "Gregorian calendar first")
    return hint


# --------------------------------------------------------------------------- amounts

_SYMBOLS = ("US$", "C$", "A$", "R$", "HK$", "NZ$", "$", "€", "£", "¥", "₽", "₹", "₩", "₪", "₺", "₴", "₸", "₫",
            "₱", "฿", "₼", "₾", "﷼", "zł", "zl", "Kč", "kr.", "kr", "Ft", "lei", "руб.", "руб", "р.", "грн",
            "ریال", "تومان", "ر.س", "د.إ")
_CODES = ("USD EUR GBP JPY CNY RUB PLN CZK HUF RON BGN SEK NOK DKK ISK CHF TRY UAH BYN KZT GEL AMD AZN IRR "
          "IRT AED SAR QAR KWD BHD OMR EGP ILS INR PKR CAD AUD NZD MXN BRL ARS CLP COP ZAR KRW SGD HKD TWD "
          "THB MYR IDR PHP VND NGN KES").split()
# Marks that name the same currency (a "$" alone could be any dollar, so it stays apart).
_SAME_CURRENCY = {"€": "EUR", "£": "GBP", "¥": "JPY", "₽": "RUB", "руб.": "RUB", "руб": "RUB", "р.": "RUB",
                  "zł": "PLN", "zl": "PLN", "﷼": "IRR", "ریال": "IRR", "تومان": "IRT", "US$": "USD",
                  "₴": "UAH", "грн": "UAH", "₹": "INR", "₺": "TRY", "Kč": "CZK", "Ft": "HUF", "R$": "BRL",
                  "C$": "CAD", "A$": "AUD", "HK$": "HKD", "NZ$": "NZD", "₪": "ILS", "₩": "KRW"}
_CUR = "|".join(re.escape(c) for c in sorted((*_SYMBOLS, *_CODES), key=len, reverse=True))
_LEAD_CUR = re.compile(rf"^([-+]?)\s*({_CUR})\s*(.*)$", re.DOTALL)
_TRAIL_CUR = re.compile(rf"^(.*?)\s*({_CUR})$", re.DOTALL)
_SPACES = " \u00a0\u202f\u2009"
_SPECIAL = {"inf": np.inf, "+inf": np.inf, "-inf": -np.inf, "infinity": np.inf, "-infinity": -np.inf}


@dataclass
class AmountReading:
    """Amounts of a column: ``values`` (float, NaN where not read), masks, notes and a hint."""

    values: pd.Series
    missing: np.ndarray
    notes: list[str] = field(default_factory=list)
    hint: str | None = None

    @property
    def non_numeric(self) -> np.ndarray:
        return self.values.isna().to_numpy() & ~self.missing


def _split_currency(text: str) -> tuple[str, str | None, bool]:
    """The number's text, the currency mark removed (or None), and whether it was in parentheses."""
    negative = len(text) > 2 and text[0] == "(" and text[-1] == ")"  # accounting notation: (12.50)
    if negative:
        text = text[1:-1].strip()
    cur = None
    m = _LEAD_CUR.match(text)
    if m:
        text, cur = m.group(1) + m.group(3), m.group(2)
    else:
        m = _TRAIL_CUR.match(text)
        if m and m.group(1):
            text, cur = m.group(1), m.group(2)
    if negative and text[:1] not in "-+":
        text = "-" + text
    return text, cur, negative


def _number_pattern(decimal: str, thousands: str | None) -> re.Pattern:
    d = re.escape(decimal)
    plain = rf"[-+]?(?:\d+(?:{d}\d*)?|{d}\d+)(?:[eE][-+]?\d+)?"
    if thousands is None:
        return re.compile(plain)
    t = (f"[{_SPACES}]" if thousands.strip() == "" else "['\u2019]" if thousands in "'\u2019"
         else re.escape(thousands))
    return re.compile(rf"{plain}|[-+]?\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d*)?")


def _to_numbers(texts: pd.Series, decimal: str, thousands: str | None) -> pd.Series:
    """Floats from number text under one decimal mark and thousands separator; NaN where it does not fit."""
    pattern = _number_pattern(decimal, thousands)
    drop = (_SPACES if thousands is not None and thousands.strip() == "" else
            "'\u2019" if thousands is not None and thousands in "'\u2019" else (thousands or ""))

    def one(t: str) -> float:
        t = t.replace("\u066b", decimal).replace("\u066c", "")
        special = _SPECIAL.get(t.lower())
        if special is not None:
            return special
        if not pattern.fullmatch(t):
            return np.nan
        for ch in drop:
            t = t.replace(ch, "")
        return float(t.replace(decimal, ".")) if decimal != "." else float(t)

    return pd.Series([one(t) for t in texts], index=texts.index, dtype=float)


def parse_amounts(raw: pd.Series, *, decimal: str = ".", thousands: str | None = None,
                  column: str = "amount") -> AmountReading:
    """Read an amount column as floats, honouring the decimal mark and thousands separator.

    Numbers stay numbers. Text may carry a currency symbol or code before or
    after the number (``"€ 12,50"``, ``"12.50 USD"``, ``"1 250 ₽"``,
    ``"125٬000 ریال"``): it is removed and counted in the notes. Persian and
    Arabic-Indic digits read as 0-9; ``"(12.50)"`` (accounting) reads as -12.5.
    Nothing else is guessed: ``"1,100"`` is a number only under ``decimal=","``
    or ``thousands=","``, and when amounts fail to read but would read with
    other settings, the hint names them.

    Parameters
    ----------
    raw : pandas.Series
    decimal : {".", ","}
        The decimal mark.
    thousands : str, optional
        The thousands separator: ``","``, ``"."``, ``" "`` (any space, also
        no-break spaces) or ``"'"``. Amounts without it still read.
    column : str
        The column's name, for messages.

    Returns
    -------
    AmountReading
        ``values`` (float, currency units), ``missing`` and ``non_numeric``
        masks, ``notes`` and ``hint``.

    Examples
    --------
    >>> r = parse_amounts(pd.Series(["1.100,50 €", "12,50 €", "3"]), decimal=",", thousands=".")
    >>> r.values.tolist(), r.notes
    ([1100.5, 12.5, 3.0], ["currency marks removed from 2 amount(s) in column 'amount': '€' (2)"])
    """
    _check_marks(decimal, thousands)
    if pd.api.types.is_numeric_dtype(raw):
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        return AmountReading(values, raw.isna().to_numpy())
    values = raw.astype("object")
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        is_text = values.notna().to_numpy()
    else:
        is_text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    out = pd.Series(np.nan, index=raw.index, dtype=float)
    if not is_text.all():
        out[~is_text] = pd.to_numeric(values[~is_text], errors="coerce").astype(float)
    text, missing, n_digits = _as_text(values.where(is_text, None))
    missing = (missing & is_text) | (~is_text & raw.isna().to_numpy())
    codes, uniques = pd.factorize(text[is_text & ~missing])
    split = [_split_currency(t) for t in uniques]
    numbers = pd.Series([s[0] for s in split], dtype=object)
    parsed = _to_numbers(numbers, decimal, thousands)
    out[is_text & ~missing] = parsed.to_numpy()[codes]
    weights = np.bincount(codes, minlength=len(uniques))
    currencies = pd.Series(weights).groupby(pd.Series([s[1] for s in split], dtype=object)).sum()
    reading = AmountReading(out, missing)
    reading.notes = _amount_notes(currencies, n_digits, numbers, decimal, thousands, column)
    n_brackets = int(weights[np.array([s[2] for s in split], dtype=bool)].sum()) if split else 0
    if n_brackets:
        reading.notes.append(f"{n_brackets:,} amount(s) in column {column!r} in parentheses, read as "
                             "negative (accounting notation)")
    if parsed.isna().any():
        reading.hint = _amount_hint(numbers, parsed, weights, decimal, thousands, column)
    return reading


def _check_marks(decimal: str, thousands: str | None) -> None:
    if decimal not in (".", ","):
        raise ValueError(f"decimal={decimal!r}; use '.' or ','.")
    if thousands is not None and (len(thousands) != 1 or thousands.isdigit() or thousands == decimal):
        raise ValueError(f"thousands={thousands!r}; use one character other than the decimal mark "
                         f"({decimal!r}), such as ',', '.', ' ' or \"'\" (or None).")


def _amount_notes(currencies: pd.Series, n_digits, numbers, decimal, thousands, column) -> list[str]:
    """Notes on currency marks (rows per mark), non-ASCII digits, and amounts that look like thousands."""
    notes = []
    if len(currencies):
        counts = currencies.sort_values(ascending=False, kind="stable")
        listed = ", ".join(f"{c!r} ({n:,})" for c, n in counts.items())
        notes.append(f"currency marks removed from {int(counts.sum()):,} amount(s) in column {column!r}: "
                     f"{listed}")
        if len({_SAME_CURRENCY.get(c, c) for c in counts.index}) > 1:
            marks = ", ".join(map(repr, counts.index))
            notes.append(f"column {column!r} carries more than one currency ({marks}); the amounts are added "
                         "as they are: convert them to one currency first")
    if n_digits:
        notes.append(f"{n_digits:,} amount(s) in column {column!r} written with Persian or Arabic digits, "
                     "read as 0-9")
    if thousands is None and len(numbers):
        marked = numbers[numbers.str.contains(decimal, regex=False)]
        if len(marked) and marked.str.fullmatch(rf"[-+]?\d{{1,3}}{re.escape(decimal)}\d{{3}}").all():
            other = "," if decimal == "." else "."
            notes.append(f"every amount with a {decimal!r} has exactly three digits after it (e.g. "
                         f"{marked.iloc[0]!r}): if {decimal!r} separates thousands in this file, pass "
                         f"thousands={decimal!r} and decimal={other!r}")
    return notes


def _amount_hint(numbers: pd.Series, parsed: pd.Series, weights, decimal, thousands, column) -> str:
    failed = parsed.isna().to_numpy()
    n_bad = int(weights[failed].sum())
    examples = ", ".join(repr(v) for v in numbers[failed].head(3))
    setting = f"decimal={decimal!r}" + (f" and thousands={thousands!r}" if thousands else "")
    head = f"{n_bad:,} amount(s) in column {column!r} are not numbers with {setting} (e.g. {examples})"
    options = []
    for dec in (".", ","):
        for tho in (None, ",", ".", " ", "'"):
            if (dec, tho) == (decimal, thousands) or tho == dec:
                continue
            alt = _to_numbers(numbers, dec, tho)
            fixed = int(weights[failed & alt.notna().to_numpy()].sum())
            if fixed:
                kept = int(weights[alt.notna().to_numpy()].sum())
                options.append((-kept, (dec != decimal) + (tho != thousands), tho is not None, dec, tho, alt))
    if not options:
        return head + ": no decimal mark or thousands separator reads them"
    options.sort(key=lambda o: o[:3])
    best = options[0]
    same = [o for o in options if o[0] == best[0] and not np.allclose(o[5].fillna(-1), best[5].fillna(-1))]
    if same:
        other = same[0]
        a, b = _change(best, decimal, thousands), _change(other, decimal, thousands)
        both = (best[5].notna() & other[5].notna() & (best[5] != other[5])).to_numpy()
        if both.any():
            pos = int(np.flatnonzero(both)[0])
            return (f"{head}: {numbers.iloc[pos]!r} reads as {best[5].iloc[pos]:g} with {a} but as "
                    f"{other[5].iloc[pos]:g} with {b}; custlab does not guess: pass the one the file uses")
        return (f"{head}: as many amounts read with {a} as with {b}, but not the same ones; "
                "custlab does not guess: pass the one the file uses")
    marks = _marks(best[3], best[4])
    hint = f"{head}: they read as numbers with {marks}; pass {_change(best, decimal, thousands)}"
    changed = (~failed) & (best[5] != parsed).to_numpy() & best[5].notna().to_numpy()
    if changed.any():
        pos = int(np.flatnonzero(changed)[0])
        hint += (f" (this also changes {numbers.iloc[pos]!r} from {parsed.iloc[pos]:g} "
                 f"to {best[5].iloc[pos]:g})")
    return hint


def _change(option, decimal: str, thousands: str | None) -> str:
    """The arguments to pass to go from the current settings to ``option``."""
    dec, tho = option[3], option[4]
    parts = [f"decimal={dec!r}"] if dec != decimal else []
    if tho != thousands:
        parts.append(f"thousands={tho!r}")
    return " and ".join(parts)


def _marks(decimal: str, thousands: str | None) -> str:
    return f"decimal={decimal!r}" + (f", thousands={thousands!r}" if thousands else "")
