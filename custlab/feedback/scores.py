"""NPS and CSAT with their intervals, overall, by group and over time; each customer's NPS group.
See :mod:`custlab.feedback`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlab.feedback._common import (
    _answers,
    _customer_ids,
    _dates,
    _ids,
    _pandas,
    _scores,
    _split,
    _table,
    _wilson,
    _z,
)
from custlab.schema import require_columns
from custlab.units import normalize_period, period_numbers, period_start, wall_clock

__all__ = ["csat", "nps", "nps_difference", "nps_group_of", "nps_groups", "nps_over_time", "score_distribution"]


def nps_group_of(scores) -> np.ndarray:
    """Each 0-10 answer's group: ``detractor`` (0-6), ``passive`` (7-8) or ``promoter`` (9-10).

    Examples
    --------
    >>> nps_group_of([0, 6, 7, 9, 10]).tolist()
    ['detractor', 'detractor', 'passive', 'promoter', 'promoter']
    """
    s = np.asarray(scores, dtype=float)
    return np.select([s >= 9, s >= 7], ["promoter", "passive"], "detractor").astype(object)


def _adjusted_wald(promoters, detractors, n) -> tuple[np.ndarray, np.ndarray]:
    """Centre and variance of the adjusted Wald interval (Rocks 2016), as fractions."""
    n_adj = np.asarray(n, dtype=float) + 3
    p = (np.asarray(promoters) + 0.75) / n_adj
    d = (np.asarray(detractors) + 0.75) / n_adj
    centre = p - d
    return centre, (p + d - centre ** 2) / n_adj


def _nps_row(score: np.ndarray, z: float) -> dict:
    n, promoters, detractors = len(score), int((score >= 9).sum()), int((score <= 6).sum())
    centre, var = _adjusted_wald(promoters, detractors, n)
    half = z * np.sqrt(var)
    return {"responses": n, "promoters_pct": 100 * promoters / n,
            "passives_pct": 100 * (n - promoters - detractors) / n,
            "detractors_pct": 100 * detractors / n, "nps": 100 * (promoters - detractors) / n,
            "nps_low": float(np.clip(100 * (centre - half), -100, 100)),
            "nps_high": float(np.clip(100 * (centre + half), -100, 100))}


def nps(data, *, score_col: str = "nps", by=None, confidence: float = 0.95) -> pd.DataFrame:
    """Net Promoter Score: promoters (9-10) minus detractors (0-6), in points, with its interval.

    Parameters
    ----------
    data : pandas or Polars DataFrame, Series or array
        Answers to "how likely are you to recommend us?", whole numbers from 0 to 10: a
        table with ``score_col``, or the scores themselves.
    score_col : str
        The column of scores.
    by : str, Series or array, optional
        A column of ``data`` to group by, or one group label per answer (same order).
    confidence : float
        Level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted; one row without ``by``): ``responses``,
        ``promoters_pct``, ``passives_pct``, ``detractors_pct`` (% of the responses),
        ``nps`` (points, -100..100), ``nps_low`` and ``nps_high`` (the interval, points).

    Notes
    -----
    The interval is the adjusted Wald interval of Rocks (2016): add 3/4 of an answer to the
    promoters and to the detractors and 3 to the responses (``n' = n + 3``,
    ``p' = (promoters + 3/4) / n'``, ``d' = (detractors + 3/4) / n'``), then
    ``(p' - d') +/- z * sqrt((p' + d' - (p' - d')^2) / n')``, clipped to -100..100. The
    plain Wald interval uses the observed shares and collapses to zero width when every
    answer is a promoter (or a detractor), claiming certainty from, say, five answers; the
    adjusted one keeps a sensible width there and covers the true NPS about as often as it
    says, from small samples up. Its centre is pulled slightly towards 0, so with one or
    two answers it need not contain the observed ``nps``.

    A score that is missing, not a whole number or outside 0..10 is refused with the first
    such rows shown; so is a table without responses.

    Examples
    --------
    >>> answers = pd.DataFrame({"nps": [10, 9, 9, 8, 7, 6, 3, 10], "shop": list("aaaabbbb")})
    >>> nps(answers)[["responses", "promoters_pct", "detractors_pct", "nps", "nps_low", "nps_high"]].round(1)
       responses  promoters_pct  detractors_pct   nps  nps_low  nps_high
    0          8           50.0            25.0  25.0    -29.4      65.8
    >>> nps(answers, by="shop")[["shop", "responses", "nps"]]
      shop  responses   nps
    0    a          4  75.0
    1    b          4 -25.0
    """
    z = _z(confidence)
    frame = _answers(data, score_col, "nps")
    score = _scores(frame, score_col, 0, 10, "nps").to_numpy()
    name, groups = _split(frame, by, "nps")
    return _table([_nps_row(score[at], z) for _, at in groups], name, groups)


def nps_difference(a, b, *, score_col: str = "nps", confidence: float = 0.95) -> pd.DataFrame:
    """The difference between two independent groups' NPS (``a`` minus ``b``), in points, with its interval.

    Parameters
    ----------
    a, b : pandas or Polars DataFrame, Series or array
        Each group's answers (0-10), as for :func:`nps`. The interval treats them as
        independent samples (a customer with answers in both makes them a little dependent).
    score_col : str
        The column of scores, when ``a`` and ``b`` are tables.
    confidence : float
        Level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``responses_a``, ``responses_b``, ``nps_a``, ``nps_b``, ``difference``
        (``nps_a - nps_b``, points), ``low`` and ``high`` (the interval, points, -200..200).

    Notes
    -----
    Rocks' (2016) adjusted Wald interval for a difference: each group's adjusted NPS
    (see :func:`nps`) and variance, the centres subtracted and the variances added,
    ``(c_a - c_b) +/- z * sqrt(v_a + v_b)``. An interval that excludes 0 says the data
    tell the two groups apart at this confidence.

    Examples
    --------
    >>> d = nps_difference([10, 10, 9, 9, 8, 7, 6, 5], [9, 8, 7, 6, 5, 4, 3, 2])
    >>> d.round(1)
       responses_a  responses_b  nps_a  nps_b  difference   low   high
    0            8            8   25.0  -50.0        75.0 -10.1  119.2
    """
    z = _z(confidence)
    rows = {}
    for label, data in (("a", a), ("b", b)):
        score = _scores(_answers(data, score_col, "nps_difference"), score_col, 0, 10,
                        f"nps_difference (group {label})").to_numpy()
        promoters, detractors = int((score >= 9).sum()), int((score <= 6).sum())
        centre, var = _adjusted_wald(promoters, detractors, score.size)
        rows[label] = (score.size, 100 * (promoters - detractors) / score.size, float(centre), float(var))
    (n_a, nps_a, c_a, v_a), (n_b, nps_b, c_b, v_b) = rows["a"], rows["b"]
    half = z * np.sqrt(v_a + v_b)
    return pd.DataFrame([{"responses_a": n_a, "responses_b": n_b, "nps_a": nps_a, "nps_b": nps_b,
                          "difference": nps_a - nps_b,
                          "low": float(np.clip(100 * (c_a - c_b - half), -200, 200)),
                          "high": float(np.clip(100 * (c_a - c_b + half), -200, 200))}])


def nps_over_time(data, *, date_col: str = "date", freq: str = "Q", score_col: str = "nps", by=None,
                  confidence: float = 0.95) -> pd.DataFrame:
    """NPS per calendar period (quarter by default), with its interval, as :func:`nps` computes it.

    ``data`` holds the answers (``score_col``, 0-10) and their days (``date_col``); ``freq`` is
    "W" (weeks, Monday to Sunday), "M" (calendar months) or "Q" (calendar quarters); ``by``
    an optional column to split each period by. Returns one row per period with answers (and
    group), in time order: ``period_start`` (its first day), then the columns of :func:`nps`.
    A period observed only in part gives an NPS from fewer answers: its interval says so.

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-04-03"]), "nps": [10, 3, 9]})
    >>> nps_over_time(s)[["period_start", "responses", "nps"]]
      period_start  responses    nps
    0   2024-01-01          2    0.0
    1   2024-04-01          1  100.0
    """
    code = normalize_period(freq, allowed="WMQ")
    frame = wall_clock(_answers(data, score_col, "nps_over_time"), [date_col])
    require_columns(frame, {"date_col": date_col}, what="survey table")
    _dates(frame, date_col, "nps_over_time", "survey table")
    _scores(frame, score_col, 0, 10, "nps_over_time")
    number = period_numbers(frame[date_col], code)
    parts = []
    for p in np.unique(number):
        part = frame.loc[number == p]
        table = nps(part, score_col=score_col, by=by, confidence=confidence)
        table.insert(0, "period_start", pd.Timestamp(period_start([p], code)[0]))
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    out.attrs["freq"] = code
    return out


def score_distribution(data, *, score_col: str = "nps", scale: tuple[int, int] = (0, 10)) -> pd.DataFrame:
    """How many answers gave each score, every score of the scale listed (zeros included).

    Returns ``score``, ``answers``, ``share_pct`` (% of the answers) and, on the 0-10 scale,
    ``nps_group`` (detractor, passive, promoter).

    Examples
    --------
    >>> score_distribution([10, 9, 6], scale=(0, 10)).tail(3)
        score  answers  share_pct nps_group
    8       8        0   0.000000   passive
    9       9        1  33.333333  promoter
    10     10        1  33.333333  promoter
    """
    low, high = scale
    score = _scores(_answers(data, score_col, "score_distribution"), score_col, low, high, "score_distribution")
    counts = np.bincount(score.to_numpy() - low, minlength=high - low + 1)
    out = pd.DataFrame({"score": np.arange(low, high + 1), "answers": counts, "share_pct": 100 * counts / counts.sum()})
    if (low, high) == (0, 10):
        out["nps_group"] = nps_group_of(out["score"])
    return out


def csat(data, *, score_col: str = "csat", by=None, satisfied_from: int = 4, scale: tuple[int, int] = (1, 5),
         confidence: float = 0.95) -> pd.DataFrame:
    """Customer satisfaction: the share of satisfied answers (``satisfied_from`` and up), with its interval.

    Parameters
    ----------
    data : pandas or Polars DataFrame, Series or array
        Answers to "how satisfied were you?", whole numbers on ``scale``.
    by : str, Series or array, optional
        As for :func:`nps`.
    satisfied_from, scale : int, (int, int)
        The lowest satisfied score (4 of 1-5: "satisfied", "very satisfied"); the scale's ends.
    confidence : float
        Level of the Wilson interval (Wilson 1927; scipy's ``binomtest``): unlike the plain
        one, it never leaves 0-100 % and keeps a width at 0 % and 100 %.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``responses``, ``satisfied`` (answers), ``satisfied_pct`` with
        ``satisfied_low`` and ``satisfied_high`` (% of the responses), ``mean_score``.

    Examples
    --------
    >>> csat([5, 4, 4, 3, 1])[["responses", "satisfied_pct", "satisfied_low", "satisfied_high", "mean_score"]].round(1)
       responses  satisfied_pct  satisfied_low  satisfied_high  mean_score
    0          5           60.0           23.1            88.2         3.4
    """
    low, high = scale
    if not low < satisfied_from <= high:
        raise ValueError(f"csat: satisfied_from={satisfied_from!r} must lie above {low} and at most {high} "
                         f"(the scale {scale}).")
    _z(confidence)
    frame = _answers(data, score_col, "csat")
    score = _scores(frame, score_col, low, high, "csat").to_numpy()
    name, groups = _split(frame, by, "csat")
    rows = []
    for _, at in groups:
        part = score[at]
        k = int((part >= satisfied_from).sum())
        lo, hi = _wilson(k, part.size, confidence)
        rows.append({"responses": part.size, "satisfied": k, "satisfied_pct": 100 * k / part.size,
                     "satisfied_low": 100 * lo, "satisfied_high": 100 * hi, "mean_score": float(part.mean())})
    return _table(rows, name, groups)


def nps_groups(surveys, *, customers=None, score_col: str = "nps", date_col: str = "date",
               customer_col: str = "customer_id") -> pd.DataFrame:
    """Each customer's NPS group on their last answer: promoter, passive, detractor, or "no answer".

    ``surveys`` holds the answers (``customer_col``, ``date_col``, ``score_col``, 0-10).
    ``customers`` (ids, or a table with ``customer_col``) says whom to describe, one row each,
    "no answer" for those who never answered: e.g. the output of
    :func:`custlab.retention.survival_data`, to compare later retention by NPS group. Without
    it, everyone who answered. Answers of anyone else are counted in
    ``attrs["answers_left_out"]``.

    Returns ``customer_col``, ``nps_group``, ``last_score`` (0-10; missing without an
    answer) and ``last_answer`` (its date), sorted by customer. The last answer is the
    latest by date; of two on the same day, the one further down the table.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "a", "b"], "nps": [3, 9, 7],
    ...                   "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-15"])})
    >>> nps_groups(s, customers=["a", "b", "c"])[["customer_id", "nps_group", "last_score"]]
      customer_id  nps_group  last_score
    0           a   promoter         9.0
    1           b    passive         7.0
    2           c  no answer         NaN
    """
    caller = "nps_groups"
    surveys = wall_clock(_pandas(surveys, caller, "surveys"), [date_col])
    require_columns(surveys, {"customer_col": customer_col, "date_col": date_col, "score_col": score_col},
                    what="survey table")
    _ids(surveys, customer_col, caller, "surveys")
    _dates(surveys, date_col, caller, "survey table")
    score = _scores(surveys, score_col, 0, 10, caller) if len(surveys) else pd.Series([], dtype=int)
    answers = pd.DataFrame({customer_col: surveys[customer_col].to_numpy(), "last_score": score.to_numpy(),
                            "last_answer": surveys[date_col].to_numpy()})
    last = answers.sort_values("last_answer", kind="stable").groupby(customer_col, sort=True).tail(1)
    last = last.set_index(customer_col).sort_index()
    ids = last.index if customers is None else _customer_ids(customers, customer_col, caller)
    left_out = int((~answers[customer_col].isin(ids)).sum())
    out = last.reindex(ids)
    out["nps_group"] = np.where(out["last_score"].isna(), "no answer", nps_group_of(out["last_score"].fillna(0)))
    out = out.rename_axis(customer_col).reset_index()[[customer_col, "nps_group", "last_score", "last_answer"]]
    out["last_score"] = out["last_score"].astype(float)
    out = out.sort_values(customer_col, kind="stable").reset_index(drop=True)
    out.attrs["answers_left_out"] = left_out
    return out
