"""Tests of custlab.experiments, its pictures and the incentive-experiment simulator.

Every expected number is computed here by hand from a closed form, or taken from a
publication (Newcombe 1998, Table II; Kohavi, Tang & Xu 2020's rule of thumb).
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from custlab.experiments import (
    ab_test,
    balance_table,
    before_after,
    break_even_lift,
    effects_by,
    equal_lifts_test,
    format_p_value,
    group_rates,
    lift,
    newcombe_interval,
    one_time_buyers,
    power,
    power_curve,
    rerandomization_check,
    sample_size,
    wilson_interval,
)
from custlab.plotting.experiments import plot_group_rates, plot_lift, plot_power_curve
from custlab.simulate.experiment import (
    OFFERS,
    draw_incentive_experiment,
    draw_outcomes,
    eligible_customers,
    experiment_truth,
    uplift_table,
)

Z95 = 1.959963984540054


def two_by_two(k_t, n_t, k_c, n_c, **extra):
    """An experiment table with k_t of n_t treated and k_c of n_c control customers repeating."""
    group = ["treatment"] * n_t + ["control"] * n_c
    repeat = [1] * k_t + [0] * (n_t - k_t) + [1] * k_c + [0] * (n_c - k_c)
    return pd.DataFrame({"group": group, "repeat": repeat, **extra})


def wilson_by_hand(k, n, z=Z95):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# --- the A/B estimate and its interval ------------------------------------------------------------

def test_lift_and_newcombe_interval_by_hand_on_a_2x2():
    # 30 of 100 treated and 20 of 100 control customers bought again.
    row = lift(two_by_two(30, 100, 20, 100)).iloc[0]
    assert row["rate_treatment_pct"] == pytest.approx(30.0)
    assert row["rate_control_pct"] == pytest.approx(20.0)
    assert row["lift_pp"] == pytest.approx(10.0)
    assert row["relative_lift_pct"] == pytest.approx(50.0)
    l1, u1 = wilson_by_hand(30, 100)
    l0, u0 = wilson_by_hand(20, 100)
    low = 0.1 - math.sqrt((0.3 - l1) ** 2 + (u0 - 0.2) ** 2)
    high = 0.1 + math.sqrt((u1 - 0.3) ** 2 + (0.2 - l0) ** 2)
    assert row["lift_low_pp"] == pytest.approx(100 * low, abs=1e-9)
    assert row["lift_high_pp"] == pytest.approx(100 * high, abs=1e-9)
    # The pooled z-test is the chi-square test of the 2x2 table without continuity correction.
    pooled = 0.25
    z = 0.1 / math.sqrt(pooled * (1 - pooled) * (2 / 100))
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(z))
    chi2 = stats.chi2_contingency([[30, 70], [20, 80]], correction=False)
    assert row["p_value"] == pytest.approx(chi2.pvalue)


@pytest.mark.parametrize("k1, n1, k2, n2, low, high", [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
])
def test_newcombe_interval_matches_the_published_values(k1, n1, k2, n2, low, high):
    # Newcombe (1998), Statistics in Medicine 17, 873-890, Table II, method 10.
    got = newcombe_interval(k1, n1, k2, n2)
    assert (round(float(got[0]), 4), round(float(got[1]), 4)) == (low, high)


def test_wilson_interval_by_hand_and_at_zero():
    low, high = wilson_interval(7, 40)
    assert (float(low), float(high)) == pytest.approx(wilson_by_hand(7, 40))
    low, high = wilson_interval(0, 25)
    assert float(low) == 0.0 and float(high) == pytest.approx(Z95 ** 2 / (25 + Z95 ** 2))


def test_ab_test_revenue_cost_and_return_by_hand():
    t = two_by_two(2, 4, 1, 4, revenue=[30.0, 20.0, 0, 0, 20.0, 0, 0, 0], cost=[5.0, 5.0, 0, 0, 0, 0, 0, 0])
    r = ab_test(t)
    assert r.loc["customers", ["control", "treatment"]].tolist() == [4, 4]
    assert r.loc["repeat rate", "difference"] == pytest.approx(25.0)
    rev = r.loc["revenue per customer"]
    assert (rev["control"], rev["treatment"], rev["difference"]) == pytest.approx((5.0, 12.5, 7.5))
    # Welch by hand: variances, Welch-Satterthwaite degrees of freedom, t quantile.
    a, b = np.array([30.0, 20.0, 0, 0]), np.array([20.0, 0, 0, 0])
    va, vb = a.var(ddof=1) / 4, b.var(ddof=1) / 4
    df = (va + vb) ** 2 / (va ** 2 / 3 + vb ** 2 / 3)
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert (rev["low"], rev["high"]) == pytest.approx((7.5 - half, 7.5 + half))
    assert r.loc["cost per customer", "treatment"] == pytest.approx(2.5)
    net = r.loc["net revenue per customer"]
    assert net["difference"] == pytest.approx(7.5 - 2.5)
    assert r.loc["return on the incentive", "difference"] == pytest.approx(100 * 5.0 / 2.5)
    assert "profit per customer" not in r.index


def delta_ratio_by_hand(num_t, num_c, cost_t, cost_c):
    """The delta-method 95 % interval of (mean num_t - mean num_c) / (mean cost_t - mean cost_c), by hand."""
    n_t, n_c = len(num_t), len(num_c)
    d_num, d_cost = np.mean(num_t) - np.mean(num_c), np.mean(cost_t) - np.mean(cost_c)
    ratio = d_num / d_cost
    var_num = np.var(num_t, ddof=1) / n_t + np.var(num_c, ddof=1) / n_c
    var_cost = np.var(cost_t, ddof=1) / n_t + np.var(cost_c, ddof=1) / n_c
    cov = np.cov(num_t, cost_t)[0, 1] / n_t + np.cov(num_c, cost_c)[0, 1] / n_c
    half = Z95 * math.sqrt(var_num - 2 * ratio * cov + ratio ** 2 * var_cost) / d_cost
    return ratio, ratio - half, ratio + half


def test_ab_test_profit_and_return_with_a_random_cost_by_hand():
    revenue = np.array([30.0, 20.0, 10.0, 0, 0, 0, 20.0, 15.0, 0, 0, 0, 0])
    cost = np.array([5.0, 5.0, 5.0, 0, 0, 0, 0, 0, 0, 0, 0, 0])  # a coupon, paid when it is used
    t = two_by_two(3, 6, 2, 6, revenue=revenue, cost=cost)
    r = ab_test(t, margin=0.3)
    profit = 0.3 * revenue - cost
    pt, pc = profit[:6], profit[6:]
    assert r.loc["profit per customer", ["control", "treatment"]].tolist() == pytest.approx([pc.mean(), pt.mean()])
    welch = stats.ttest_ind(pt, pc, equal_var=False).confidence_interval(0.95)
    assert (r.loc["profit per customer", "low"], r.loc["profit per customer", "high"]) == pytest.approx(
        (welch.low, welch.high))
    ratio, low, high = delta_ratio_by_hand(pt, pc, cost[:6], cost[6:])
    ret = r.loc["return on the incentive"]
    assert (ret["difference"], ret["low"], ret["high"]) == pytest.approx((100 * ratio, 100 * low, 100 * high))
    assert "net profit" in ret["unit"] and r.attrs["margin"] == 0.3
    # A fixed cost: the delta interval is the net interval over the cost (normal quantile).
    fixed = t.assign(cost=np.where(t["group"] == "treatment", 4.0, 0.0))
    r = ab_test(fixed, margin=0.3)
    p = 0.3 * revenue - fixed["cost"].to_numpy()
    se = math.sqrt(np.var(p[:6], ddof=1) / 6 + np.var(p[6:], ddof=1) / 6)
    assert r.loc["return on the incentive", "high"] - r.loc["return on the incentive", "difference"] == pytest.approx(
        100 * Z95 * se / 4.0)
    with pytest.raises(ValueError, match="margin"):
        ab_test(t, margin=30)


def test_ab_test_without_money_columns_and_with_other_labels():
    t = two_by_two(3, 10, 1, 10).replace({"treatment": "B", "control": "A"})
    r = ab_test(t, treatment="B", control="A", revenue_col=None, cost_col=None)
    assert list(r.index) == ["customers", "repeat rate", "relative lift"]
    assert r.loc["repeat rate", "difference"] == pytest.approx(20.0)


def test_ab_test_refuses_bad_input_with_a_clear_message():
    t = two_by_two(3, 10, 1, 10, revenue=0.0, cost=0.0)
    with pytest.raises(ValueError, match="holds \\['holdout'\\] besides"):
        ab_test(t.assign(group=["holdout"] + t["group"].tolist()[1:]))
    with pytest.raises(ValueError, match="must be 0/1"):
        ab_test(t.assign(repeat=2))
    with pytest.raises(Exception, match="no column 'repeated'"):
        ab_test(t, outcome="repeated")
    with pytest.raises(ValueError, match="no row of group 'control'"):
        ab_test(t[t["group"] == "treatment"])


def test_group_rates_with_wilson_intervals():
    r = group_rates(two_by_two(3, 10, 1, 10))
    assert r["group"].tolist() == ["control", "treatment"]
    assert r["rate_pct"].tolist() == pytest.approx([10.0, 30.0])
    assert r["rate_low_pct"].iloc[1] == pytest.approx(100 * wilson_by_hand(3, 10)[0])


# --- effects by type and the multiplicity adjustment ----------------------------------------------

def test_effects_by_holm_and_bonferroni_by_hand():
    parts = [two_by_two(30, 100, 20, 100, kind="a"), two_by_two(25, 100, 20, 100, kind="b"),
             two_by_two(40, 100, 20, 100, kind="c")]
    t = pd.concat(parts, ignore_index=True).assign(cost=lambda d: np.where(d["group"] == "treatment", 2.0, 0.0))
    e = effects_by(t, "kind")
    assert e["kind"].tolist() == ["all", "a", "b", "c"]
    p = e["p_value"].to_numpy()[1:]
    # Holm: sorted p-values times m, m-1, ...; each at least the one before.
    order = np.argsort(p)
    expected = np.empty(3)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (3 - rank) * p[i]))
        expected[i] = running
    assert e["p_holm"].to_numpy()[1:] == pytest.approx(expected)
    assert np.isnan(e["p_holm"].iloc[0])
    low, high = newcombe_interval(40, 100, 20, 100, confidence=1 - 0.05 / 3)
    c = e.set_index("kind").loc["c"]
    assert (c["lift_low_adj_pp"], c["lift_high_adj_pp"]) == pytest.approx((100 * low, 100 * high))
    assert c["lift_low_adj_pp"] < c["lift_low_pp"] < c["lift_pp"] < c["lift_high_pp"] < c["lift_high_adj_pp"]
    assert c["cost_per_treated"] == pytest.approx(2.0)
    assert c["cost_per_extra_repeat"] == pytest.approx(2.0 / 0.20)
    assert "Holm" in e.attrs["adjustment"] and "Bonferroni" in e.attrs["adjustment"]


def test_equal_lifts_test_by_hand():
    t = pd.concat([two_by_two(30, 100, 20, 100, kind="a"), two_by_two(0, 50, 5, 50, kind="b")], ignore_index=True)
    r = equal_lifts_test(t, "kind")
    # The lifts as estimated; their variances from Agresti-Caffo rates (one success and one failure added per arm).
    d, v = [], []
    for kt, nt, kc, nc in ((30, 100, 20, 100), (0, 50, 5, 50)):
        pt, pc = (kt + 1) / (nt + 2), (kc + 1) / (nc + 2)
        d.append(kt / nt - kc / nc)
        v.append(pt * (1 - pt) / (nt + 2) + pc * (1 - pc) / (nc + 2))
    w = 1 / np.array(v)
    dbar = (w * d).sum() / w.sum()
    q = (w * (np.array(d) - dbar) ** 2).sum()
    assert (r["groups"], r["df"]) == (2, 1)
    assert r["chi2"] == pytest.approx(q) and r["p_value"] == pytest.approx(stats.chi2.sf(q, 1))
    assert r["common_lift_pp"] == pytest.approx(100 * dbar)
    with pytest.raises(ValueError, match="fewer than two"):
        equal_lifts_test(two_by_two(3, 10, 1, 10, kind="a"), "kind")


def test_equal_lifts_test_keeps_its_level_when_the_lifts_are_equal():
    # Three types with different base rates and the same lift of 5 points: about 5 % of experiments reject.
    rng = np.random.default_rng(0)
    bases, size, runs = np.array([0.05, 0.10, 0.20]), np.array([300, 150, 600]), 1000
    kind = np.repeat(np.repeat(["a", "b", "c"], 2), np.repeat(size, 2))
    group = np.concatenate([np.repeat(["treatment", "control"], n) for n in size])
    rejected = 0
    for _ in range(runs):
        k = np.column_stack([rng.binomial(size, bases + 0.05), rng.binomial(size, bases)]).ravel()
        repeat = np.concatenate([np.arange(n) < x for n, x in zip(np.repeat(size, 2), k)])
        t = pd.DataFrame({"kind": kind, "group": group, "repeat": repeat})
        rejected += equal_lifts_test(t, "kind")["p_value"] < 0.05
    assert 0.025 <= rejected / runs <= 0.08


def test_format_p_value():
    assert [format_p_value(v) for v in (0.2548, 0.0009, 0.001, 1.0)] == ["0.255", "< 0.001", "0.001", "1.000"]
    assert format_p_value(0.00001, sentence=True) == "p < 0.001"
    assert format_p_value(0.04, digits=2, sentence=True) == "p = 0.04"


def test_effects_by_keeps_a_group_with_one_arm_only():
    t = pd.concat([two_by_two(3, 10, 1, 10, kind="a"), two_by_two(2, 5, 0, 0, kind="b")], ignore_index=True)
    e = effects_by(t, "kind", cost_col=None, overall=False).set_index("kind")
    assert e.loc["b", "customers_control"] == 0 and np.isnan(e.loc["b", "lift_pp"])
    assert e.loc["a", "p_holm"] == pytest.approx(e.loc["a", "p_value"])


# --- power and sample size ------------------------------------------------------------------------

def test_sample_size_matches_the_closed_form_by_hand():
    p1, p2 = 0.08, 0.10
    za, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    pbar = (p1 + p2) / 2
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    assert sample_size(0.08, 0.02) == math.ceil(n)
    assert sample_size(0.10, -0.02) == sample_size(0.10, -0.02, alpha=0.05, power=0.8)


def test_sample_size_textbook_values():
    # 50 % against 60 %, two-sided 5 %, power 80 %: 388 per group (the classical, uncorrected
    # value of Fleiss' formula, e.g. statpages.org's proportion power calculator).
    assert sample_size(0.5, 0.1) == 388
    # The rule of thumb in Kohavi, Tang & Xu (2020), after van Belle (2008): about 16 sigma^2 / delta^2 per group.
    p, delta = 0.05, 0.05 * 0.05
    assert sample_size(p, delta) == pytest.approx(16 * p * (1 - p) / delta ** 2, rel=0.05)


def test_power_is_the_inverse_of_sample_size():
    n = sample_size(0.08, 0.02, power=0.9)
    assert power(n, 0.08, 0.02) >= 0.9 > power(n - 1, 0.08, 0.02)
    values = power(np.array([100, 1000, 10000]), 0.08, 0.02)
    assert np.all(np.diff(values) > 0) and values[-1] > 0.99
    assert power(10, 0.5, 0.1, alpha=0.05) > 0.05 / 2


def test_power_and_sample_size_refuse_impossible_rates():
    with pytest.raises(ValueError, match="base_rate"):
        sample_size(0, 0.1)
    with pytest.raises(ValueError, match="lift"):
        sample_size(0.95, 0.1)
    with pytest.raises(ValueError, match="lift"):
        power(100, 0.5, 0)


def test_power_curve_table():
    c = power_curve(0.08, [0.02, 0.04], n_per_group=[100, 1000])
    assert c["lift_pp"].tolist() == [2.0, 2.0, 4.0, 4.0]
    assert c["power"].tolist() == pytest.approx([power(100, 0.08, 0.02), power(1000, 0.08, 0.02),
                                                 power(100, 0.08, 0.04), power(1000, 0.08, 0.04)])
    default = power_curve(0.08, [0.02])
    assert default["customers_per_group"].max() >= 2 * sample_size(0.08, 0.02) - 1


def test_break_even_lift_by_hand():
    # 0.6 per treated customer, 40 of revenue per repeat buyer kept at 30 %: 12 of profit; 0.6 / 12 = 5 points.
    assert break_even_lift(0.6, 40.0, margin=0.3) == pytest.approx(0.05)
    assert break_even_lift(0.0, 40.0, margin=0.3) == 0.0
    with pytest.raises(ValueError, match="margin"):
        break_even_lift(0.6, 40.0, margin=0)
    with pytest.raises(ValueError, match="revenue_per_repeat_buyer"):
        break_even_lift(0.6, float("nan"), margin=0.3)


# --- balance and before/after ---------------------------------------------------------------------

def test_balance_table_by_hand():
    t = pd.DataFrame({"group": ["treatment"] * 3 + ["control"] * 3,
                      "age": [20.0, 30.0, 40.0, 30.0, 40.0, 50.0],
                      "kind": ["a", "a", "b", "a", None, "b"]})
    b = balance_table(t, ["age", "kind"])
    age = b.iloc[0]
    assert (age["control"], age["treatment"]) == (40.0, 30.0)
    assert age["smd"] == pytest.approx(-10 / math.sqrt((100 + 100) / 2))
    kind = b[b["covariate"] == "kind"].set_index("level")
    assert kind.index.tolist() == ["a", "b", "missing"]
    pa, pc = 2 / 3, 1 / 3
    assert kind.loc["a", "treatment"] == pytest.approx(100 * pa)
    assert kind.loc["a", "smd"] == pytest.approx((pa - pc) / math.sqrt((pa * (1 - pa) + pc * (1 - pc)) / 2))
    assert kind.loc["missing", "treatment"] == 0.0


def test_rerandomization_check_flags_a_split_that_no_coin_made():
    age = np.arange(200.0)
    rigged = pd.DataFrame({"age": age, "group": np.where(age >= 100, "treatment", "control")})
    fair = rigged.assign(group=["treatment", "control"] * 100)
    r = rerandomization_check(rigged, ["age"], draws=100)
    assert r["largest_abs_smd"] == pytest.approx(balance_table(rigged, ["age"])["smd"].abs().max())
    assert r["share_as_large"] == 0.0 and r["draws"] == 100
    assert rerandomization_check(fair, ["age"], draws=100)["share_as_large"] > 0.5
    a, b = rerandomization_check(fair, ["age"], random_state=1), rerandomization_check(fair, ["age"], random_state=1)
    pd.testing.assert_series_equal(a, b)


def test_before_after_by_hand():
    t = two_by_two(3, 10, 1, 10).assign(repeat_before=0)
    ba = before_after(t)
    assert ba.loc["before/after change", "estimate"] == pytest.approx(30.0)
    assert ba.loc["randomized lift", "estimate"] == pytest.approx(20.0)
    assert ba.loc["what before/after adds", "estimate"] == pytest.approx(10.0)
    d = np.array([1] * 3 + [0] * 7, float)
    half = stats.t.ppf(0.975, 9) * d.std(ddof=1) / math.sqrt(10)
    assert ba.loc["before/after change", "low"] == pytest.approx(30 - 100 * half)
    # The before rate is 0 for everyone, fixed by who was chosen: no interval.
    assert ba.loc["treated, before", ["low", "high"]].isna().all()
    assert "earlier cohort" not in ba.index


def test_before_after_with_an_earlier_cohort():
    t = two_by_two(3, 10, 1, 10).assign(repeat_before=[1] + [0] * 19)
    ba = before_after(t, earlier=[True] * 2 + [False] * 18)
    assert ba.loc["treated, before", "low"] == pytest.approx(100 * wilson_by_hand(1, 10)[0])
    assert ba.loc["earlier cohort", "estimate"] == pytest.approx(10.0)
    low, high = newcombe_interval(3, 10, 2, 20)
    row = ba.loc["treated after minus earlier cohort"]
    assert (row["estimate"], row["low"], row["high"]) == pytest.approx((20.0, 100 * low, 100 * high))
    assert ba.loc["what the cohort comparison adds", "estimate"] == pytest.approx(20.0 - 20.0)
    with pytest.raises(ValueError, match="empty"):
        before_after(t, earlier=[])


def test_one_time_buyers_by_hand_in_pandas_and_polars():
    tx = pd.DataFrame({"customer_id": ["a", "b", "b", "c", "c", "d", "d", "e"],
                       "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-20", "2024-01-01", "2024-01-05",
                                               "2024-01-04 09:00", "2024-01-04 17:00", "2024-01-24"], format="ISO8601")})
    got = one_time_buyers(tx, start="2024-01-10", weeks=2)
    # a: one purchase, none after; b: one, then one on day 10 of the window; c: two before (not eligible);
    # d: two on one day (one purchase when merged); e: first purchase after the start (not eligible).
    assert got["customer_id"].tolist() == ["a", "b", "d"]
    assert got["repeat"].tolist() == [False, True, False] and got["purchases"].tolist() == [0, 1, 0]
    assert one_time_buyers(tx, start="2024-01-10", weeks=2, merge_same_day=False)["customer_id"].tolist() == ["a", "b"]
    # The window ends the day before start + weeks: b's purchase on 2024-01-20 is outside one week.
    assert not one_time_buyers(tx, start="2024-01-10", weeks=1)["repeat"].any()
    pl = pytest.importorskip("polars")
    pd.testing.assert_frame_equal(one_time_buyers(pl.from_pandas(tx), start="2024-01-10", weeks=2).to_pandas(), got,
                                  check_dtype=False)
    with pytest.raises(ValueError, match="not dates"):
        one_time_buyers(tx.assign(date=tx["date"].astype(str)), start="2024-01-10", weeks=2)


def test_one_time_buyers_are_the_simulated_experiment_s_eligible(world, eligible):
    start = eligible.attrs["start"]
    got = one_time_buyers(world.transactions(), start=start, weeks=8, merge_same_day=False)
    assert got["customer_id"].tolist() == eligible["customer_id"].tolist()


# --- pictures -------------------------------------------------------------------------------------

def test_plots_draw_the_right_artists():
    t = pd.concat([two_by_two(30, 100, 20, 100, kind="a"), two_by_two(25, 100, 20, 100, kind="b")],
                  ignore_index=True)
    e = effects_by(t, "kind", cost_col=None)
    ax = plot_lift(e, by="kind", truth={"all": 7.5, "a": 10.0, "b": 5.0})
    assert [x.get_text() for x in ax.get_yticklabels()] == ["all", "a", "b"]
    assert len(ax.collections) == 2  # adjusted and unadjusted intervals
    zero = [ln for ln in ax.lines if list(ln.get_xdata()) == [0, 0]]
    assert len(zero) == 1
    ax = plot_group_rates(group_rates(t, by="kind"), by="kind")
    assert len(ax.patches) == 4 and [x.get_text() for x in ax.get_xticklabels()] == ["a", "b"]
    ax = plot_power_curve(power_curve(0.2, [0.05, 0.1]), n_per_group=200)
    assert len(ax.get_legend().get_texts()) == 3 and ax.get_xscale() == "log"


# --- the simulator --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def eligible(world):
    return eligible_customers(world)


def test_eligible_are_exactly_the_one_time_buyers_at_start(world, eligible):
    start = world.truth.params["incentive"]["start"]
    orders = world.orders
    counts = orders[orders["date"] < start].groupby("customer_id").size()
    assert eligible["customer_id"].tolist() == sorted(counts.index[counts == 1])
    assert not eligible["repeat_before"].any()
    alive = world.truth.customers.set_index("customer_id").loc[eligible["customer_id"]]
    dropped_before = alive["dropout_date"].notna() & (alive["dropout_date"] < start)
    assert not dropped_before.any()  # BG/NBD: nobody drops out before a repeat purchase


def test_simulator_is_deterministic_for_a_seed_and_leaves_the_world_alone(world):
    orders_before = world.orders.copy()
    a, truth_a = draw_incentive_experiment(world, offer="coupon", random_state=3)
    b, truth_b = draw_incentive_experiment(world, offer="coupon", random_state=3)
    c, _ = draw_incentive_experiment(world, offer="coupon", random_state=4)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(truth_a.effects, truth_b.effects)
    assert not a["group"].equals(c["group"])
    pd.testing.assert_frame_equal(world.orders, orders_before)


def test_simulated_table_holds_nothing_latent_and_consistent_columns(world):
    table, truth = draw_incentive_experiment(world, offer="referral", random_state=1)
    assert not {"latent_type", "purchase_rate_per_week", "dropout_probability"} & set(table.columns)
    assert (table["repeat"] == (table["purchases"] > 0)).all()
    assert (table.loc[~table["repeat"], "revenue"] == 0).all()
    assert (table.loc[table["group"] == "control", ["cost", "referred_purchases"]] == 0).all().all()
    treated = table[table["group"] == "treatment"]
    assert (treated["cost"] == 10.0 * treated["referred_purchases"]).all()
    assert set(table["customer_type"]) <= {"discount-driven", "impulsive", "other"}
    assert int(truth.effects.loc["all", "customers"]) == len(table)


def test_truth_comes_from_the_probabilities_and_orders_the_types_as_documented(eligible):
    truth = experiment_truth(eligible, offer="coupon")
    c = truth.customers
    assert truth.effect_pp == pytest.approx(100 * (c["p_repeat_treatment"] - c["p_repeat_control"]).mean())
    weeks = eligible.attrs["weeks"]
    assert c["p_repeat_control"].to_numpy() == pytest.approx(1 - np.exp(-c["purchase_rate_per_week"] * weeks))
    # Discount-driven buyers respond most to a coupon: in the truth by latent type, and by the
    # analyst's type read from the data.
    latent = truth.effects_by_latent_type["effect_pp"]
    assert latent["discount-driven"] > latent.drop(["all", "discount-driven"]).max()
    seen = truth.effects["effect_pp"]
    assert seen["discount-driven"] > seen.drop(["all", "discount-driven"]).max()
    table = uplift_table()
    assert table.loc["coupon"].idxmax() == "discount-driven" and table.loc["loyalty"].idxmax() == "loyal"
    assert (table > 1).all().all()
    loyalty = experiment_truth(eligible, offer="loyalty")
    assert (loyalty.effects["cost_per_treated"] == OFFERS["loyalty"].cost).all()


def test_simulator_refuses_bad_settings(world, eligible):
    with pytest.raises(ValueError, match="'coupon'"):
        draw_incentive_experiment(world, offer="voucher")
    with pytest.raises(ValueError, match="runs past the world's last day"):
        eligible_customers(world, start="2024-12-01", weeks=8)
    with pytest.raises(ValueError, match="weeks"):
        eligible_customers(world, weeks=0)
    bare = eligible.copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match="eligible_customers"):
        draw_outcomes(bare)


def test_the_interval_covers_the_true_effect_95_percent_of_the_time(eligible):
    # 1,000 runs of the experiment on the same eligible customers: new assignment, new outcomes.
    truth = experiment_truth(eligible, offer="coupon")
    runs, covered, lifts = 1000, 0, []
    for seed in range(runs):
        row = lift(draw_outcomes(eligible, offer="coupon", random_state=seed)).iloc[0]
        covered += row["lift_low_pp"] <= truth.effect_pp <= row["lift_high_pp"]
        lifts.append(row["lift_pp"])
    coverage = covered / runs
    print(f"\nNewcombe 95 % interval covered the true effect ({truth.effect_pp:.2f} pp) in {coverage:.1%} of "
          f"{runs} experiments of {len(eligible)} customers; mean estimate {np.mean(lifts):.2f} pp.")
    assert 0.93 <= coverage <= 0.97
    # and the estimate is unbiased: its mean is within 4 standard errors of the truth
    assert abs(np.mean(lifts) - truth.effect_pp) < 4 * np.std(lifts) / math.sqrt(runs)
