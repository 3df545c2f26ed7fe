"""Segmentation by RFM scores and by demographics.

Three routes split a customer base into groups; this module holds two of them
(:mod:`custlab.clustering` holds the third, clustering on behaviour):

* **RFM scores** (:func:`rfm_scores`, :class:`RFMTransformer`): each customer gets a
  score from 1 to ``bins`` for Recency, Frequency and Monetary value, higher is better;
  :func:`rfm_segments` names the cells of the score grid (champions, at risk, ...)
  through a rule table that can be replaced (:data:`RFM_SEGMENT_RULES`).
* **Demographics** (:func:`demographic_behaviour`, :func:`variance_explained`): the
  behaviour of each age band, gender, income band or region, and the share of the
  spread in behaviour that the demographic groups account for.

How a score is given (the tie rule)
-----------------------------------
A customer's score is ``1 + floor(bins * below / n)``, where ``below`` is the number
of the ``n`` customers whose value is strictly worse. Customers with equal values
therefore always get equal scores, and the worst value always scores 1. A large tie
(the many one-time buyers, all with frequency 0) takes one score as a block and the
scores it covers are skipped: with 60 % one-time buyers and 5 bins, they all score 1
and the next frequency scores 4. Values are rounded to 9 decimals before they are
compared, so that times computed two ways compare equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

__all__ = [
    "RFM_SEGMENT_RULES",
    "RFMTransformer",
    "demographic_behaviour",
    "rfm_features",
    "rfm_scores",
    "rfm_segments",
    "variance_explained",
]

_DECIMALS = 9  # values are compared after rounding to this many decimals

#: The default rule table of :func:`rfm_segments`. One row per segment, tried in order:
#: the first rule whose ranges hold the customer's scores names the segment. Ranges are on
#: the relative score ``score / bins`` (0.2 to 1 with 5 bins), so one table serves any
#: number of bins; the last row catches everyone left. ``strategy`` is what a company
#: usually does for the segment.
RFM_SEGMENT_RULES = pd.DataFrame(
    [
        ("champions", 0.8, 1.0, 0.8, 1.0, "reward them; ask for reviews and referrals; early access to new products"),
        ("loyal", 0.6, 1.0, 0.6, 1.0, "loyalty programme, cross-sell and upsell; ask for feedback (NPS)"),
        ("new or promising", 0.8, 1.0, 0.0, 0.6, "onboarding and a reason for the second purchase"),
        ("at risk", 0.0, 0.5, 0.6, 1.0, "win them back: personal contact, ask what went wrong"),
        ("hibernating", 0.0, 0.5, 0.0, 0.6, "low-cost reactivation, or let them go"),
        ("need attention", 0.0, 1.0, 0.0, 1.0, "limited-time offer based on past purchases"),
    ],
    columns=["segment", "R_min", "R_max", "F_min", "F_max", "strategy"],
)


def _scores_against(reference: np.ndarray, values: np.ndarray, bins: int) -> np.ndarray:
    """Scores 1..bins of ``values`` against the sorted ``reference`` (higher is better)."""
    below = np.searchsorted(reference, values, side="left")
    return np.minimum(1 + (bins * below) // len(reference), bins).astype(np.int64)


def _check_bins(bins) -> int:
    if isinstance(bins, bool) or not isinstance(bins, Integral) or bins < 1:
        raise ValueError(f"bins={bins!r}; pass a whole number of score levels, 1 or more (5 is usual).")
    return int(bins)


def rfm_features(
    summary: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    monetary_col: str = "monetary_value",
) -> pd.DataFrame:
    """The three RFM inputs of each customer, from an :func:`custlab.rfm_summary` table.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, columns ``time_since_last_purchase`` (``T - recency``, in the
        summary's time unit; shorter is better), ``frequency`` (repeat purchases) and
        ``monetary_value`` (currency units per repeat purchase).

    Raises
    ------
    ValueError
        A missing column, or a missing value (naming the first customers that have one).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": [1, 2], "frequency": [3, 0], "recency": [10.0, 0.0],
    ...                   "T": [12.0, 5.0], "monetary_value": [20.0, 0.0]})
    >>> rfm_features(s)
                 time_since_last_purchase  frequency  monetary_value
    customer_id
    1                                 2.0          3            20.0
    2                                 5.0          0             0.0
    """
    needed = [frequency_col, recency_col, T_col, monetary_col]
    missing = [c for c in needed if c not in summary.columns]
    if missing:
        raise ValueError(f"rfm_features: no column(s) {missing}; columns found: {list(summary.columns)}. "
                         "Pass the output of custlab.rfm_summary, or name the columns.")
    frame = summary.set_index(customer_col) if customer_col in summary.columns else summary
    gaps = frame[needed].isna().any(axis=1)
    if gaps.any():
        raise ValueError(f"rfm_features: {int(gaps.sum())} customer(s) have missing values, first: "
                         f"{list(frame.index[gaps][:5])}.")
    return pd.DataFrame({
        "time_since_last_purchase": frame[T_col] - frame[recency_col],
        "frequency": frame[frequency_col],
        "monetary_value": frame[monetary_col],
    }, index=frame.index)


def rfm_scores(summary: pd.DataFrame, *, bins: int = 5, customer_col: str = "customer_id", **columns) -> pd.DataFrame:
    """R, F and M scores from 1 to ``bins`` for each customer, higher is better.

    R scores the time since the last purchase (``T - recency``: shorter is better), F the
    number of repeat purchases, M the mean repeat spend. The bins are quantiles of the
    customers; equal values always get equal scores (the tie rule is in the module notes).

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`custlab.rfm_summary` output, one row per customer.
    bins : int
        Score levels (5 gives the usual 1-5 scores; quintiles when there are no ties).
    customer_col : str
        The customer id column (becomes the index).
    **columns
        Other column names, as in :func:`rfm_features`.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, integer columns ``R``, ``F``, ``M``; ``attrs["bins"]`` holds ``bins``.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": [1, 2, 3, 4], "frequency": [0, 0, 2, 5],
    ...                   "recency": [0.0, 0.0, 6.0, 9.0], "T": [10.0, 4.0, 10.0, 10.0],
    ...                   "monetary_value": [0.0, 0.0, 30.0, 10.0]})
    >>> rfm_scores(s, bins=4)
                 R  F  M
    customer_id
    1            1  1  1
    2            2  1  1
    3            2  3  4
    4            4  4  3
    """
    bins = _check_bins(bins)
    features = rfm_features(summary, customer_col=customer_col, **columns)
    scores = RFMTransformer(bins=bins).fit(features).transform(features)
    out = pd.DataFrame(scores, index=features.index, columns=["R", "F", "M"])
    out.attrs["bins"] = bins
    return out


def rfm_segments(scores: pd.DataFrame, rules: pd.DataFrame | None = None, *, bins: int | None = None) -> pd.Series:
    """Name each customer's segment from their R and F scores, by a rule table.

    Parameters
    ----------
    scores : pandas.DataFrame
        Columns ``R`` and ``F`` (and ``M`` if the rules use it), as from :func:`rfm_scores`.
    rules : pandas.DataFrame, optional
        Columns ``segment`` and ``<S>_min``, ``<S>_max`` for any of the scores S in R, F, M
        (relative scores ``score / bins``, from 0 to 1, both ends included). Rows are tried
        in order, the first match wins. Default :data:`RFM_SEGMENT_RULES`.
    bins : int, optional
        The number of score levels; default ``scores.attrs["bins"]`` (set by :func:`rfm_scores`).

    Returns
    -------
    pandas.Series
        Categorical ``segment`` with the categories in rule order, indexed like ``scores``.

    Raises
    ------
    ValueError
        Unknown number of bins, scores outside 1..bins, or customers no rule covers.

    Examples
    --------
    >>> scores = pd.DataFrame({"R": [5, 1, 5], "F": [5, 4, 1]}, index=["a", "b", "c"])
    >>> rfm_segments(scores, bins=5).tolist()
    ['champions', 'at risk', 'new or promising']
    """
    rules = RFM_SEGMENT_RULES if rules is None else rules
    bins = _check_bins(scores.attrs.get("bins") if bins is None else bins)
    if "segment" not in rules.columns:
        raise ValueError("rfm_segments: the rule table needs a 'segment' column.")
    used = [s for s in ("R", "F", "M") if f"{s}_min" in rules.columns or f"{s}_max" in rules.columns]
    for s in used:
        if s not in scores.columns:
            raise ValueError(f"rfm_segments: the rules use {s} but the scores have no {s} column.")
        if ((scores[s] < 1) | (scores[s] > bins)).any():
            raise ValueError(f"rfm_segments: {s} scores outside 1..{bins}; pass the bins used for the scores.")
    relative = {s: scores[s].to_numpy() / bins for s in used}
    names = np.full(len(scores), None, dtype=object)
    for _, rule in rules.iterrows():
        hit = names == None  # noqa: E711 (element-wise)
        for s in used:
            low, high = rule.get(f"{s}_min", 0.0), rule.get(f"{s}_max", 1.0)
            hit &= (relative[s] >= low - 1e-12) & (relative[s] <= high + 1e-12)
        names[hit] = rule["segment"]
    if (names == None).any():  # noqa: E711
        raise ValueError(f"rfm_segments: no rule covers {int((names == None).sum())} customer(s), first: "  # noqa: E711
                         f"{list(scores.index[names == None][:5])}; end the table with a rule for everyone.")  # noqa: E711
    categories = list(dict.fromkeys(rules["segment"]))
    return pd.Series(pd.Categorical(names, categories=categories), index=scores.index, name="segment")


class RFMTransformer(TransformerMixin, BaseEstimator):
    """Score each feature from 1 to ``bins`` against the customers seen in ``fit``.

    A scikit-learn transformer: fit it on :func:`rfm_features` output and it returns the
    R, F, M scores of :func:`rfm_scores`; new customers are scored against the fitted ones
    (a value beyond all of them gets the end score). Any numeric columns can be scored:
    higher is better, except for the columns in ``lower_is_better``.

    Parameters
    ----------
    bins : int
        Score levels.
    lower_is_better : "auto" or sequence of str or int
        Columns where a lower value is better, by name or position. ``"auto"``: the column
        ``time_since_last_purchase`` if there is one, else none.

    Attributes
    ----------
    reference_ : list of arrays
        Per feature, the sorted training values (negated where lower is better).
    lower_is_better_ : array of bool
        Per feature, whether lower is better.
    n_features_in_, feature_names_in_
        As in scikit-learn.

    Examples
    --------
    >>> X = pd.DataFrame({"time_since_last_purchase": [1.0, 9.0, 4.0], "frequency": [5, 0, 2],
    ...                   "monetary_value": [10.0, 0.0, 25.0]})
    >>> RFMTransformer(bins=3).set_output(transform="pandas").fit_transform(X)
       R  F  M
    0  3  3  2
    1  1  1  1
    2  2  2  3
    """

    _parameter_constraints: dict = {
        "bins": [Interval(Integral, 1, None, closed="left")],
        "lower_is_better": [StrOptions({"auto"}), list, tuple],
    }
    _NAMES = {"time_since_last_purchase": "R", "frequency": "F", "monetary_value": "M"}

    def __init__(self, bins: int = 5, lower_is_better: str | Sequence = "auto"):
        self.bins = bins
        self.lower_is_better = lower_is_better

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Store the sorted training values of each feature. Returns ``self``."""
        X = validate_data(self, X, dtype=np.float64)
        names = getattr(self, "feature_names_in_", None)
        flip = np.zeros(X.shape[1], dtype=bool)
        if isinstance(self.lower_is_better, str):
            if names is not None:
                flip = np.asarray(names) == "time_since_last_purchase"
        else:
            for item in self.lower_is_better:
                if isinstance(item, str):
                    if names is None or item not in names:
                        raise ValueError(f"lower_is_better names column {item!r}, which X does not have.")
                    flip |= np.asarray(names) == item
                else:
                    if not 0 <= int(item) < X.shape[1]:
                        raise ValueError(f"lower_is_better position {item!r} is outside the {X.shape[1]} columns.")
                    flip[int(item)] = True
        self.lower_is_better_ = flip
        signed = np.round(np.where(flip, -X, X), _DECIMALS)
        self.reference_ = [np.sort(signed[:, j]) for j in range(X.shape[1])]
        return self

    def transform(self, X):
        """Scores from 1 to ``bins`` (integers), one column per feature."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        signed = np.round(np.where(self.lower_is_better_, -X, X), _DECIMALS)
        return np.column_stack([_scores_against(ref, signed[:, j], self.bins)
                                for j, ref in enumerate(self.reference_)])

    def get_feature_names_out(self, input_features=None):
        """``R``, ``F``, ``M`` for the RFM columns, ``<name>_score`` for others."""
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        return np.asarray([self._NAMES.get(n, f"{n}_score") for n in names], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # scores are integers
        return tags


def _groups(demographics: pd.DataFrame, column: str) -> pd.Series:
    """A demographic column with missing values shown as 'unknown'."""
    return demographics[column].astype(object).where(demographics[column].notna(), "unknown").astype(str)


def demographic_behaviour(
    features: pd.DataFrame,
    demographics: pd.DataFrame,
    column: str,
    *,
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Customers and mean behaviour per group of one demographic column.

    Parameters
    ----------
    features : pandas.DataFrame
        Behaviour per customer (indexed by customer), numeric columns.
    demographics : pandas.DataFrame
        Indexed by customer; customers missing here, or with a missing value, count as ``"unknown"``.
    column : str
        The demographic column (``"age_band"``, ``"gender"``, ``"income_band"``, ``"region"``).
    order : sequence of str, optional
        Order of the groups; default sorted, with ``"unknown"`` last.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``customers`` (a count) and the mean of each feature.

    Examples
    --------
    >>> f = pd.DataFrame({"spend": [10.0, 30.0, 20.0]}, index=[1, 2, 3])
    >>> d = pd.DataFrame({"gender": ["female", "male", None]}, index=[1, 2, 3])
    >>> demographic_behaviour(f, d, "gender")
             customers  spend
    gender
    female           1   10.0
    male             1   30.0
    unknown          1   20.0
    """
    if column not in demographics.columns:
        raise ValueError(f"demographic_behaviour: no column {column!r}; columns found: {list(demographics.columns)}.")
    groups = _groups(demographics.reindex(features.index), column).rename(column)
    table = features.groupby(groups).mean()
    table.insert(0, "customers", groups.value_counts().reindex(table.index).astype(int))
    found = list(table.index)
    order = [g for g in (order or sorted(g for g in found if g != "unknown")) if g in found]
    return table.loc[order + [g for g in found if g not in order and g != "unknown"]
                     + (["unknown"] if "unknown" in found else [])]


def variance_explained(values: pd.Series, demographics: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Share of the variance of ``values`` that demographic groups account for (R squared).

    For each column alone, the share explained by its group means; for ``"all together"``,
    by an additive model (least squares on one indicator per group of every column).
    Missing demographics form their own group, ``"unknown"``.

    Parameters
    ----------
    values : pandas.Series
        One number per customer (spend in currency units, purchases, ...), indexed by customer.
    demographics : pandas.DataFrame
        Indexed by customer.
    columns : sequence of str
        Demographic columns.

    Returns
    -------
    pandas.Series
        R squared (0 to 1) per column and ``"all together"``; 0 when ``values`` do not vary.

    Examples
    --------
    >>> v = pd.Series([1.0, 3.0, 1.0, 3.0], index=list("abcd"))
    >>> d = pd.DataFrame({"region": ["N", "S", "N", "S"], "gender": ["f", "f", "m", "m"]}, index=list("abcd"))
    >>> variance_explained(v, d, ["region", "gender"]).round(2)
    region          1.0
    gender          0.0
    all together    1.0
    Name: share of variance explained, dtype: float64
    """
    y = values.to_numpy(dtype=float)
    demo = demographics.reindex(values.index)
    total = float(((y - y.mean()) ** 2).sum())
    out = {}
    design = [np.ones((len(y), 1))]
    for column in columns:
        dummies = pd.get_dummies(_groups(demo, column)).to_numpy(dtype=float)
        out[column] = _r_squared(y, np.column_stack([np.ones(len(y)), dummies]), total)
        design.append(dummies)
    out["all together"] = _r_squared(y, np.column_stack(design), total)
    return pd.Series(out, name="share of variance explained")


def _r_squared(y: np.ndarray, design: np.ndarray, total: float) -> float:
    if total <= 0:
        return 0.0
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = float(((y - design @ coef) ** 2).sum())
    return float(min(max(1.0 - residual / total, 0.0), 1.0))
