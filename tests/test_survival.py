"""Tests of custlab.retention.survival: durations and censoring in both worlds, and the lifelines
estimators read as tables. Expected values are worked out by hand below each case."""

import numpy as np
import pandas as pd
import pytest

from custlab import retention as rt

# Durations (months) 1, 2, 2+, 3, 4+, 5 (+ = censored). Kaplan-Meier by hand:
#   t=1: 6 at risk, 1 churns -> S = 5/6
#   t=2: 5 at risk, 1 churns (the censored 2 is still at risk at 2) -> S = 5/6 * 4/5 = 2/3
#   t=3: 3 at risk, 1 churns -> S = 2/3 * 2/3 = 4/9
#   t=4: censored; t=5: 1 at risk, 1 churns -> S = 0
SMALL = pd.DataFrame({"duration_months": [1.0, 2.0, 2.0, 3.0, 4.0, 5.0],
                      "churned": [True, True, False, True, False, True],
                      "plan": ["a", "a", "a", "b", "b", "b"]})


def test_kaplan_meier_matches_the_hand_computation():
    """survival_table reads the Kaplan-Meier curve and the numbers at risk at chosen times."""
    t = rt.survival_table(SMALL, times=[0, 1, 2, 2.5, 3, 4.5, 5])
    np.testing.assert_allclose(t["survival"], [1, 5 / 6, 2 / 3, 2 / 3, 4 / 9, 4 / 9, 0], atol=1e-12)
    assert t["at_risk"].tolist() == [6, 6, 5, 3, 3, 1, 1]
    assert t["churned_by"].tolist() == [0, 1, 2, 2, 3, 3, 4]
    assert (t["low"] <= t["survival"] + 1e-12).all() and (t["survival"] <= t["high"] + 1e-12).all()


def test_median_lifetime_is_where_survival_first_reaches_half():
    """S falls to 4/9 at t=3, the first time it is at or below 1/2."""
    m = rt.median_lifetimes(SMALL)
    assert m["median"].iloc[0] == 3.0
    assert m[["customers", "churned"]].iloc[0].tolist() == [6, 4]
    assert m.attrs["unit"] == "months"


def test_median_is_infinite_when_fewer_than_half_churn():
    """One churn among four: the curve never reaches one half."""
    d = pd.DataFrame({"duration_months": [1.0, 2.0, 3.0, 4.0], "churned": [True, False, False, False]})
    assert np.isinf(rt.median_lifetimes(d)["median"].iloc[0])


def test_contract_censoring_at_observation_end():
    """Active, cancelled, and cancelled after the end (censored at the end) subscriptions, in calendar months."""
    subs = pd.DataFrame({"start_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]),
                         "end_date": pd.to_datetime([None, "2024-03-16", "2024-08-01"])})
    d = rt.survival_data(subs, kind="contract", observation_end="2024-06-30", unit="M")
    # To 2024-07-01 (the day after the end): 6 months; to 2024-03-16: 2 + 15/31 = 2.48; from Feb: 5 months.
    assert d["duration_months"].tolist() == [6.0, 2.48, 5.0]
    assert d["churned"].tolist() == [False, True, False]


def test_purchase_world_uses_the_lifecycle_churn_rule():
    """Churned when the last purchase's month is churned_after or more months before the end month; the
    event is dated at the last purchase; the others are censored at the cutoff (the first day of the month
    churned_after months before the end month), after which a churn could not be seen yet."""
    tx = pd.DataFrame({"customer_id": ["A", "A", "B", "B", "C", "D"],
                       "date": pd.to_datetime(["2024-01-10", "2024-02-05", "2024-01-20", "2024-06-15",
                                               "2024-03-01", "2024-05-05"])})
    d = rt.survival_data(tx, kind="purchases", observation_end="2024-06-30", unit="M", churned_after=3)
    # End month June, so the cutoff is 2024-04-01 (June - 3 + 1 = April).
    # A: last in Feb, 4 months of gap by June -> churned; Jan 10 (0 + 9/31) to Feb 5 (1 + 4/29) = 0.85.
    # B: bought in June -> censored at the cutoff; Jan 20 (19/31) to Apr 1 (3) = 2.39.
    # C: last in March, gap 3 -> churned at its only purchase: 0.
    # D: first purchase after the cutoff: left out.
    assert d["customer_id"].tolist() == ["A", "B", "C"]
    assert d["duration_months"].tolist() == [0.85, 2.39, 0.0]
    assert d["churned"].tolist() == [True, False, True]
    assert d.attrs["cutoff"] == pd.Timestamp("2024-04-01") and d.attrs["left_out"] == 1


def test_purchase_world_takes_polars_and_time_zones():
    """A Polars log, and dates with a time zone (local calendar days), give the same table."""
    pl = pytest.importorskip("polars")
    tx = pd.DataFrame({"customer_id": ["A", "A", "B"],
                       "date": pd.to_datetime(["2024-01-10 23:30", "2024-02-05 10:00", "2024-03-01 09:00"])})
    want = rt.survival_data(tx, kind="purchases", observation_end="2024-06-30", unit="M", churned_after=3)
    aware = tx.assign(date=tx["date"].dt.tz_localize("America/New_York"))
    got = rt.survival_data(aware, kind="purchases", observation_end="2024-06-30", unit="M", churned_after=3)
    pd.testing.assert_frame_equal(got, want)
    got = rt.survival_data(pl.from_pandas(tx), kind="purchases", observation_end="2024-06-30", unit="M",
                           churned_after=3)
    pd.testing.assert_frame_equal(got, want)


def test_cancellation_after_the_end_is_censored():
    """A cancellation dated the day after observation_end is not seen: censored, as in subscription_lifetimes."""
    subs = pd.DataFrame({"start_date": pd.to_datetime(["2024-01-01"]), "end_date": pd.to_datetime(["2024-07-01"])})
    d = rt.survival_data(subs, kind="contract", observation_end="2024-06-30")
    assert d["churned"].tolist() == [False] and d["duration_months"].tolist() == [6.0]
    lifetimes = rt.subscription_lifetimes(subs.assign(customer_id=1), observation_end="2024-06-30")
    assert lifetimes["churned"].tolist() == [False]


def test_missing_groups_are_refused():
    d = SMALL.assign(plan=["a", None, "a", "b", "b", "b"])
    for call in (lambda: rt.survival_table(d, times=[1], by="plan"), lambda: rt.logrank_test(d, by="plan"),
                 lambda: rt.median_lifetimes(d, by="plan")):
        with pytest.raises(ValueError, match="have no 'plan'"):
            call()


def test_purchase_world_needs_a_threshold_and_known_kind():
    tx = pd.DataFrame({"customer_id": [1], "date": pd.to_datetime(["2024-01-10"])})
    with pytest.raises(ValueError, match="needs churned_after"):
        rt.survival_data(tx, kind="purchases", observation_end="2024-06-30")
    with pytest.raises(ValueError, match="kind='orders'"):
        rt.survival_data(tx, kind="orders", observation_end="2024-06-30")


def test_logrank_separates_groups_that_differ():
    """Plan a churns at 1-3, plan b at 20-30: the log-rank test rejects one common curve."""
    d = pd.DataFrame({"duration_months": [1, 2, 3, 2, 1, 20, 25, 30, 22, 28.0], "churned": [True] * 10,
                      "plan": ["a"] * 5 + ["b"] * 5})
    r = rt.logrank_test(d, by="plan").iloc[0]
    assert r["groups"] == 2 and r["degrees_of_freedom"] == 1 and r["p_value"] < 0.01


def test_cox_design_uses_the_largest_group_as_reference_unless_told():
    d = SMALL.assign(big=[True, False, True, False, True, False])
    design = rt.cox_design(d, ["plan", "big"])
    assert design.attrs["reference"] == {"plan": "a"}       # a and b tie at 3; the first in order wins
    assert list(design.columns) == ["plan[b]", "big", "duration_months", "churned"]
    assert rt.cox_design(d, ["plan"], reference={"plan": "b"}).columns[0] == "plan[a]"
    with pytest.raises(ValueError, match="not a level"):
        rt.cox_design(d, ["plan"], reference={"plan": "c"})


def test_hazard_ratios_are_the_exponentiated_coefficients():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, 300).astype(float)
    t = rng.exponential(1 / np.where(x == 1, 2.0, 1.0))      # x = 1 churns twice as fast
    d = pd.DataFrame({"duration_months": t, "churned": True, "x": x})
    model = rt.fit_cox(d)
    hr = rt.hazard_ratios(model)
    assert hr.loc["x", "hazard_ratio"] == pytest.approx(np.exp(model.params_["x"]))
    assert hr.loc["x", "low"] < 2.0 < hr.loc["x", "high"]
    check = rt.proportional_hazards_check(model, d)
    assert list(check.columns) == ["test_statistic", "p_value", "holds"] and check.index.tolist() == ["x"]


def test_customer_drivers_from_crm_tables():
    customers = pd.DataFrame({"customer_id": [1, 2, 3], "acquisition_channel": ["web", "store", "web"],
                              "kind": ["individual", "business", "individual"]})
    orders = pd.DataFrame({"customer_id": [1, 1, 2], "discount": [0.1, 0.0, 0.0]})
    surveys = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-01", "2024-02-01",
                                                                             "2024-01-01"]), "nps": [3, 9, 7]})
    complaints = pd.DataFrame({"customer_id": [2, 3], "resolved": [True, False]})
    d = rt.customer_drivers(customers, orders, surveys, complaints)
    assert d["discount_user"].tolist() == [True, False, False]          # 1 of 2 orders discounted: 0.5
    assert d["nps_group"].tolist() == ["promoter", "passive", "no answer"]   # the last answer counts
    assert d["unresolved_complaint"].tolist() == [False, False, True]


def test_duration_column_must_be_unique():
    with pytest.raises(ValueError, match="one duration column"):
        rt.duration_column(pd.DataFrame({"duration_days": [1], "duration_months": [1]}))
