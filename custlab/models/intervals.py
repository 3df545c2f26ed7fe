"""Intervals on the predictions of a fitted customer-base model, from the uncertainty of its
estimates.

A fitted model knows its parameters only up to sampling error; ``covariance_`` (the inverse
Hessian of the negative log-likelihood) says how much. Every parameter is positive, so the
estimates are taken to be normal on the log scale, where that covariance becomes
``covariance_ / outer(estimate, estimate)`` (the delta method):

1. draw parameter vectors ``exp(log(estimate) + L z)``, with ``L L' = covariance_ /
   outer(estimate, estimate)`` and ``z`` standard normal;
2. push every draw through the prediction (``p_alive``, ``conditional_expected_purchases``,
   the residual value of :func:`custlab.clv.residual_value`, ...);
3. read the interval off the percentiles of the results.

This is the simulation from the estimates' asymptotic distribution of Krinsky & Robb (1986),
"On approximating the statistical properties of elasticities", Review of Economics and
Statistics 68(4), 715-719. It needs no refit: a bootstrap refits the model hundreds of
times, which takes minutes on a large base, while the draws here cost one evaluation of the
prediction each. Drawing on the log scale keeps every parameter positive, so no draw is
impossible, and the percentiles follow the prediction's own asymmetry (a probability near 1
gets an interval that stays below 1).

What the interval covers: the model's expectation for these customers at the true parameter
values. It carries the uncertainty of the estimates only; the customers' own randomness
(how many purchases they will actually make) is not in it, nor is any misfit of the model.
So the realised numbers fall outside more often than ``level`` says: one customer's count
is a whole number that rarely lies in the narrow interval on their expectation, and even
a base's total carries the noise of its customers on top of the parameter uncertainty.

Memory and time: each draw evaluates the prediction once for every distinct input row
(customers with the same history are evaluated once). For intervals per customer, the
predictions of all draws for a block of customers are held together, at most
:data:`BLOCK_VALUES` numbers (64 MB as float64), then reduced to two percentiles; 1,000,000
distinct customers with 1,000 draws run in 120 blocks of 8,388 customers. For the total
over the base, each draw's predictions are summed as they come. Either way memory does not
grow with the number of draws: besides the block, a few arrays the size of the input are
kept (with 1,000,000 customers, ``p_alive`` peaked at about 160 MB in all). Time grows with
draws times distinct customers: ``p_alive`` takes about 30 ns per customer and draw,
``conditional_expected_purchases`` (a hypergeometric function) about ten times more. Pass
``progress=True`` for a progress bar on long runs.
"""

from __future__ import annotations

import copy
import math
import sys
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from custlab.models._base import ConvergenceWarning, FittedModel, check_fitted, one_blas_thread, warn_caller
from custlab.models._data import read_columns

__all__ = ["prediction_interval", "clv_interval", "prediction_methods"]

#: Most predictions held at once for intervals per customer (2**23 float64 = 64 MB).
BLOCK_VALUES = 2**23
#: Distinct customers per model call when only the total over the base is kept.
TOTAL_BLOCK_ROWS = 2**16
#: How percentiles are read off the draws. numpy's default interpolation pulls the 2.5th and
#: 97.5th percentiles of 200 draws inwards by about 0.05 standard deviations (a 95 % interval
#: then covers about 94 %); the median-unbiased rule does not (definition 8 of Hyndman & Fan
#: 1996, "Sample quantiles in statistical packages", The American Statistician 50(4)).
PERCENTILES = "median_unbiased"
#: Draws needed beyond each bound of the interval: ``draws >= 2 * TAIL_DRAWS / (1 - level)``.
TAIL_DRAWS = 5


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------
def _check_level_and_draws(level, draws, where: str) -> None:
    if isinstance(level, bool) or not isinstance(level, (int, float, np.integer, np.floating)) or not 0 < level < 1:
        hint = " (a share, not a percentage)" if isinstance(level, (int, float)) and 1 < level < 100 else ""
        raise ValueError(f"{where}: level must be a number between 0 and 1, e.g. 0.95 for a 95 % "
                         f"interval{hint}; got {level!r}.")
    least = math.ceil(2 * TAIL_DRAWS / (1 - level) - 1e-9)
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < least:
        raise ValueError(f"{where}: draws must be a whole number of at least {least:,} for level={level:g} "
                         f"(so that {TAIL_DRAWS} draws fall beyond each bound); 1000 is a good default; "
                         f"got {draws!r}.")


def _check_model(model, where: str, role: str = "model") -> None:
    from custlab.models.covariates import _CovariateModel

    if not isinstance(model, FittedModel):
        raise TypeError(f"{where}: {role} must be a fitted custlab model (BetaGeo, ParetoNBD, GammaGamma, "
                        f"ShiftedBetaGeo, ...); got {type(model).__name__}.")
    if isinstance(model, _CovariateModel):
        raise TypeError(f"{where}: {type(model).__name__} is not supported: its predictions depend on the "
                        "effects too, whose uncertainty these draws do not cover. Its effects_ table has 95 % "
                        "intervals on each effect.")
    check_fitted(model)


def _continuous_time_models() -> tuple[type, ...]:
    from custlab.models.bgnbd import BetaGeo
    from custlab.models.mbgnbd import ModifiedBetaGeo
    from custlab.models.pareto_nbd import ParetoNBD

    return BetaGeo, ModifiedBetaGeo, ParetoNBD


def prediction_methods(model) -> list[str]:
    """The names of ``model``'s prediction methods, those :func:`prediction_interval` accepts.

    Examples
    --------
    >>> import custlab as cl
    >>> prediction_methods(cl.ShiftedBetaGeo())
    ['discounted_expected_lifetime', 'expected_residual_lifetime', 'retention_rate', 'survival']
    """
    cls = type(model)
    shared = set(dir(FittedModel))
    return sorted(name for name in dir(cls)
                  if not name.startswith(("_", "fit")) and name not in shared and callable(getattr(cls, name)))


# ---------------------------------------------------------------------------------------------
# Parameter draws
# ---------------------------------------------------------------------------------------------
def _parameter_draws(model, draws: int, rng: np.random.Generator, where: str) -> np.ndarray:
    """``draws`` parameter vectors from the estimates' asymptotic normal law on the log scale."""
    name = type(model).__name__
    estimate = model.params_.to_numpy(float)
    cov = model.covariance_.reindex(index=model.params_.index, columns=model.params_.index).to_numpy(float)
    if not np.all(np.isfinite(cov)):
        raise ValueError(
            f"{where}: this {name} has no covariance for its estimates (covariance_ holds NaN: "
            f"{model.convergence_}), so their uncertainty is unknown and no interval can be drawn. "
            "Refit on more customers, or with a penalizer (e.g. penalizer=0.01).")
    log_cov = cov / np.outer(estimate, estimate)
    try:
        root = np.linalg.cholesky(log_cov)
    except np.linalg.LinAlgError:
        raise ValueError(f"{where}: the covariance_ of this {name} is not positive definite, so it describes "
                         "no distribution of the estimates; refit, or check covariance_.") from None
    if not model.converged_:
        warn_caller(f"{where}: this {name} did not converge ({model.convergence_}); its covariance, and "
                    "so the interval, may be wrong.", ConvergenceWarning)
    z = rng.standard_normal((draws, estimate.size))
    return np.exp(np.log(estimate) + z @ root.T)


def _with_params(model, params: np.ndarray):
    """A shallow copy of ``model`` predicting with ``params`` instead of its estimates."""
    clone = copy.copy(model)
    clone.params_ = pd.Series(params, index=model.params_.index, name="estimate")
    return clone


def _drawn_models(models: Sequence, draws: int, random_state, where: str) -> list[tuple]:
    """Per draw, a tuple with one copy of each model at drawn parameters (models independent).

    Each model draws from its own stream spawned from ``random_state``, so the first ``n``
    draws are the same whatever the total number of draws.
    """
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    streams = rng.spawn(len(models))
    per_model = [[_with_params(m, p) for p in _parameter_draws(m, draws, s, where)]
                 for m, s in zip(models, streams, strict=True)]
    return list(zip(*per_model, strict=True))


# ---------------------------------------------------------------------------------------------
# The loop over blocks and draws
# ---------------------------------------------------------------------------------------------
def _distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of ``rows`` (n x m), the distinct row of each input row, and how many input
    rows share each distinct row (customers with the same history are evaluated once)."""
    n, m = rows.shape
    if m == 0 or n == 1:                            # every input a number: one row
        return rows[:1], np.zeros(n, np.intp), np.array([float(n)])
    order = np.lexsort(rows.T[::-1])
    ordered = rows[order]
    new = np.ones(n, bool)
    new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    inverse = np.empty(n, np.intp)
    inverse[order] = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    return ordered[starts], inverse, np.diff(np.append(starts, n)).astype(float)


def _interval_table(evaluate: Callable[[tuple, np.ndarray], np.ndarray], base: tuple, drawn: list[tuple],
                    rows: np.ndarray, *, level: float, total: bool, progress: bool, where: str,
                    index=None) -> pd.DataFrame:
    """Estimate and percentile interval of ``evaluate`` for every row of ``rows`` or their total.

    ``evaluate(models, block)`` gives one prediction per row of ``block`` with the models in
    ``models``: ``base`` (the estimates) or one of ``drawn``.
    """
    from tqdm import tqdm

    if len(rows) == 0:
        raise ValueError(f"{where}: there are no customers to predict for (the inputs are empty).")
    unique, inverse, counts = _distinct_rows(rows)
    n_unique, draws = len(unique), len(drawn)
    size = TOTAL_BLOCK_ROWS if total else max(1, BLOCK_VALUES // draws)
    blocks = [slice(start, min(start + size, n_unique)) for start in range(0, n_unique, size)]
    # The estimates first: this checks every input before the long loop starts.
    estimate = np.concatenate([_as_predictions(evaluate(base, unique[b]), b, where) for b in blocks])
    probs = np.array([(1 - level) / 2, (1 + level) / 2])
    sums = np.zeros(draws)
    lower, upper = np.empty(n_unique), np.empty(n_unique)
    gaps = 0                                        # distinct rows where some draw gave NaN
    with tqdm(total=draws * len(blocks), desc=where, unit="draw", disable=not progress, file=sys.stderr) as bar:
        for b in blocks:
            held = None if total else np.empty((draws, b.stop - b.start))
            for d, models in enumerate(drawn):
                pred = _as_predictions(evaluate(models, unique[b]), b, where)
                if total:
                    sums[d] += pred @ counts[b]
                else:
                    held[d] = pred
                bar.update(1)
            if not total:
                gap = np.isnan(held).any(axis=0) & ~np.isnan(estimate[b])
                gaps += int(gap.sum())
                bounds = np.quantile(held, probs, axis=0, overwrite_input=True, method=PERCENTILES)
                if gap.any():
                    bounds[:, gap] = np.nanquantile(held[:, gap], probs, axis=0, method=PERCENTILES)
                lower[b], upper[b] = bounds
                del held                            # before the next block is allocated
    if total:
        point = float(estimate @ counts)
        missing = np.isnan(sums)
        gaps = int(missing.sum()) if not np.isnan(point) else 0
        bounds = (np.nanquantile if gaps else np.quantile)(sums, probs, method=PERCENTILES)
        table = pd.DataFrame({"estimate": [point], "lower": [bounds[0]], "upper": [bounds[1]]}, index=["total"])
        if gaps:
            warn_caller(f"{where}: {gaps:,} of {draws:,} draws gave no prediction (NaN) for some "
                        "customer; the interval of the total is taken over the other draws.")
    else:
        table = pd.DataFrame({"estimate": estimate[inverse], "lower": lower[inverse], "upper": upper[inverse]},
                             index=index)
        if gaps:
            warn_caller(f"{where}: for {gaps:,} distinct customer(s) some draws gave no prediction (NaN); their "
                        "intervals are taken over the other draws.")
    table.attrs.update({"level": float(level), "draws": draws})
    return table


def _as_predictions(result, block: slice, where: str) -> np.ndarray:
    out = np.asarray(result, dtype=float).reshape(-1)
    expected = block.stop - block.start
    if out.size != expected:
        raise ValueError(f"{where}: the prediction gave {out.size} numbers for {expected} input row(s); "
                         "only predictions made element by element have intervals here.")
    return out


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------
@one_blas_thread
def prediction_interval(model, method: str, *args, level: float = 0.95, draws: int = 1000,
                        random_state=0, total: bool = False, progress: bool = False,
                        **kwargs) -> pd.DataFrame:
    """Estimate and interval of a model's prediction, from the uncertainty of its estimates.

    Parameter vectors are drawn from the estimates' asymptotic normal distribution on the log
    scale (``covariance_`` of the fit), the prediction is made with each, and the interval is
    read off the percentiles (see the module docstring). It is an interval for the model's
    expectation, not for what the customers will actually do.

    Parameters
    ----------
    model : fitted BetaGeo, ParetoNBD, GammaGamma, ShiftedBetaGeo, ...
        A fitted model whose ``covariance_`` has no NaN.
    method : str
        Name of the model's prediction method, e.g. ``"p_alive"``,
        ``"conditional_expected_purchases"``, ``"expected_purchases"``,
        ``"expected_average_spend"`` (GammaGamma), ``"survival"`` or ``"retention_rate"``
        (ShiftedBetaGeo); :func:`prediction_methods` lists them for a model.
    *args, **kwargs
        The method's arguments, as you would pass them to it (numbers or arrays; they
        broadcast together).
    level : float
        Probability the interval is built for, between 0 and 1 (0.95: from the 2.5th to
        the 97.5th percentile of the draws).
    draws : int
        Parameter draws; at least ``10 / (1 - level)`` (200 for 0.95), so that five draws
        fall beyond each bound. More draws make the bounds steadier, not wider.
    random_state : int, numpy.random.Generator or None
        Seed of the draws; the same seed gives the same table, bit for bit.
    total : bool
        False: one row per element of the broadcast inputs (flattened in C order). True:
        one row for their sum over the base, its interval from the sum of each draw's
        predictions (not the sum of per-customer bounds, which would be too wide).
    progress : bool
        Show a progress bar on standard error (for long runs).

    Returns
    -------
    pandas.DataFrame
        Columns ``estimate`` (the prediction at the estimates), ``lower`` and ``upper``,
        in the unit of the prediction. Per element, the index is that of a pandas Series
        argument of the same length if there is one, else 0, 1, ...; with ``total=True``
        the one row is labelled ``"total"``. ``attrs`` records ``level`` and ``draws``.

    Raises
    ------
    ValueError
        For an unknown method (the message lists the model's methods), a level outside
        (0, 1), too few draws, or a model whose ``covariance_`` holds NaN (the likelihood
        has no curvature at the estimates).

    Examples
    --------
    >>> import custlab as cl
    >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                    calibration_end="1997-09-30")
    >>> bg = cl.BetaGeo().fit(s)
    >>> base = cl.prediction_interval(bg, "conditional_expected_purchases", 39, s["frequency"],
    ...                               s["recency"], s["T"], total=True, draws=400)
    >>> base.round(-1)          # repeat purchases by the 2,357 customers in the next 39 weeks
           estimate   lower   upper
    total    1650.0  1520.0  1810.0
    >>> one = cl.prediction_interval(bg, "p_alive", [0, 5], [0, 5], 38.86, draws=400)
    >>> bool((one["lower"] <= one["estimate"]).all() and (one["estimate"] <= one["upper"]).all())
    True
    """
    where = "prediction_interval"
    _check_model(model, where)
    options = prediction_methods(model)
    if not isinstance(method, str) or method not in options:
        raise ValueError(f"{where}: method must name a prediction of {type(model).__name__}, one of "
                         f"{options}; got {method!r}.")
    _check_level_and_draws(level, draws, where)
    where = f"prediction_interval({type(model).__name__}.{method})"

    inputs = {**{i: a for i, a in enumerate(args)}, **kwargs}
    arrays = {}
    for key, value in inputs.items():
        try:
            arrays[key] = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            name = f"argument {key + 1}" if isinstance(key, int) else key
            raise TypeError(f"{where}: {name} must be a number or an array of numbers; "
                            f"got {type(value).__name__}.") from None
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(str(a.shape) for a in arrays.values())
        raise ValueError(f"{where}: the inputs do not broadcast together (shapes {shapes}).") from None
    varying = [k for k, a in arrays.items() if a.ndim > 0]
    n = math.prod(shape)
    rows = np.column_stack([np.broadcast_to(arrays[k], shape).reshape(-1) for k in varying]) if varying \
        else np.empty((n, 0))

    def evaluate(models: tuple, block: np.ndarray):
        values = {k: a[()] for k, a in arrays.items() if a.ndim == 0}
        values.update({k: block[:, j] for j, k in enumerate(varying)})
        positional = [values[i] for i in range(len(args))]
        named = {k: values[k] for k in kwargs}
        return getattr(models[0], method)(*positional, **named)

    index = None
    if len(shape) == 1:
        index = next((v.index for v in inputs.values() if isinstance(v, pd.Series) and len(v) == n), None)
    drawn = _drawn_models([model], draws, random_state, where)
    return _interval_table(evaluate, (model,), drawn, rows, level=level, total=total, progress=progress,
                           where=where, index=index)


@one_blas_thread
def clv_interval(purchase_model, spend_model, summary, *, horizon: float, discount_rate: float,
                 margin: float = 1.0, step: float = 1.0, customer_col: str = "customer_id",
                 level: float = 0.95, draws: int = 1000, random_state=0, total: bool = False,
                 progress: bool = False) -> pd.DataFrame:
    """Residual value of each customer (or of the base) with an interval from the uncertainty
    of both models' estimates.

    The value is :func:`custlab.clv.residual_value`; its interval comes from drawing the
    purchase model's and the spend model's parameters, independently (they are fitted on
    different likelihoods), and reading percentiles of the values (see the module docstring).

    Parameters
    ----------
    purchase_model
        Fitted :class:`~custlab.BetaGeo` or :class:`~custlab.ParetoNBD`.
    spend_model
        Fitted :class:`~custlab.GammaGamma`.
    summary : pandas or Polars DataFrame
        :func:`custlab.rfm_summary` output: ``frequency``, ``recency``, ``T`` and
        ``monetary_value`` per customer.
    horizon, discount_rate, margin, step
        As for :func:`custlab.clv.residual_value` (horizon and step in the purchase model's
        time unit, discount rate per step).
    customer_col : str
        Column copied to the result when ``summary`` has it.
    level, draws, random_state, total, progress
        As for :func:`prediction_interval`.

    Returns
    -------
    pandas.DataFrame
        Per customer (``customer_col`` first when present), or one row ``"total"``:
        ``estimate`` (``residual_value`` at the estimates), ``lower``, ``upper``, in
        currency units, discounted.

    Examples
    --------
    >>> import custlab as cl
    >>> s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30", time_unit="W")
    >>> bg, gg = cl.BetaGeo().fit(s), cl.GammaGamma().fit(s[(s.frequency > 0) & (s.monetary_value > 0)])
    >>> value = cl.clv_interval(bg, gg, s, horizon=52, discount_rate=0.0019, step=4, draws=200)
    >>> list(value.columns)
    ['customer_id', 'estimate', 'lower', 'upper']
    >>> bool(((value["lower"] <= value["estimate"]) & (value["estimate"] <= value["upper"])).all())
    True
    """
    from custlab.clv import residual_value

    continuous = _continuous_time_models()
    where = "clv_interval"
    _check_model(purchase_model, where, "purchase_model")
    _check_model(spend_model, where, "spend_model")
    if not isinstance(purchase_model, continuous):
        raise TypeError(f"{where}: purchase_model must be a continuous-time purchase model (BetaGeo, "
                        f"ModifiedBetaGeo or ParetoNBD); got {type(purchase_model).__name__}.")
    if not callable(getattr(spend_model, "expected_average_spend", None)):
        raise TypeError(f"{where}: spend_model must predict spend per purchase (GammaGamma); "
                        f"got {type(spend_model).__name__}.")
    _check_level_and_draws(level, draws, where)
    columns = ("frequency", "recency", "T", "monetary_value")
    frame, arrays = read_columns(summary, columns, where=where)
    rows = np.column_stack(arrays)
    settings = {"horizon": horizon, "discount_rate": discount_rate, "margin": margin, "step": step}

    def evaluate(models: tuple, block: np.ndarray):
        chunk = pd.DataFrame(block, columns=list(columns))
        return residual_value(models[0], models[1], chunk, customer_col=customer_col, **settings)["residual_value"]

    drawn = _drawn_models([purchase_model, spend_model], draws, random_state, where)
    table = _interval_table(evaluate, (purchase_model, spend_model), drawn, rows, level=level, total=total,
                            progress=progress, where=where)
    if not total and customer_col in frame.columns:
        table.insert(0, customer_col, frame[customer_col].to_numpy())
    return table
