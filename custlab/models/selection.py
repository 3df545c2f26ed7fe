"""Choosing between fitted models of repeat buying: information criteria on the calibration
period and a check on the holdout, side by side.

The criteria (``aic_``, ``bic_`` of every fitted model) compare likelihoods of the same
customers, so :func:`compare_models` refuses models fitted on different numbers of customers
or in different time units. The holdout check needs :func:`custlab.rfm_summary` with
``calibration_end``: each customer's purchases after the calibration period, and how long
that holdout lasted.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from custlab.models._base import FittedModel, check_fitted
from custlab.models._data import read_columns, refuse_rows
from custlab.models.covariates import _CovariateModel

__all__ = ["compare_models"]

COLUMNS = ["parameters", "log_likelihood", "aic", "bic", "expected_holdout_purchases",
           "actual_holdout_purchases", "difference_pct", "mean_absolute_error", "converged"]


def _check_models(models, where: str) -> None:
    if not isinstance(models, Mapping) or not models:
        raise TypeError(f"{where}: models must be a dict of fitted models by name, e.g. "
                        f"{{'BG/NBD': bgnbd, 'Pareto/NBD': pareto}}; got {type(models).__name__}"
                        f"{' (empty)' if isinstance(models, Mapping) else ''}.")
    for name, model in models.items():
        if not isinstance(model, FittedModel) or not callable(getattr(model, "conditional_expected_purchases", None)):
            raise TypeError(f"{where}: model {name!r} must be a fitted model of repeat purchases (BetaGeo, "
                            f"ModifiedBetaGeo, ParetoNBD, BetaGeoCovariates, ...); got {type(model).__name__}.")
        check_fitted(model)
    sizes = {name: model.n_customers_ for name, model in models.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name!r} on {n:,}" for name, n in sizes.items())
        raise ValueError(f"{where}: the models were fitted on different numbers of customers ({listed}); "
                         "log-likelihoods, AIC and BIC compare models only on the same customers. Refit them "
                         "all on one summary.")
    units = {name: getattr(model, "time_unit_", None) for name, model in models.items()}
    if len({u for u in units.values() if u is not None}) > 1:
        listed = ", ".join(f"{name!r} in {u}" for name, u in units.items())
        raise ValueError(f"{where}: the models were fitted in different time units ({listed}); a likelihood "
                         "depends on the unit of time, so refit them all with one time_unit.")


def _expected(model, duration, x, t_x, T, summary, columns) -> np.ndarray:
    if isinstance(model, _CovariateModel):
        frequency_col, recency_col, T_col = columns
        return model.conditional_expected_purchases(duration, summary, frequency_col=frequency_col,
                                                    recency_col=recency_col, T_col=T_col)
    return model.conditional_expected_purchases(duration, x, t_x, T)


def compare_models(models: Mapping[str, FittedModel], summary, *, frequency_col: str = "frequency",
                   recency_col: str = "recency", T_col: str = "T", holdout_col: str = "frequency_holdout",
                   duration_col: str = "duration_holdout") -> pd.DataFrame:
    """Fit criteria and holdout accuracy of several models of repeat buying, best BIC first.

    Parameters
    ----------
    models : dict of str to fitted model
        Name to fitted :class:`~custlab.BetaGeo`, :class:`~custlab.ModifiedBetaGeo`,
        :class:`~custlab.ParetoNBD`, :class:`~custlab.BetaGeoCovariates` or
        :class:`~custlab.ParetoNBDCovariates`, all fitted on the customers of ``summary``
        (the same number of customers, the same time unit).
    summary : pandas or Polars DataFrame
        :func:`custlab.rfm_summary` with ``calibration_end``: one row per customer with the
        calibration history, the purchases in the holdout and its length (and the
        covariate columns of any covariate model).
    frequency_col, recency_col, T_col : str
        Columns of the calibration history: repeat purchases, time of the last purchase and
        time observed, in the models' time unit.
    holdout_col : str
        Purchases of each customer in the holdout (count).
    duration_col : str
        Length of each customer's holdout, in the models' time unit.

    Returns
    -------
    pandas.DataFrame
        One row per model, indexed by its name, sorted by BIC (then by name):

        - ``parameters``: number of estimated parameters (base parameters and effects);
        - ``log_likelihood``: maximised log-likelihood of the calibration data;
        - ``aic``, ``bic``: Akaike's ``2k - 2 loglik`` and Schwarz's ``k log(n) - 2 loglik``
          for ``k`` parameters and ``n`` customers; lower is better, and BIC charges more
          for each parameter (from 8 customers on);
        - ``expected_holdout_purchases``: the model's expected purchases in the holdout,
          summed over customers (count);
        - ``actual_holdout_purchases``: the purchases made (count);
        - ``difference_pct``: ``100 * (expected - actual) / actual`` (%, NaN if no purchase
          was made), positive when the model expects too many;
        - ``mean_absolute_error``: mean over customers of ``|expected - actual|``
          (purchases per customer in the holdout);
        - ``converged``: the model's ``converged_``; the criteria of a fit that did not
          converge mean little.

        ``attrs`` keeps ``time_unit`` and ``customers``.

    Raises
    ------
    TypeError
        If ``models`` is not a dict of fitted models of repeat purchases.
    ValueError
        If the models were fitted on different numbers of customers or in different time
        units, if ``summary`` holds another number of customers, or if it has no holdout
        columns (pass ``calibration_end`` to :func:`custlab.rfm_summary`) or values are
        missing there.

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30")
    >>> models = {"BG/NBD": cl.BetaGeo().fit(summary), "MBG/NBD": cl.ModifiedBetaGeo().fit(summary),
    ...           "Pareto/NBD": cl.ParetoNBD().fit(summary)}
    >>> table = compare_models(models, summary)
    >>> table[["parameters", "bic", "difference_pct", "mean_absolute_error"]].round(2)
                parameters       bic  difference_pct  mean_absolute_error
    model
    MBG/NBD              4  19195.33          -16.22                 0.76
    BG/NBD               4  19195.92          -12.15                 0.79
    Pareto/NBD           4  19221.01          -11.50                 0.75
    >>> int(table["actual_holdout_purchases"].iloc[0]), table.attrs["time_unit"]
    (1882, 'weeks')
    """
    where = "compare_models"
    _check_models(models, where)
    history = (frequency_col, recency_col, T_col)
    missing = [c for c in (holdout_col, duration_col) if c not in getattr(summary, "columns", [c])]
    if missing:
        raise ValueError(f"{where}: summary has no holdout column {missing}: pass calibration_end to "
                         "cl.rfm_summary(...) so it counts each customer's purchases after calibration, "
                         "or name yours with holdout_col= and duration_col=.")
    frame, (x, t_x, T, actual, duration) = read_columns(summary, (*history, holdout_col, duration_col),
                                                        where=where)
    refuse_rows(frame, {f"{holdout_col!r} or {duration_col!r} is missing": ~np.isfinite(actual)
                        | ~np.isfinite(duration)}, where)
    n = next(iter(models.values())).n_customers_
    if len(frame) != n:
        raise ValueError(f"{where}: summary has {len(frame):,} customers but the models were fitted on {n:,}; "
                         "compare them on the summary they were fitted on.")

    rows = {}
    for name, model in models.items():
        expected = np.asarray(_expected(model, duration, x, t_x, T, summary, history), dtype=float)
        total_expected, total_actual = float(expected.sum()), float(actual.sum())
        rows[name] = {
            "parameters": int(model.covariance_.shape[0]),
            "log_likelihood": float(model.loglik_),
            "aic": float(model.aic_),
            "bic": float(model.bic_),
            "expected_holdout_purchases": total_expected,
            "actual_holdout_purchases": int(round(total_actual)),
            "difference_pct": 100 * (total_expected - total_actual) / total_actual if total_actual else np.nan,
            "mean_absolute_error": float(np.mean(np.abs(expected - actual))),
            "converged": bool(model.converged_),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")[COLUMNS]
    table.index.name = "model"
    order = sorted(table.index, key=lambda name: (table.loc[name, "bic"], str(name)))
    table = table.loc[order]
    table.attrs.update({"time_unit": getattr(next(iter(models.values())), "time_unit_", None), "customers": n})
    return table
