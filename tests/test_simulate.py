import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

import custlab as cl
from custlab.simulate import WorldParams, simulate_bgnbd


def test_same_seed_same_tables_other_seed_other_tables():
    a, b = cl.crm_world(800, random_state=3), cl.crm_world(800, random_state=3)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    c = cl.crm_world(800, random_state=4)
    assert not a.orders.equals(c.orders)


def test_tables_hang_together(world):
    cust, orders, ev = world.customers, world.orders, world.events
    assert cust["customer_id"].is_unique and len(cust) == 3000
    assert orders["customer_id"].isin(cust["customer_id"]).all()
    assert orders["order_id"].is_unique
    assert orders["date"].between(world.start, world.end + pd.Timedelta(days=1)).all()
    assert (orders["amount"] > 0).all()
    # Every person touched the company; nobody is touched before their acquisition date.
    assert set(ev["customer_id"]) == set(cust["customer_id"])
    first = ev.groupby("customer_id")["timestamp"].min()
    acq = cust.set_index("customer_id")["acquisition_date"]
    assert (first >= acq.reindex(first.index)).all()
    assert set(ev["event_type"]) == set(cl.simulate.EVENT_TYPES)
    # Each order has its purchase event.
    assert (ev["event_type"] == "purchase").sum() == len(orders)
    # Businesses have a company size and no personal data; individuals the reverse.
    biz = cust["kind"] == "business"
    assert cust.loc[biz, "company_size"].notna().all() and cust.loc[biz, "gender"].isna().all()
    assert cust.loc[~biz, "company_size"].isna().all() and cust.loc[~biz, "age_band"].notna().all()
    # Referred people name a referrer who had bought before they arrived.
    ref = cust.dropna(subset=["referred_by"])
    assert len(ref) > 0 and ref["referred_by"].isin(orders["customer_id"]).all()
    # Returned orders have a return date, others not; non-buyers are "browser" in the truth.
    assert orders.loc[orders["returned"], "return_date"].notna().all()
    assert orders.loc[~orders["returned"], "return_date"].isna().all()
    buyers = set(orders["customer_id"])
    truth = world.truth.customers
    browsers = set(truth.loc[truth["latent_type"] == "browser", "customer_id"])
    assert buyers.isdisjoint(browsers)
    assert world.surveys["nps"].between(0, 10).all() and world.surveys["csat"].between(1, 5).all()
    subs = world.subscriptions
    assert ((subs["status"] == "active") == subs["end_date"].isna()).all()
    assert (subs["end_date"].dropna() > subs.loc[subs["end_date"].notna(), "start_date"]).all()
    assert set(world.truth.subscriptions["subscription_id"]) == set(subs["subscription_id"])


def test_consumers_include_gift_recipients_and_business_seats(world):
    o = world.orders
    other = o[o["consumer_id"] != o["customer_id"]]
    assert other["consumer_id"].str.startswith("G").any()
    seats = other[other["consumer_id"].str.contains("-U")]
    assert len(seats) and seats["customer_id"].isin(
        world.customers.loc[world.customers["kind"] == "business", "customer_id"]).all()


def test_transactions_view_and_returns():
    w = cl.crm_world(500, random_state=1)
    keep, excl = w.transactions(), w.transactions(returns="exclude")
    assert list(keep.columns) == ["customer_id", "date", "amount", "order_id", "quantity"]
    assert len(keep) - len(excl) == int(w.orders["returned"].sum())
    with pytest.raises(ValueError, match="returns="):
        w.transactions(returns="net")


def test_bad_arguments():
    with pytest.raises(ValueError, match="positive whole number"):
        cl.crm_world(0)
    with pytest.raises(ValueError, match="must be after start"):
        cl.crm_world(10, start="2024-01-01", end="2023-01-01")


def bgnbd_expected_purchases(t, r, alpha, a, b):
    """E[X(t)] of the BG/NBD model, Fader, Hardie & Lee (2005), equation 9."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def test_generator_matches_the_bgnbd_mean_number_of_purchases():
    rng = np.random.default_rng(11)
    n, t = 200_000, 52.0
    r, alpha, a, b = 0.25, 4.0, 0.8, 2.5
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    who, times, _ = simulate_bgnbd(lam, p, np.full(n, t), rng)
    counts = np.bincount(who, minlength=n)
    se = counts.std() / np.sqrt(n)
    assert abs(counts.mean() - bgnbd_expected_purchases(t, r, alpha, a, b)) < 4 * se
    assert (times < t).all() and (times > 0).all()


def test_speedup_raises_purchases_only_inside_its_window():
    rng = np.random.default_rng(5)
    n = 50_000
    lam, p, h = np.full(n, 0.5), np.zeros(n), np.full(n, 30.0)
    who, times, _ = simulate_bgnbd(lam, p, h, rng, speedup=np.ones(n), speedup_start=np.full(n, 10.0),
                                   speedup_length=10.0)
    per_week = np.histogram(times, bins=[0, 10, 20, 30])[0] / n / 10
    np.testing.assert_allclose(per_week, [0.5, 1.0, 0.5], rtol=0.03)


def test_subscriptions_follow_the_sbg_first_month_churn():
    prm = WorldParams(subscription_share=1.0)
    w = cl.crm_world(20_000, random_state=2, params=prm)
    subs = w.subscriptions
    months = (subs["end_date"].dt.year - subs["start_date"].dt.year) * 12 + (
        subs["end_date"].dt.month - subs["start_date"].dt.month)
    observable = subs["start_date"] + pd.DateOffset(months=1) <= w.end
    for plan, (alpha, beta) in prm.sbg.items():
        mine = observable & (subs["plan"] == plan)
        churned_first = (months[mine] == 1).mean()
        expected = alpha / (alpha + beta)
        se = np.sqrt(expected * (1 - expected) / mine.sum())
        assert abs(churned_first - expected) < 4 * se, plan


def test_truth_records_the_generating_values(world):
    t = world.truth
    assert t.params["bgnbd"] == {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5, "unit": "per week"}
    tc = t.customers
    assert len(tc) == 3000
    np.testing.assert_allclose(tc["expected_spend"], 6.0 / tc["spend_rate_nu"])
    dead = tc["dropout_date"].notna()
    assert not tc.loc[dead, "alive_at_end"].any()
    # Nobody drops out before their first purchase; dropouts happen at a purchase day.
    assert (tc.loc[dead, "dropout_date"] >= tc.loc[dead, "first_purchase"].dt.normalize()).all()


def test_customers_table_holds_nothing_latent(world):
    assert list(world.customers.columns) == [
        "customer_id", "kind", "relationship", "acquisition_date", "acquisition_channel", "referred_by",
        "age_band", "gender", "income_band", "region", "company_size", "incentive_group"]
    latent = set(world.truth.customers.columns) - {"customer_id"}
    assert latent.isdisjoint(world.customers.columns)
    assert "latent_type" in latent
    assert repr(world).startswith("CRMWorld(2023-01-01 to 2024-12-31; customers: 3,000 rows")


def test_a_small_world_with_no_outside_gift_recipient_builds():
    # 50 people, seed 8: no gift goes to anyone outside the customer list, so no G-ids are made.
    world = cl.crm_world(50, random_state=8)
    assert len(world.customers) == 50 and not world.orders["consumer_id"].astype(str).str.startswith("G").any()
