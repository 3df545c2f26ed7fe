"""Bundled data sets, and the reader for a user's own transaction log.

Bundled files live in the repository's ``data/`` folder (or in the folder
named by the ``CUSTLAB_DATA_DIR`` environment variable) and are verified
against the sha256 recorded in ``data/README.md`` every time they are loaded.
Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from custlab.schema import SchemaError, ValidationReport, validate_transactions

__all__ = ["data_dir", "load_cdnow", "load_retention_cohorts", "load_transactions", "CDNOW_SHA256"]

#: sha256 of the bundled CDNOW files (as shipped in the MIT-licensed lifetimes 0.11.3 wheel).
CDNOW_SHA256 = {
    "CDNOW_master.txt": "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef",
    "CDNOW_sample.txt": "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
}


def data_dir() -> Path:
    """The folder holding the bundled data: ``$CUSTLAB_DATA_DIR`` or the repository's ``data/``."""
    env = os.environ.get("CUSTLAB_DATA_DIR")
    path = Path(env) if env else Path(__file__).resolve().parent.parent / "data"
    if not path.is_dir():
        raise FileNotFoundError(
            f"custlab's data folder {path} does not exist. Run from a clone of the custlab "
            "repository, or set CUSTLAB_DATA_DIR to the folder that holds cdnow/."
        )
    return path


def _verified(relative: str, expected_sha256: str) -> Path:
    path = data_dir() / relative
    if not path.is_file():
        raise FileNotFoundError(f"Bundled data file {path} is missing; restore it from the repository.")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected_sha256:
        raise OSError(
            f"{path} does not match its recorded checksum (sha256 {digest}, expected "
            f"{expected_sha256}): the file was changed or damaged. Restore it from the repository."
        )
    return path


@lru_cache(maxsize=2)
def _read_cdnow(sample: bool) -> pd.DataFrame:
    if sample:
        path = _verified("cdnow/CDNOW_sample.txt", CDNOW_SHA256["CDNOW_sample.txt"])
        names = ["master_id", "customer_id", "date", "quantity", "amount"]
        raw = pd.read_csv(path, sep=r"\s+", header=None, names=names, dtype={"date": str})
        raw = raw.drop(columns="master_id")
    else:
        path = _verified("cdnow/CDNOW_master.txt", CDNOW_SHA256["CDNOW_master.txt"])
        raw = pd.read_csv(path, sep=r"\s+", dtype={"date": str})
        raw.columns = ["customer_id", "date", "quantity", "amount"]
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    raw["customer_id"] = raw["customer_id"].astype("int64")
    raw["quantity"] = raw["quantity"].astype("int64")
    raw["amount"] = raw["amount"].astype("float64")
    return raw


def load_cdnow(sample: bool = False) -> pd.DataFrame:
    """CDNOW purchases, 1997-01-01 to 1998-06-30 (Fader and Hardie's data).

    Customers of the online music retailer CDNOW who made their first purchase
    in the first quarter of 1997, followed to the end of June 1998.

    ============  ===========  ===============  ========================================
    ``sample``    customers    rows             customer id
    ============  ===========  ===============  ========================================
    False         23,570       69,659           CDNOW's customer number (1 to 23,570)
    True          2,357        6,919            the 1/10 sample's own id (1 to 2,357)
    ============  ===========  ===============  ========================================

    Parameters
    ----------
    sample : bool
        The 1/10 sample used in Fader, Hardie & Lee (2005) instead of the full data.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (int), ``date`` (datetime64, day resolution), ``quantity``
        (CDs bought, int), ``amount`` (US dollars, float). One row per purchase
        line: the same customer can have several rows on one day.

    Examples
    --------
    >>> tx = load_cdnow(sample=True)
    >>> tx.shape, tx["customer_id"].nunique()
    ((6919, 4), 2357)
    """
    return _read_cdnow(bool(sample)).copy()


RETENTION_SHA256 = "c15c8cc9169b5ea1a2fd028ddd2dcf6e482f69c7faa31bbfa6cc4ab676af4b6d"


def load_retention_cohorts() -> pd.DataFrame:
    """Percent of a 1,000-customer cohort still active at the start of years 0 to 12.

    Two groups, "Regular" and "High End", from Fader & Hardie (2007), "How to project
    customer retention", Journal of Interactive Marketing 21(1).

    Returns
    -------
    pandas.DataFrame
        ``year`` (int), ``regular_pct_active`` and ``high_end_pct_active`` (percent).

    Examples
    --------
    >>> load_retention_cohorts().iloc[7].tolist()
    [7.0, 24.1, 49.1]
    """
    path = _verified("retention/fader_hardie_2007.csv", RETENTION_SHA256)
    return pd.read_csv(path)


def load_transactions(
    path: str | os.PathLike,
    *,
    columns: dict[str, str] | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    date_format: str | None = None,
    observation_end: str | pd.Timestamp | None = None,
    duplicates: str = "keep",
    strict: bool = False,
    sep: str | None = None,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Read your own transaction log (CSV or Parquet) and validate it.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` (also ``.csv.gz``, ``.txt``, ``.tsv``) or ``.parquet`` file.
    columns : dict, optional
        Renames applied on reading, your names to custlab's:
        ``{"Kundennummer": "customer_id", "Datum": "date", "Betrag": "amount"}``.
    customer_col, date_col, amount_col : str
        The column names after renaming.
    date_format, observation_end, duplicates, strict
        Passed to :func:`custlab.schema.validate_transactions`.
    sep : str, optional
        CSV field separator; guessed from the file when not given.

    Returns
    -------
    clean : pandas.DataFrame
    report : ValidationReport

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "tx.csv"
    >>> _ = f.write_text("client,day,paid\\n7,2024-05-01,12.50\\n7,2024-06-01,8\\n")
    >>> tx, report = load_transactions(f, columns={"client": "customer_id", "day": "date", "paid": "amount"})
    >>> print(report)
    2 rows in: 2 accepted, 0 rejected
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No file at {path.resolve()}.")
    if path.stat().st_size == 0:
        raise SchemaError(f"{path} is empty (0 bytes): there is no transaction log to read.")
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith(".parquet") or suffixes.endswith(".pq"):
        df = pd.read_parquet(path)
    elif any(suffixes.endswith(s) for s in (".csv", ".csv.gz", ".txt", ".tsv", ".gz")):
        try:
            df = pd.read_csv(path, sep=sep, engine="python" if sep is None else "c",
                             dtype=str, keep_default_na=True)
        except pd.errors.EmptyDataError:
            raise SchemaError(f"{path} has no header and no rows.") from None
    else:
        raise SchemaError(
            f"{path.name}: custlab reads .csv (.csv.gz, .tsv, .txt) and .parquet files; "
            f"convert the file or read it with pandas and call validate_transactions."
        )
    df.columns = [str(c).strip() for c in df.columns]
    if columns:
        unknown = [c for c in columns if c not in df.columns]
        if unknown:
            raise SchemaError(
                f"columns= renames {unknown}, which {path.name} does not have. "
                f"Columns found: {list(df.columns)}."
            )
        df = df.rename(columns=columns)
    if len(df) == 0:
        raise SchemaError(f"{path} has a header ({list(df.columns)}) but no rows.")
    return validate_transactions(
        df,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        observation_end=observation_end,
        date_format=date_format,
        duplicates=duplicates,  # type: ignore[arg-type]
        strict=strict,
    )
