"""The shifted-beta-geometric (sBG) model of contract churn (Fader & Hardie 2007,
"How to project customer retention", Journal of Interactive Marketing 21(1)).

At the end of each period a customer still under contract cancels with
probability theta, fixed for that customer; theta varies across customers as
Beta(alpha, beta). Retention rates then rise over time although nobody's
theta changes: the customers likely to churn leave first.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, hyp2f1

from custlab.models._base import FittedModel, check_fitted, fit_positive_params

__all__ = ["ShiftedBetaGeo"]


class ShiftedBetaGeo(FittedModel):
    """sBG model of how many customers renew, period after period.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta`` of the Beta distribution of the churn probability per period.
    standard_errors_, loglik_, n_customers_ : as for :class:`BetaGeo`.

    Examples
    --------
    >>> regular = [1000, 631, 468, 382, 326, 289, 262, 241]   # active at the start of years 0..7
    >>> ShiftedBetaGeo().fit(regular).params_.round(3).tolist()
    [0.704, 1.182]
    """

    param_names = ("alpha", "beta")


    def fit(self, active) -> "ShiftedBetaGeo":
        """Fit on the number of customers still active at the start of periods 0, 1, ..., n.

        Parameters
        ----------
        active : sequence of int
            A cohort's size at the start of each period, beginning with its size at
            acquisition; it may not increase.
        """
        counts = np.asarray(active, dtype=float)
        if counts.ndim != 1 or counts.size < 2:
            raise ValueError("ShiftedBetaGeo.fit needs the cohort size for at least two periods, e.g. [1000, 631].")
        if (counts < 0).any() or not np.isfinite(counts).all():
            raise ValueError(f"ShiftedBetaGeo.fit: counts must be finite and non-negative, got {counts.tolist()}.")
        rises = np.flatnonzero(np.diff(counts) > 0)
        if rises.size:
            i = int(rises[0])
            raise ValueError(
                f"ShiftedBetaGeo.fit: the cohort grows from {counts[i]:g} (period {i}) to {counts[i + 1]:g} "
                f"(period {i + 1}); a cohort can only shrink. Pass one cohort's survivors, not all active customers."
            )
        lost = -np.diff(counts)
        periods = np.arange(1, counts.size)
        survivors = counts[-1]

        def negll(params):
            return -self._loglik(params, periods, lost, survivors)

        params, _, converged, _ = fit_positive_params(negll, [(1.0, 1.0), (0.5, 2.0), (2.0, 5.0)],
                                                     penalizer=self.penalizer, model="ShiftedBetaGeo")
        self._store(params, negll, int(counts[0]), converged)
        return self

    def fit_individual(self, periods_survived, churned) -> "ShiftedBetaGeo":
        """Fit on one row per customer: periods completed, and whether they have churned.

        Parameters
        ----------
        periods_survived : array of int
            For a churned customer, the period in which they left (1, 2, ...); for
            one still active, the periods observed so far (0 or more).
        churned : array of bool
        """
        t = np.asarray(periods_survived, float)
        c = np.asarray(churned, bool)
        if t.size == 0 or t.size != c.size:
            raise ValueError("fit_individual needs two arrays of the same, non-zero length.")
        if (t < 0).any() or (c & (t < 1)).any() or (t != np.round(t)).any():
            raise ValueError("periods_survived must be whole numbers; a churned customer left in period 1 or later.")
        lost_t, lost_n = np.unique(t[c], return_counts=True)
        alive_t, alive_n = np.unique(t[~c], return_counts=True)

        def negll(params):
            alpha, beta = params
            ll = np.dot(lost_n, betaln(alpha + 1, beta + lost_t - 1) - betaln(alpha, beta))
            ll += np.dot(alive_n, betaln(alpha, beta + alive_t) - betaln(alpha, beta))
            return -float(ll)

        params, _, converged, _ = fit_positive_params(negll, [(1.0, 1.0), (0.5, 2.0), (2.0, 5.0)],
                                                     penalizer=self.penalizer, model="ShiftedBetaGeo")
        self._store(params, negll, int(t.size), converged)
        return self

    @staticmethod
    def _loglik(params, periods, lost, survivors) -> float:
        alpha, beta = params
        log_p = betaln(alpha + 1, beta + periods - 1) - betaln(alpha, beta)
        log_s = betaln(alpha, beta + periods[-1]) - betaln(alpha, beta)
        return float(np.dot(lost, log_p) + survivors * log_s)



    def survival(self, t) -> np.ndarray:
        """S(t): share of a new cohort still active after ``t`` periods."""
        check_fitted(self)
        alpha, beta = self.params_.to_numpy()
        t = np.asarray(t, float)
        return np.exp(betaln(alpha, beta + t) - betaln(alpha, beta))

    def retention_rate(self, t) -> np.ndarray:
        """r(t) = S(t) / S(t - 1): share of those active in period t - 1 who renew for period t."""
        check_fitted(self)
        alpha, beta = self.params_.to_numpy()
        t = np.asarray(t, float)
        return (beta + t - 1) / (alpha + beta + t - 1)

    def expected_residual_lifetime(self, discount_rate: float, renewals: int = 0) -> float:
        """DERL: discounted expected number of future payments of a customer who has renewed
        ``renewals`` times, each payment one period apart, discounted at ``discount_rate`` per
        period (Fader & Hardie 2010, "Customer-base valuation in a contractual setting").

        Multiply by the margin per period for the customer's residual value in currency units.
        """
        check_fitted(self)
        if discount_rate <= 0:
            raise ValueError(f"discount_rate must be positive (e.g. 0.1 per period), got {discount_rate}.")
        alpha, beta = self.params_.to_numpy()
        n = renewals + 1
        return float((beta + n - 1) / (alpha + beta + n - 1)
                     * hyp2f1(1, beta + n, alpha + beta + n, 1 / (1 + discount_rate)))
