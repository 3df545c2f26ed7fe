"""Maximum-likelihood machinery shared by the customer-base models.

Parameters are optimised on the log scale (all are positive), from several
starting points, with scipy's L-BFGS-B; standard errors come from the inverse
of a central-difference Hessian of the log-likelihood on the natural scale.
A fit that does not converge warns with the optimiser's message: it never
returns garbage silently.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from custlab.units import unit_label

__all__ = ["ConvergenceWarning", "FittedModel", "fit_positive_params", "hessian_standard_errors", "check_fitted"]


class ConvergenceWarning(UserWarning):
    """The optimiser stopped without meeting its convergence criteria."""


def fit_positive_params(
    negll: Callable[[np.ndarray], float],
    starts: Sequence[Sequence[float]],
    *,
    penalizer: float = 0.0,
    model: str = "model",
    gradient: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None,
) -> tuple[np.ndarray, float, bool, str]:
    """Minimise ``negll(params)`` over positive params; returns (params, negll, converged, message).

    ``penalizer`` adds ``penalizer * sum(params**2)`` (an L2 penalty; 0 for the plain MLE).
    With ``gradient`` (params -> (negll, d negll / d params)), L-BFGS-B uses it and the
    first start that converges is kept; without it, every start is tried and the best is
    polished by a derivative-free pass (robust on flat ridges).
    """

    def objective(log_params: np.ndarray) -> float:
        params = np.exp(log_params)
        value = negll(params) + penalizer * float(np.sum(params**2))
        return value if np.isfinite(value) else 1e300

    def objective_and_gradient(log_params: np.ndarray):
        params = np.exp(log_params)
        value, grad = gradient(params)
        value += penalizer * float(np.sum(params**2))
        grad = (np.asarray(grad) + 2 * penalizer * params) * params
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros_like(log_params)
        return value, grad

    best = None
    for start in starts:
        x0 = np.log(np.asarray(start, float))
        if gradient is not None:
            res = minimize(objective_and_gradient, x0, jac=True, method="L-BFGS-B",
                           options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-8})
        else:
            res = minimize(objective, x0, method="L-BFGS-B",
                           options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9})
        if best is None or res.fun < best.fun:
            best = res
        if gradient is not None and res.success:
            break
    if gradient is not None:
        final, converged, message = best, bool(best.success), str(best.message)
    else:
        polish = minimize(objective, best.x, method="Nelder-Mead",
                          options={"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-12})
        if polish.fun <= best.fun:
            final, converged, message = polish, bool(polish.success or best.success), str(polish.message)
        else:
            final, converged, message = best, bool(best.success), str(best.message)
    if converged and np.any(np.abs(final.x) > 9.2):  # beyond 1e-4 .. 1e4
        warnings.warn(f"{model}: the estimates ran to the edge of the parameter space "
                      f"({np.round(np.exp(final.x), 6).tolist()}); the data cannot pin them down. "
                      "Check the data, or pass a penalizer.", ConvergenceWarning, stacklevel=3)
    if not converged or not np.isfinite(final.fun) or final.fun >= 1e300:
        warnings.warn(f"{model}: the optimiser did not converge ({message}); the estimates may be wrong. "
                      "Check the data (enough repeat buyers?) or pass a penalizer.", ConvergenceWarning,
                      stacklevel=3)
    return np.exp(final.x), float(final.fun), converged, message


def hessian_standard_errors(negll: Callable[[np.ndarray], float], params: np.ndarray,
                            gradient: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None) -> np.ndarray:
    """Standard errors from the inverse Hessian of ``negll`` at ``params`` (NaN if not invertible).

    With ``gradient``, the Hessian is the central difference of the analytic gradient.
    """
    k = params.size
    h = 1e-4 * np.maximum(np.abs(params), 1e-3)
    hess = np.empty((k, k))
    if gradient is not None:
        for i in range(k):
            step = np.zeros(k)
            step[i] = h[i]
            hess[:, i] = (gradient(params + step)[1] - gradient(params - step)[1]) / (2 * h[i])
        hess = (hess + hess.T) / 2
    for i in range(k if gradient is None else 0):
        for j in range(i, k):
            def f(di, dj):
                p = params.copy()
                p[i] += di
                p[j] += dj
                return negll(p)
            value = (f(h[i], h[j]) - f(h[i], -h[j]) - f(-h[i], h[j]) + f(-h[i], -h[j])) / (4 * h[i] * h[j])
            hess[i, j] = hess[j, i] = value
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        cov = np.full((k, k), np.nan)
    diag = np.diag(cov)
    se = np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)
    if np.isnan(se).any():
        warnings.warn("Some standard errors could not be computed: the likelihood is flat or curved the wrong "
                      "way there, so those estimates are not pinned down by the data.", ConvergenceWarning,
                      stacklevel=3)
    return se


def check_fitted(model) -> None:
    if not hasattr(model, "params_"):
        raise RuntimeError(f"This {type(model).__name__} is not fitted yet: call .fit(...) first.")


def summary_table(params: pd.Series, se: np.ndarray) -> pd.DataFrame:
    """Estimate, standard error and a 95% interval per parameter."""
    out = pd.DataFrame({"estimate": params, "std_error": se}, index=params.index)
    out["lower_95"] = out["estimate"] - 1.96 * out["std_error"]
    out["upper_95"] = out["estimate"] + 1.96 * out["std_error"]
    return out


class FittedModel:
    """What every customer-base model shares: the fitted attributes and ``summary()``.

    Subclasses set ``param_names`` and call :meth:`_store` at the end of ``fit``.
    """

    param_names: tuple[str, ...] = ()

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    def _store(self, params, negll, n_customers: int, converged: bool, gradient=None, time_unit=None) -> None:
        self.params_ = pd.Series(params, index=list(self.param_names), name="estimate")
        self.loglik_ = -negll(params)
        self.standard_errors_ = pd.Series(hessian_standard_errors(negll, params, gradient),
                                          index=list(self.param_names), name="std_error")
        self.n_customers_ = int(n_customers)
        self.converged_ = converged
        if time_unit is not None:
            self.time_unit_ = unit_label(time_unit)

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals."""
        check_fitted(self)
        return summary_table(self.params_, self.standard_errors_.to_numpy())
