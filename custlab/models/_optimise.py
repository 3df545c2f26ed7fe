"""Finding maximum-likelihood estimates of positive parameters, and judging what was found.

Every parameter of the customer-base models is positive, so the search runs on
``u = log(params)``. It has three steps:

1. **Search.** With a model that gives its analytic Hessian, Newton's method from each
   starting point in turn: the Hessian's eigenvalues made positive where the likelihood is
   not yet concave (so every step goes downhill), steps capped at a factor e in any
   parameter, and halved until the objective falls enough (Armijo's rule). It converges in a
   handful of steps, each one pass over the data. Otherwise, or if Newton's method fails,
   scipy's L-BFGS-B, with the model's analytic gradient where it has one, else forward
   differences.
2. **Settle.** A few Newton steps with a numerical Hessian move the estimates onto the
   point where the gradient vanishes. Where L-BFGS-B stops depends on rounding (its line
   search may give up a hair away from the optimum on one CPU and not on another); the
   point where the gradient vanishes does not, to many more digits than are ever shown.
   Without an analytic gradient, the gradient here is a fourth-order central difference.
3. **Judge.** The optimum is judged by what it is, never by the optimiser's message:
   it is converged when the scaled gradient ``max |d objective / d u| / max(1, |objective|)``
   is below :data:`GRADIENT_TOLERANCE`, the Hessian in ``u`` is positive definite (its
   smallest eigenvalue above :data:`CURVATURE_TOLERANCE` times the largest), and no
   estimate lies beyond :data:`EDGE_RATIO` times (or below one over it) its typical size.

The first start whose optimum passes is kept; if none passes, the lowest objective is
returned with the reason it failed, in plain words.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

__all__ = ["Optimum", "fit_positive_params", "negated", "GRADIENT_TOLERANCE", "CURVATURE_TOLERANCE",
           "EDGE_RATIO"]

#: Largest accepted scaled gradient, ``max |d objective / d log(param)| / max(1, |objective|)``.
GRADIENT_TOLERANCE = 1e-6
#: Smallest accepted Hessian eigenvalue (log-parameter scale), relative to max(1, largest eigenvalue).
CURVATURE_TOLERANCE = 1e-8
#: An estimate beyond ``scale * EDGE_RATIO`` or below ``scale / EDGE_RATIO`` ran to the edge.
EDGE_RATIO = 1e4
#: The search never leaves ``scale * exp(+-LOG_SPAN)``: far enough to see a runaway, close
#: enough that nothing overflows.
LOG_SPAN = 30.0
#: Steps of the finite differences, in log-parameter units.
_SEARCH_STEP, _GRADIENT_STEP, _HESSIAN_STEP_FROM_GRADIENT, _HESSIAN_STEP_FROM_VALUES = 1e-7, 1e-3, 1e-4, 1e-3

#: The verdict on a converged fit (the same words on every machine).
CONVERGED = "converged: the gradient vanishes and the likelihood curves down in every direction"

Gradient = Callable[[np.ndarray], tuple[float, np.ndarray]]
#: ``(params, order) -> value`` (order 0), ``(value, gradient)`` (1) or ``(value, gradient, Hessian)`` (2)
#: of the negative log-likelihood, in the natural parameters.
Derivatives = Callable[[np.ndarray, int], object]


@dataclass(frozen=True)
class Optimum:
    """What a fit found, and the verdict on it.

    ``params``, ``standard_errors`` and ``covariance`` are on the natural scale (a standard
    error is NaN, and the covariance all NaN, where the curvature gives none); ``objective``
    is the minimised penalised negative log-likelihood; ``reason`` is the verdict in plain
    words.
    """

    params: np.ndarray
    objective: float
    converged: bool
    at_boundary: bool
    reason: str
    scaled_gradient: float
    standard_errors: np.ndarray
    covariance: np.ndarray


class _LogObjective:
    """The penalised negative log-likelihood as a function of ``u = log(params)``."""

    def __init__(self, negll: Callable[[np.ndarray], float], gradient: Gradient | None, penalizer: float,
                 log_scale: np.ndarray, derivatives: Derivatives | None = None):
        self.negll, self.gradient, self.penalizer, self.log_scale = negll, gradient, penalizer, log_scale
        self.derivatives = derivatives

    def value_grad_hess(self, u: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Objective, gradient and Hessian in ``u`` from the model's analytic derivatives.

        With ``u = log(p)``: ``d f / d u_i = p_i g_i`` and
        ``d2 f / d u_i d u_j = p_i p_j H_ij + [i == j] p_i g_i``.
        """
        params = np.exp(u)
        value, grad, hess = self.derivatives(params, 2)
        value = float(value) + self.penalizer * float(np.sum(params**2))
        grad = np.asarray(grad, float) + 2 * self.penalizer * params
        hess = np.asarray(hess, float) + 2 * self.penalizer * np.eye(params.size)
        grad_u = grad * params
        return (value if np.isfinite(value) else np.inf), grad_u, hess * np.outer(params, params) + np.diag(grad_u)

    def value(self, u: np.ndarray) -> float:
        params = np.exp(u)
        value = float(self.negll(params)) + self.penalizer * float(np.sum(params**2))
        return value if np.isfinite(value) else np.inf

    def value_and_grad(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        """Objective and its gradient in ``u``: analytic if the model has one, else central differences."""
        if self.gradient is None:
            # Fourth-order central differences: rounding noise ~ eps * |objective| / h, truncation ~ h**4.
            h = _GRADIENT_STEP
            grad = np.empty(u.size)
            for i in range(u.size):
                step = np.zeros(u.size)
                step[i] = h
                grad[i] = (8 * (self.value(u + step) - self.value(u - step))
                           - (self.value(u + 2 * step) - self.value(u - 2 * step))) / (12 * h)
            return self.value(u), grad
        params = np.exp(u)
        value, grad = self.gradient(params)
        value = float(value) + self.penalizer * float(np.sum(params**2))
        grad = (np.asarray(grad, float) + 2 * self.penalizer * params) * params
        return (value if np.isfinite(value) else np.inf), grad

    def for_search(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        """What L-BFGS-B sees: a huge finite value, and no slope, where the objective cannot be
        evaluated or the parameters leave the box; forward differences if there is no gradient."""
        if np.any(np.abs(u - self.log_scale) > LOG_SPAN):
            return 1e300, np.zeros_like(u)
        if self.gradient is None:
            value = self.value(u)
            grad = np.empty(u.size)
            for i in range(u.size):
                step = np.zeros(u.size)
                step[i] = _SEARCH_STEP
                grad[i] = (self.value(u + step) - value) / _SEARCH_STEP
        else:
            value, grad = self.value_and_grad(u)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros_like(u)
        return value, grad

    def hessian(self, u: np.ndarray) -> np.ndarray:
        """Hessian in ``u``: analytic if the model has one, else central differences of the analytic
        gradient, else second differences."""
        if self.derivatives is not None:
            return self.value_grad_hess(u)[2]
        k = u.size
        hess = np.empty((k, k))
        if self.gradient is not None:
            h = _HESSIAN_STEP_FROM_GRADIENT
            for i in range(k):
                step = np.zeros(k)
                step[i] = h
                hess[:, i] = (self.value_and_grad(u + step)[1] - self.value_and_grad(u - step)[1]) / (2 * h)
            return (hess + hess.T) / 2
        h = _HESSIAN_STEP_FROM_VALUES
        centre = self.value(u)

        def at(i, di, j=None, dj=0.0):
            shifted = u.copy()
            shifted[i] += di
            if j is not None:
                shifted[j] += dj
            return self.value(shifted)

        for i in range(k):
            hess[i, i] = (at(i, h) - 2 * centre + at(i, -h)) / h**2
            for j in range(i):
                hess[i, j] = hess[j, i] = (at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h)
                                           + at(i, -h, j, -h)) / (4 * h * h)
        return hess


def _positive_definite(hess: np.ndarray) -> bool:
    if not np.all(np.isfinite(hess)):
        return False
    eig = np.linalg.eigvalsh(hess)
    return bool(eig[0] > CURVATURE_TOLERANCE * max(1.0, eig[-1]))


def _search(obj: _LogObjective, u0: np.ndarray) -> np.ndarray:
    """Where L-BFGS-B stops from ``u0``; its message is not used (see the module docstring)."""
    tolerance = {"maxiter": 5000, "gtol": 1e-8} if obj.gradient is not None else {"maxiter": 2000, "gtol": 1e-9}
    res = minimize(obj.for_search, u0, jac=True, method="L-BFGS-B", options={"ftol": 1e-12, **tolerance})
    return np.asarray(res.x, float)


def _newton(obj: _LogObjective, u: np.ndarray, lower: np.ndarray, upper: np.ndarray, max_steps: int = 100,
            tolerance: float = 1e-10, hess0: np.ndarray | None = None):
    """Newton's method with the analytic Hessian from ``u`` (see the module docstring).

    Returns ``(u, objective, gradient, Hessian)`` at the final ``u``. Like :func:`_settle`,
    it reuses the Hessian while the estimates move little (1e-2 on the log scale) and stops
    when the steps are below ``tolerance`` (relative, in the parameters) or stop shrinking
    once below 1e-7; the Hessian returned is re-evaluated if the estimates moved more than
    1e-4 since it was. ``hess0``, if given, stands in for the Hessian at ``u`` until the
    estimates have moved; the Hessian returned is always evaluated.
    """
    if hess0 is None:
        value, grad, hess = obj.value_grad_hess(u)
        exact = True
    else:
        (value, grad), hess, exact = obj.value_and_grad(u), hess0, False
    u_hess = u.copy()
    last_size = np.inf
    for _ in range(max_steps):
        if not (np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))):
            break
        eig, vectors = np.linalg.eigh(hess)
        eig = np.maximum(np.abs(eig), 1e-8 * max(1.0, float(np.max(np.abs(eig)))))
        step = -(vectors @ ((vectors.T @ grad) / eig))
        size = float(np.max(np.abs(step)))
        if not np.isfinite(size) or size < tolerance or (size < 1e-7 and size > 0.5 * last_size):
            break
        step /= max(1.0, size)                      # never more than a factor e at once
        slope = float(grad @ step)
        noise = 1e-13 * max(1.0, abs(value))
        trial = np.clip(u + step, lower, upper)
        trial_grad = None
        if np.max(np.abs(trial - u_hess)) <= 1e-2:
            # Close to where the Hessian was taken, the full step is nearly always taken: the
            # gradient comes with the value, saving a pass over the data.
            trial_value, trial_grad = obj.value_and_grad(trial)
            accepted = trial_value <= value + 1e-4 * slope + noise
        else:
            accepted = False
        t = 1.0
        for _ in range(40):
            if accepted or obj.value(trial) <= value + 1e-4 * t * slope + noise:
                break
            t /= 2
            trial, trial_grad = np.clip(u + t * step, lower, upper), None
        else:
            break
        last_size = float(np.max(np.abs(trial - u)))
        u = trial
        if np.max(np.abs(u - u_hess)) > 1e-2:
            value, grad, hess = obj.value_grad_hess(u)
            u_hess, exact = u.copy(), True
        elif trial_grad is not None:
            value, grad = trial_value, trial_grad
        else:
            value, grad = obj.value_and_grad(u)
    if not exact or np.max(np.abs(u - u_hess)) > 1e-4:
        value, grad, hess = obj.value_grad_hess(u)
    return u, value, grad, hess


def _settle(obj: _LogObjective, u: np.ndarray, lower: np.ndarray, upper: np.ndarray):
    """Newton steps from ``u`` to where the gradient vanishes.

    Returns ``(u, objective, gradient, Hessian)`` at the final ``u``. The Hessian is reused
    while the estimates move little (a chord method); a step that would raise the objective
    beyond rounding noise is halved; the steps stop when they are below 1e-10 (relative, in
    the parameters) or stop shrinking once below 1e-7 (rounding noise in the gradient).
    """
    value, grad = obj.value_and_grad(u)
    hess, u_hess = obj.hessian(u), u.copy()
    last_size = np.inf
    for _ in range(30):
        if not (np.isfinite(value) and np.all(np.isfinite(grad)) and _positive_definite(hess)):
            break
        step = -np.linalg.solve(hess, grad)
        size = float(np.max(np.abs(step)))
        if not np.isfinite(size) or size < 1e-10 or (size < 1e-7 and size > 0.5 * last_size):
            break
        step /= max(1.0, size)                      # never more than a factor e at once
        noise = 1e-13 * max(1.0, abs(value))
        for _ in range(20):
            trial = np.clip(u + step, lower, upper)
            if obj.value(trial) <= value + noise:
                break
            step /= 2
        else:
            break
        last_size = float(np.max(np.abs(trial - u)))
        u = trial
        value, grad = obj.value_and_grad(u)
        if np.max(np.abs(u - u_hess)) > 1e-2:
            hess, u_hess = obj.hessian(u), u.copy()
    if np.max(np.abs(u - u_hess)) > 1e-4:
        hess = obj.hessian(u)
    return u, value, grad, hess


def _flat_directions(hess: np.ndarray, names: Sequence[str]) -> list[str]:
    """The parameters that move most along the flattest direction of the Hessian."""
    if not np.all(np.isfinite(hess)):
        return []
    _, vectors = np.linalg.eigh(hess)
    return [n for n, w in zip(names, np.abs(vectors[:, 0]), strict=True) if w > 0.3]


def _judge(u: np.ndarray, value: float, grad: np.ndarray, hess: np.ndarray, log_scale: np.ndarray,
           names: Sequence[str]) -> Optimum:
    params = np.exp(u)
    scaled = float(np.max(np.abs(grad)) / max(1.0, abs(value))) if np.isfinite(value) else np.inf
    edge = np.abs(u - log_scale) > np.log(EDGE_RATIO)
    at_boundary = bool(edge.any())
    if not np.isfinite(value) or not np.all(np.isfinite(grad)):
        reason = "the likelihood cannot be evaluated at the estimates"
    elif at_boundary:
        where = ", ".join(f"{n} = {p:.3g}" for n, p, e in zip(names, params, edge, strict=True) if e)
        reason = (f"the estimates ran to the edge of the parameter space ({where}), "
                  "so the data cannot pin the parameters down")
    elif scaled > GRADIENT_TOLERANCE:
        reason = f"the search stopped before reaching an optimum (scaled gradient {scaled:.1e})"
    elif not _positive_definite(hess):
        which = _flat_directions(hess, names)
        along = f" along a ridge in {' and '.join(which)}" if len(which) > 1 else "".join(f" in {w}" for w in which)
        reason = f"the likelihood is flat{along} at the estimates, so the data cannot pin the parameters down"
    else:
        reason = CONVERGED
    converged = reason == CONVERGED
    cov = _covariance(hess, grad, params)
    diag = np.diag(cov)
    with np.errstate(invalid="ignore"):
        se = np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)
    return Optimum(params, float(value), converged, at_boundary, reason, scaled, se, cov)


def _covariance(hess_log: np.ndarray, grad_log: np.ndarray, params: np.ndarray) -> np.ndarray:
    """The inverse Hessian on the natural scale: the estimates' asymptotic covariance (all NaN
    if the Hessian cannot be inverted)."""
    k = params.size
    if not (np.all(np.isfinite(hess_log)) and np.all(np.isfinite(grad_log))):
        return np.full((k, k), np.nan)
    # d2f/dp_i dp_j = (d2f/du_i du_j - [i == j] df/du_i) / (p_i p_j), since u = log(p).
    hess = (hess_log - np.diag(grad_log)) / np.outer(params, params)
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan)
    return (cov + cov.T) / 2


def fit_positive_params(
    negll: Callable[[np.ndarray], float],
    starts: Sequence[Sequence[float]],
    *,
    penalizer: float = 0.0,
    gradient: Gradient | None = None,
    scale: Sequence[float] | None = None,
    names: Sequence[str] | None = None,
    derivatives: Derivatives | None = None,
    part: tuple[Derivatives, float] | None = None,
) -> Optimum:
    """Minimise ``negll(params) + penalizer * sum(params**2)`` over positive ``params``.

    Parameters
    ----------
    negll : callable
        Negative log-likelihood of a parameter vector (natural scale).
    starts : sequence of parameter vectors
        Starting points, tried in order; the first whose optimum is judged converged is kept.
    penalizer : float
        Weight of the L2 penalty (0 for the plain maximum-likelihood estimates).
    gradient : callable, optional
        ``params -> (negll, d negll / d params)``. Without it, derivatives are taken by
        central differences on the log scale.
    scale : sequence of float, optional
        Typical size of each parameter (1 for a shape, the mean observation time for a
        rate's scale, ...): the reference for "ran to the edge". Default all 1.
    names : sequence of str, optional
        Parameter names, for the reasons given in plain words.
    derivatives : callable, optional
        ``(params, order) -> value``, ``(value, gradient)`` or ``(value, gradient, Hessian)``
        of the negative log-likelihood for order 0, 1 or 2: with it the search is Newton's
        method, and ``negll`` and ``gradient`` are not needed (pass ``negll=None``).
    part : (callable, float), optional
        ``derivatives`` of the likelihood of an even slice of the rows, and the total weight
        of all rows over that of the slice. Many rows: Newton's method first runs roughly
        (steps down to 1e-4) on the slice, then from there on all rows, starting with the
        slice's Hessian scaled up, so the whole data set is passed over only a few times.

    Returns
    -------
    Optimum

    Examples
    --------
    >>> best = fit_positive_params(lambda p: float(np.sum((np.log(p) - [0.0, 1.0]) ** 2)), [(2.0, 2.0)])
    >>> best.params.round(6).tolist(), best.converged
    ([1.0, 2.718282], True)
    """
    k = len(starts[0])
    log_scale = np.log(np.asarray(scale if scale is not None else np.ones(k), float))
    names = list(names) if names is not None else [f"param {i}" for i in range(k)]
    lower, upper = log_scale - LOG_SPAN, log_scale + LOG_SPAN
    if derivatives is not None:
        negll = functools.partial(_call, derivatives, 0)
        gradient = functools.partial(_call, derivatives, 1)
    obj = _LogObjective(negll, gradient, penalizer, log_scale, derivatives)
    best = None
    with np.errstate(all="ignore"):
        if part is not None and derivatives is not None:
            warm = _rough_optimum(part[0], starts, penalizer, log_scale, lower, upper)
            if warm is not None:
                u_warm, hess_warm = warm
                result = _judge(*_newton(obj, u_warm, lower, upper, hess0=hess_warm * part[1]), log_scale, names)
                if result.converged:
                    return result
                best = result
        for start in starts:
            u0 = np.clip(np.log(np.asarray(start, float)), lower, upper)
            tries = [lambda: _newton(obj, u0, lower, upper)] if derivatives is not None else []
            tries.append(lambda: _settle(obj, _search(obj, u0), lower, upper))
            for attempt in tries:
                result = _judge(*attempt(), log_scale, names)
                if result.converged:
                    return result
                if best is None or result.objective < best.objective:
                    best = result
    return best


def _rough_optimum(derivatives: Derivatives, starts, penalizer: float, log_scale: np.ndarray,
                   lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Newton's method run roughly (steps down to 1e-4) on ``derivatives``: the point and its
    Hessian in ``u``, or None if no start gives a finite one."""
    obj = _LogObjective(functools.partial(_call, derivatives, 0), functools.partial(_call, derivatives, 1),
                        penalizer, log_scale, derivatives)
    for start in starts:
        u0 = np.clip(np.log(np.asarray(start, float)), lower, upper)
        u, value, grad, hess = _newton(obj, u0, lower, upper, tolerance=1e-4)
        if np.isfinite(value) and np.all(np.isfinite(grad)) and _positive_definite(hess):
            return u, hess
    return None


def negated(loglik_derivatives: Callable, data) -> Derivatives:
    """``(params, order) ->`` the negative of ``loglik_derivatives(params, data, order)`` (the
    log-likelihood and its derivatives), which is what the optimiser minimises."""

    def derivatives(params, order):
        out = loglik_derivatives(params, data, order)
        return -out if order == 0 else tuple(-part for part in out)

    return derivatives


def _call(derivatives: Derivatives, order: int, params: np.ndarray):
    return derivatives(params, order)
