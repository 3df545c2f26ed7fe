"""The transaction-log contract, and the validation that enforces it.

A transaction log has one row per purchase (or purchase line) with a customer
id, a date and an amount in currency units. :func:`validate_transactions`
checks every row and returns the rows it accepts together with a
:class:`ValidationReport` that accounts for every row: rows in = rows accepted
+ rows rejected, per reason, with example rows for each reason.

Nothing is dropped silently. Zero amounts and exact duplicate rows are kept
and counted (CDNOW, for one, has genuine identical lines: two copies of the
same CD on the same day); ``duplicates="reject"`` drops the repeats instead.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "REJECT_REASONS",
    "SchemaError",
    "TransactionValidationError",
    "ValidationReport",
    "validate_transactions",
    "require_columns",
]

#: Why a row can be rejected, in the order the checks run (a row gets the first that applies).
REJECT_REASONS: dict[str, str] = {
    "missing_customer_id": "the customer id is empty",
    "missing_date": "the date is empty",
    "unparseable_date": "the date could not be read as a date",
    "missing_amount": "the amount is empty",
    "non_numeric_amount": "the amount is not a number",
    "non_finite_amount": "the amount is infinite",
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


def _parse_dates(raw: pd.Series, date_format: str | None, notes: list[str]) -> pd.Series:
    """Dates as naive datetime64[ns]; NaT where unparseable. Time zones are dropped (wall clock kept)."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        notes.append(f"dates carried time zone {raw.dt.tz}; local wall-clock times kept, zone dropped")
        return raw.dt.tz_localize(None).astype("datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.astype("datetime64[ns]")
    values = raw
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        # Numbers such as 19970101 are yyyymmdd dates (as in CDNOW); anything else needs a format.
        as_int = pd.to_numeric(raw, errors="coerce")
        values = as_int.map(lambda v: f"{int(v)}" if pd.notna(v) and float(v).is_integer() else None)
        date_format = date_format or "%Y%m%d"
    values = values.astype("object").where(values.notna(), None)
    values = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    values = values.where(values != "", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if date_format is None:
            parsed = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)
            bad = parsed.isna() & values.notna()
            if bad.any():
                # Not ISO 8601: let pandas infer one format from the data.
                inferred = pd.to_datetime(values, errors="coerce", utc=True)
                if inferred.notna().sum() > parsed.notna().sum():
                    parsed = inferred
                    notes.append("dates are not ISO 8601; one format was inferred from the data")
        else:
            parsed = pd.to_datetime(values, errors="coerce", format=date_format, utc=True)
            notes.append(f"dates read with format {date_format!r}")
    strings = values.dropna().astype(str)
    if strings.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True).any():
        notes.append("dates carried UTC offsets; converted to UTC, offset dropped")
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")


def validate_transactions(
    df: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    observation_end: str | pd.Timestamp | None = None,
    date_format: str | None = None,
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
        A ``strftime`` format such as ``"%d/%m/%Y"``. By default ISO 8601 is
        tried, then one format inferred from the data.
    duplicates : {"keep", "reject"}
        What to do with rows that repeat an earlier row exactly. Kept by default
        (counted in the report): identical purchase lines can be genuine.
    strict : bool
        If True, raise at the first kind of problem instead of rejecting rows.

    Returns
    -------
    clean : pandas.DataFrame
        The accepted rows, original index and column names; the date column as
        ``datetime64[ns]`` (time zones dropped, wall clock kept), the amount as float.
    report : ValidationReport
        Rows in, accepted and rejected per reason, with example rows.

    Raises
    ------
    SchemaError
        A column is missing (the message lists the columns found), or the frame is empty.
    TransactionValidationError
        ``strict=True`` and a row breaks the contract, or every row was rejected.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": ["a", "a", None],
    ...                     "date": ["2024-01-02", "2024-02-30", "2024-01-05"],
    ...                     "amount": [10.0, 5.0, 7.5]})
    >>> clean, report = validate_transactions(raw)
    >>> print(report)
    3 rows in: 1 accepted, 2 rejected
      rejected 1: the customer id is empty (missing_customer_id)
      rejected 1: the date could not be read as a date (unparseable_date)
      note: some dates were not understood: pass date_format= (e.g. '%d/%m/%Y')
    """
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

    notes: list[str] = []
    cust = df[customer_col]
    cust_str = cust.astype("string").str.strip()
    missing_customer = cust.isna().to_numpy() | (cust_str == "").fillna(True).to_numpy()

    raw_date = df[date_col]
    dates = _parse_dates(raw_date, date_format, notes)
    raw_date_missing = raw_date.isna().to_numpy()
    if raw_date.dtype == object or pd.api.types.is_string_dtype(raw_date):
        raw_date_missing |= (raw_date.astype("string").str.strip() == "").fillna(False).to_numpy()
    missing_date = raw_date_missing
    unparseable_date = dates.isna().to_numpy() & ~missing_date

    raw_amount = df[amount_col]
    amount = pd.to_numeric(raw_amount, errors="coerce").astype(float)
    amount_missing = raw_amount.isna().to_numpy()
    if raw_amount.dtype == object or pd.api.types.is_string_dtype(raw_amount):
        amount_missing |= (raw_amount.astype("string").str.strip() == "").fillna(False).to_numpy()
    non_numeric = amount.isna().to_numpy() & ~amount_missing
    non_finite = np.isinf(amount.to_numpy())
    negative = (amount < 0).to_numpy() & ~non_finite

    end = None
    if observation_end is not None:
        end = pd.Timestamp(observation_end)
        end_exclusive = end.normalize() + pd.Timedelta(days=1) if end == end.normalize() else end
        after_end = (dates >= end_exclusive).fillna(False).to_numpy()
    else:
        after_end = np.zeros(len(df), dtype=bool)

    dup = df.duplicated(keep="first").to_numpy()

    checks: list[tuple[str, np.ndarray, str]] = [
        ("missing_customer_id", missing_customer, customer_col),
        ("missing_date", missing_date, date_col),
        ("unparseable_date", unparseable_date, date_col),
        ("missing_amount", amount_missing, amount_col),
        ("non_numeric_amount", non_numeric, amount_col),
        ("non_finite_amount", non_finite, amount_col),
        ("negative_amount", negative, amount_col),
        ("after_observation_end", after_end, date_col),
    ]
    if duplicates == "reject":
        checks.append(("duplicate_row", dup, "all columns"))

    reason = np.full(len(df), "", dtype=object)
    for key, mask, _col in checks:
        reason[(reason == "") & mask] = key
    accepted_mask = reason == ""

    rejected: dict[str, int] = {}
    examples: dict[str, pd.DataFrame] = {}
    for key, _mask, col in checks:
        hit = reason == key
        n = int(hit.sum())
        if n == 0:
            continue
        rejected[key] = n
        examples[key] = df.loc[hit].head(_EXAMPLES_PER_REASON)
        if strict:
            report = _make_report(df, accepted_mask, rejected, examples, amount, dup, duplicates, notes)
            raise TransactionValidationError(
                f"Column {col!r}: {n:,} row(s) where {REJECT_REASONS[key]} ({key}). "
                f"First offending rows:\n{examples[key].to_string()}"
                + ("\nTry date_format='%d/%m/%Y' (or the format your file uses)."
                   if key == "unparseable_date" else ""),
                report,
            )

    if "unparseable_date" in rejected and date_format is None:
        notes.append("some dates were not understood: pass date_format= (e.g. '%d/%m/%Y')")
    report = _make_report(df, accepted_mask, rejected, examples, amount, dup, duplicates, notes)
    if report.rows_accepted == 0:
        raise TransactionValidationError(
            f"All {report.rows_in:,} rows were rejected; nothing is left to analyse.\n{report}\n"
            + "\n".join(f"{k}: first rows\n{v.to_string()}" for k, v in examples.items()),
            report,
        )

    clean = df.loc[accepted_mask].copy()
    clean[date_col] = dates[accepted_mask]
    clean[amount_col] = amount[accepted_mask]
    return clean, report


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
