"""Segmentation by clustering on behaviour, segment profiles, personas and agreement.

:func:`customer_features` turns a transaction log into behaviour per customer;
:class:`BehaviourClusters` groups customers by it (k-means or a Gaussian mixture) with
labels that do not depend on the machine or on the order of the rows;
:func:`choose_k` shows how well each number of clusters fits; :func:`segment_profiles`
describes any segmentation (size, revenue share, mean behaviour, demographic mix), and
:func:`personas` turns a profile into one sentence of numbers. :func:`segment_agreement`
compares two segmentations of the same customers.

How clusters are numbered
-------------------------
Rows are put in a fixed order (sorted by their feature values) before fitting, the fit
runs on one BLAS/OpenMP thread with a fixed ``random_state``, and the clusters are then
numbered 1, 2, ... by *decreasing mean of the first feature*, ties broken by the next
feature, and so on (means rounded to 6 decimals). The same data and seed give the same
labels on every machine and in any row order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from custlab.summaries import rfm_summary

__all__ = ["BehaviourClusters", "choose_k", "customer_features", "personas", "segment_agreement",
           "segment_profiles"]

METHODS = ("kmeans", "gmm")
DEMOGRAPHICS = ("age_band", "gender", "income_band", "region")


def customer_features(
    transactions: pd.DataFrame,
    *,
    observation_end,
    time_unit: str = "W",
    discount_col: str | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Behaviour per customer, for clustering: purchases, spend, timing and discounts.

    Parameters
    ----------
    transactions : pandas.DataFrame
        A validated transaction log (purchases of one customer on one day count as one).
    observation_end : date
        Last day observed.
    time_unit : {"D", "W", "M"}
        Unit of the two durations.
    discount_col : str, optional
        Column with the discount of each row (a fraction; more than 0 means discounted).
        Without it there is no ``discount_share`` column.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, sorted: ``frequency`` (repeat purchases), ``mean_spend``
        (currency units per purchase, the first included), ``revenue`` (currency units in
        all), ``time_since_last_purchase`` and ``tenure`` (time since the first purchase),
        both in ``time_unit``; with ``discount_col`` also ``discount_share`` (share of rows
        bought with a discount, 0 to 1).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [10.0, 30.0, 5.0],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-22"]),
    ...                    "discount": [0.0, 0.1, 0.0]})
    >>> customer_features(tx, observation_end="2024-01-29", discount_col="discount").T
    customer_id                  1    2
    frequency                  1.0  0.0
    mean_spend                20.0  5.0
    revenue                   40.0  5.0
    time_since_last_purchase   2.0  1.0
    tenure                     4.0  1.0
    discount_share             0.5  0.0
    """
    summary = rfm_summary(transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                          observation_end=observation_end, time_unit=time_unit).set_index(customer_col)
    revenue = transactions.groupby(customer_col)[amount_col].sum().reindex(summary.index)
    out = pd.DataFrame({
        "frequency": summary["frequency"],
        "mean_spend": revenue / (summary["frequency"] + 1),
        "revenue": revenue,
        "time_since_last_purchase": summary["T"] - summary["recency"],
        "tenure": summary["T"],
    })
    if discount_col is not None:
        out["discount_share"] = (transactions[discount_col] > 0).groupby(transactions[customer_col]).mean()
    return out.sort_index()


def _prepare(features: pd.DataFrame, log_columns: Sequence[str]) -> np.ndarray:
    missing = features.columns[features.isna().any()].tolist()
    if missing:
        raise ValueError(f"BehaviourClusters: missing values in {missing}; fill or drop those customers first.")
    X = features.to_numpy(dtype=float).copy()
    for j, name in enumerate(features.columns):
        if name in log_columns:
            if (X[:, j] < 0).any():
                raise ValueError(f"BehaviourClusters: column {name!r} has negative values and cannot be logged.")
            X[:, j] = np.log1p(X[:, j])
    return X


class BehaviourClusters(BaseEstimator):
    """Clusters of customers by behaviour: log of skewed counts and amounts, standard scale, then k-means or a
    Gaussian mixture, numbered by a fixed key (see the module notes).

    Parameters
    ----------
    k : int
        Number of clusters.
    method : {"kmeans", "gmm"}
        k-means, or a Gaussian mixture with full covariances.
    log_columns : sequence of str
        Columns taken as ``log(1 + x)`` before scaling (counts, amounts and durations are skewed).
    n_init : int
        Starts of the fit; the best is kept.
    random_state : int
        Seed of the starts.

    Attributes
    ----------
    labels_ : pandas.Series
        Cluster 1..k per customer, in the order of the rows given to ``fit``.
    centers_ : pandas.DataFrame
        Mean features of each cluster, in the original units.
    feature_names_in_ : array of str

    Examples
    --------
    >>> f = pd.DataFrame({"frequency": [0, 0, 9, 8], "mean_spend": [5.0, 6.0, 50.0, 40.0]})
    >>> BehaviourClusters(k=2, random_state=0).fit(f).labels_.tolist()
    [2, 2, 1, 1]
    """

    def __init__(self, k: int = 4, *, method: str = "kmeans",
                 log_columns: Sequence[str] = ("frequency", "mean_spend", "revenue", "time_since_last_purchase",
                                               "tenure"),
                 n_init: int = 10, random_state: int = 0):
        self.k = k
        self.method = method
        self.log_columns = log_columns
        self.n_init = n_init
        self.random_state = random_state

    def _model(self, k: int):
        if self.method == "kmeans":
            return KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state)
        if self.method == "gmm":
            return GaussianMixture(n_components=k, n_init=self.n_init, random_state=self.random_state,
                                   reg_covar=1e-4)
        raise ValueError(f"method={self.method!r}; pass 'kmeans' or 'gmm'.")

    def _scaled(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Scaled features in a fixed row order, and that order."""
        X = _prepare(features, self.log_columns)
        order = np.lexsort(np.round(X, 9).T[::-1])
        return StandardScaler().fit_transform(X[order]), order

    def fit(self, features: pd.DataFrame, y=None):
        """Cluster the customers (rows of ``features``). Returns ``self``."""
        if not isinstance(features, pd.DataFrame):
            raise TypeError("BehaviourClusters.fit takes a DataFrame of features (see customer_features).")
        n_distinct = len(features.drop_duplicates())
        if not 1 <= self.k <= n_distinct:
            raise ValueError(f"k={self.k!r}; the {len(features):,} customers have {n_distinct:,} distinct rows, "
                             f"so pass k from 1 to {n_distinct}.")
        Z, order = self._scaled(features)
        with threadpool_limits(limits=1):
            raw = self._model(self.k).fit(Z).predict(Z)
        labels = np.empty(len(features), dtype=np.int64)
        labels[order] = raw
        means = features.groupby(labels).mean().round(6)
        ranked = means.sort_values(list(means.columns), ascending=False).index
        renumber = {old: new for new, old in enumerate(ranked, start=1)}
        self.labels_ = pd.Series([renumber[x] for x in labels], index=features.index, name="cluster")
        self.centers_ = features.groupby(self.labels_.to_numpy()).mean().rename_axis("cluster")
        self.feature_names_in_ = np.asarray(features.columns, dtype=object)
        return self


def choose_k(features: pd.DataFrame, ks: Sequence[int] = range(2, 9), *, method: str = "kmeans",
             random_state: int = 0, n_init: int = 10, silhouette_sample: int = 3000) -> pd.DataFrame:
    """How well each number of clusters fits: within-cluster spread, silhouette and (for "gmm") BIC.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``k``: ``within_cluster_ss`` (sum of squared distances to the cluster
        means, in scaled units: the elbow), ``silhouette`` (-1 to 1, higher is better;
        on at most ``silhouette_sample`` customers drawn with ``random_state``) and, for
        ``method="gmm"``, ``bic`` (lower is better).

    Examples
    --------
    >>> f = pd.DataFrame({"frequency": [0, 0, 1, 9, 8, 9], "mean_spend": [5.0, 6.0, 5.0, 50.0, 40.0, 45.0]})
    >>> int(choose_k(f, ks=[2, 3])["silhouette"].idxmax())
    2
    """
    rows = []
    for k in ks:
        model = BehaviourClusters(k, method=method, random_state=random_state, n_init=n_init)
        Z, order = model._scaled(features)
        with threadpool_limits(limits=1):
            fitted = model._model(k).fit(Z)
            labels = fitted.predict(Z)
            centers = np.vstack([Z[labels == c].mean(axis=0) for c in np.unique(labels)])
            within = float(((Z - centers[np.searchsorted(np.unique(labels), labels)]) ** 2).sum())
            n_labels = len(np.unique(labels))
            silhouette = (silhouette_score(Z, labels, sample_size=min(silhouette_sample, len(Z)),
                                           random_state=random_state) if 1 < n_labels < len(Z) else np.nan)
            row = {"k": int(k), "within_cluster_ss": within, "silhouette": float(silhouette)}
            if method == "gmm":
                row["bic"] = float(fitted.bic(Z))
        rows.append(row)
    return pd.DataFrame(rows).set_index("k")


def segment_profiles(
    features: pd.DataFrame,
    segments: pd.Series,
    *,
    revenue_col: str = "revenue",
    demographics: pd.DataFrame | None = None,
    demographic_cols: Sequence[str] = DEMOGRAPHICS,
) -> pd.DataFrame:
    """Size, revenue share, mean behaviour and demographic mix of each segment.

    Parameters
    ----------
    features : pandas.DataFrame
        Behaviour per customer (see :func:`customer_features`), indexed by customer.
    segments : pandas.Series
        Segment per customer, same index. A categorical keeps its category order; other
        labels are sorted.
    revenue_col : str
        Column summed for the revenue share.
    demographics : pandas.DataFrame, optional
        Indexed by customer; adds, per demographic column, the most common group and its share
        (missing values count as ``"unknown"``).

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``customers`` (count), ``customers_pct`` and ``revenue_pct``
        (% of all), the mean of each feature, and ``<column>: top`` / ``<column>: top_pct``.

    Examples
    --------
    >>> f = pd.DataFrame({"frequency": [0, 2, 4], "revenue": [10.0, 30.0, 60.0]}, index=[1, 2, 3])
    >>> segment_profiles(f, pd.Series(["b", "a", "a"], index=[1, 2, 3]))[["customers", "revenue_pct"]]
             customers  revenue_pct
    segment
    a                2         90.0
    b                1         10.0
    """
    segments = segments.reindex(features.index).rename("segment")
    if segments.isna().any():
        raise ValueError(f"segment_profiles: {int(segments.isna().sum())} customer(s) have no segment.")
    grouped = features.groupby(segments, observed=True, sort=True)
    table = grouped.mean()
    table.insert(0, "customers", grouped.size().astype(int))
    table.insert(1, "customers_pct", 100 * table["customers"] / len(features))
    if revenue_col in features.columns:
        total = features[revenue_col].sum()
        table.insert(2, "revenue_pct", 100 * grouped[revenue_col].sum() / total if total else 0.0)
    if demographics is not None:
        demo = demographics.reindex(features.index)
        for column in demographic_cols:
            if column not in demo.columns:
                continue
            values = demo[column].astype(object).where(demo[column].notna(), "unknown")
            mix = pd.crosstab(segments, values, normalize="index")
            top = mix.apply(lambda row: sorted(row.items(), key=lambda kv: (-round(kv[1], 9), str(kv[0])))[0], axis=1)
            table[f"{column}: top"] = top.map(lambda kv: kv[0])
            table[f"{column}: top_pct"] = top.map(lambda kv: 100 * kv[1])
    return table.rename_axis("segment")


def personas(profiles: pd.DataFrame, *, unit: str = "weeks", currency: str = "currency units") -> pd.Series:
    """One sentence per segment, built from its profile's numbers (nothing else is added).

    Parameters
    ----------
    profiles : pandas.DataFrame
        :func:`segment_profiles` output.
    unit, currency : str
        Words for the time unit of the durations and for the money.

    Examples
    --------
    >>> p = pd.DataFrame({"customers": [120], "customers_pct": [12.0], "revenue_pct": [40.0], "frequency": [6.2],
    ...                   "mean_spend": [31.5], "time_since_last_purchase": [3.0]}, index=["champions"])
    >>> print(personas(p)["champions"])
    120 customers (12 % of all) bring 40 % of revenue; 6.2 repeat purchases each, 31.50 currency units per purchase, last purchase 3.0 weeks ago.
    """
    def sentence(row: pd.Series) -> str:
        parts = [f"{int(row['customers']):,} customers ({row['customers_pct']:.0f} % of all)"]
        if "revenue_pct" in row:
            parts[0] += f" bring {row['revenue_pct']:.0f} % of revenue"
        details = []
        if "frequency" in row:
            details.append(f"{row['frequency']:.1f} repeat purchases each")
        if "mean_spend" in row:
            details.append(f"{row['mean_spend']:.2f} {currency} per purchase")
        if "time_since_last_purchase" in row:
            details.append(f"last purchase {row['time_since_last_purchase']:.1f} {unit} ago")
        if "discount_share" in row:
            details.append(f"{100 * row['discount_share']:.0f} % of orders discounted")
        for column in DEMOGRAPHICS:
            if f"{column}: top" in row:
                details.append(f"most often {column.replace('_', ' ')} {row[f'{column}: top']} "
                               f"({row[f'{column}: top_pct']:.0f} %)")
        return parts[0] + ("; " + ", ".join(details) if details else "") + "."

    return profiles.apply(sentence, axis=1).rename("persona")


def segment_agreement(a: pd.Series, b: pd.Series) -> tuple[pd.DataFrame, float]:
    """How two segmentations of the same customers agree: a contingency table and the adjusted Rand index.

    The adjusted Rand index is 1 when the two split the customers the same way (whatever
    the names), about 0 when they agree no more than chance would.

    Examples
    --------
    >>> table, ari = segment_agreement(pd.Series([1, 1, 2, 2]), pd.Series(["x", "x", "y", "y"]))
    >>> table.to_numpy().tolist(), ari
    ([[2, 0], [0, 2]], 1.0)
    """
    a, b = a.align(b, join="inner")
    table = pd.crosstab(a, b, dropna=False)
    return table, float(adjusted_rand_score(a.astype(str), b.astype(str)))
