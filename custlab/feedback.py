"""What customers tell us: NPS and CSAT with honest intervals, who answers, complaints, and
how feedback lines up with what customers do next.

* **NPS** (Reichheld 2003): % promoters (9-10 of 0-10) minus % detractors (0-6), in points,
  with the adjusted Wald interval of Rocks (2016); **CSAT**: % satisfied (4-5 of 1-5) with a
  Wilson (1927) interval.
* **Who answers**: answers per order and per buyer; those who answer are not everyone.
* **Complaints**: per 1,000 customers, by category, days to resolve, resolution rate; and
  what customers with a resolved, an unresolved or no complaint did next.
* **Feedback and behaviour**: each customer's NPS group, to join to
  :func:`custlab.retention.survival_data`.

Tables in are pandas or Polars DataFrames (Polars is read through narwhals); tables out are
pandas. Inputs are never changed.
"""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd
from scipy import stats

from custlab._frames import refuse_missing
from custlab.schema import require_columns, require_complete
from custlab.units import as_date, normalize_period, period_numbers, period_start, wall_clock

__all__ = ["NPS_GROUPS", "complaint_outcomes", "complaint_summary", "csat", "nps", "nps_difference", "nps_group_of",
           "nps_groups", "nps_over_time", "response_rates", "score_distribution"]

#: The three NPS groups, from the lowest answers to the highest: 0-6, 7-8, 9-10.
NPS_GROUPS = ("detractor", "passive", "promoter")

#: The groups of :func:`complaint_outcomes`, in the order they are shown.
COMPLAINT_GROUPS = ("no complaint", "resolved complaint", "unresolved complaint")


def _pandas(frame, caller: str, what: str) -> pd.DataFrame:
    """A pandas DataFrame from a pandas or Polars one, or a TypeError naming what was expected."""
    if isinstance(frame, pd.DataFrame):
        return frame
    try:
        return nw.from_native(frame, eager_only=True).to_pandas()
    except TypeError:
        raise TypeError(f"{caller} takes a pandas or Polars DataFrame as {what}, got {type(frame).__name__}.") \
            from None


def _answers(data, score_col: str, caller: str) -> pd.DataFrame:
    """The answers as a DataFrame holding ``score_col``: a table as it is, a Series or array wrapped."""
    if isinstance(data, pd.Series):
        return data.rename(score_col).to_frame()
    if isinstance(data, (np.ndarray, list, tuple)):
        return pd.DataFrame({score_col: np.asarray(data)})
    frame = _pandas(data, caller, "the answers (or pass a Series or array of scores)")
    require_columns(frame, {"score_col": score_col}, what="survey table")
    return frame


def _scores(frame: pd.DataFrame, score_col: str, low: int, high: int, caller: str) -> pd.Series:
    """The scores as whole numbers, or a ValueError showing the first rows that are not ``low``..``high``."""
    raw = frame[score_col]
    if pd.api.types.is_bool_dtype(raw):
        raise ValueError(f"{caller}: column {score_col!r} holds True/False, not scores from {low} to {high}.")
    score = pd.to_numeric(raw, errors="coerce")
    bad = score.isna() | (score < low) | (score > high) | (score != score.round())
    if bad.any():
        raise ValueError(f"{caller}: {int(bad.sum()):,} row(s) of {score_col!r} hold no whole number from {low} to "
                         f"{high} (missing, out of range or with a fraction), e.g.\n"
                         f"{frame.loc[bad.to_numpy()].head(3).to_string()}\nFix or drop them first.")
    if score.empty:
        raise ValueError(f"{caller}: there are no responses in {score_col!r}; a score needs at least one answer.")
    return score.astype(int)


def _split(frame: pd.DataFrame, by, caller: str) -> tuple[str | None, list[tuple[object, np.ndarray]]]:
    """``(name, [(group, row positions)])``, groups sorted; one group ``None`` (every row) without ``by``.

    ``by`` is a column of ``frame``, or one label per row (a Series or array, in the rows' order).
    """
    if by is None:
        return None, [(None, np.arange(len(frame)))]
    if isinstance(by, str):
        require_columns(frame, {"by": by}, what="survey table")
        name, values = by, frame[by]
    elif len(by) == len(frame):
        name = str(getattr(by, "name", None) or "group")
        values = pd.Series(np.asarray(by), index=frame.index, name=name)
    else:
        raise ValueError(f"{caller}: by holds {len(by):,} values for {len(frame):,} answers; pass a column name or "
                         "one value per answer, in the same order.")
    refuse_missing(values.to_frame(), name, caller)
    positions = pd.Series(values.to_numpy(), dtype=object).groupby(values.to_numpy(), sort=False).indices
    try:
        keys = sorted(positions)
    except TypeError:
        keys = sorted(positions, key=str)
    return name, [(g, positions[g]) for g in keys]


def _table(rows: list[dict], name: str | None, groups: list) -> pd.DataFrame:
    """One row per group, the group column first when there is one."""
    out = pd.DataFrame(rows)
    if name is not None:
        out.insert(0, name, [g for g, _ in groups])
    return out


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be between 0 and 1, e.g. 0.95.")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    if n == 0:
        return np.nan, np.nan
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


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


def _ids(frame: pd.DataFrame, col: str, caller: str, what: str) -> None:
    """Refuse missing ids in ``col``, naming the first rows."""
    missing = frame[col].isna()
    if missing.any():
        raise ValueError(f"{caller}: {int(missing.sum()):,} row(s) of the {what} have no {col!r}, e.g.\n"
                         f"{frame.loc[missing.to_numpy()].head(3).to_string()}")


def _dates(frame: pd.DataFrame, col: str, caller: str, what: str) -> pd.Series:
    """The days of ``col`` (midnight), after refusing a column without dates or with missing ones."""
    if not pd.api.types.is_datetime64_any_dtype(frame[col]):
        raise ValueError(f"{caller}: column {col!r} of the {what} holds {frame[col].dtype}, not dates; parse it "
                         "first (pd.to_datetime).")
    refuse_missing(frame, col, caller)
    return frame[col].dt.normalize()


def _customer_ids(customers, customer_col: str, caller: str) -> pd.Index:
    """Distinct customer ids from ids (a list, array, Series or Index) or from a table's ``customer_col``."""
    if isinstance(customers, (pd.Series, pd.Index, np.ndarray, list, tuple)):
        values = np.asarray(customers, dtype=object)
    else:
        frame = _pandas(customers, caller, "customers (or pass their ids)")
        require_columns(frame, {"customer_col": customer_col}, what="customers table")
        values = frame[customer_col].to_numpy()
    return pd.Index(pd.unique(values[pd.notna(values)]))


def response_rates(orders, surveys, *, by: str | None = None, order_col: str = "order_id",
                   customer_col: str = "customer_id", confidence: float = 0.95) -> pd.DataFrame:
    """Who answers the survey: the share of orders answered, and the share of buyers who answered at least once.

    Parameters
    ----------
    orders : pandas or Polars DataFrame
        One row per order: ``order_col`` (unique), ``customer_col`` (the buyer), and ``by``.
    surveys : pandas or Polars DataFrame
        One row per answer, with the ``order_col`` of the order it answers about.
    by : str, optional
        A column of ``orders`` (for a customer attribute, merge it into the orders first);
        a buyer counts in every group they ordered in.
    confidence : float
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``orders``, ``answers`` (survey rows), ``answered_orders``,
        ``answered_pct`` with ``answered_low`` and ``answered_high`` (% of the orders);
        ``buyers``, ``responders`` (buyers with an answered order), ``responders_pct``
        with ``responders_low`` and ``responders_high`` (% of the buyers).

    An order id missing or repeated in ``orders``, or an answer about an order not in
    ``orders``, is refused with the first such rows shown.

    Examples
    --------
    >>> o = pd.DataFrame({"order_id": [1, 2, 3, 4], "customer_id": ["a", "a", "b", "c"]})
    >>> s = pd.DataFrame({"order_id": [2, 3]})
    >>> response_rates(o, s)[["orders", "answered_orders", "answered_pct", "buyers", "responders", "responders_pct"]]
       orders  answered_orders  answered_pct  buyers  responders  responders_pct
    0       4                2          50.0       3           2       66.666667
    """
    _z(confidence)
    orders = _pandas(orders, "response_rates", "orders")
    surveys = _pandas(surveys, "response_rates", "surveys")
    require_columns(orders, {"order_col": order_col, "customer_col": customer_col,
                             **({"by": by} if by is not None else {})}, what="orders table")
    require_columns(surveys, {"order_col": order_col}, what="survey table")
    for frame, col, what in ((orders, order_col, "orders"), (orders, customer_col, "orders"),
                             (surveys, order_col, "surveys")):
        _ids(frame, col, "response_rates", what)
    if orders.empty:
        raise ValueError("response_rates: the orders table has no rows; a response rate needs orders.")
    twice = orders[order_col].duplicated(keep=False)
    if twice.any():
        raise ValueError(f"response_rates: {int(twice.sum()):,} order row(s) repeat an {order_col!r} "
                         f"(one row per order expected), e.g.\n{orders.loc[twice.to_numpy()].head(3).to_string()}")
    unknown = ~surveys[order_col].isin(orders[order_col])
    if unknown.any():
        raise ValueError(f"response_rates: {int(unknown.sum()):,} answer(s) name an order that is not in the orders "
                         f"table, e.g.\n{surveys.loc[unknown.to_numpy()].head(3).to_string()}")
    answers = surveys[order_col].value_counts()
    table = orders[[order_col, customer_col] + ([by] if by is not None else [])].copy()
    table["_answers"] = table[order_col].map(answers).fillna(0).astype(int).to_numpy()
    name, groups = _split(table, by, "response_rates")
    rows = []
    for _, at in groups:
        part = table.iloc[at]
        answered = part["_answers"] > 0
        buyers = part[customer_col].nunique()
        responders = part.loc[answered, customer_col].nunique()
        a_lo, a_hi = _wilson(int(answered.sum()), len(part), confidence)
        r_lo, r_hi = _wilson(responders, buyers, confidence)
        rows.append({"orders": len(part), "answers": int(part["_answers"].sum()),
                     "answered_orders": int(answered.sum()),
                     "answered_pct": 100 * answered.mean(), "answered_low": 100 * a_lo, "answered_high": 100 * a_hi,
                     "buyers": buyers, "responders": responders, "responders_pct": 100 * responders / buyers,
                     "responders_low": 100 * r_lo, "responders_high": 100 * r_hi})
    return _table(rows, name, groups)


def _complaint_checks(complaints: pd.DataFrame, resolved_col: str, days_col: str, caller: str) -> pd.Series:
    """The resolved flags as booleans, after refusing rows whose status and days disagree."""
    refuse_missing(complaints, resolved_col, caller)
    bad = ~complaints[resolved_col].isin([True, False])
    if bad.any():
        raise ValueError(f"{caller}: column {resolved_col!r} must hold True/False, e.g. these rows do not:\n"
                         f"{complaints.loc[bad.to_numpy()].head(3).to_string()}")
    resolved = complaints[resolved_col].astype(bool)
    days = pd.to_numeric(complaints[days_col], errors="coerce")
    problems = {"resolved without days to resolve": resolved & days.isna(),
                "unresolved with days to resolve": ~resolved & days.notna(),
                "negative days to resolve": days < 0}
    for what, bad in problems.items():
        if bad.any():
            raise ValueError(f"{caller}: {int(bad.sum()):,} complaint(s) {what} ({resolved_col!r}, {days_col!r}), "
                             f"e.g.\n{complaints.loc[bad.to_numpy()].head(3).to_string()}")
    return resolved


def _base_size(customers, complaints: pd.DataFrame, customer_col: str) -> int:
    """The number of customers the rates are per; with a table or ids, every complainant must be among them."""
    if isinstance(customers, (int, np.integer)) and not isinstance(customers, bool):
        if customers < 1:
            raise ValueError(f"complaint_summary: customers={customers!r} must be a positive number of customers.")
        return int(customers)
    ids = _customer_ids(customers, customer_col, "complaint_summary")
    outside = ~complaints[customer_col].isin(ids)
    if outside.any():
        raise ValueError(f"complaint_summary: {int(outside.sum()):,} complaint(s) come from customers who are not in "
                         "customers, the base of the rates, e.g.\n"
                         f"{complaints.loc[outside.to_numpy()].head(3).to_string()}")
    if ids.size == 0:
        raise ValueError("complaint_summary: customers holds no customer ids.")
    return int(ids.size)


def complaint_summary(complaints, customers, *, by: str | None = "category", customer_col: str = "customer_id",
                      resolved_col: str = "resolved", days_col: str = "days_to_resolve",
                      confidence: float = 0.95) -> pd.DataFrame:
    """Complaints per 1,000 customers, how many were resolved and how fast, per category.

    Parameters
    ----------
    complaints : pandas or Polars DataFrame
        One row per complaint: ``customer_col``, ``resolved_col`` (True/False),
        ``days_col`` (days from complaint to resolution; missing while unresolved), ``by``.
    customers : int, ids, or pandas or Polars DataFrame
        The base of the rates: their number, their ids, or a table with ``customer_col``.
        With ids or a table, every complainant must be among them. Pass the buyers to
        count complaints per 1,000 buyers (only a buyer can complain about an order).
    by : str or None
        Group by this column (default ``"category"``); ``None`` for one row.
    confidence : float
        Level of the Wilson interval of the resolution rate.

    Returns
    -------
    pandas.DataFrame
        One row per group, the most frequent first: ``complaints``, ``complainants``
        (distinct customers), ``per_1000_customers`` (complaints per 1,000 customers of the
        base), ``share_pct`` (% of all complaints), ``resolved``, ``resolution_pct`` with
        ``resolution_low`` and ``resolution_high`` (% of the group's complaints),
        ``median_days_to_resolve`` and ``p90_days_to_resolve`` (days, among the resolved;
        missing when none was). ``attrs["customers"]``: the size of the base.

    Examples
    --------
    >>> k = pd.DataFrame({"customer_id": ["a", "a", "b"], "category": ["billing", "delivery", "billing"],
    ...                   "resolved": [True, False, True], "days_to_resolve": [2.0, None, 4.0]})
    >>> complaint_summary(k, 1000)[["category", "per_1000_customers", "resolution_pct", "median_days_to_resolve"]]
       category  per_1000_customers  resolution_pct  median_days_to_resolve
    0   billing                 2.0           100.0                     3.0
    1  delivery                 1.0             0.0                     NaN
    """
    _z(confidence)
    complaints = _pandas(complaints, "complaint_summary", "complaints")
    require_columns(complaints, {"customer_col": customer_col, "resolved_col": resolved_col, "days_col": days_col,
                                 **({"by": by} if by is not None else {})}, what="complaints table")
    _ids(complaints, customer_col, "complaint_summary", "complaints")
    resolved = _complaint_checks(complaints, resolved_col, days_col, "complaint_summary").to_numpy()
    base = _base_size(customers, complaints, customer_col)
    days = pd.to_numeric(complaints[days_col], errors="coerce").to_numpy(dtype=float)
    total = len(complaints)
    name, groups = _split(complaints, by, "complaint_summary")
    rows = []
    for _, at in groups:
        n, k = at.size, int(resolved[at].sum())
        took = days[at][resolved[at]]
        lo, hi = _wilson(k, n, confidence)
        rows.append({"complaints": n, "complainants": complaints[customer_col].iloc[at].nunique(),
                     "per_1000_customers": 1000 * n / base, "share_pct": 100 * n / total if total else np.nan,
                     "resolved": k, "resolution_pct": 100 * k / n if n else np.nan,
                     "resolution_low": 100 * lo, "resolution_high": 100 * hi,
                     "median_days_to_resolve": float(np.median(took)) if took.size else np.nan,
                     "p90_days_to_resolve": float(np.quantile(took, 0.9)) if took.size else np.nan})
    out = pd.DataFrame(rows)
    if name is not None:
        out.insert(0, name, [g for g, _ in groups])
        out = out.sort_values(["complaints", name], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs["customers"] = base
    return out


def complaint_outcomes(complaints, transactions, *, as_of, observation_end, customer_col: str = "customer_id",
                       date_col: str = "date", amount_col: str = "amount", resolved_col: str = "resolved",
                       confidence: float = 0.95) -> pd.DataFrame:
    """What buyers did after ``as_of``, by what happened to their complaints up to it: resolved, unresolved, none.

    Every customer with a purchase on or before ``as_of`` gets one group from the complaints
    dated on or before it: ``unresolved complaint`` (at least one never resolved), ``resolved
    complaint``, ``no complaint``. A complaint's status is its final one in the table.

    This is an observational comparison, not the effect of a complaint or of resolving it:
    customers who complain are buyers who were active enough to have something to complain
    about, so they differ from the others before any complaint (the ``before`` columns
    show how), and whoever resolves complaints may treat customers differently.

    Parameters
    ----------
    complaints : pandas or Polars DataFrame
        ``customer_col``, ``date_col`` (day of the complaint), ``resolved_col`` (True/False).
    transactions : pandas or Polars DataFrame
        A validated transaction log: ``customer_col``, ``date_col``, ``amount_col``
        (currency units).
    as_of, observation_end : date
        The day the groups are formed (included in the past) and the last day observed.
    confidence : float
        Level of the Wilson interval of the share who bought again.

    Returns
    -------
    pandas.DataFrame
        One row per group with customers (no, resolved, unresolved): ``complaint``,
        ``customers``, ``purchases_before`` and ``spend_before`` (means per customer up to
        ``as_of``; currency units), ``bought_again_pct`` with ``bought_again_low`` and
        ``bought_again_high`` (% who bought in the follow-up: after ``as_of`` up to
        ``observation_end``), ``purchases_after`` and ``spend_after`` (means per customer,
        zeros included). ``attrs``: ``follow_up_days``, ``complaints_used``,
        ``complaints_left_out`` (dated after ``as_of``, or by customers not in the table).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"], "amount": [10.0, 20.0, 5.0, 8.0, 8.0],
    ...                    "date": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-01-05", "2024-01-09",
    ...                                            "2024-02-20"])})
    >>> k = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-01-06"]), "resolved": [True]})
    >>> out = complaint_outcomes(k, tx, as_of="2024-01-31", observation_end="2024-03-31")
    >>> out[["complaint", "customers", "bought_again_pct", "spend_after"]]
                complaint  customers  bought_again_pct  spend_after
    0        no complaint          2              50.0          4.0
    1  resolved complaint          1             100.0         20.0
    """
    caller = "complaint_outcomes"
    _z(confidence)
    start, end = as_date(as_of, "as_of").normalize(), as_date(observation_end, "observation_end").normalize()
    if end <= start:
        raise ValueError(f"{caller}: observation_end ({end.date()}) must come after as_of ({start.date()}): the "
                         "follow-up is the days between them.")
    tx = wall_clock(_pandas(transactions, caller, "the transaction log"), [date_col])
    require_columns(tx, {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col},
                    what="transaction log")
    require_complete(tx, {"customer_col": customer_col, "date_col": date_col}, caller=caller, amount_col=amount_col)
    complaints = wall_clock(_pandas(complaints, caller, "complaints"), [date_col])
    require_columns(complaints, {"customer_col": customer_col, "date_col": date_col, "resolved_col": resolved_col},
                    what="complaints table")
    _ids(complaints, customer_col, caller, "complaints")
    refuse_missing(complaints, resolved_col, caller)
    day = _dates(tx, date_col, caller, "transaction log")

    def totals(rows, when: str) -> pd.DataFrame:
        return (tx.loc[rows.to_numpy()].groupby(customer_col)[amount_col].agg(["size", "sum"])
                .set_axis([f"purchases_{when}", f"spend_{when}"], axis=1))

    base = totals(day <= start, "before").join(totals((day > start) & (day <= end), "after")).fillna(0)
    past = complaints.loc[(_dates(complaints, date_col, caller, "complaints table") <= start).to_numpy()]
    used = past[customer_col].isin(base.index)
    status = pd.Series("no complaint", index=base.index, dtype=object)
    status[base.index.isin(past.loc[used, customer_col])] = "resolved complaint"
    status[base.index.isin(past.loc[used & ~past[resolved_col].astype(bool), customer_col])] = "unresolved complaint"
    rows = []
    for group in COMPLAINT_GROUPS:
        part = base.loc[(status == group).to_numpy()]
        if part.empty:
            continue
        again = int((part["purchases_after"] > 0).sum())
        lo, hi = _wilson(again, len(part), confidence)
        rows.append({"complaint": group, "customers": len(part), "purchases_before": part["purchases_before"].mean(),
                     "spend_before": part["spend_before"].mean(), "bought_again_pct": 100 * again / len(part),
                     "bought_again_low": 100 * lo, "bought_again_high": 100 * hi,
                     "purchases_after": part["purchases_after"].mean(), "spend_after": part["spend_after"].mean()})
    if not rows:
        raise ValueError(f"{caller}: nobody bought on or before as_of ({start.date()}); pick a later day.")
    out = pd.DataFrame(rows)
    out.attrs.update(follow_up_days=int((end - start).days), as_of=start, complaints_used=int(used.sum()),
                     complaints_left_out=int(len(complaints) - used.sum()))
    return out


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
