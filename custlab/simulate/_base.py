"""What every table of the simulated company shares: its parameters, its window, the
fixed lists of categories, and the small helpers that name and pick things.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "AGE_BANDS", "CHANNELS", "COMPANY_SIZES", "COMPLAINT_CATEGORIES", "EVENT_TYPES",
    "INCOME_BANDS", "PLANS", "REGIONS", "SEATS", "Window", "WorldParams",
]

EVENT_TYPES = (
    "ad_impression", "visit", "product_view", "add_to_cart", "purchase",
    "support_contact", "review", "referral", "newsletter_signup",
)
CHANNELS = ("search", "social", "display_ad", "email", "referral", "store")
REGIONS = ("Capital", "North", "South", "East", "West")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
INCOME_BANDS = ("low", "lower-middle", "upper-middle", "high")
COMPANY_SIZES = ("1-9", "10-49", "50-249", "250+")
SEATS = {"1-9": 3, "10-49": 10, "50-249": 30, "250+": 80}
PLANS = ("basic", "plus", "pro")
COMPLAINT_CATEGORIES = ("delivery", "product_quality", "billing", "service")


@dataclass(frozen=True)
class WorldParams:
    """Every generating parameter of :func:`~custlab.simulate.crm_world`, with its unit.

    Attributes
    ----------
    bgnbd : dict
        r, alpha (weeks), a, b of the BG/NBD repeat-purchase process; rates are per week.
    gamma_gamma : dict
        p, q, gamma (currency units) of the Gamma-Gamma spend model.
    sbg : dict
        Per plan, (alpha, beta) of the monthly churn probability.
    monthly_fee : dict
        Per plan, the subscription fee in currency units per month.

    Examples
    --------
    >>> WorldParams(subscription_share=1.0).monthly_fee["pro"]
    30.0
    """

    bgnbd: dict = field(default_factory=lambda: {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
    gamma_gamma: dict = field(default_factory=lambda: {"p": 6.0, "q": 4.0, "gamma": 15.0})
    sbg: dict = field(default_factory=lambda: {
        "basic": (0.7, 1.2), "plus": (0.8, 2.5), "pro": (0.7, 4.0)})
    monthly_fee: dict = field(default_factory=lambda: {"basic": 5.0, "plus": 12.0, "pro": 30.0})
    buyer_share: float = 0.45           # share of contacts who would ever buy
    business_share: float = 0.12        # share of accounts that are businesses
    internal_share: float = 0.02        # staff accounts (internal customers)
    first_purchase_delay_days: float = 21.0   # mean days from first contact to first purchase
    impulsive_share: float = 0.15       # of buyers
    discount_driven_share: float = 0.18  # of buyers
    gift_share: float = 0.10            # orders of individuals used by someone else
    return_rate: float = 0.06           # orders returned (three times as often if impulsive)
    subscription_share: float = 0.30    # buyers who take a subscription
    complaint_rate: float = 0.04        # orders followed by a complaint
    survey_rate: float = 0.20           # orders followed by a survey answer
    internal_mood: float = -0.6         # staff accounts answer surveys this much lower (satisfaction sd)
    referral_share: float = 0.08        # contacts who arrive through a referral
    incentive_uplift: float = 0.5       # purchase-rate increase of treated buyers
    incentive_weeks: float = 8.0        # how long the incentive works, weeks
    incentive_at: float = 0.6           # experiment start, as a fraction of the window


@dataclass(frozen=True)
class Window:
    """The observed period of the simulated company: whole days, both ends included.

    Attributes
    ----------
    start, end : pandas.Timestamp
        First and last day observed (midnight).

    Examples
    --------
    >>> w = Window(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-31"))
    >>> w.days, str(w.end_excl.date())
    (31, '2024-02-01')
    """

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def days(self) -> int:
        """Length of the window in days."""
        return (self.end - self.start).days + 1

    @property
    def end_excl(self) -> pd.Timestamp:
        """Midnight after the last day: everything observed happens before it."""
        return self.end + pd.Timedelta(days=1)

    def incentive_start(self, params: WorldParams) -> pd.Timestamp:
        """First day of the incentive experiment, ``params.incentive_at`` of the way in."""
        return self.start + pd.Timedelta(days=int(params.incentive_at * self.days))


def make_ids(prefix: str, numbers: np.ndarray, width: int = 5) -> np.ndarray:
    """Identifiers such as ``C00042``: a prefix and a zero-padded number, as objects.

    Examples
    --------
    >>> make_ids("C", np.array([42])).tolist(), make_ids("G", np.array([], dtype=int)).tolist()
    (['C00042'], [])
    """
    if np.asarray(numbers).size == 0:
        return np.array([], dtype=object)
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width)).astype(object)


def pick(rng: np.random.Generator, options: Sequence, probs: Sequence[float], size: int) -> np.ndarray:
    """``size`` independent draws from ``options`` with probabilities ``probs``, as objects."""
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=probs)]


def add_months(dates: pd.DatetimeIndex, months: np.ndarray) -> pd.DatetimeIndex:
    """Add whole calendar months, keeping the day (clipped to the month's last day)."""
    total = dates.year.to_numpy() * 12 + dates.month.to_numpy() - 1 + months
    first = pd.to_datetime(pd.DataFrame({"year": total // 12, "month": total % 12 + 1, "day": 1}))
    day = np.minimum(dates.day.to_numpy(), first.dt.days_in_month.to_numpy())
    return pd.DatetimeIndex(first + pd.to_timedelta(day - 1, unit="D"))
