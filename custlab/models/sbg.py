"""The shifted-beta-geometric (sBG) model of contract churn (Fader & Hardie 2007,
"How to project customer retention", Journal of Interactive Marketing 21(1)).

At the end of each period a customer still under contract cancels with
probability theta, fixed for that customer; theta varies across customers as
Beta(alpha, beta). Retention rates then rise over time although nobody's
theta changes: the customers likely to churn leave first.

Valuation follows Fader & Hardie (2010), "Customer-base valuation in a contractual
setting: the perils of ignoring heterogeneity", Marketing Science 29(1).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, hyp2f1

from custlab.models._base import FittedModel, check_fitted, one_blas_thread
from custlab.models._data import values
from custlab.models._optimise import fit_positive_params

__all__ = ["ShiftedBetaGeo"]

_STARTS = [(1.0, 1.0), (0.5, 2.0), (2.0, 5.0)]


def sbg_loglik_and_gradient(params, lost_t, lost_n, alive_t, alive_n) -> tuple[float, np.ndarray]:
    """Log-likelihood and its gradient in (alpha, beta).

    ``lost_n`` customers churned in period ``lost_t`` (1, 2, ...); ``alive_n`` were still
    active after ``alive_t`` periods (0, 1, ...).
    """
    alpha, beta = params
    base = betaln(alpha, beta)
    d_base = digamma(alpha + beta)
    ll = (np.dot(lost_n, betaln(alpha + 1, beta + lost_t - 1) - base)
          + np.dot(alive_n, betaln(alpha, beta + alive_t) - base))
    psi_lost, psi_alive = digamma(alpha + beta + lost_t), digamma(alpha + beta + alive_t)
    d_base_alpha, d_base_beta = digamma(alpha) - d_base, digamma(beta) - d_base
    d_alpha = (np.dot(lost_n, digamma(alpha + 1) - psi_lost - d_base_alpha)
               + np.dot(alive_n, digamma(alpha) - psi_alive - d_base_alpha))
    d_beta = (np.dot(lost_n, digamma(beta + lost_t - 1) - psi_lost - d_base_beta)
              + np.dot(alive_n, digamma(beta + alive_t) - psi_alive - d_base_beta))
    return float(ll), np.array([d_alpha, d_beta])


def _discount(discount_rate, where: str) -> np.ndarray:
    d = values(discount_rate, "discount_rate", where=where, minimum=-np.inf)
    if np.any(d <= 0):
        raise ValueError(f"{where}: discount_rate must be positive (e.g. 0.1 per period); "
                         f"got {d[d <= 0].flat[0]:g}.")
    return d


def _scalar_or_array(result: np.ndarray):
    return float(result) if np.ndim(result) == 0 else result


class ShiftedBetaGeo(FittedModel):
    """sBG model of how many customers renew, period after period.

    Parameters
    ----------
    penalizer : float
        L2 penalty on the parameters; 0 (the default) gives the maximum-likelihood estimates.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta`` of the Beta distribution of the churn probability per period.
    standard_errors_, loglik_, n_customers_ : as for :class:`BetaGeo`.
    converged_, at_boundary_, convergence_ : as for :class:`BetaGeo`.

    Examples
    --------
    >>> regular = [1000, 631, 468, 382, 326, 289, 262, 241]   # active at the start of years 0..7
    >>> ShiftedBetaGeo().fit(regular).params_.round(3).tolist()
    [0.704, 1.182]
    """

    param_names = ("alpha", "beta")

    def _fit_counts(self, lost_t, lost_n, alive_t, alive_n, n_customers: int, where: str) -> None:
        def negll_and_gradient(params):
            value, grad = sbg_loglik_and_gradient(params, lost_t, lost_n, alive_t, alive_n)
            return -value, -grad

        def negll(params):
            return negll_and_gradient(params)[0]

        optimum = fit_positive_params(negll, _STARTS, penalizer=self.penalizer, gradient=negll_and_gradient,
                                      names=self.param_names)
        self._store(optimum, negll, n_customers, where=where)

    @one_blas_thread
    def fit(self, active) -> "ShiftedBetaGeo":
        """Fit on the number of customers still active at the start of periods 0, 1, ..., n.

        Parameters
        ----------
        active : sequence of numbers
            A cohort's size at the start of each period, beginning with its size at
            acquisition (a list, NumPy array, pandas or Polars Series); it may not increase.
            With only two numbers the fit cannot separate alpha from beta: pass three or more.

        Returns
        -------
        ShiftedBetaGeo
            ``self``, fitted. Warns with ``ConvergenceWarning`` if ``converged_`` is False.
        """
        self._check_penalizer()
        where = "ShiftedBetaGeo.fit"
        try:
            counts = np.asarray(active, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{where} takes one cohort's sizes at the start of each period, a sequence of numbers "
                            f"such as [1000, 631, 468]; got {type(active).__name__}.") from None
        if counts.ndim != 1 or counts.size < 2:
            raise ValueError(f"{where} needs one cohort's size for at least two periods, a flat sequence such "
                             f"as [1000, 631, 468]; got shape {counts.shape}.")
        if (counts < 0).any() or not np.isfinite(counts).all():
            raise ValueError(f"{where}: counts must be finite and non-negative, got {counts.tolist()}.")
        rises = np.flatnonzero(np.diff(counts) > 0)
        if rises.size:
            i = int(rises[0])
            raise ValueError(
                f"{where}: the cohort grows from {counts[i]:g} (period {i}) to {counts[i + 1]:g} "
                f"(period {i + 1}); a cohort can only shrink. Pass one cohort's survivors, not all active customers."
            )
        lost = -np.diff(counts)
        periods = np.arange(1, counts.size, dtype=float)
        self._fit_counts(periods, lost, periods[-1:], counts[-1:], int(counts[0]), "fit")
        return self

    @one_blas_thread
    def fit_individual(self, periods_survived, churned) -> "ShiftedBetaGeo":
        """Fit on one row per customer: periods completed, and whether they have churned.

        Parameters
        ----------
        periods_survived : array of int
            For a churned customer, the period in which they left (1, 2, ...); for
            one still active, the periods observed so far (0 or more).
        churned : array of bool

        Returns
        -------
        ShiftedBetaGeo
            ``self``, fitted. Warns with ``ConvergenceWarning`` if ``converged_`` is False.
        """
        self._check_penalizer()
        where = "ShiftedBetaGeo.fit_individual"
        t = values(periods_survived, "periods_survived", where=where, whole=True, meaning="periods completed")
        try:
            c = np.asarray(churned, dtype=bool)
        except (TypeError, ValueError):
            raise TypeError(f"{where}: churned must be an array of booleans; got {type(churned).__name__}.") from None
        if t.size == 0 or t.shape != c.shape or t.ndim != 1:
            raise ValueError(f"{where} needs two flat arrays of the same, non-zero length; got shapes "
                             f"{t.shape} and {c.shape}.")
        if (c & (t < 1)).any() or not np.isfinite(t).all():
            raise ValueError(f"{where}: a churned customer left in period 1 or later, and no value may be missing.")
        lost_t, lost_n = np.unique(t[c], return_counts=True)
        alive_t, alive_n = np.unique(t[~c], return_counts=True)
        self._fit_counts(lost_t, lost_n.astype(float), alive_t, alive_n.astype(float), int(t.size), "fit_individual")
        return self

    @one_blas_thread
    def survival(self, t) -> np.ndarray:
        """S(t): share of a new cohort still active after ``t`` periods.

        Parameters
        ----------
        t : float or array
            Periods since acquisition, 0 or more (S(0) = 1).

        Returns
        -------
        numpy.ndarray
            Shares (0 to 1), shaped like ``t``.

        Examples
        --------
        >>> model = ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> model.survival([0, 1, 12]).round(3).tolist()
        [1.0, 0.627, 0.17]
        """
        check_fitted(self)
        alpha, beta = self.params_.to_numpy()
        t = values(t, "t", where="ShiftedBetaGeo.survival", meaning="periods since acquisition")
        return np.exp(betaln(alpha, beta + t) - betaln(alpha, beta))

    @one_blas_thread
    def retention_rate(self, t) -> np.ndarray:
        """r(t) = S(t) / S(t - 1): share of those active in period t - 1 who renew for period t.

        Parameters
        ----------
        t : float or array
            Period, 1 or more.

        Returns
        -------
        numpy.ndarray
            Retention rates (0 to 1), shaped like ``t``.

        Examples
        --------
        >>> model = ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> model.retention_rate([1, 2, 10]).round(3).tolist()
        [0.627, 0.756, 0.935]
        """
        check_fitted(self)
        alpha, beta = self.params_.to_numpy()
        t = values(t, "t", where="ShiftedBetaGeo.retention_rate", minimum=1.0, meaning="period")
        return (beta + t - 1) / (alpha + beta + t - 1)

    @one_blas_thread
    def expected_residual_lifetime(self, discount_rate, renewals=0):
        """DERL: discounted expected number of future payments of a customer who has renewed
        ``renewals`` times (Fader & Hardie 2010).

        Timing: the customer is at the end of a period, about to decide on their next
        renewal; that next payment counts undiscounted, the one a period later is
        discounted once, and so on. For the value of a subscriber whose first payment is
        now, use :meth:`discounted_expected_lifetime`.

        Parameters
        ----------
        discount_rate : float or array
            Discount rate per period, positive (e.g. 0.1).
        renewals : int or array
            Renewals made so far (0 for a customer who has made only the first payment).

        Returns
        -------
        float or numpy.ndarray
            Expected discounted number of payments. Multiply by the payment per period for
            the customer's residual value in currency units.

        Examples
        --------
        >>> model = ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> round(model.expected_residual_lifetime(0.1, renewals=4), 3)
        5.894
        """
        check_fitted(self)
        where = "ShiftedBetaGeo.expected_residual_lifetime"
        d = _discount(discount_rate, where)
        n = values(renewals, "renewals", where=where, whole=True, meaning="renewals made so far") + 1
        alpha, beta = self.params_.to_numpy()
        return _scalar_or_array((beta + n - 1) / (alpha + beta + n - 1)
                                * hyp2f1(1, beta + n, alpha + beta + n, 1 / (1 + d)))

    @one_blas_thread
    def discounted_expected_lifetime(self, discount_rate):
        """Discounted expected number of payments of a NEW subscriber whose first payment is now.

        Timing: payments fall at the start of each period. The first is made now (t = 0)
        and counts undiscounted; the payment at the start of period t is made if the
        subscriber is still active, with probability S(t), and is discounted by
        ``(1 + discount_rate) ** t``. The result is ``sum over t >= 0 of S(t) / (1 + d) ** t``,
        in closed form ``2F1(1, beta; alpha + beta; 1 / (1 + d))``.

        It relates to :meth:`expected_residual_lifetime` (DERL, Fader & Hardie 2010) by
        ``1 + expected_residual_lifetime(d, renewals=0) / (1 + d)``: the first payment,
        plus the DERL of a customer who made it, valued one period earlier.

        Parameters
        ----------
        discount_rate : float or array
            Discount rate per period, positive (e.g. 0.01 per month).

        Returns
        -------
        float or numpy.ndarray
            Expected discounted number of payments (at least 1). Multiply by the payment
            per period for a new subscriber's expected lifetime value in currency units.

        Examples
        --------
        >>> model = ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> round(model.discounted_expected_lifetime(0.1), 3)
        3.695
        """
        check_fitted(self)
        d = _discount(discount_rate, "ShiftedBetaGeo.discounted_expected_lifetime")
        alpha, beta = self.params_.to_numpy()
        return _scalar_or_array(hyp2f1(1, beta, alpha + beta, 1 / (1 + d)))
