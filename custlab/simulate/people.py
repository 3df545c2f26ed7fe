"""The people of the simulated company: who they are, and the latent values behind them.

:func:`draw_people` returns one row per person who touched the company. Its first columns
(:data:`CUSTOMER_COLUMNS`) are what a CRM would record; the rest are latent (purchase and
dropout rates, spend scale, satisfaction, the customer type) and end up in ``truth`` only.
:func:`assign_referrals` fills in who referred whom, once the buyers' first purchases are
known. The other tables of the company are drawn from this people table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlab.simulate._base import (
    AGE_BANDS, CHANNELS, COMPANY_SIZES, INCOME_BANDS, REGIONS, Window, WorldParams, make_ids, pick,
)

__all__ = ["CUSTOMER_COLUMNS", "LATENT_COLUMNS", "assign_referrals", "draw_people"]

CUSTOMER_COLUMNS = (
    "customer_id", "kind", "relationship", "acquisition_date", "acquisition_channel", "referred_by",
    "age_band", "gender", "income_band", "region", "company_size", "incentive_group",
)
LATENT_COLUMNS = (
    "would_buy", "first_purchase", "purchase_rate_per_week", "dropout_probability", "spend_rate_nu",
    "impulsive", "discount_driven", "satisfaction", "latent_type",
)


def draw_people(n: int, window: Window, params: WorldParams, rng: np.random.Generator) -> pd.DataFrame:
    """Draw ``n`` people: their latent values, profile, first purchase and experiment group.

    Parameters
    ----------
    n : int
        People who come into contact with the company during the window.
    window : Window
        The observed period.
    params : WorldParams
        Generating parameters.
    rng : numpy.random.Generator
        Source of every random draw, used in a fixed order.

    Returns
    -------
    pandas.DataFrame
        One row per person, the columns of :data:`CUSTOMER_COLUMNS` (``referred_by`` still
        empty) then :data:`LATENT_COLUMNS`: ``purchase_rate_per_week`` (purchases per week
        while alive), ``dropout_probability`` (after each repeat purchase),
        ``spend_rate_nu`` (per currency unit), ``satisfaction`` (standardised),
        ``first_purchase`` (NaT for people who do not buy within the window).

    Examples
    --------
    >>> from custlab.simulate._base import Window, WorldParams
    >>> w = Window(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    >>> people = draw_people(200, w, WorldParams(), np.random.default_rng(0))
    >>> people.shape, bool(people["referred_by"].isna().all())
    ((200, 21), True)
    """
    lam, p_drop, nu, satisfaction = _latent_values(n, params, rng)
    spend_rank = (np.argsort(np.argsort(-nu)) + 0.5) / n    # 1 = heaviest spender
    profile = _profiles(n, spend_rank, window, params, rng)
    is_internal = np.asarray(profile["relationship"] == "internal")
    will_buy, impulsive, discount_driven, first_time = _first_purchases(
        profile["acquisition_date"], is_internal, window, params, rng)
    group = _incentive_groups(first_time, window, params, rng)
    buyer = np.asarray(first_time.notna())
    median_lam = np.median(lam[buyer]) if buyer.any() else 0.0
    latent_type = np.select(
        [~buyer, discount_driven, impulsive, (p_drop < 0.2) & (lam >= median_lam)],
        ["browser", "discount-driven", "impulsive", "loyal"], default="occasional").astype(object)
    return pd.DataFrame({
        **profile,
        "incentive_group": group,
        "would_buy": will_buy,
        "first_purchase": first_time.to_numpy(),
        "purchase_rate_per_week": lam,
        "dropout_probability": p_drop,
        "spend_rate_nu": nu,
        "impulsive": impulsive,
        "discount_driven": discount_driven,
        "satisfaction": satisfaction,
        "latent_type": latent_type,
    })


def _latent_values(n: int, params: WorldParams, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Purchase rate (per week), dropout probability, spend rate and standardised satisfaction."""
    bg, gg = params.bgnbd, params.gamma_gamma
    lam = rng.gamma(bg["r"], 1.0 / bg["alpha"], n)          # purchases per week
    p_drop = rng.beta(bg["a"], bg["b"], n)
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)          # spend scale (rate)
    satisfaction = -0.8 * np.log(p_drop / (1 - p_drop)) + rng.normal(0, 1, n)
    satisfaction = (satisfaction - satisfaction.mean()) / satisfaction.std()
    return lam, p_drop, nu, satisfaction


def _profiles(n: int, spend_rank: np.ndarray, window: Window, params: WorldParams,
              rng: np.random.Generator) -> dict[str, object]:
    """What a CRM records about each person, before referrals and the experiment."""
    is_business = rng.random(n) < np.clip(2 * params.business_share * spend_rank, 0, 1)
    is_internal = ~is_business & (rng.random(n) < params.internal_share)
    acq_offset = rng.uniform(0, window.days - 30, n)
    channel = pick(rng, CHANNELS, [0.30, 0.22, 0.18, 0.12, 0.08, 0.10], n)
    age = pick(rng, AGE_BANDS, [0.12, 0.24, 0.22, 0.18, 0.14, 0.10], n)
    gender = pick(rng, ("female", "male", "other"), [0.49, 0.49, 0.02], n)
    income_score = 0.7 * spend_rank + 0.3 * rng.random(n)
    income = np.asarray(INCOME_BANDS, dtype=object)[np.digitize(income_score, [0.3, 0.55, 0.8])]
    region = pick(rng, REGIONS, [0.30, 0.20, 0.20, 0.15, 0.15], n)
    size = pick(rng, COMPANY_SIZES, [0.45, 0.30, 0.17, 0.08], n)
    for col in (age, gender, income):
        col[is_business] = None
    size[~is_business] = None
    return {
        "customer_id": make_ids("C", np.arange(1, n + 1)),
        "kind": np.where(is_business, "business", "individual").astype(object),
        "relationship": np.where(is_internal, "internal", "external").astype(object),
        "acquisition_date": window.start + pd.to_timedelta(np.floor(acq_offset), unit="D"),
        "acquisition_channel": channel,
        "referred_by": np.full(n, None, dtype=object),
        "age_band": age,
        "gender": gender,
        "income_band": income,
        "region": region,
        "company_size": size,
    }


def _first_purchases(acq_date: pd.DatetimeIndex, is_internal: np.ndarray, window: Window,
                     params: WorldParams, rng: np.random.Generator) -> tuple:
    """Who would buy, who is impulsive or discount-driven, and when each buyer first buys.

    The first purchase comes an exponential delay (days) after acquisition, at a time of day
    between 8:00 and 22:00; it is NaT for those who never buy or would buy after the window.
    """
    n = acq_date.size
    will_buy = rng.random(n) < np.where(is_internal, 0.8, params.buyer_share)
    impulsive = will_buy & (rng.random(n) < params.impulsive_share)
    discount_driven = will_buy & (rng.random(n) < params.discount_driven_share)
    delay_days = rng.exponential(np.where(impulsive, 0.3, params.first_purchase_delay_days))
    first_time = acq_date + pd.to_timedelta(delay_days * 86400 + rng.uniform(8, 22, n) * 3600, unit="s")
    first_time = first_time.where(will_buy & np.asarray(first_time < window.end_excl))
    return will_buy, impulsive, discount_driven, first_time


def _incentive_groups(first_time: pd.DatetimeIndex, window: Window, params: WorldParams,
                      rng: np.random.Generator) -> np.ndarray:
    """Treatment or control, at random, for buyers who first bought before the experiment."""
    eligible = np.asarray(first_time.notna()) & np.asarray(first_time < window.incentive_start(params))
    group = np.full(first_time.size, None, dtype=object)
    group[eligible] = np.where(rng.random(eligible.sum()) < 0.5, "treatment", "control")
    return group


def assign_referrals(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Name a referrer for everyone who arrived through a referral.

    The referrer is drawn among satisfied buyers (``satisfaction > 0.5``) whose first
    purchase came before the person's acquisition date; when there is none yet, the
    person is recorded as arriving through ``search`` instead.

    Parameters
    ----------
    people : pandas.DataFrame
        The table from :func:`draw_people`; not modified.
    rng : numpy.random.Generator
        Source of the random draws (one per referred person with a possible referrer).

    Returns
    -------
    pandas.DataFrame
        A copy of ``people`` with ``referred_by`` and ``acquisition_channel`` filled in.

    Examples
    --------
    >>> from custlab.simulate._base import Window, WorldParams
    >>> w = Window(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    >>> people = draw_people(500, w, WorldParams(), np.random.default_rng(0))
    >>> done = assign_referrals(people, np.random.default_rng(1))
    >>> bool(done["referred_by"].notna().eq(done["acquisition_channel"] == "referral").all())
    True
    """
    ids = people["customer_id"].to_numpy()
    channel = people["acquisition_channel"].to_numpy().copy()
    referred_by = people["referred_by"].to_numpy().copy()
    first_time = pd.DatetimeIndex(people["first_purchase"])
    acq_date = pd.DatetimeIndex(people["acquisition_date"])
    b_idx = np.flatnonzero(first_time.notna())
    advocates = b_idx[people["satisfaction"].to_numpy()[b_idx] > 0.5]
    adv_first = first_time[advocates].to_numpy()
    for i in np.flatnonzero(channel == "referral"):
        ok = advocates[adv_first < acq_date[i].to_datetime64()]
        if ok.size:
            referred_by[i] = ids[ok[rng.integers(0, ok.size)]]
        else:
            channel[i] = "search"
    return people.assign(referred_by=referred_by, acquisition_channel=channel)
