"""The transaction-log contract, and the validation that enforces it.

A transaction log has one row per purchase (or purchase line) with a customer
id, a date and an amount in currency units. :func:`validate_transactions`
checks every row and returns the rows it accepts together with a
:class:`ValidationReport` that accounts for every row: rows in = rows accepted
+ rows rejected, per reason, with example rows for each reason.

Nothing is dropped silently. Zero amounts and exact duplicate rows are kept
and counted (CDNOW, for one, has genuine identical lines: two copies of the
same CD on the same day); ``duplicates="reject"`` drops the repeats instead.

Text is read the way :mod:`custlab.readers` reads it: one date format for the
whole column (never a guess between day first and month first), amounts with
the decimal mark and thousands separator given, currency marks removed. Every
conversion is listed in the report's notes. :func:`require_complete` is the
check that functions taking an unvalidated frame run first.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from custlab.readers import NULL_TEXT, AmbiguousDateError, parse_amounts, parse_dates

__all__ = [
    "REJECT_REASONS",
    "AmbiguousDateError",
    "SchemaError",
    "TransactionValidationError",
    "ValidationReport",
    "amount_limit",
    "validate_transactions",
    "require_columns",
    "require_complete",
]

#: Why a row can be rejected, in the order the checks run (a row gets the first that applies).
REJECT_REASONS: dict[str, str] = {
    "missing_customer_id": "the customer id is empty",
    "missing_date": "the date is empty",
    "unparseable_date": "the date could not be read as a date",
    "missing_amount": "the amount is empty",
    "non_numeric_amount": "the amount is not a number",
    "non_finite_amount": "the amount is infinite",
    "amount_too_large": (
        "the amount is so large that adding up the amounts could overflow: its size is above the largest "
        "float (about 1.8e308) divided by the number of rows in"
    ),
    "negative_amount": "the amount is negative (a return or a refund)",
    "after_observation_end": "the date is after the end of the observation window",
    "duplicate_row": "the row repeats an earlier row exactly",
}
_EXAMPLES_PER_REASON = 3


class SchemaError(ValueError):
    """A required column is missing, or the frame cannot be a transaction log at all."""


class TransactionValidationError(ValueError):
    """Rows break the contract (``strict=True``), or no row at all is usable.

    The full :class:`ValidationReport` is attached as ``.report``.
    """

    def __init__(self, message: str, report: "ValidationReport"):
        super().__init__(message)
        self.report = report


@dataclass
class ValidationReport:
    """What happened to every row of a transaction log.

    Attributes
    ----------
    rows_in, rows_accepted, rows_rejected : int
        Row counts; ``rows_in == rows_accepted + rows_rejected`` always.
    rejected : dict[str, int]
        Rows rejected, per reason (keys of :data:`REJECT_REASONS`), only reasons that occurred.
    kept : dict[str, int]
        Accepted rows worth knowing about: ``zero_amount``, ``duplicate_row`` (when kept).
    examples : dict[str, pandas.DataFrame]
        Up to three offending rows per reason, with their original index.
    notes : list[str]
        Conversions applied (time zones dropped, date format used, ...).
    """

    rows_in: int
    rows_accepted: int
    rows_rejected: int
    rejected: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    examples: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.rows_in != self.rows_accepted + self.rows_rejected:
            raise AssertionError("validation lost rows: this is a bug in custlab")
        if sum(self.rejected.values()) != self.rows_rejected:
            raise AssertionError("rejection reasons do not add up: this is a bug in custlab")

    def to_frame(self) -> pd.DataFrame:
        """One row per outcome: accepted, each rejection reason, and the total.

        Columns: ``outcome``, ``rows``, ``share`` (percent of rows in), ``meaning``.
        """
        rows = [("accepted", self.rows_accepted, "rows that meet the contract")]
        for key, n in self.kept.items():
            rows.append((f"  of which {key}", n, _KEPT_MEANING[key]))
        for key, n in self.rejected.items():
            rows.append((f"rejected: {key}", n, REJECT_REASONS[key]))
        rows.append(("total rows in", self.rows_in, "accepted + rejected"))
        out = pd.DataFrame(rows, columns=["outcome", "rows", "meaning"])
        share = 100.0 * out["rows"] / self.rows_in if self.rows_in else 0.0
        out.insert(2, "share_pct", np.round(share, 2))
        return out

    def __str__(self) -> str:
        lines = [
            f"{self.rows_in:,} rows in: {self.rows_accepted:,} accepted, "
            f"{self.rows_rejected:,} rejected"
        ]
        for key, n in self.rejected.items():
            lines.append(f"  rejected {n:,}: {REJECT_REASONS[key]} ({key})")
        for key, n in self.kept.items():
            lines.append(f"  kept {n:,}: {_KEPT_MEANING[key]} ({key})")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{n}</li>" for n in self.notes)
        notes_html = f"<ul>{notes}</ul>" if notes else ""
        return self.to_frame().to_html(index=False) + notes_html

    __repr__ = __str__


_KEPT_MEANING = {
    "zero_amount": "amount is exactly 0 (kept: free items still count as purchases)",
    "duplicate_row": "row repeats an earlier row exactly (kept: pass duplicates='reject' to drop)",
}


def require_columns(df: pd.DataFrame, columns: dict[str, str], *, what: str = "data") -> None:
    """Raise :class:`SchemaError` naming each missing column and the columns found.

    Parameters
    ----------
    df : pandas.DataFrame
    columns : dict
        ``{keyword_argument: column_name}``, e.g. ``{"customer_col": "customer_id"}``.
    what : str
        What the frame is, for the message ("transaction log", "rfm table", ...).
    """
    found = [str(c) for c in df.columns]
    missing = {kw: col for kw, col in columns.items() if col not in df.columns}
    if not missing:
        return
    parts = []
    for kw, col in missing.items():
        close = difflib.get_close_matches(str(col), found, n=1)
        hint = f" (did you mean {kw}={close[0]!r}?)" if close else f" (pass {kw}=...)"
        parts.append(f"{col!r}{hint}")
    raise SchemaError(
        f"The {what} has no column {', '.join(parts)}. Columns found: {found}."
    )


def amount_limit(n_rows: int) -> float:
    """The largest amount (in absolute value) that ``n_rows`` amounts can have without their sum overflowing.

    Parameters
    ----------
    n_rows : int
        Rows in the transaction log.

    Returns
    -------
    float
        The largest float (about 1.8e308) divided by ``n_rows``, in currency units.

    Examples
    --------
    >>> amount_limit(2) < 1e308 < amount_limit(1)
    True
    """
    return float(np.finfo(np.float64).max) / max(int(n_rows), 1)


_MIXED_KINDS = ("mixed", "mixed-integer")  # pandas.api.types.infer_dtype: numbers and text in one column
_ID_EDGES = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"  # zero-width and direction marks


def _id_text(value: Any) -> Any:
    if value is None or isinstance(value, str) or pd.isna(value):
        return value
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _normalise_ids(raw: pd.Series, column: str, notes: list[str]) -> tuple[pd.Series, np.ndarray]:
    """Customer ids with surrounding spaces removed and one type; and the mask of missing ids."""
    if not (raw.dtype == object or pd.api.types.is_string_dtype(raw)):
        return raw, raw.isna().to_numpy()
    values = raw.astype(object).where(raw.notna(), None)
    if pd.api.types.infer_dtype(values, skipna=True) in _MIXED_KINDS:
        is_text = values.map(lambda v: isinstance(v, str))
        numbers = values[~is_text & values.notna()]
        notes.append(
            f"column {column!r} mixed numbers ({len(numbers):,}, e.g. {numbers.iloc[0]!r}) and text "
            f"({int(is_text.sum()):,}, e.g. {values[is_text].iloc[0]!r}); every id is read as text, so 1 and "
            "'1' are one customer"
        )
        values = values.map(_id_text)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # each distinct id is cleaned once
    cleaned = [v.strip().strip(_ID_EDGES).strip() if isinstance(v, str) else v for v in uniques]
    changed_u = np.array([c != v for c, v in zip(cleaned, uniques)] + [False], dtype=bool)
    gone_u = np.array([isinstance(c, str) and c.lower() in NULL_TEXT for c in cleaned] + [True], dtype=bool)
    changed, missing = changed_u[codes], gone_u[codes]
    if changed.any():
        first = values[changed].iloc[0]
        notes.append(f"surrounding spaces removed from {int(changed.sum()):,} id(s) in column {column!r} "
                     f"(e.g. {first!r} read as {first.strip().strip(_ID_EDGES).strip()!r})")
    ids = pd.Series(np.array(cleaned + [None], dtype=object)[codes], index=raw.index, dtype=object)
    ids[missing] = None
    if raw.dtype != object:
        ids = ids.astype(raw.dtype)
    return ids, missing


def _whole_number_ids(clean: pd.DataFrame, column: str, notes: list[str]) -> None:
    ids = clean[column]
    if pd.api.types.is_float_dtype(ids) and len(ids) and np.all(np.mod(ids.to_numpy(), 1) == 0):
        clean[column] = ids.astype("int64")
        notes.append(f"customer ids in column {column!r} were decimals with nothing after the point "
                     "(e.g. 7.0); read as whole numbers")


def _check_arguments(df, duplicates, customer_col, date_col, amount_col) -> None:
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(
            f"validate_transactions needs a pandas DataFrame, got {type(df).__name__}. "
            "Read files with custlab.load_transactions(path)."
        )
    if duplicates not in ("keep", "reject"):
        raise ValueError(f"duplicates={duplicates!r}; use 'keep' or 'reject'.")
    require_columns(
        df,
        {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col},
        what="transaction log",
    )
    if len(df) == 0:
        raise SchemaError("The transaction log has no rows.")


def validate_transactions(
    df: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    observation_end: str | pd.Timestamp | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    duplicates: Literal["keep", "reject"] = "keep",
    strict: bool = False,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Check a transaction log row by row; return the accepted rows and a report.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per purchase (or purchase line). Other columns are kept as they are.
    customer_col, date_col, amount_col : str
        Column names of the customer id, the purchase date and the amount (currency units).
    observation_end : str or Timestamp, optional
        Last day of the observation window; rows dated later are rejected.
    date_format : str, optional
        A ``strftime`` format such as ``"%d/%m/%Y"``, used for every row. By
        default ISO 8601, else the one common format that fits (see
        :func:`custlab.readers.parse_dates`): dates that read both day first
        and month first are refused until ``date_format`` or ``dayfirst`` says which.
    dayfirst : bool, optional
        True for day-first dates (31/12/2024), False for month-first (12/31/2024).
    decimal : {".", ","}
        Decimal mark of amounts written as text.
    thousands : str, optional
        Thousands separator of amounts written as text (``","``, ``"."``, ``" "``, ``"'"``).
    duplicates : {"keep", "reject"}
        What to do with rows that repeat an earlier row exactly. Kept by default
        (counted in the report): identical purchase lines can be genuine.
    strict : bool
        If True, raise at the first kind of problem instead of rejecting rows.

    Returns
    -------
    clean : pandas.DataFrame
        The accepted rows, original index and column names; ids without
        surrounding spaces (all text when numbers and text were mixed); the
        date column as ``datetime64[ns]`` (time zones dropped, wall clock
        kept); the amount as float (currency units).
    report : ValidationReport
        Rows in, accepted and rejected per reason, with example rows; notes
        list every conversion and say what to pass when rows could not be read.

    Raises
    ------
    SchemaError
        A column is missing (the message lists the columns found), or the frame is empty.
    AmbiguousDateError
        The dates read two ways (day first and month first); pass ``date_format`` or ``dayfirst``.
    TransactionValidationError
        ``strict=True`` and a row breaks the contract, or every row was rejected.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": ["a ", "a", None],
    ...                     "date": ["2024-01-02", "2024-02-30", "2024-01-05"],
    ...                     "amount": ["10.00", "5", "7,50"]})
    >>> clean, report = validate_transactions(raw)
    >>> print(report)
    3 rows in: 1 accepted, 2 rejected
      rejected 1: the customer id is empty (missing_customer_id)
      rejected 1: the date could not be read as a date (unparseable_date)
      note: surrounding spaces removed from 1 id(s) in column 'customer_id' (e.g. 'a ' read as 'a')
      note: column 'date' read as ISO 8601 (YYYY-MM-DD): the format that fits the most dates (2 of 3)
      note: 1 date(s) in column 'date' do not fit ISO 8601 (YYYY-MM-DD), the one format the
        column is read with (row 1: '2024-02-30'); if the file uses another format, pass date_format=
    """
    _check_arguments(df, duplicates, customer_col, date_col, amount_col)
    notes: list[str] = []
    ids, missing_customer = _normalise_ids(df[customer_col], customer_col, notes)
    dates = parse_dates(df[date_col], date_format=date_format, dayfirst=dayfirst, column=date_col)
    amounts = parse_amounts(df[amount_col], decimal=decimal, thousands=thousands, column=amount_col)
    notes += dates.notes + amounts.notes
    hints = {"unparseable_date": dates.hint, "non_numeric_amount": amounts.hint}
    norm = df.copy()
    norm[customer_col], norm[date_col], norm[amount_col] = ids, dates.values, amounts.values
    checks = _row_checks(norm, missing_customer, dates, amounts, observation_end, duplicates,
                         (customer_col, date_col, amount_col))
    dup = checks.pop()[1] if duplicates == "keep" else checks[-1][1]
    reason = np.full(len(df), "", dtype=object)
    for key, mask, _col in checks:
        reason[(reason == "") & mask] = key
    accepted = reason == ""

    rejected: dict[str, int] = {}
    examples: dict[str, pd.DataFrame] = {}
    for key, _mask, col in checks:
        hit = reason == key
        if not hit.any():
            continue
        rejected[key] = int(hit.sum())
        examples[key] = df.loc[hit].head(_EXAMPLES_PER_REASON)
        if strict:
            report = _make_report(df, accepted, rejected, examples, amounts.values, dup, duplicates, notes)
            hint = f"\n{hints[key]}" if hints.get(key) else ""
            raise TransactionValidationError(
                f"Column {col!r}: {rejected[key]:,} row(s) where {REJECT_REASONS[key]} ({key}). "
                f"First offending rows:\n{examples[key].to_string()}{hint}",
                report,
            )
    notes += [hints[key] for key in rejected if hints.get(key)]
    report = _make_report(df, accepted, rejected, examples, amounts.values, dup, duplicates, notes)
    if report.rows_accepted == 0:
        raise TransactionValidationError(
            f"All {report.rows_in:,} rows were rejected; nothing is left to analyse.\n{report}\n"
            + "\n".join(f"{k}: first rows\n{v.to_string()}" for k, v in examples.items()),
            report,
        )
    clean = norm.loc[accepted].copy()
    _whole_number_ids(clean, customer_col, report.notes)
    return clean, report


def _row_checks(norm, missing_customer, dates, amounts, observation_end, duplicates, cols):
    """(reason, mask, column) in the order the checks run; the duplicate check last, always."""
    customer_col, date_col, amount_col = cols
    values = amounts.values.to_numpy()
    finite = np.isfinite(values)
    too_large = finite & (np.abs(np.where(finite, values, 0.0)) > amount_limit(len(norm)))
    if observation_end is not None:
        end = pd.Timestamp(observation_end)
        end_exclusive = end.normalize() + pd.Timedelta(days=1) if end == end.normalize() else end
        after_end = (dates.values >= end_exclusive).fillna(False).to_numpy()
    else:
        after_end = np.zeros(len(norm), dtype=bool)
    return [
        ("missing_customer_id", missing_customer, customer_col),
        ("missing_date", dates.missing, date_col),
        ("unparseable_date", dates.unparseable, date_col),
        ("missing_amount", amounts.missing, amount_col),
        ("non_numeric_amount", amounts.non_numeric, amount_col),
        ("non_finite_amount", np.isinf(values), amount_col),
        ("amount_too_large", too_large, amount_col),
        ("negative_amount", (values < 0) & finite, amount_col),
        ("after_observation_end", after_end, date_col),
        ("duplicate_row", norm.duplicated(keep="first").to_numpy(), "all columns"),
    ]


def _make_report(df, accepted_mask, rejected, examples, amount, dup, duplicates, notes):
    kept: dict[str, int] = {}
    zero = int(((amount == 0).to_numpy() & accepted_mask).sum())
    if zero:
        kept["zero_amount"] = zero
    if duplicates == "keep":
        n_dup = int((dup & accepted_mask).sum())
        if n_dup:
            kept["duplicate_row"] = n_dup
    return ValidationReport(
        rows_in=len(df),
        rows_accepted=int(accepted_mask.sum()),
        rows_rejected=int((~accepted_mask).sum()),
        rejected=rejected,
        kept=kept,
        examples=examples,
        notes=list(dict.fromkeys(notes)),
    )


# --------------------------------------------------------------------------- frames from elsewhere

def require_complete(
    data: Any,
    columns: dict[str, str | None],
    *,
    caller: str,
    amount_col: str | None = None,
) -> None:
    """Refuse a frame with missing values, or ids of mixed types, in the columns a function needs.

    Functions that take a transaction log without validating it (``rfm_summary``,
    ``customer_roles``) call this first, so a null id, a ``NaT`` date or a
    ``NaN`` amount gives a message that points to :func:`validate_transactions`
    instead of a wrong number or a bare traceback.

    Parameters
    ----------
    data : pandas or Polars DataFrame
    columns : dict
        ``{keyword_argument: column_name}``; ``None`` names are skipped. The
        ``customer_col`` entry is also checked for ids of mixed types (1 and "x").
    caller : str
        The function's name, for messages.
    amount_col : str, optional
        A column that must also hold finite amounts no larger than
        :func:`amount_limit` of the number of rows (currency units).

    Raises
    ------
    ValueError
        A column has missing values, mixed-type ids, or amounts that are
        infinite or so large that their sum could overflow.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2024-01-01", None])})
    >>> require_complete(tx, {"customer_col": "customer_id", "date_col": "date"}, caller="f")
    Traceback (most recent call last):
    ...
    ValueError: f: column 'date' (date_col) has 1 missing value(s) (null, NaT or NaN), at rows [1].
    Run custlab.validate_transactions first: it rejects such rows and counts them in its report.
    """
    frame = nw.from_native(data, eager_only=True)
    for kw, col in columns.items():
        if col is None:
            continue
        series = frame[col]
        bad = series.is_null()
        if series.dtype.is_float():
            bad = bad | series.is_nan().fill_null(False)
        if bad.any():
            raise ValueError(
                f"{caller}: column {col!r} ({kw}) has {int(bad.sum()):,} missing value(s) "
                f"(null, NaT or NaN), at {_rows(data, bad)}. Run custlab.validate_transactions first: "
                "it rejects such rows and counts them in its report."
            )
    customer_col = columns.get("customer_col")
    if customer_col is not None and frame[customer_col].dtype == nw.Object:
        native = frame[customer_col].to_native()
        values = native if isinstance(native, pd.Series) else frame[customer_col].to_list()
        if pd.api.types.infer_dtype(values, skipna=True) in _MIXED_KINDS:
            raise ValueError(
                f"{caller}: column {customer_col!r} (customer_col) mixes ids of different types (numbers and "
                "text, such as 1 and 'x'): they cannot be sorted, and 1 and '1' would be two customers. Run "
                "custlab.validate_transactions first: it makes every id text."
            )
    if amount_col is not None:
        _require_amounts(data, frame[amount_col], amount_col, caller)


def _require_amounts(data, series, amount_col: str, caller: str) -> None:
    limit = amount_limit(len(series))
    bad = ~series.is_finite() | (series.abs() > limit)
    if bad.any():
        raise ValueError(
            f"{caller}: column {amount_col!r} (amount_col) has {int(bad.sum()):,} amount(s) that are "
            f"infinite or larger than {limit:.3g} (the largest float divided by the number of rows: their "
            f"sum could overflow), at {_rows(data, bad)}. Run custlab.validate_transactions first: "
            "it rejects them."
        )


def _rows(data, mask) -> str:
    positions = np.flatnonzero(np.asarray(mask.to_numpy(), dtype=bool))[:_EXAMPLES_PER_REASON]
    if isinstance(data, pd.DataFrame):
        return f"rows {data.index[positions].tolist()}"
    return f"row positions {positions.tolist()}"
