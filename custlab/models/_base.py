"""What every customer-base model shares: the fitted attributes, ``summary()``, the verdict
on convergence and its warning, and BLAS on one thread while the model computes.

Estimation itself lives in :mod:`custlab.models._optimise`.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import warnings
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from custlab.models._optimise import Optimum
from custlab.units import unit_label

__all__ = ["ConvergenceWarning", "FittedModel", "check_fitted", "one_blas_thread", "summary_table"]


class ConvergenceWarning(UserWarning):
    """A fit did not reach an optimum that pins the parameters down; ``converged_`` is False."""


# ---------------------------------------------------------------------------------------------
# BLAS on one thread
# ---------------------------------------------------------------------------------------------
# The models solve problems of two to four parameters: threads in BLAS gain nothing there and
# cost milliseconds per call when another process holds a core. One controller is built on
# first use (building it scans the loaded libraries); limiting afterwards only sets thread
# counts. One thread at a time owns the limit: it sets it, and it restores it when its
# outermost call returns. Calls nested inside, and calls from other threads meanwhile, leave
# it alone, so no call can record another's limit as "the original" and leave BLAS stuck on
# one thread.

_controller: ThreadpoolController | None = None
_lock = threading.Lock()
_owner: int | None = None
F = TypeVar("F", bound=Callable)


def _blas_controller() -> ThreadpoolController:
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def _claim() -> bool:
    global _owner
    with _lock:
        if _owner is not None:
            return False
        _owner = threading.get_ident()
        return True


def _release() -> None:
    global _owner
    with _lock:
        _owner = None


def one_blas_thread(method: F) -> F:
    """Run ``method`` with BLAS limited to one thread (see the comment above)."""

    @functools.wraps(method)
    def limited(*args, **kwargs):
        if not _claim():
            return method(*args, **kwargs)
        try:
            with _blas_controller().limit(limits=1, user_api="blas"):
                return method(*args, **kwargs)
        finally:
            _release()

    return limited  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# Warnings that point at the caller
# ---------------------------------------------------------------------------------------------
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def warn_caller(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn, attributing the warning to the first frame outside custlab (the user's call)."""
    level, frame = 2, sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR + os.sep):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def check_fitted(model) -> None:
    if not hasattr(model, "params_"):
        raise RuntimeError(f"This {type(model).__name__} is not fitted yet: call .fit(...) first.")


def summary_table(params: pd.Series, se: np.ndarray) -> pd.DataFrame:
    """Estimate, standard error and a 95% interval per parameter, the interval on the log scale.

    Every parameter is positive, so the interval is ``exp(log(est) -+ 1.96 * se / est)``
    (the delta method on ``log(est)``, whose standard error is ``se / est``): it never
    reaches zero or below.
    """
    est = params.to_numpy(float)
    se = np.asarray(se, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = 1.96 * se / est
        lower, upper = est * np.exp(-half), est * np.exp(half)
    return pd.DataFrame({"estimate": est, "std_error": se, "lower_95": lower, "upper_95": upper},
                        index=params.index)


class FittedModel:
    """What every customer-base model shares: the fitted attributes and ``summary()``.

    Subclasses set ``param_names`` and call :meth:`_store` at the end of ``fit``.

    Fitted attributes set by :meth:`_store`:

    - ``params_`` (pandas.Series), ``standard_errors_`` (pandas.Series, NaN where the
      likelihood's curvature gives none), ``loglik_`` (float), ``n_customers_`` (int);
    - ``converged_`` (bool): True when the estimates are an optimum that pins every
      parameter down (scaled gradient near zero, Hessian positive definite, no estimate
      at the edge of the parameter space). A fit warns with :class:`ConvergenceWarning`
      exactly when ``converged_`` is False;
    - ``at_boundary_`` (bool): some estimate ran to the edge of the parameter space
      (towards 0 or infinity), so the data cannot pin it down;
    - ``convergence_`` (str): the verdict in plain words.
    """

    param_names: tuple[str, ...] = ()

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    def _check_penalizer(self) -> None:
        p = self.penalizer
        if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not p >= 0:
            raise ValueError(f"penalizer must be a number >= 0 (0 for the maximum-likelihood estimates, "
                             f"e.g. 0.01 to shrink); got {p!r}.")

    def _store(self, optimum: Optimum, negll: Callable[[np.ndarray], float], n_customers: int,
               time_unit: str | None = None, where: str = "fit") -> None:
        names = list(self.param_names)
        self.params_ = pd.Series(optimum.params, index=names, name="estimate")
        with np.errstate(all="ignore"):
            self.loglik_ = -float(negll(optimum.params))
        self.standard_errors_ = pd.Series(optimum.standard_errors, index=names, name="std_error")
        self.n_customers_ = int(n_customers)
        self.converged_ = bool(optimum.converged)
        self.at_boundary_ = bool(optimum.at_boundary)
        self.convergence_ = optimum.reason
        if time_unit is not None:
            self.time_unit_ = unit_label(time_unit)
        if not optimum.converged:
            warn_caller(f"{type(self).__name__}.{where}: {optimum.reason}; converged_ is False and the "
                        "estimates may be wrong. Check the data (enough customers, enough repeat buyers?) "
                        "or pass a penalizer (e.g. penalizer=0.01).", ConvergenceWarning)

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals.

        Returns
        -------
        pandas.DataFrame
            One row per parameter: ``estimate``, ``std_error`` and the interval
            ``lower_95``, ``upper_95``, in the parameter's own unit. Parameters are
            positive, so the interval is built on the log scale by the delta method,
            ``exp(log(estimate) -+ 1.96 * std_error / estimate)``: it is asymmetric and
            never reaches zero.

        Examples
        --------
        >>> import custlab as cl
        >>> model = cl.ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> table = model.summary()
        >>> bool((table["lower_95"] > 0).all()), list(table.columns)
        (True, ['estimate', 'std_error', 'lower_95', 'upper_95'])
        """
        check_fitted(self)
        return summary_table(self.params_, self.standard_errors_.to_numpy())
