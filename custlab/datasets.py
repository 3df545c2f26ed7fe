"""Bundled data sets, and the reader for a user's own transaction log.

Bundled files live in the repository's ``data/`` folder (or in the folder
named by the ``CUSTLAB_DATA_DIR`` environment variable) and are verified
against the sha256 recorded in ``data/README.md`` every time they are loaded.
Nothing is downloaded at run time.

:func:`load_transactions` reads a user's export: its bytes (UTF-8, with or
without Excel's byte-order mark, UTF-16 or UTF-32 by their mark, any other
encoding only when named), its separator (``, ; \\t |``), then every column
as text, which the validation converts (:mod:`custlab.readers` reads dates and
amounts). Every conversion is a note in the report.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import gzip
import hashlib
import io
import os
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from custlab.readers import EncodingError, ReadError
from custlab.schema import (
    SchemaError,
    TransactionValidationError,
    ValidationReport,
    validate_transactions,
)

__all__ = ["data_dir", "load_cdnow", "load_donations", "load_retention_cohorts", "load_transactions",
           "CDNOW_SHA256"]

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


DONATIONS_SHA256 = "82c25f26a201ff047e1cd5fe3d7967a45db92a025ecedee72ff8940e50104544"


def load_donations() -> pd.DataFrame:
    """Yearly donations of 11,104 first-time donors: the recency/frequency table of Fader,
    Hardie & Shang (2010).

    The 1995 cohort of first-time donors to a US non-profit organisation, followed over
    the six yearly donation opportunities 1996 to 2001. Each row is one donation history,
    with the number of donors who had it: every one of the 22 histories possible in six
    years appears. This is the calibration data of Fader, P. S., Hardie, B. G. S. and Shang, J.
    (2010), "Customer-base analysis in a discrete-time noncontractual setting",
    *Marketing Science* 29(6), 1086-1108; the file is the copy distributed in the
    MIT-licensed lifetimes 0.11.3 package (``lifetimes/datasets/donations.csv``),
    verified against its sha256 when loaded.

    Returns
    -------
    pandas.DataFrame
        22 rows, all int: ``frequency`` (x: years 1996-2001 with a donation, 0 to 6),
        ``recency`` (t_x: the last of those years, counted 1 = 1996 to 6 = 2001; 0 for
        donors who never gave again), ``n_periods`` (n: yearly opportunities observed,
        6 for everyone) and ``count`` (donors with this history).

    Examples
    --------
    >>> donations = load_donations()
    >>> donations.shape, int(donations["count"].sum())
    ((22, 4), 11104)
    >>> donations.iloc[0].tolist()
    [0, 0, 6, 3464]
    """
    path = _verified("donations/donations.csv", DONATIONS_SHA256)
    table = pd.read_csv(path).rename(columns={"periods": "n_periods", "weights": "count"})
    return table[["frequency", "recency", "n_periods", "count"]].astype("int64")


# --------------------------------------------------------------------------- a user's file

_BOMS = (  # UTF-32 LE first: its mark starts with UTF-16 LE's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_LEGACY = {
    "cp1252": "Western European, Excel on Windows; not 'latin-1', which misreads the euro sign",
    "cp1250": "Central European: Polish, Czech, Hungarian",
    "cp1251": "Cyrillic: Russian, Ukrainian",
    "cp1256": "Arabic script: Persian, Arabic",
}
SEPARATORS = (",", ";", "\t", "|")
_SEP_NAMES = {",": "','", ";": "';'", "\t": "'\\t' (tab)", "|": "'|'"}


def _decode_bytes(data: bytes, encoding: str | None, name: str) -> tuple[str, list[str]]:
    """The file's text and how it was decoded: ``encoding``, else by byte-order mark, else UTF-8.

    Any other encoding is refused with an :class:`EncodingError` that shows the
    first byte that does not fit and names ``encoding=``; nothing is guessed.
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"encoding={encoding!r} is not an encoding Python knows; "
                             "try 'utf-8', 'cp1252', 'latin-1', 'cp1251' or 'utf-16'.") from None
        text = _decode(data, encoding, name)
        notes = [f"read with encoding={encoding!r}"]
        if text.startswith("\ufeff"):
            text = text[1:]
            notes.append("a byte-order mark at the start was removed")
        return text, notes
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = _decode(data, codec, name)
            if label == "UTF-8":
                return text, ["the file starts with a UTF-8 byte-order mark (Excel's 'CSV UTF-8'); "
                              "it was removed"]
            return text, [f"read as {label}, found by the byte-order mark the file starts with"]
    head = data[:4096]
    if len(head) >= 4 and head.count(0) * 4 > len(head):
        side = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        raise EncodingError(f"{name} looks like UTF-16 without a byte-order mark (every other byte is 0): "
                            f"pass encoding={side!r}.")
    return _decode(data, "utf-8", name), []


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise EncodingError(_bad_bytes_message(data, err, encoding, name)) from None


def _bad_bytes_message(data: bytes, err: UnicodeDecodeError, encoding: str, name: str) -> str:
    pos = err.start
    line_start = data.rfind(b"\n", 0, pos) + 1
    line_end = data.find(b"\n", pos)
    line = data[line_start:line_end if line_end >= 0 else len(data)].rstrip(b"\r")[:200]
    line_no = data.count(b"\n", 0, pos) + 1
    where = f"line {line_no}, column {pos - line_start + 1} (byte offset {pos:,}): byte 0x{data[pos]:02X}"
    ranked = _rank_legacy(data[:65536])
    previews = "\n".join(f"  encoding={enc!r} ({_LEGACY[enc]}): {line.decode(enc, errors='replace')!r}"
                         for enc in ranked)
    lead = f"encoding={ranked[0]!r}"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # a UTF-16 mark, but another encoding was asked for
        return (f"{name} starts with a UTF-16 byte-order mark, so it is not {encoding.upper()}: "
                "leave encoding= out (the mark is found) or pass encoding='utf-16'.")
    return (f"{name} is not valid {encoding.upper()}: {where} cannot be read in {line!r}.\n"
            f"Pass the file's encoding with encoding=..., e.g. {lead}. That line would read:\n{previews}")


def _rank_legacy(sample: bytes) -> list[str]:
    """The usual one-byte encodings, the likeliest for these bytes first (for the message only)."""
    if re.search(rb"[\x80-\xff]{3,}", sample):  # whole words of high bytes: a non-Latin script
        cyrillic = len(re.findall("[\u0400-\u04ff]", sample.decode("cp1251", errors="replace")))
        arabic = len(re.findall("[\u0600-\u06ff]", sample.decode("cp1256", errors="replace")))
        return (["cp1251", "cp1256"] if cyrillic > arabic else ["cp1256", "cp1251"]) + ["cp1252", "cp1250"]
    high = bytes(b for b in sample if b >= 0x80)
    letters = {enc: sum(c.isalpha() for c in high.decode(enc, errors="replace"))
               for enc in ("cp1250", "cp1252")}
    first = ["cp1250", "cp1252"] if letters["cp1250"] > letters["cp1252"] else ["cp1252", "cp1250"]
    return first + ["cp1251", "cp1256"]


def _guess_separator(text: str) -> str:
    """The one of ``, ; \\t |`` that splits the header and each of the next 50 lines into the same
    number (two or more) of fields; the one giving the most fields when several do; ``","`` when none does."""
    sample = text[:65536].replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    if len(text) > 65536 and "\n" in sample:
        sample = sample[:sample.rfind("\n")]
    fits: dict[str, int] = {}
    for sep in SEPARATORS:
        rows = [r for _, r in zip(range(51), csv.reader(io.StringIO(sample), delimiter=sep))
                if any(f.strip() for f in r)]
        width = len(rows[0]) if rows else 0
        # A trailing separator on every data line (an empty last field) does not change the count.
        widths = {len(r) - (len(r) == width + 1 and r[-1] == "") for r in rows}
        if width >= 2 and widths == {width}:
            fits[sep] = width
    if not fits:
        return ","
    most = max(fits.values())
    best = [s for s, n in fits.items() if n == most]
    if len(best) > 1:
        names = " and ".join(_SEP_NAMES[s] for s in best)
        raise ReadError(f"The fields could be separated by {names}: each splits every line into {most} "
                        "fields. Pass sep= with the one the file uses.")
    return best[0]


def _resolve(path: str | os.PathLike) -> Path:
    """The file's absolute path (relative paths start at the current working directory), or an error."""
    given = Path(path).expanduser()
    full = given if given.is_absolute() else Path.cwd() / given
    if full.is_file():
        return full
    where = ("" if given.is_absolute()
             else f" (a relative path starts at the current working directory, {Path.cwd()})")
    hint = ""
    if full.is_dir():
        hint = " That is a folder; give the path of a file in it."
    elif full.parent.is_dir():
        close = difflib.get_close_matches(full.name, [p.name for p in full.parent.iterdir()], n=3)
        hint = f" Files there with a similar name: {close}." if close else ""
    raise FileNotFoundError(f"No file at {full}{where}.{hint}")


def _read_text_table(path: Path, sep: str | None, encoding: str | None
                     ) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Every column as text (empty fields missing), the notes on how the file was read, and the
    names the header repeats."""
    data = gzip.decompress(path.read_bytes()) if path.suffix.lower() == ".gz" else path.read_bytes()
    text, notes = _decode_bytes(data, encoding, path.name)
    del data
    first = re.match(r"sep=(.)\r?\n", text)
    if first:  # Excel's "sep=;" line names the separator; it is not the header
        text = text[first.end():]
        if sep is None:
            sep = first.group(1)
            notes.append(f"separator {sep!r} taken from the file's first line 'sep={sep}'")
    if sep is None:
        sep = _guess_separator(text)
        notes.append(f"fields separated by {_SEP_NAMES[sep]}, guessed from the first lines "
                     "(pass sep= to choose)")
    df = _parse_csv(text, sep, path.name, notes)
    names = _header_names(text, sep)
    repeated = sorted({n for n in names if names.count(n) > 1 and n})
    if repeated:
        notes.append(f"the header repeats {repeated}: the second copy of a name is read as 'name.1'")
    blank = [c for c in df.columns if str(c).startswith("Unnamed: ") and df[c].isna().all()]
    if blank and len(blank) < len(df.columns):
        df = df.drop(columns=blank)
        notes.append(f"{len(blank)} column(s) with no name and no value dropped (trailing separators)")
    empty = df.isna().all(axis=1)
    if empty.any() and len(df.columns) > 1:
        df = df.loc[~empty]
        notes.append(f"{int(empty.sum()):,} line(s) with every field empty skipped")
    return df, notes, repeated


def _parse_csv(text: str, sep: str, name: str, notes: list[str]) -> pd.DataFrame:
    """Split the text into columns of text; a line with more fields than the header is an error."""
    def read(**kw) -> pd.DataFrame:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                           engine="c" if len(sep) == 1 else "python", **kw)
    hint = ("A value with the separator in it must be quoted (such as \"1,100.50\" in a comma-separated "
            "file): quote such values in the export, or pass sep= with the separator the file uses.")
    try:
        df = read()
    except pd.errors.EmptyDataError:
        raise SchemaError(f"{name} has no header and no rows.") from None
    except pd.errors.ParserError as err:
        raise ReadError(f"{name} cannot be split into columns with sep={sep!r}: {str(err).strip()}. "
                        f"{hint}") from None
    if isinstance(df.index, pd.RangeIndex):
        return df
    # Every line has one field more than the header: pandas would make the first column the index.
    if not df.iloc[:, -1].isna().all():
        first = text.splitlines()[1] if text.count("\n") else ""
        raise ReadError(f"{name}: the lines have one field more than the header with sep={sep!r} "
                        f"(line 2: {first[:120]!r}). {hint}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        df = read(index_col=False)
    notes.append("every line ends with an empty field the header does not have (a trailing separator); "
                 "ignored")
    return df


def _read_table(path: Path, sep: str | None, encoding: str | None
                ) -> tuple[pd.DataFrame, list[str], list[str]]:
    if path.stat().st_size == 0:
        raise SchemaError(f"{path} is empty (0 bytes): there is no transaction log to read.")
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith(".parquet") or suffixes.endswith(".pq"):
        return pd.read_parquet(path), [], []
    if any(suffixes.endswith(s) for s in (".csv", ".csv.gz", ".txt", ".tsv", ".gz")):
        return _read_text_table(path, sep, encoding)
    raise SchemaError(
        f"{path.name}: custlab reads .csv (.csv.gz, .tsv, .txt) and .parquet files; "
        f"convert the file or read it with pandas and call validate_transactions."
    )


def _header_names(text: str, sep: str) -> list[str]:
    """The names in the file's first line, as written (pandas renames a repeated name 'x' to 'x.1')."""
    first = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    if len(sep) != 1:
        return re.split(sep, first)
    return [name.strip() for name in next(csv.reader([first], delimiter=sep), [])]


def _rename(df: pd.DataFrame, columns: dict[str, str] | None, path: Path, guessed_sep: bool) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns) == 1 and guessed_sep:
        raise SchemaError(
            f"{path.name} has a single column, {df.columns[0]!r}: no separator among , ; tab | splits its "
            "lines evenly. Pass sep= with the separator the file uses."
        )
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
    return df


def load_transactions(
    path: str | os.PathLike,
    *,
    columns: dict[str, str] | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    date_format: str | None = None,
    dayfirst: bool | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    observation_end: str | pd.Timestamp | None = None,
    duplicates: Literal["keep", "reject"] = "keep",
    strict: bool = False,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Read your own transaction log (CSV or Parquet) and validate it.

    A CSV file is read with every column as text, then validated: the
    validation converts ids, dates and amounts and says how in the report.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` (also ``.csv.gz``, ``.txt``, ``.tsv``) or ``.parquet`` file.
        A relative path starts at the current working directory.
    columns : dict, optional
        Renames applied on reading, your names to custlab's:
        ``{"Kundennummer": "customer_id", "Datum": "date", "Betrag": "amount"}``.
    customer_col, date_col, amount_col : str
        The column names after renaming.
    date_format : str, optional
        A ``strftime`` format for every date (``"%d.%m.%Y"``). By default ISO
        8601 or the one common format that fits every date.
    dayfirst : bool, optional
        True for day-first dates (31/12/2024), False for month-first
        (12/31/2024); needed when the dates read both ways.
    decimal : {".", ","}
        Decimal mark of the amounts.
    thousands : str, optional
        Thousands separator of the amounts: ``","``, ``"."``, ``" "`` or ``"'"``.
    sep : str, optional
        Field separator. By default one of ``, ; \\t |``, guessed from the
        first lines (the guess is a note in the report), or the one an Excel
        ``sep=`` first line names.
    encoding : str, optional
        The file's encoding, e.g. ``"cp1252"``. By default UTF-8 (with or
        without a byte-order mark) or UTF-16 / UTF-32 found by the byte-order mark.
    observation_end, duplicates, strict
        Passed to :func:`custlab.schema.validate_transactions`.

    Returns
    -------
    clean : pandas.DataFrame
    report : ValidationReport
        Its notes start with how the file was read (encoding, separator).

    Raises
    ------
    FileNotFoundError
        No file at the path (the message shows the absolute path).
    custlab.readers.EncodingError
        The file is not UTF-8 (nor marked UTF-16): the message shows the first
        bad byte and names ``encoding=``.
    custlab.readers.AmbiguousDateError
        The dates read both day first and month first.
    SchemaError, TransactionValidationError
        As in :func:`custlab.schema.validate_transactions`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "tx.csv"
    >>> _ = f.write_bytes("client;day;paid\\n7;13.05.2024;12,50 €\\n7;01.06.2024;8\\n".encode("utf-8-sig"))
    >>> tx, report = load_transactions(f, columns={"client": "customer_id", "day": "date", "paid": "amount"},
    ...                                decimal=",")
    >>> tx["date"].dt.strftime("%Y-%m-%d").tolist(), tx["amount"].tolist()
    (['2024-05-13', '2024-06-01'], [12.5, 8.0])
    >>> print(report)  # doctest: +ELLIPSIS
    2 rows in: 2 accepted, 0 rejected
      note: the file starts with a UTF-8 byte-order mark (Excel's 'CSV UTF-8'); it was removed
      note: fields separated by ';', guessed from the first lines (pass sep= to choose)
      note: column 'date' read day first with format '%d.%m.%Y': the only format that fits every date; ...
      note: currency marks removed from 1 amount(s) in column 'amount': '€' (1)
    """
    path = _resolve(path)
    df, notes, repeated = _read_table(path, sep, encoding)
    needed = {customer_col, date_col, amount_col}
    twice = [name for name in repeated if (columns or {}).get(name, name) in needed]
    if twice:
        raise SchemaError(f"{path.name}: the header names {twice} more than once, so custlab cannot tell "
                          "which column to use. Give each column its own name in the file.")
    df = _rename(df, columns, path, guessed_sep=sep is None)
    try:
        clean, report = validate_transactions(
            df, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
            observation_end=observation_end, date_format=date_format, dayfirst=dayfirst, decimal=decimal,
            thousands=thousands, duplicates=duplicates, strict=strict,
        )
    except TransactionValidationError as err:
        err.report.notes[:0] = notes
        raise
    report.notes[:0] = notes
    return clean, report
