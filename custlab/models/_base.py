"""What every customer-base model shares: the fitted attributes, ``summary()``, the verdict
on convergence and its warning, and BLAS on one thread while the model computes.

Estimation itself lives in :mod:`custlab.models._optimise`.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from custlab.models._optimise import Optimum
from custlab.units import unit_label

__all__ = ["ConvergenceWarning", "FittedModel", "check_fitted", "one_blas_thread", "summary_table"]

#: Version of the layout written by :meth:`FittedModel.to_dict`.
FORMAT_VERSION = 1


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
      likelihood's curvature gives none), ``covariance_`` (pandas.DataFrame, the inverse
      of the Hessian of the negative log-likelihood: the estimates' asymptotic covariance),
      ``loglik_`` (float), ``n_customers_`` (int);
    - ``aic_`` and ``bic_`` (float): Akaike's and Schwarz's information criteria,
      ``2k - 2 loglik`` and ``k log(n_customers) - 2 loglik`` for ``k`` parameters; lower
      is better between models fitted on the same customers;
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
               time_unit: str | None = None, where: str = "fit", names: Sequence[str] | None = None) -> None:
        """Keep what ``optimum`` found; ``names`` of its parameters default to ``param_names``."""
        names = list(names if names is not None else self.param_names)
        self.params_ = pd.Series(optimum.params, index=names, name="estimate")
        with np.errstate(all="ignore"):
            self.loglik_ = -float(negll(optimum.params))
        self.standard_errors_ = pd.Series(optimum.standard_errors, index=names, name="std_error")
        self.covariance_ = pd.DataFrame(optimum.covariance, index=names, columns=names)
        self.n_customers_ = int(n_customers)
        self._set_criteria()
        self.converged_ = bool(optimum.converged)
        self.at_boundary_ = bool(optimum.at_boundary)
        self.convergence_ = optimum.reason
        if time_unit is not None:
            self.time_unit_ = unit_label(time_unit)
        if not optimum.converged:
            warn_caller(f"{type(self).__name__}.{where}: {optimum.reason}; converged_ is False and the "
                        "estimates may be wrong. Check the data (enough customers, enough repeat buyers?) "
                        "or pass a penalizer (e.g. penalizer=0.01).", ConvergenceWarning)

    def _set_criteria(self) -> None:
        k = len(self.params_)
        self.aic_ = 2 * k - 2 * self.loglik_
        self.bic_ = k * math.log(self.n_customers_) - 2 * self.loglik_

    # -----------------------------------------------------------------------------------------
    # Saving and loading
    # -----------------------------------------------------------------------------------------
    def _extra_state(self) -> dict:
        """What a subclass needs beyond the common fitted attributes (JSON-safe)."""
        return {}

    def _restore_extra(self, state: dict) -> None:
        """Inverse of :meth:`_extra_state`."""

    def to_dict(self) -> dict:
        """The fitted model as plain numbers, strings and lists, ready for ``json.dump``.

        Only what the predictions and the summary need is kept: estimates, standard
        errors, covariance, log-likelihood, the convergence verdict and the time unit.
        No pickle is involved, so a saved model can be read by any version of Python and
        inspected by eye. Missing numbers (NaN) are written as ``None``.

        Returns
        -------
        dict

        Examples
        --------
        >>> import json
        >>> import custlab as cl
        >>> model = cl.ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> again = cl.ShiftedBetaGeo.from_dict(json.loads(json.dumps(model.to_dict())))
        >>> bool((again.survival([1, 5]) == model.survival([1, 5])).all())
        True
        """
        check_fitted(self)
        state = {
            "model": type(self).__name__,
            "format": FORMAT_VERSION,
            "settings": {"penalizer": float(self.penalizer)},
            "params": _plain(self.params_.to_dict()),
            "standard_errors": _plain(self.standard_errors_.to_dict()),
            "covariance": _plain(self.covariance_.to_numpy().tolist()),
            "loglik": _plain(self.loglik_),
            "n_customers": self.n_customers_,
            "converged": self.converged_,
            "at_boundary": self.at_boundary_,
            "convergence": self.convergence_,
            "time_unit": getattr(self, "time_unit_", None),
        }
        extra = self._extra_state()
        if extra:
            state["extra"] = _plain(extra)
        return state

    @classmethod
    def from_dict(cls, state: dict):
        """A fitted model from what :meth:`to_dict` wrote; its predictions are the same.

        Raises
        ------
        ValueError
            If ``state`` was written by another model class or is not a saved model.
        """
        if not isinstance(state, dict) or "params" not in state or "model" not in state:
            raise ValueError(f"{cls.__name__}.from_dict takes the dict that to_dict() wrote; got "
                             f"{type(state).__name__} without 'model' and 'params'.")
        if state["model"] != cls.__name__:
            raise ValueError(f"This is a saved {state['model']}, not a {cls.__name__}: "
                             f"load it with cl.{state['model']}.from_dict(...).")
        if state.get("format") != FORMAT_VERSION:
            raise ValueError(f"{cls.__name__}.from_dict reads format {FORMAT_VERSION}; this file has "
                             f"format {state.get('format')!r}.")
        model = cls(**state.get("settings", {}))
        names = list(state["params"])
        model.params_ = pd.Series([_number(v) for v in state["params"].values()], index=names,
                                  name="estimate", dtype=float)
        model.standard_errors_ = pd.Series([_number(state["standard_errors"][n]) for n in names],
                                           index=names, name="std_error", dtype=float)
        model.covariance_ = pd.DataFrame([[_number(v) for v in row] for row in state["covariance"]],
                                         index=names, columns=names, dtype=float)
        model.loglik_ = _number(state["loglik"])
        model.n_customers_ = int(state["n_customers"])
        model.converged_ = bool(state["converged"])
        model.at_boundary_ = bool(state["at_boundary"])
        model.convergence_ = str(state["convergence"])
        if state.get("time_unit") is not None:
            model.time_unit_ = state["time_unit"]
        model._set_criteria()
        model._restore_extra(state.get("extra", {}))
        return model

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


def _plain(value):
    """``value`` with NumPy scalars turned into Python ones and NaN into None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(value) else float(value)
    return value


def _number(value) -> float:
    return float("nan") if value is None else float(value)
