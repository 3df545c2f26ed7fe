"""A transaction log of any length, written to Parquet in chunks (notebook 10).

:func:`write_transaction_log` draws customers block by block with numpy and writes
their purchases to one Parquet file, a row group at a time, so a log of tens of
millions of rows never sits in memory at once. The customers follow the models of
notebook 06:

* **Repeat purchases** (BG/NBD, Fader, Hardie & Lee 2005): while alive, a customer
  buys at a Poisson rate ``lambda ~ Gamma(r, alpha)`` per week; after each repeat
  purchase they leave for good with probability ``p ~ Beta(a, b)``, so the number of
  repeat purchases they would make with unlimited time is geometric.
* **Spend per purchase** (Gamma-Gamma, Fader & Hardie 2013): ``amount ~ Gamma(p, nu)``
  with ``nu ~ Gamma(q, gamma)`` per customer, in currency units, rounded to cents.

First purchases are spread evenly from the start of the window to ``acquisition_end``
(by default the first half of the window), so every customer is watched for a while after
it. Only the log is written: nothing latent (rates, who left) is kept.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from custlab.units import as_date

__all__ = ["BGNBD", "GAMMA_GAMMA", "write_transaction_log"]

#: Purchase process: r and alpha of the purchase rate (alpha in weeks), a and b of the dropout probability.
BGNBD = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
#: Spend per purchase: p, q and gamma (gamma in currency units); mean spend p * gamma / (q - 1) = 30.
GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "gamma": 15.0}

_BLOCK = 20_000          # customers drawn at once: fixed, so the file does not depend on chunk_rows
_WEEK_US = 7 * 86_400 * 1_000_000
_SCHEMA = pa.schema([("customer_id", pa.int64()), ("date", pa.timestamp("us")), ("amount", pa.float64())])


def write_transaction_log(
    path: str | os.PathLike,
    n_transactions: int,
    *,
    start: str | date | pd.Timestamp = "2023-01-01",
    end: str | date | pd.Timestamp = "2024-12-31",
    acquisition_end: str | date | pd.Timestamp | None = None,
    bgnbd: Mapping[str, float] | None = None,
    gamma_gamma: Mapping[str, float] | None = None,
    chunk_rows: int = 1_000_000,
    random_state: int | np.random.Generator | None = None,
    progress: bool | None = None,
) -> Path:
    """Simulate a transaction log of exactly ``n_transactions`` rows and write it to Parquet.

    Parameters
    ----------
    path : str or path
        The Parquet file to write (replaced if it exists; its folder is created). The file
        appears only when complete: a run that stops leaves no half-written file.
    n_transactions : int
        Rows (purchases) in the log, at least 1. Customers are drawn until there are
        enough; the last customer drawn may lose their latest purchases to the cut.
    start, end : date
        First and last day of the window (both included).
    acquisition_end : date, optional
        Last day of a first purchase; first purchases are spread evenly from ``start``
        to the end of this day. By default the last day of the window's first half
        (2023-12-31 for the default window).
    bgnbd : mapping, optional
        ``r``, ``alpha`` (weeks), ``a``, ``b`` of the purchase process; default :data:`BGNBD`.
    gamma_gamma : mapping, optional
        ``p``, ``q``, ``gamma`` (currency units) of the spend; default :data:`GAMMA_GAMMA`.
    chunk_rows : int
        Rows held in memory and written at once (one Parquet row group). It sets the
        memory used, not the content: the same seed gives the same rows for any value.
    random_state : int or numpy Generator, optional
        Seed; the same seed and arguments give the same file content.
    progress : bool, optional
        Show a progress bar (tqdm, on stderr). By default, only when the log takes more
        than one chunk.

    Returns
    -------
    pathlib.Path
        ``path``. Columns: ``customer_id`` (int64, 1, 2, ...), ``date`` (timestamp, to
        the second, no time zone), ``amount`` (float64, currency units, at least 0.01).
        Rows come customer by customer, each customer's purchases in time order.

    Raises
    ------
    TypeError
        ``n_transactions`` or ``chunk_rows`` is not a whole number.
    ValueError
        ``n_transactions`` or ``chunk_rows`` below 1, dates that are not dates or
        ``end`` before ``start``, ``acquisition_end`` outside the window, a model
        parameter missing, unknown or not a positive number, or ``path`` is a folder.

    Examples
    --------
    >>> import tempfile, pathlib, pyarrow.parquet as pq
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_transaction_log(pathlib.Path(folder) / "log.parquet", 1_000, random_state=1)
    ...     meta = pq.read_metadata(path)
    >>> meta.num_rows, meta.schema.names
    (1000, ['customer_id', 'date', 'amount'])
    """
    n_transactions = _whole("n_transactions", n_transactions)
    chunk_rows = _whole("chunk_rows", chunk_rows)
    first_day, last_day = as_date(start, "start").normalize(), as_date(end, "end").normalize()
    if last_day < first_day:
        raise ValueError(f"end {last_day.date()} is before start {first_day.date()}; pass an end on or after it.")
    days = (last_day - first_day).days + 1
    acquired_by = (first_day + pd.Timedelta(days=max(days // 2, 1) - 1) if acquisition_end is None
                   else as_date(acquisition_end, "acquisition_end").normalize())
    if not first_day <= acquired_by <= last_day:
        raise ValueError(f"acquisition_end {acquired_by.date()} is outside the window {first_day.date()} to "
                         f"{last_day.date()}; pass a day inside it.")
    purchase = _model("bgnbd", bgnbd, BGNBD)
    spend = _model("gamma_gamma", gamma_gamma, GAMMA_GAMMA)
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a folder; pass the path of a Parquet file, e.g. 'log.parquet'.")
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)

    day_us = 86_400 * 1_000_000
    # Microseconds: start of the window, end of the last day of a first purchase, end of the window.
    window = (first_day.value // 1000, acquired_by.value // 1000 + day_us, last_day.value // 1000 + day_us)
    show = n_transactions > chunk_rows if progress is None else bool(progress)
    meta = {"rows": n_transactions, "start": str(first_day.date()), "end": str(last_day.date()),
            "acquisition_end": str(acquired_by.date()), "bgnbd": purchase, "gamma_gamma": spend,
            "random_state": random_state if isinstance(random_state, int) else None}
    schema = _SCHEMA.with_metadata({"custlab.simulate.large_log": json.dumps(meta)})
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the file under a name of its own (two runs at once never share one), then renamed.
    partial = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")
    try:
        with pq.ParquetWriter(partial, schema) as writer, _bar(n_transactions, show) as bar:
            for chunk in _chunks(rng, n_transactions, chunk_rows, window, purchase, spend):
                writer.write_table(pa.Table.from_arrays(chunk, schema=schema), row_group_size=chunk_rows)
                bar.update(len(chunk[0]))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return path


def _whole(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number of rows; got {value!r} ({type(value).__name__}).")
    if value < 1:
        raise ValueError(f"{name}={value}: pass at least 1 row.")
    return int(value)


def _model(name: str, given: Mapping[str, float] | None, default: Mapping[str, float]) -> dict[str, float]:
    values = dict(default if given is None else given)
    missing, unknown = sorted(set(default) - set(values)), sorted(set(values) - set(default))
    if missing or unknown:
        raise ValueError(f"{name} needs exactly the keys {', '.join(default)}; "
                         + "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                                  f"unknown {', '.join(unknown)}" if unknown else "") if p) + ".")
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name}[{key!r}]={value!r}: pass a positive number.")
    return {key: float(v) for key, v in values.items()}


def _bar(total: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit=" rows", unit_scale=True, desc="transaction log", disable=not show)


def _chunks(rng, n_rows, chunk_rows, window, purchase, spend):
    """Arrays of ``chunk_rows`` rows (the last one shorter), ``n_rows`` in all."""
    pending, held, written, block = [], 0, 0, 0
    while written < n_rows:
        while held < min(chunk_rows, n_rows - written):
            arrays = _customer_block(rng, block, window, purchase, spend)
            pending.append(arrays)
            held += len(arrays[0])
            block += 1
        joined = [np.concatenate(column) for column in zip(*pending)]
        size = min(chunk_rows, n_rows - written)
        yield [column[:size] for column in joined]
        written += size
        rest = [column[size:] for column in joined]
        pending, held = ([rest], len(rest[0])) if len(rest[0]) and written < n_rows else ([], 0)


def _customer_block(rng, block, window, purchase, spend):
    """The purchases of customers ``block * _BLOCK + 1 .. (block + 1) * _BLOCK``, customer by customer."""
    start_us, acquired_us, end_us = window
    m = _BLOCK
    first = start_us + np.floor(rng.random(m) * (acquired_us - start_us))
    horizon = (end_us - first) / _WEEK_US                                        # weeks observed
    rate = rng.gamma(purchase["r"], 1.0 / purchase["alpha"], m)                  # purchases per week
    dropout = np.clip(rng.beta(purchase["a"], purchase["b"], m), 1e-12, 1.0)
    nu = rng.gamma(spend["q"], 1.0 / spend["gamma"], m)
    poisson = rng.poisson(rate * horizon)                                        # purchases if nobody left
    repeats = np.minimum(poisson, rng.geometric(dropout))                        # ... up to the one before leaving
    # Given their number, Poisson times are uniform over the horizon: keep each customer's earliest `repeats`.
    owner = np.repeat(np.arange(m), poisson)
    u = rng.random(owner.size)
    u = u[np.lexsort((u, owner))]
    rank = np.arange(owner.size) - np.repeat(np.cumsum(poisson) - poisson, poisson)
    kept = rank < repeats[owner]
    owner, u = owner[kept], u[kept]
    when = np.concatenate([first, first[owner] + np.floor(u * (end_us - first[owner]))])
    who = np.concatenate([np.arange(m), owner])
    order = np.lexsort((when, who))
    who, when = who[order], when[order]
    # Whole seconds, still inside the window.
    when = np.minimum(np.floor(when / 1e6) * 1e6, end_us - 1e6).astype(np.int64)
    amount = np.maximum(np.round(rng.gamma(spend["p"], 1.0 / nu[who]), 2), 0.01)
    return [who.astype(np.int64) + block * m + 1, when.astype("datetime64[us]"), amount]
