"""Tests of custlab.feedback: every expected number below is worked out by hand in a comment,
and the NPS interval's coverage is checked on simulated samples with a known true NPS."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats

import custlab as cl
from custlab import feedback as fb
from custlab.plotting import feedback as fbplot
from custlab.plotting.retention import plot_survival
from custlab.simulate.feedback import nps_group_probabilities

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def answers(scores, **columns):
    return pd.DataFrame({"nps": scores, **columns})


# ---------------------------------------------------------------- NPS and its interval

def test_all_promoters():
    # n = 20, 20 promoters: n' = 23, p' = 20.75/23, d' = 0.75/23, centre p' - d' = 20/23 = 0.869565.
    # variance = (p' + d' - centre^2) / n' = (21.5/23 - (20/23)^2) / 23 = (0.934783 - 0.756144) / 23 = 0.0077669;
    # half width = 1.959964 * sqrt(0.0077669) = 1.959964 * 0.0881300 = 0.172731.
    # low = 0.869565 - 0.172731 = 0.696834 -> 69.68 points; high = 1.0423 -> clipped to 100.
    row = fb.nps(answers([10] * 12 + [9] * 8)).iloc[0]
    assert (row.responses, row.promoters_pct, row.passives_pct, row.detractors_pct, row.nps) == (20, 100, 0, 0, 100)
    assert row.nps_low == pytest.approx(69.6834, abs=1e-3)
    assert row.nps_high == 100.0
    # The plain Wald interval would be 100 +/- 0: no width at all from twenty answers.
    assert row.nps_high - row.nps_low > 30


def test_all_detractors_mirror_all_promoters():
    row = fb.nps(answers([0, 3, 6] * 5 + [6] * 5)).iloc[0]
    assert (row.nps, row.detractors_pct) == (-100, 100)
    assert (row.nps_low, row.nps_high) == (-100.0, pytest.approx(-69.6834, abs=1e-3))


def test_a_single_response():
    # n = 1, one promoter: n' = 4, p' = 1.75/4 = 0.4375, d' = 0.75/4 = 0.1875, centre = 0.25.
    # variance = (0.625 - 0.0625) / 4 = 0.140625, sd = 0.375, half = 1.959964 * 0.375 = 0.734986.
    # [0.25 - 0.734986, 0.25 + 0.734986] = [-0.484986, 0.984986] -> -48.50 to 98.50 points (the centre is
    # pulled towards 0, so with one answer the interval need not hold the observed 100).
    row = fb.nps([10]).iloc[0]
    assert (row.responses, row.nps) == (1, 100)
    assert row.nps_low == pytest.approx(-48.4986, abs=1e-3)
    assert row.nps_high == pytest.approx(98.4986, abs=1e-3)


def test_a_mix_by_hand():
    # 8 answers: 4 promoters (10, 9, 9, 10), 2 passives (8, 7), 2 detractors (6, 3); NPS = 50 - 25 = 25.
    # n' = 11, p' = 4.75/11 = 0.431818, d' = 2.75/11 = 0.25, centre = 0.181818.
    # variance = (0.681818 - 0.181818^2) / 11 = (0.681818 - 0.033058) / 11 = 0.0589782, sd = 0.242855.
    # half = 1.959964 * 0.242855 = 0.475987: [-0.294169, 0.657805] -> -29.42 to 65.78 points.
    row = fb.nps(answers([10, 9, 9, 8, 7, 6, 3, 10])).iloc[0]
    assert (row.promoters_pct, row.passives_pct, row.detractors_pct, row.nps) == (50, 25, 25, 25)
    assert row.nps_low == pytest.approx(-29.4169, abs=1e-3)
    assert row.nps_high == pytest.approx(65.7805, abs=1e-3)
    # A wider confidence gives a wider interval around the same centre.
    wide = fb.nps(answers([10, 9, 9, 8, 7, 6, 3, 10]), confidence=0.99).iloc[0]
    assert wide.nps_low < row.nps_low and wide.nps_high > row.nps_high
    assert (wide.nps_low + wide.nps_high) / 2 == pytest.approx(18.1818, abs=1e-3)


def test_groups_series_and_polars_agree():
    data = answers([10, 9, 9, 8, 7, 6, 3, 10], shop=list("bbbbaaaa"))
    by_column = fb.nps(data, by="shop")
    assert by_column["shop"].tolist() == ["a", "b"]                   # sorted
    assert by_column["nps"].tolist() == [-25.0, 75.0]                 # a: 7, 6, 3, 10; b: 10, 9, 9, 8
    by_series = fb.nps(data["nps"], by=data["shop"])
    assert by_series["nps"].tolist() == [-25.0, 75.0]
    assert fb.nps(pl.from_pandas(data), by="shop").equals(by_column)
    assert list(fb.nps(data).columns) == ["responses", "promoters_pct", "passives_pct", "detractors_pct", "nps",
                                          "nps_low", "nps_high"]


def test_no_responses_is_a_clear_error():
    with pytest.raises(ValueError, match="no responses"):
        fb.nps(answers([]))
    with pytest.raises(ValueError, match="no responses"):
        fb.nps_difference([10, 9], [])


def test_bad_scores_are_refused_with_their_rows():
    data = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"], "nps": [10, 11, 7.5, None, -1]},
                        index=[10, 11, 12, 13, 14])
    with pytest.raises(ValueError) as error:
        fb.nps(data)
    message = str(error.value)
    assert "4 row(s) of 'nps'" in message and "whole number from 0 to 10" in message
    # The first three offending rows are shown, by their index and content.
    assert all(line in message for line in ("11           b", "12           c", "13           d"))
    with pytest.raises(ValueError, match="True/False"):
        fb.nps(pd.Series([True, False]))
    with pytest.raises(ValueError, match="'nps'"):
        fb.nps(pd.Series(["9", "ten"]))
    with pytest.raises(ValueError, match="confidence"):
        fb.nps([9], confidence=95)
    with pytest.raises(cl.SchemaError, match="no column 'nps'"):
        fb.nps(pd.DataFrame({"NPS": [9]}))


def test_missing_groups_and_misaligned_labels_are_refused():
    with pytest.raises(ValueError, match="have no 'shop'"):
        fb.nps(answers([9, 7], shop=["a", None]), by="shop")
    with pytest.raises(ValueError, match="2 values for 3 answers"):
        fb.nps([9, 7, 3], by=["a", "b"])


def test_interval_covers_the_true_nps_about_95_percent_of_the_time():
    # 2,000 samples of 150 answers: promoters with chance 0.45, passives 0.35, detractors 0.20 (a trinomial),
    # so the true NPS is 45 - 20 = 25 points. One call, grouped by sample.
    rng = np.random.default_rng(2016)
    samples, n = 2000, 150
    scores = rng.choice([10, 8, 3], size=(samples, n), p=[0.45, 0.35, 0.20])
    table = fb.nps(scores.ravel(), by=np.repeat(np.arange(samples), n))
    assert len(table) == samples and (table["responses"] == n).all()
    covered = ((table["nps_low"] <= 25) & (table["nps_high"] >= 25)).mean()
    print(f"\nAdjusted Wald 95 % interval: covers the true NPS of 25 in {covered:.1%} of {samples:,} samples "
          f"of {n} answers.")
    assert 0.93 <= covered <= 0.97


# ---------------------------------------------------------------- difference, over time, distribution

def test_nps_difference_by_hand():
    # a: 10, 10, 9, 9, 8, 7, 6, 5 -> 4 promoters, 2 detractors, NPS 25; n' = 11, p' = 4.75/11, d' = 2.75/11,
    #    centre 0.181818, variance (0.681818 - 0.033058)/11 = 0.0589782.
    # b: 9, 8, 7, 6, 5, 4, 3, 2 -> 1 promoter, 5 detractors, NPS -50; p' = 1.75/11 = 0.159091,
    #    d' = 5.75/11 = 0.522727, centre -0.363636, variance (0.681818 - 0.132231)/11 = 0.0499625.
    # difference of centres 0.545455, sd sqrt(0.1089407) = 0.330062, half = 1.959964 * 0.330062 = 0.646909:
    # [-0.101454, 1.192364] -> -10.15 to 119.24 points; the observed difference is 25 - (-50) = 75.
    d = fb.nps_difference([10, 10, 9, 9, 8, 7, 6, 5], answers([9, 8, 7, 6, 5, 4, 3, 2])).iloc[0]
    assert (d.responses_a, d.responses_b, d.nps_a, d.nps_b, d.difference) == (8, 8, 25, -50, 75)
    assert d.low == pytest.approx(-10.1454, abs=1e-2)
    assert d.high == pytest.approx(119.2364, abs=1e-2)
    swapped = fb.nps_difference([9, 8, 7, 6, 5, 4, 3, 2], [10, 10, 9, 9, 8, 7, 6, 5]).iloc[0]
    assert (swapped.low, swapped.high) == (pytest.approx(-d.high), pytest.approx(-d.low))
    with pytest.raises(ValueError, match="group b"):
        fb.nps_difference([9], [12])


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
@pytest.mark.parametrize(("promoters", "detractors"), [(0.34, 0.31), (0.6, 0.1), (0.05, 0.8)])
def test_answers_needed_from_the_adjusted_wald_half_width(confidence, promoters, detractors):
    # Notebook 08, exercise 2: the half-width z * sqrt((p + d - (p - d)^2) / (n + 3)) solved for n. With the
    # observed shares standing in for the adjusted ones, n answers give a half-width of about E (the 3/4 answers
    # added to each group move the shares a little when n is a few hundred).
    z = stats.norm.ppf(0.5 + confidence / 2)
    needed = int(np.ceil((z / 0.05) ** 2 * (promoters + detractors - (promoters - detractors) ** 2) - 3))
    counts = np.round(np.array([promoters, detractors]) * needed).astype(int)
    row = fb.nps(np.repeat([10, 3, 8], [*counts, needed - counts.sum()]), confidence=confidence).iloc[0]
    assert (row.nps_high - row.nps_low) / 2 == pytest.approx(5, abs=0.1)


def test_nps_over_time_by_quarter():
    s = answers([10, 3, 9, 9, 7], date=pd.to_datetime(["2024-01-05", "2024-03-31", "2024-04-01", "2024-06-30",
                                                       "2024-10-02"]))
    t = fb.nps_over_time(s)
    assert t["period_start"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-04-01", "2024-10-01"]
    assert t["responses"].tolist() == [2, 2, 1] and t["nps"].tolist() == [0.0, 100.0, 0.0]
    assert fb.nps_over_time(s, freq="M")["responses"].tolist() == [1, 1, 1, 1, 1]
    with pytest.raises(ValueError, match="not dates"):
        fb.nps_over_time(s.assign(date=s["date"].astype(str)))
    with pytest.raises(ValueError, match="freq"):
        fb.nps_over_time(s, freq="Y")


def test_score_distribution_lists_every_score():
    t = fb.score_distribution([10, 10, 9, 0])
    assert t["score"].tolist() == list(range(11)) and t["answers"].sum() == 4
    assert t.loc[10, "share_pct"] == 50 and t.loc[0, "nps_group"] == "detractor"
    assert "nps_group" not in fb.score_distribution([1, 5], score_col="csat", scale=(1, 5))


# ---------------------------------------------------------------- CSAT

def test_csat_wilson_by_hand():
    # 3 of 5 satisfied (4 or 5): p = 0.6, z^2 = 3.841459, z^2/n = 0.768292, z^2/2n = 0.384146.
    # centre = (0.6 + 0.384146) / 1.768292 = 0.556552;
    # half = z * sqrt(p(1-p)/n + z^2/(4n^2)) / 1.768292 = 1.959964 * sqrt(0.048 + 0.0384146) / 1.768292
    #      = 1.959964 * 0.293964 / 1.768292 = 0.325828: [0.230724, 0.882380] -> 23.07 % to 88.24 %.
    row = fb.csat(pd.DataFrame({"csat": [5, 4, 4, 3, 1]})).iloc[0]
    assert (row.responses, row.satisfied, row.satisfied_pct, row.mean_score) == (5, 3, 60, 3.4)
    assert row.satisfied_low == pytest.approx(23.0724, abs=1e-3)
    assert row.satisfied_high == pytest.approx(88.2380, abs=1e-3)
    # All satisfied: the Wilson interval keeps a width below 100 % (the plain one would be 100 +/- 0).
    top = fb.csat([5, 5, 4]).iloc[0]
    assert top.satisfied_pct == 100 and top.satisfied_high == pytest.approx(100) and top.satisfied_low < 60
    assert fb.csat([5, 3, 3], satisfied_from=3)["satisfied"].iloc[0] == 3
    with pytest.raises(ValueError, match="whole number from 1 to 5"):
        fb.csat([0, 5])
    with pytest.raises(ValueError, match="satisfied_from"):
        fb.csat([5], satisfied_from=6)


# ---------------------------------------------------------------- who answers

def test_response_rates_by_hand():
    orders = pd.DataFrame({"order_id": [1, 2, 3, 4, 5], "customer_id": ["a", "a", "b", "c", "c"],
                           "channel": ["web", "store", "web", "web", "web"]})
    surveys = pd.DataFrame({"order_id": [2, 3, 3]})
    r = fb.response_rates(orders, surveys).iloc[0]
    # 5 orders, 3 answers about 2 orders (40 %); buyers a, b, c; a and b answered (2 of 3).
    assert (r.orders, r.answers, r.answered_orders, r.answered_pct) == (5, 3, 2, 40)
    assert (r.buyers, r.responders) == (3, 2) and r.responders_pct == pytest.approx(200 / 3)
    by = fb.response_rates(orders, surveys, by="channel").set_index("channel")
    # store: order 2 (answered) of a; web: orders 1, 3, 4, 5, of which 3 answered; buyers a, b, c, responder b.
    assert by.loc["store", ["orders", "answered_orders", "buyers", "responders"]].tolist() == [1, 1, 1, 1]
    assert by.loc["web", ["orders", "answered_orders", "buyers", "responders"]].tolist() == [4, 1, 3, 1]
    with pytest.raises(ValueError, match="not in the orders"):
        fb.response_rates(orders, pd.DataFrame({"order_id": [9]}))
    with pytest.raises(ValueError, match="repeat"):
        fb.response_rates(pd.concat([orders, orders.head(1)]), surveys)


# ---------------------------------------------------------------- complaints

COMPLAINTS = pd.DataFrame({
    "customer_id": ["a", "a", "b", "c"],
    "category": ["billing", "billing", "billing", "delivery"],
    "resolved": [True, False, True, True],
    "days_to_resolve": [2.0, np.nan, 6.0, 1.0],
})


def test_complaint_summary_by_hand():
    # 50 customers. billing: 3 complaints (60 per 1,000) from a and b, 2 resolved (66.7 %) in 2 and 6 days:
    # median 4, 90th percentile 2 + 0.9 * (6 - 2) = 5.6 days. delivery: 1 complaint (20 per 1,000), resolved in 1 day.
    t = fb.complaint_summary(COMPLAINTS, 50).set_index("category")
    assert t.index.tolist() == ["billing", "delivery"]
    assert t.loc["billing", ["complaints", "complainants", "per_1000_customers", "share_pct", "resolved"]].tolist() \
        == [3, 2, 60.0, 75.0, 2]
    assert t.loc["billing", "resolution_pct"] == pytest.approx(200 / 3)
    assert t.loc["billing", ["median_days_to_resolve", "p90_days_to_resolve"]].tolist() == [4.0, pytest.approx(5.6)]
    assert t.loc["delivery", ["per_1000_customers", "resolution_pct", "median_days_to_resolve"]].tolist() \
        == [20.0, 100.0, 1.0]
    overall = fb.complaint_summary(COMPLAINTS, ["a", "b", "c", "d"], by=None).iloc[0]
    assert (overall.complaints, overall.per_1000_customers, overall.resolution_pct) == (4, 1000.0, 75.0)
    assert overall.median_days_to_resolve == 2.0
    assert fb.complaint_summary(COMPLAINTS, 50).attrs["customers"] == 50


def test_complaint_summary_refuses_what_does_not_add_up():
    with pytest.raises(ValueError, match="not in customers"):
        fb.complaint_summary(COMPLAINTS, pd.DataFrame({"customer_id": ["a", "b"]}))
    with pytest.raises(ValueError, match="resolved without days"):
        fb.complaint_summary(COMPLAINTS.assign(days_to_resolve=np.nan), 50)
    with pytest.raises(ValueError, match="unresolved with days"):
        fb.complaint_summary(COMPLAINTS.assign(days_to_resolve=3.0), 50)
    with pytest.raises(ValueError, match="positive"):
        fb.complaint_summary(COMPLAINTS, 0)


def test_complaint_outcomes_by_hand():
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c", "d", "d"],
                       "date": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-01-05", "2024-01-20", "2024-01-09",
                                               "2024-01-10", "2024-02-02"]),
                       "amount": [10.0, 20.0, 5.0, 7.0, 8.0, 4.0, 6.0]})
    complaints = pd.DataFrame({"customer_id": ["a", "b", "c"], "resolved": [True, False, True],
                               "date": pd.to_datetime(["2024-01-06", "2024-01-21", "2024-02-15"])})
    out = fb.complaint_outcomes(complaints, tx, as_of="2024-01-31", observation_end="2024-03-31").set_index("complaint")
    # By 31 January: a complained (resolved), b complained (unresolved); c's complaint comes later, so c and d
    # count as no complaint. After it: a spends 20, d spends 6; b and c nothing.
    assert out.index.tolist() == ["no complaint", "resolved complaint", "unresolved complaint"]
    assert out["customers"].tolist() == [2, 1, 1]
    assert out.loc["no complaint", ["purchases_before", "spend_before", "bought_again_pct", "spend_after"]].tolist() \
        == [1.0, 6.0, 50.0, 3.0]
    assert out.loc["resolved complaint", ["bought_again_pct", "spend_after"]].tolist() == [100.0, 20.0]
    assert out.loc["unresolved complaint", ["purchases_before", "spend_before", "bought_again_pct"]].tolist() \
        == [2.0, 12.0, 0.0]
    assert out.attrs["follow_up_days"] == 60 and out.attrs["complaints_used"] == 2
    with pytest.raises(ValueError, match="after as_of"):
        fb.complaint_outcomes(complaints, tx, as_of="2024-03-31", observation_end="2024-01-31")


# ---------------------------------------------------------------- feedback and behaviour

def test_nps_groups_take_the_last_answer():
    s = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"], "nps": [3, 9, 10, 7, 5],
                      "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-03-01", "2024-01-01"])})
    g = fb.nps_groups(s)
    # a: 9 on 1 February; b: two answers on 1 March, the later row (7) counts; c: 5.
    assert g["nps_group"].tolist() == ["promoter", "passive", "detractor"]
    with_base = fb.nps_groups(s, customers=pd.DataFrame({"customer_id": ["b", "a", "z"]}))
    assert with_base["customer_id"].tolist() == ["a", "b", "z"]
    assert with_base["nps_group"].tolist() == ["promoter", "passive", "no answer"]
    assert with_base.attrs["answers_left_out"] == 1                   # c's answer


def test_nps_groups_join_survival_data(world):
    tx, _ = cl.validate_transactions(world.transactions(), observation_end="2024-12-31")
    buyers = cl.retention.survival_data(tx, kind="purchases", observation_end="2024-12-31", unit="M",
                                        churned_after=6)
    groups = fb.nps_groups(world.surveys, customers=buyers)
    joined = buyers.merge(groups[["customer_id", "nps_group"]], on="customer_id", validate="one_to_one")
    assert len(joined) == len(buyers)
    assert set(joined["nps_group"]) == {"promoter", "passive", "detractor", "no answer"}
    # The same groups as the Cox drivers of custlab.retention.
    drivers = cl.retention.customer_drivers(world.customers, world.orders, world.surveys, world.complaints)
    same = joined.merge(drivers[["customer_id", "nps_group"]], on="customer_id", suffixes=("", "_driver"))
    assert (same["nps_group"] == same["nps_group_driver"]).all()
    assert cl.retention.logrank_test(joined, by="nps_group")["groups"].iloc[0] == 4


def test_model_probabilities_match_the_simulated_answers(world):
    # The pure function gives the survey model's chances; the simulated world's answers follow them.
    truth = world.truth.customers.set_index("customer_id")["satisfaction"]
    s = world.surveys.merge(world.orders[["order_id", "returned"]], on="order_id")
    complained = s["order_id"].isin(world.complaints["order_id"]).to_numpy()
    p = nps_group_probabilities(truth.reindex(s["customer_id"]).to_numpy(), complained, s["returned"].to_numpy())
    assert np.allclose(p[["promoter", "passive", "detractor"]].sum(axis=1), 1)
    measured = fb.nps(s).iloc[0]
    assert abs(p["expected_nps"].mean() - measured.nps) < (measured.nps_high - measured.nps_low) / 2
    # Scalars broadcast; a complaint lowers the chance of a promoter.
    worse = nps_group_probabilities(0.5, complained=[False, True])
    assert worse["promoter"].iloc[1] < worse["promoter"].iloc[0]
    assert math.isclose(nps_group_probabilities(0.0)["expected_nps"].iloc[0], 4.697, abs_tol=1e-3)


def test_staff_answers_sit_lower_and_staff_are_individuals(world):
    # What notebook 08 tells from the truth: only staff answers are moved (by internal_mood, the same number in
    # the truth and in the survey model), and every staff account is an individual, so "kind" carries them too.
    mood = world.truth.params["surveys"]["internal_mood"]
    assert mood == world.truth.params["world"].internal_mood < 0
    staff = world.customers[world.customers["relationship"] == "internal"]
    assert len(staff) > 0 and (staff["kind"] == "individual").all()
    p = nps_group_probabilities(0.0, internal=[False, True], params=world.truth.params["world"])
    same_mood = nps_group_probabilities(mood, params=world.truth.params["world"])
    assert p["expected_nps"].iloc[1] < p["expected_nps"].iloc[0]
    assert p["expected_nps"].iloc[1] == pytest.approx(same_mood["expected_nps"].iloc[0])


# ---------------------------------------------------------------- pictures

def test_plots_draw_on_given_axes_and_show_the_numbers():
    data = answers([10, 9, 9, 8, 7, 6, 3, 10], shop=list("bbbbaaaa"))
    table = fb.nps(data, by="shop")
    fig, ax = plt.subplots()
    assert fbplot.plot_nps(table, ax=ax) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a (n=4)", "b (n=4)"]
    (points,) = [line for line in ax.lines if line.get_marker() == "o"]
    assert sorted(points.get_xdata()) == [-25.0, 75.0]
    ax = fbplot.plot_score_distribution(fb.score_distribution(data))
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 11 and heights[10] == 25.0
    colours = {fbplot.NPS_COLOURS[g] for g in ("detractor", "passive", "promoter")}
    assert len({p.get_facecolor() for p in ax.patches}) == len(colours)
    ax = fbplot.plot_resolution_times(COMPLAINTS, by="category")
    assert len(ax.lines) == 2 and [t.get_text() for t in ax.get_legend().get_texts()] == ["billing (2)",
                                                                                          "delivery (1)"]
    ax = fbplot.plot_csat(fb.csat([5, 4, 1, 2], by=["x", "x", "y", "y"]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x (n=2)", "y (n=2)"]
    over = fb.nps_over_time(data.assign(date=pd.to_datetime(["2024-01-01"] * 4 + ["2024-05-01"] * 4)))
    assert len(fbplot.plot_nps_over_time(over).lines) >= 1


def test_retention_by_nps_group_is_drawn_by_plot_survival(world):
    tx, _ = cl.validate_transactions(world.transactions(), observation_end="2024-12-31")
    buyers = cl.retention.survival_data(tx, kind="purchases", observation_end="2024-12-31", unit="M",
                                        churned_after=6)
    joined = buyers.merge(fb.nps_groups(world.surveys, customers=buyers)[["customer_id", "nps_group"]])
    ax = plot_survival(joined, by="nps_group")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["detractor", "no answer", "passive", "promoter"]
