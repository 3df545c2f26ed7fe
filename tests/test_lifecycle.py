"""Tests of custlab.lifecycle: every expected table below was worked out by hand from the rules."""

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custlab.lifecycle import (
    Stage,
    churn_label_tradeoff,
    funnel,
    funnel_times,
    holdout_projection,
    lifecycle_states,
    project_states,
    state_counts,
    survey_events,
    transition_matrix,
)

STATES = ["new", "active", "at_risk", "churned", "reactivated"]


def tx(rows, tz=None):
    """A transaction log from (customer, "YYYY-MM-DD[ HH:MM]") pairs."""
    ids, dates = zip(*rows)
    date = pd.to_datetime(list(dates), format="ISO8601")
    return pd.DataFrame({"customer_id": list(ids), "date": date.tz_localize(tz) if tz else date})


def rows_of(states):
    """The table as (customer, period first day, state) tuples, pandas or Polars."""
    df = states if isinstance(states, pd.DataFrame) else states.to_pandas()
    assert list(df.columns) == ["customer_id", "period", "state"]
    return list(zip(df["customer_id"].tolist(), df["period"].dt.strftime("%Y-%m-%d"), df["state"].astype(str)))


def expected(periods, by_customer):
    """Hand-written states per customer, aligned to the last periods (every customer runs to the end)."""
    out = []
    for cust, states in by_customer.items():
        states = states.split()
        out += [(cust, p, s) for p, s in zip(periods[-len(states):], states)]
    return out


# Months, at_risk_after=2, churned_after=3, observation_end mid-July (July only partly observed).
# Nobody buys in March or June 2024.
MONTH_LOG = [("a", "2024-01-10"), ("a", "2024-01-25"),        # buys once (two purchases in one month)
             ("b", "2024-01-05"), ("b", "2024-04-20"),        # returns churned_after=3 months later
             ("c", "2024-01-31"), ("c", "2024-05-02"),        # returns 4 months later
             ("d", "2024-07-15"),                             # first purchase in the observation_end period
             ("e", "2024-02-29"), ("e", "2024-07-01")]        # buys in the observation_end period
MONTHS = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01", "2024-07-01"]
MONTH_STATES = {
    "a": "new active at_risk churned churned churned churned",
    # b: last purchase Jan, returns Apr (= Jan + 3): March's gap is 2 -> at_risk, so April is active.
    "b": "new active at_risk active active at_risk churned",
    # c: last purchase Jan, returns May (= Jan + 4): April's gap is 3 -> churned, so May is reactivated.
    "c": "new active at_risk churned reactivated active at_risk",
    "d": "new",
    "e": "new active at_risk churned churned reactivated",
}


def month_states(log=None, **kw):
    return lifecycle_states(log if log is not None else tx(MONTH_LOG), at_risk_after=2, churned_after=3,
                            observation_end="2024-07-15", **kw)


def test_monthly_states_by_hand():
    """Monthly states: once-buyer, return after churned_after vs churned_after+1, quiet months, end period."""
    out = month_states()
    assert rows_of(out) == expected(MONTHS, MONTH_STATES)
    assert list(out["state"].cat.categories) == STATES


def test_weekly_states_monday_boundary():
    """Weeks run Monday to Sunday: Sunday and the next Monday are two periods, Monday and Sunday one."""
    log = tx([(1, "2024-01-07"), (1, "2024-01-08"),     # Sun, Mon: two weeks
              (2, "2024-01-08"), (2, "2024-01-14"),     # Mon, Sun: one week
              (3, "2024-01-07"), (3, "2024-01-22"),     # returns 3 weeks later (previous week churned)
              (4, "2024-01-01"), (4, "2024-01-15"),     # returns 2 weeks = churned_after later
              (5, "2024-01-29")])                       # first purchase in the (partly observed) last week
    out = lifecycle_states(log, freq="W", at_risk_after=1, churned_after=2, observation_end="2024-01-31")
    weeks = ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22", "2024-01-29"]
    assert rows_of(out) == expected(weeks, {
        1: "new active at_risk churned churned",
        2: "new at_risk churned churned",
        3: "new at_risk churned reactivated at_risk",
        4: "new at_risk active at_risk churned",
        5: "new",
    })


def test_daily_states_by_hand():
    """Days: same-day purchases count once, leap day, return on day churned_after vs churned_after+1."""
    log = tx([("x", "2024-02-28 09:00"), ("x", "2024-02-28 18:00"),
              ("y", "2024-02-28"), ("y", "2024-03-02"),          # 3 days later: Mar 1 gap 2 -> at_risk
              ("z", "2024-02-27"), ("z", "2024-03-02"),          # 4 days later: Mar 1 gap 3 -> churned
              ("w", "2024-03-05 23:30")])                        # late on the observation_end day
    out = lifecycle_states(log, freq="D", at_risk_after=2, churned_after=3, observation_end="2024-03-05")
    days = ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02", "2024-03-03",
            "2024-03-04", "2024-03-05"]
    assert rows_of(out) == expected(days, {
        "w": "new",
        "x": "new active at_risk churned churned churned churned",
        "y": "new active at_risk active active at_risk churned",
        "z": "new active at_risk churned reactivated active at_risk churned",
    })


def test_polars_gives_the_same_table():
    """Polars in, Polars out, same rows as pandas (string ids)."""
    out = month_states(pl.from_pandas(tx(MONTH_LOG)))
    assert isinstance(out, pl.DataFrame)
    assert rows_of(out) == expected(MONTHS, MONTH_STATES)


def test_polars_integer_ids():
    """Polars with integer ids gives the same table as pandas."""
    log = tx([(7, "2024-01-10"), (3, "2024-03-02")])
    pd_out = lifecycle_states(log, at_risk_after=1, churned_after=2, observation_end="2024-03-31")
    pl_out = lifecycle_states(pl.from_pandas(log), at_risk_after=1, churned_after=2, observation_end="2024-03-31")
    assert rows_of(pd_out) == rows_of(pl_out) == [
        (3, "2024-03-01", "new"),
        (7, "2024-01-01", "new"), (7, "2024-02-01", "at_risk"), (7, "2024-03-01", "churned")]


@pytest.mark.parametrize("lib", ["pandas", "polars"])
def test_tz_aware_keeps_wall_clock_day(lib):
    """00:30 on Thursday 1 February in Paris is a February purchase (in UTC it would be 31 January)."""
    log = tx([(1, "2024-01-15 10:00"), (1, "2024-02-01 00:30")], tz="Europe/Paris")
    log = pl.from_pandas(log) if lib == "polars" else log
    out = lifecycle_states(log, at_risk_after=1, churned_after=2, observation_end="2024-02-29")
    assert rows_of(out) == [(1, "2024-01-01", "new"), (1, "2024-02-01", "active")]


@pytest.mark.parametrize("lib", ["pandas", "polars"])
def test_tz_aware_late_evening_is_not_after_observation_end(lib):
    """22:00 on 31 January in New York is 31 January (in UTC it would be 1 February, after the end)."""
    # A zone name with "_": narwhals does not recognise it in a pandas dtype, so pandas input is made wall-clock first.
    log = tx([(1, "2024-01-31 22:00")], tz="America/New_York")
    log = pl.from_pandas(log) if lib == "polars" else log
    out = lifecycle_states(log, freq="D", observation_end="2024-01-31")
    assert rows_of(out) == [(1, "2024-01-31", "new")]


def test_state_counts_by_hand():
    """Customers per state and period; March and June (nobody buys) still hold everyone, in quiet states."""
    counts = state_counts(month_states())
    assert list(counts.columns) == STATES
    assert [p.strftime("%Y-%m-%d") for p in counts.index] == MONTHS
    assert counts.to_numpy().tolist() == [
        [3, 0, 0, 0, 0],   # Jan: a b c new
        [1, 3, 0, 0, 0],   # Feb: e new, a b c active
        [0, 1, 3, 0, 0],   # Mar: e active, a b c at risk
        [0, 1, 1, 2, 0],   # Apr: b active, e at risk, a c churned
        [0, 1, 0, 2, 1],   # May: b active, a e churned, c reactivated
        [0, 1, 1, 2, 0],   # Jun: c active, b at risk, a e churned
        [1, 0, 1, 2, 1],   # Jul: d new, c at risk, a b churned, e reactivated
    ]


def test_transition_counts_by_hand():
    """Moves from one period to the next, counted over customers (23 moves: 6 + 6 + 6 + 0 + 5)."""
    m = transition_matrix(month_states(), normalize=False)
    assert list(m.index) == STATES and list(m.columns) == STATES
    assert m.to_numpy().tolist() == [
        [0, 4, 0, 0, 0],   # new -> active: a b c e
        [0, 1, 6, 0, 0],   # active -> active: b Apr->May; -> at_risk: a, b twice, c twice, e
        [0, 1, 0, 4, 0],   # at_risk -> active: b Mar->Apr; -> churned: a b c e
        [0, 0, 0, 4, 2],   # churned -> churned: a three times, e once; -> reactivated: c, e
        [0, 1, 0, 0, 0],   # reactivated -> active: c
    ]


def test_transition_shares_sum_to_one():
    """normalize=True: each row is the share of the row's moves."""
    m = transition_matrix(month_states(), normalize=True)
    assert m.sum(axis=1).tolist() == pytest.approx([1.0] * 5)
    assert m.loc["active"].tolist() == pytest.approx([0, 1 / 7, 6 / 7, 0, 0])
    assert m.loc["churned"].tolist() == pytest.approx([0, 0, 0, 2 / 3, 1 / 3])


def test_transition_until_and_nan_rows():
    """until= keeps moves into periods starting up to that date; a state never left is a row of NaN."""
    m = transition_matrix(month_states(), normalize=False, until="2024-02-29")
    assert m.to_numpy().sum() == 3 and m.loc["new", "active"] == 3       # moves into February only
    m = transition_matrix(month_states(), normalize=False, until="2024-03-01")
    assert m.loc["new", "active"] == 4 and m.loc["active", "at_risk"] == 3 and m.to_numpy().sum() == 7
    shares = transition_matrix(month_states(), until="2024-03-01")
    assert shares.loc["new"].tolist() == [0, 1, 0, 0, 0]
    assert shares.loc[["at_risk", "churned", "reactivated"]].isna().all().all()


def test_transition_matrix_without_moves():
    """No move kept (until= before any move, or one-period customers): zero counts, NaN shares."""
    m = transition_matrix(month_states(), normalize=False, until="2024-01-31")   # moves start in February
    assert m.to_numpy().tolist() == [[0] * 5] * 5
    assert transition_matrix(month_states(), until="2024-01-31").isna().all().all()
    only_new = lifecycle_states(tx([("d", "2024-07-15")]), observation_end="2024-07-15")
    assert transition_matrix(only_new, normalize=False).to_numpy().sum() == 0


def test_project_two_states_by_hand():
    """A 2-state chain, 3 steps: 100 -> 90 -> 83 -> 78.1 active."""
    m = pd.DataFrame([[0.9, 0.1], [0.2, 0.8]], index=["active", "churned"], columns=["active", "churned"])
    out = project_states(m, {"active": 100}, 3)
    assert list(out.index) == [0, 1, 2, 3]
    assert out["active"].tolist() == pytest.approx([100, 90, 83, 78.1])
    assert out["churned"].tolist() == pytest.approx([0, 10, 17, 21.9])


@pytest.mark.parametrize("empty_row", [[0, 0, 0], [np.nan, np.nan, np.nan]])
def test_project_three_states_absorbing(empty_row):
    """Counts are normalised; an empty (zero or NaN) row keeps its customers."""
    m = pd.DataFrame([[0, 3, 1], [0, 1, 1], empty_row], index=["new", "active", "churned"],
                     columns=["new", "active", "churned"])
    out = project_states(m, pd.Series({"new": 40, "active": 20}), 2)
    assert out.to_numpy().ravel().tolist() == pytest.approx([40, 20, 0, 0, 40, 20, 0, 20, 40])


def test_project_errors():
    """Negative start, bad periods and unknown state names are refused."""
    m = pd.DataFrame([[0.5, 0.5], [0.0, 1.0]], index=["active", "churned"], columns=["active", "churned"])
    with pytest.raises(ValueError, match="negative number of customers"):
        project_states(m, {"active": -1}, 2)
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="whole number of periods"):
            project_states(m, {"active": 1}, bad)
    with pytest.raises(ValueError, match=r"not in the matrix: \['dormant'\]"):
        project_states(m, {"dormant": 1}, 1)


def test_holdout_projection_by_hand():
    """Cutoff in May: matrix from a, b, c, e's moves into Jan..May, start in May, two steps (d left out)."""
    out = holdout_projection(month_states(), cutoff="2024-05-10", periods=2)
    assert out["step"].tolist() == [1] * 5 + [2] * 5
    assert out["period"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-01"] * 5 + ["2024-07-01"] * 5
    assert out["state"].tolist() == STATES * 2
    # start: active 1, churned 2, reactivated 1; rows: active (1/5, 4/5 at_risk), at_risk (1/4 active,
    # 3/4 churned), churned (1/2 churned, 1/2 reactivated), reactivated never left: absorbing.
    assert out["projected"].tolist() == pytest.approx([0, 0.2, 0.8, 1, 2, 0, 0.24, 0.16, 1.1, 2.5])
    assert out["actual"].tolist() == [0, 1, 1, 2, 0, 0, 0, 1, 2, 1]
    assert out["error"].tolist() == pytest.approx([0, -0.8, -0.2, -1, 2, 0, 0.24, -0.84, -0.9, 1.5])


def test_holdout_projection_cutoff_in_first_period():
    """Cutoff in January: no move yet, every state absorbing, so a, b, c stay new; in fact all 3 are active."""
    out = holdout_projection(month_states(), cutoff="2024-01-20", periods=1)
    assert out["projected"].tolist() == [3, 0, 0, 0, 0]
    assert out["actual"].tolist() == [0, 3, 0, 0, 0]       # e (new in February) is left out


def test_holdout_projection_errors():
    """A cutoff before the first period, or too few periods after it, is refused."""
    with pytest.raises(ValueError, match="before the first period"):
        holdout_projection(month_states(), cutoff="2023-12-31", periods=1)
    with pytest.raises(ValueError, match=r"only 1 period\(s\) follow"):
        holdout_projection(month_states(), cutoff="2024-06-10", periods=2)


CHURN_LOG = [(1, "2024-01-05"), (2, "2024-01-10"), (2, "2024-03-15"), (3, "2024-02-01"),
             (4, "2024-05-20"), (5, "2024-06-01")]
DROPOUTS = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6], "dropout_date": pd.to_datetime(
    ["2024-01-20", "2024-06-10", None, "2024-06-15", "2024-08-01", "2024-02-01"])})


def test_churn_label_tradeoff_by_hand():
    """Gaps in June: 5, 3, 4, 1, 0 months; dropped out by the end: 1, 2, 4 (5 drops out later)."""
    out = churn_label_tradeoff(tx(CHURN_LOG), DROPOUTS, thresholds=[2, 4], observation_end="2024-06-30")
    assert out["churned_after"].tolist() == [2, 4]
    assert out["labelled_churned"].tolist() == [3, 2]              # {1, 2, 3}, {1, 3}
    assert out["false_alarm_share"].tolist() == pytest.approx([1 / 3, 1 / 2])   # 3 is alive
    assert out["dropped_out"].tolist() == [3, 3]
    assert out["detected_share"].tolist() == pytest.approx([2 / 3, 1 / 3])      # {1, 2}, {1}
    # c=2: 1 churned from Mar, dropped Jan -> 2; 2 churned from May, dropped Jun -> label first, 0. c=4: 1 -> 4.
    assert out["median_delay_months"].tolist() == [1.0, 4.0]


def test_churn_label_as_of_and_bought_again():
    """as_of=March: 1 and 2 (last bought January) are churned at 2; 1 buys again in May; 3 is not known yet."""
    log = tx([(1, "2024-01-05"), (1, "2024-05-02"), (2, "2024-01-20"), (3, "2024-04-01")])
    out = churn_label_tradeoff(log, thresholds=[2, 3], observation_end="2024-06-30", as_of="2024-03-31")
    assert out["labelled_churned"].tolist() == [2, 0]
    assert out["bought_again_share"].iloc[0] == 0.5 and np.isnan(out["bought_again_share"].iloc[1])


def test_churn_label_tradeoff_missing_customer():
    """A customer of the log missing from dropouts is an error."""
    with pytest.raises(ValueError, match=r"not in dropouts, e.g. \[3\]"):
        churn_label_tradeoff(tx(CHURN_LOG), DROPOUTS[DROPOUTS["customer_id"] != 3], thresholds=[2],
                             observation_end="2024-06-30")


def events():
    """Five people: 2 adds to cart before visiting, 3 reviews before buying, 4 buys late (day 74)."""
    rows = [(1, "2024-01-01", "visit", "search"), (1, "2024-01-03", "product_view", "search"),
            (1, "2024-01-05", "purchase", "search"), (1, "2024-01-20", "purchase", "search"),
            (1, "2024-01-25", "review", "search"),
            (2, "2024-01-02", "add_to_cart", "email"), (2, "2024-01-04", "visit", "search"),
            (2, "2024-01-06", "purchase", "search"),
            (3, "2024-01-01", "ad_impression", "search"), (3, "2024-01-02", "product_view", "search"),
            (3, "2024-01-03", "review", "search"), (3, "2024-01-04", "purchase", "search"),
            (3, "2024-01-10", "purchase", "search"),
            (4, "2024-01-01", "visit", "email"), (4, "2024-01-02", "product_view", "email"),
            (4, "2024-03-15", "purchase", "email"),
            (5, "2024-01-05", "visit", "email")]
    ids, days, kinds, channels = zip(*rows)
    return pd.DataFrame({"customer_id": ids, "timestamp": pd.to_datetime(list(days)),
                         "event_type": kinds, "channel": channels})


def test_funnel_ordered_by_hand():
    """Ordered: 2's cart before the visit and 3's review before retention do not count."""
    f = funnel(events())
    assert f["stage"].tolist() == ["awareness", "consideration", "purchase", "retention", "advocacy"]
    assert f["people"].tolist() == [5] * 5
    assert f["reached"].tolist() == [5, 3, 3, 2, 1]
    assert f["share"].tolist() == pytest.approx([1, 0.6, 0.6, 0.4, 0.2])
    assert f["step_conversion"].tolist()[1:] == pytest.approx([3 / 5, 1, 2 / 3, 1 / 2])
    # consideration: 2, 1, 1 days; purchase: 2, 2, 73; retention: 15, 6; advocacy: 5.
    assert f["median_days_from_previous"].tolist()[1:] == [1.0, 2.0, 10.5, 5.0]
    assert np.isnan(f["median_days_from_previous"].iloc[0])


def test_funnel_unordered_by_hand():
    """Unordered: any qualifying event counts; the days from the previous stage can be negative."""
    f = funnel(events(), ordered=False)
    assert f["reached"].tolist() == [5, 4, 4, 2, 2]
    assert f["step_conversion"].tolist()[1:] == pytest.approx([4 / 5, 1, 1 / 2, 1])
    # consideration: 2, -2, 1, 1; purchase: 2, 4, 2, 73; retention: 15, 6; advocacy: 5, -7.
    assert f["median_days_from_previous"].tolist()[1:] == [1.0, 3.0, 10.5, -1.0]


def test_funnel_times_rows():
    """funnel_times: 2 enters on the cart (2 Jan), is aware on 4 Jan, considers nothing when ordered."""
    t = funnel_times(events())
    assert list(t.columns) == ["customer_id", "entry", "awareness", "consideration", "purchase",
                               "retention", "advocacy"]
    two = t.set_index("customer_id").loc[2]
    assert two["entry"] == pd.Timestamp("2024-01-02") and two["awareness"] == pd.Timestamp("2024-01-04")
    assert pd.isna(two["consideration"]) and pd.isna(two["purchase"])
    three = funnel_times(events(), ordered=False).set_index("customer_id").loc[3]
    assert three["advocacy"] == pd.Timestamp("2024-01-03") and three["retention"] == pd.Timestamp("2024-01-10")


def test_funnel_window_cuts_late_purchase():
    """window='30D': 4's purchase on day 74 no longer counts."""
    f = funnel(events(), window="30D")
    assert f["reached"].tolist() == [5, 3, 2, 2, 1]
    assert f["step_conversion"].iloc[2] == pytest.approx(2 / 3)


def test_funnel_by_first_event():
    """by='channel' groups 2 by the channel of their first event (email), not of their visit (search)."""
    f = funnel(events(), by="channel")
    assert f["channel"].tolist() == ["email"] * 5 + ["search"] * 5
    assert f["people"].tolist() == [3] * 5 + [2] * 5
    assert f["reached"].tolist() == [3, 1, 1, 0, 0, 2, 2, 2, 2, 1]


def test_funnel_retention_is_next_purchase():
    """Stage(('purchase',), occurrence=2): the purchase after the one that reached purchase, not the second overall."""
    ev = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 2],
                       "event_type": ["purchase", "visit", "purchase", "visit", "purchase", "purchase"],
                       "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05",
                                                    "2024-01-01", "2024-01-03", "2024-01-09"])})
    stages = {"visit": ["visit"], "purchase": ["purchase"], "retention": Stage(("purchase",), occurrence=2)}
    t = funnel_times(ev, stages=stages).set_index("customer_id")
    # 1: visit 2 Jan, purchase 5 Jan (the 1 Jan one came before the visit), no later purchase.
    assert t.loc[1, "purchase"] == pd.Timestamp("2024-01-05") and pd.isna(t.loc[1, "retention"])
    assert t.loc[2, "retention"] == pd.Timestamp("2024-01-09")
    f = funnel(ev, stages=stages)
    assert f["reached"].tolist() == [2, 2, 1] and f["median_days_from_previous"].tolist()[1:] == [2.5, 6.0]


def test_funnel_wilson_interval():
    """Intervals contain the share; consideration (3 of 5) matches the Wilson formula written out."""
    f = funnel(events())
    assert (f["share_low"] <= f["share"]).all() and (f["share"] <= f["share_high"]).all()
    step = f.iloc[1:]
    assert ((step["step_low"] <= step["step_conversion"]) & (step["step_conversion"] <= step["step_high"])).all()
    z, n, p = 1.959963984540054, 5, 0.6
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert f.loc[1, "share_low"] == pytest.approx((centre - half) / (1 + z * z / n))
    assert f.loc[1, "share_high"] == pytest.approx((centre + half) / (1 + z * z / n))


def test_funnel_polars_same_as_pandas():
    """A Polars event log gives the same funnel as pandas."""
    a = funnel(events(), by="channel")
    b = funnel(pl.from_pandas(events()), by="channel")
    pd.testing.assert_frame_equal(a, b)


def test_survey_events_categories_and_refusals():
    """9-10 promoter, 7-8 passive, 0-6 detractor; 11, -1, 7.5 and missing are refused."""
    s = pd.DataFrame({"customer_id": range(6), "date": pd.to_datetime(["2024-01-05"] * 6),
                      "nps": [10, 9, 8, 7, 6, 0]})
    out = survey_events(s)
    assert out["event_type"].tolist() == ["nps_promoter"] * 2 + ["nps_passive"] * 2 + ["nps_detractor"] * 2
    assert (out["channel"] == "survey").all()
    for bad in (11, -1, 7.5, None):
        s = pd.DataFrame({"customer_id": [1], "date": pd.to_datetime(["2024-01-05"]), "nps": [bad]})
        with pytest.raises(ValueError, match="whole number from 0 to 10"):
            survey_events(s)


@pytest.mark.parametrize("change, kw, message", [
    (lambda d: d, {"date_col": "day"}, "no column 'day'"),
    (lambda d: d.assign(date=d["date"].dt.strftime("%Y-%m-%d")), {}, "not dates"),
    (lambda d: d.assign(date=pd.to_datetime(["2024-01-10", "2024-08-01"])), {}, "after observation_end"),
    (lambda d: d.iloc[:0], {}, "no rows"),
    (lambda d: d, {"at_risk_after": 4, "churned_after": 3}, "churned_after=3 is less than at_risk_after=4"),
    (lambda d: d, {"at_risk_after": 0}, "at_risk_after=0"),
    (lambda d: d, {"freq": "Q"}, "'Q' is not a unit"),
])
def test_bad_input(change, kw, message):
    """Bad logs and parameters are refused with a message naming the problem."""
    log = change(tx([(1, "2024-01-10"), (1, "2024-03-02")]))
    with pytest.raises(ValueError, match=message):
        lifecycle_states(log, observation_end="2024-06-30", **kw)


def test_duplicated_purchase_rows_are_not_a_repeat_purchase():
    """Two identical purchase rows (same moment) are one purchase: no retention stage."""
    ev = pd.DataFrame({"customer_id": [1, 1, 1], "event_type": ["visit", "purchase", "purchase"],
                       "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-01 11:00"])})
    t = funnel_times(ev, stages={"aware": ["visit"], "purchase": ["purchase"],
                                 "retention": Stage(("purchase",), occurrence=2)})
    assert t["purchase"].notna().all() and t["retention"].isna().all()


def test_internal_column_names_and_missing_groups_are_refused():
    """Columns named like working columns, a column given twice, a missing group: clear errors."""
    log = tx([(1, "2024-01-10")]).rename(columns={"customer_id": "_p"})
    with pytest.raises(ValueError, match="used inside the computation"):
        lifecycle_states(log, customer_col="_p", observation_end="2024-01-31")
    ev = pd.DataFrame({"customer_id": [1, 2], "event_type": ["visit", "visit"], "channel": ["web", None],
                       "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    with pytest.raises(ValueError, match="have no 'channel'"):
        funnel(ev, stages={"aware": ["visit"]}, by="channel")
    with pytest.raises(ValueError, match="given for two arguments"):
        funnel(ev, stages={"aware": ["visit"]}, by="event_type", event_col="event_type")


def test_stage_whose_events_never_occur_is_named():
    ev = pd.DataFrame({"customer_id": [1], "event_type": ["visit"], "timestamp": pd.to_datetime(["2024-01-01"])})
    with pytest.warns(UserWarning, match="stage 'bought' \\(purchse\\)"):
        funnel(ev, stages={"aware": ["visit"], "bought": ["purchse"]})


def test_transition_matrix_refuses_a_table_given_twice():
    states = lifecycle_states(tx([(1, "2024-01-10"), (1, "2024-02-10")]), observation_end="2024-02-29")
    with pytest.raises(ValueError, match="appear twice"):
        transition_matrix(pd.concat([states, states]))
