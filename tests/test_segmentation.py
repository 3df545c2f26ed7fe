"""Segmentation: RFM scores and their tie rule, the scikit-learn transformer, clusters whose
labels do not move, profiles, demographics, and the plots."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import custlab as cl
from custlab import clustering as clu
from custlab import segmentation as seg
from custlab.plotting import segmentation as segplot


def summary_of(frequency, recency, T, monetary):
    n = len(frequency)
    return pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n)], "frequency": frequency,
                         "recency": recency, "T": T, "monetary_value": monetary})


@pytest.fixture(scope="module")
def world_features():
    world = cl.crm_world(1500, random_state=3)
    tx, _ = cl.validate_transactions(world.orders[["customer_id", "date", "amount", "discount"]])
    return clu.customer_features(tx, observation_end="2024-12-31", discount_col="discount"), world


# --- RFM scores ------------------------------------------------------------------------------

def test_equal_values_get_equal_scores_and_worst_scores_one():
    rng = np.random.default_rng(0)
    freq = rng.integers(0, 4, 200)            # heavy ties
    s = summary_of(freq, np.zeros(200), rng.integers(1, 5, 200).astype(float), rng.choice([0.0, 10.0, 20.0], 200))
    scores = seg.rfm_scores(s, bins=5)
    for col, values in (("F", freq), ("M", s["monetary_value"].to_numpy())):
        per_value = pd.Series(scores[col].to_numpy()).groupby(values).nunique()
        assert (per_value == 1).all()
        assert scores[col][values == values.min()].eq(1).all()
    assert scores.dtypes.eq(np.int64).all()
    assert scores.to_numpy().min() >= 1 and scores.to_numpy().max() <= 5


def test_scores_are_quintiles_without_ties():
    s = summary_of(np.arange(10), np.zeros(10), np.arange(10, 0, -1).astype(float), np.arange(10.0))
    scores = seg.rfm_scores(s, bins=5)
    assert scores["F"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert scores["R"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # T - recency shrinks: more recent


def test_higher_is_better_and_recency_from_time_since_last_purchase():
    s = summary_of([0, 5], [0.0, 30.0], [40.0, 31.0], [0.0, 50.0])
    scores = seg.rfm_scores(s, bins=2)
    assert scores.loc["C001"].tolist() == [2, 2, 2]
    assert scores.loc["C000"].tolist() == [1, 1, 1]


def test_single_customer_and_identical_customers():
    one = seg.rfm_scores(summary_of([2], [5.0], [9.0], [12.0]))
    assert one.to_numpy().tolist() == [[1, 1, 1]]
    same = seg.rfm_scores(summary_of([2] * 6, [5.0] * 6, [9.0] * 6, [12.0] * 6))
    assert (same.to_numpy() == 1).all()
    assert seg.rfm_segments(same).nunique() == 1


def test_times_computed_two_ways_compare_equal():
    s = summary_of([1, 1], [0.1 + 0.2, 0.3], [1.0, 1.0], [5.0, 5.0])
    assert seg.rfm_scores(s)["R"].nunique() == 1


def test_missing_values_are_refused():
    s = summary_of([1, np.nan], [0.0, 1.0], [2.0, 2.0], [5.0, 5.0])
    with pytest.raises(ValueError, match="missing values.*C001"):
        seg.rfm_scores(s)
    with pytest.raises(ValueError, match="bins"):
        seg.rfm_scores(summary_of([1], [0.0], [1.0], [1.0]), bins=0)


def test_segments_follow_the_rules_and_rules_can_be_replaced():
    scores = pd.DataFrame({"R": [5, 4, 1, 1, 5, 3], "F": [5, 3, 5, 1, 1, 2]})
    names = seg.rfm_segments(scores, bins=5)
    assert names.tolist() == ["champions", "loyal", "at risk", "hibernating", "new or promising", "need attention"]
    assert list(names.cat.categories) == list(seg.RFM_SEGMENT_RULES["segment"])
    rules = pd.DataFrame({"segment": ["big", "rest"], "M_min": [0.8, 0.0], "M_max": [1.0, 1.0]})
    mine = seg.rfm_segments(pd.DataFrame({"M": [5, 1]}), rules, bins=5)
    assert mine.tolist() == ["big", "rest"]
    with pytest.raises(ValueError, match="no rule covers"):
        seg.rfm_segments(pd.DataFrame({"M": [5, 1]}), rules.iloc[:1], bins=5)
    with pytest.raises(ValueError, match="outside 1..3"):
        seg.rfm_segments(scores, bins=3)


# --- the transformer -------------------------------------------------------------------------

@parametrize_with_checks([seg.RFMTransformer(), seg.RFMTransformer(bins=3, lower_is_better=[0])])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_transformer_matches_rfm_scores_and_works_in_a_pipeline():
    rng = np.random.default_rng(1)
    s = summary_of(rng.integers(0, 6, 50), rng.uniform(0, 20, 50), np.full(50, 30.0), rng.gamma(2, 10, 50))
    features = seg.rfm_features(s)
    pipe = Pipeline([("rfm", seg.RFMTransformer()), ("scale", StandardScaler())]).set_output(transform="pandas")
    out = pipe.fit_transform(features)
    assert list(out.columns) == ["R", "F", "M"]
    direct = seg.RFMTransformer().set_output(transform="pandas").fit_transform(features)
    assert (direct.to_numpy() == seg.rfm_scores(s).to_numpy()).all()
    # New customers are scored against the fitted ones; beyond all of them: the end scores.
    far = pd.DataFrame({"time_since_last_purchase": [-1.0, 1e9], "frequency": [1e9, -1], "monetary_value": [1e9, -1]})
    assert seg.RFMTransformer().fit(features).transform(far).tolist() == [[5, 5, 5], [1, 1, 1]]


# --- clusters --------------------------------------------------------------------------------

def test_cluster_labels_are_stable_and_ignore_row_order(world_features):
    features, _ = world_features
    first = clu.BehaviourClusters(4, random_state=0).fit(features).labels_
    again = clu.BehaviourClusters(4, random_state=0).fit(features).labels_
    assert first.equals(again)
    shuffled = features.sample(frac=1.0, random_state=5)
    moved = clu.BehaviourClusters(4, random_state=0).fit(shuffled).labels_
    assert moved.reindex(first.index).equals(first)
    assert sorted(first.unique()) == [1, 2, 3, 4]
    means = features.groupby(first)["frequency"].mean()
    assert means.is_monotonic_decreasing


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_choose_k_and_methods(world_features, method):
    features, _ = world_features
    table = clu.choose_k(features, ks=[2, 3], method=method)
    assert list(table.index) == [2, 3]
    assert table["silhouette"].between(-1, 1).all()
    assert ("bic" in table.columns) == (method == "gmm")
    labels = clu.BehaviourClusters(3, method=method).fit(features).labels_
    assert labels.nunique() == 3


def test_clusters_refuse_bad_k_and_gaps():
    f = pd.DataFrame({"frequency": [1, 1, 1], "mean_spend": [5.0, 5.0, 5.0]})
    with pytest.raises(ValueError, match="distinct rows"):
        clu.BehaviourClusters(2).fit(f)
    assert clu.BehaviourClusters(1).fit(f).labels_.tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match="missing values"):
        clu.BehaviourClusters(1).fit(f.assign(mean_spend=[1.0, np.nan, 2.0]))


# --- profiles, demographics, personas --------------------------------------------------------

def test_profiles_with_missing_demographics(world_features):
    features, world = world_features
    demo = world.customers.set_index("customer_id")
    assert demo["age_band"].isna().any()           # businesses have no age
    labels = clu.BehaviourClusters(3).fit(features).labels_
    profiles = clu.segment_profiles(features, labels, demographics=demo)
    assert profiles["customers"].sum() == len(features)
    assert profiles["revenue_pct"].sum() == pytest.approx(100)
    assert {"age_band: top", "region: top_pct"} <= set(profiles.columns)
    text = clu.personas(profiles)
    assert text.index.tolist() == [1, 2, 3] and text.str.contains("% of revenue").all()
    no_demo = clu.segment_profiles(features, labels, demographics=demo.iloc[:0])
    assert (no_demo["age_band: top"] == "unknown").all()


def test_demographics_explain_a_share_of_variance(world_features):
    features, world = world_features
    demo = world.customers.set_index("customer_id")
    shares = seg.variance_explained(features["revenue"], demo, ["age_band", "gender", "income_band", "region"])
    assert shares.between(0, 1).all()
    assert shares["all together"] >= shares.drop("all together").max() - 1e-12
    table = seg.demographic_behaviour(features, demo, "age_band")
    assert table["customers"].sum() == len(features) and table.index[-1] == "unknown"
    flat = seg.variance_explained(pd.Series(1.0, index=features.index), demo, ["region"])
    assert (flat == 0).all()


def test_agreement():
    table, ari = clu.segment_agreement(pd.Series([1, 1, 2, 2]), pd.Series(["a", "b", "a", "b"]))
    assert table.to_numpy().sum() == 4 and ari < 0.01


# --- plots -----------------------------------------------------------------------------------

def test_plots_draw_on_the_axes_given(world_features):
    import matplotlib.pyplot as plt

    features, world = world_features
    demo = world.customers.set_index("customer_id")
    s = pd.DataFrame({"customer_id": features.index, "frequency": features["frequency"],
                      "recency": features["tenure"] - features["time_since_last_purchase"],
                      "T": features["tenure"], "monetary_value": features["mean_spend"]})
    scores = seg.rfm_scores(s)
    labels = clu.BehaviourClusters(3).fit(features).labels_
    profiles = clu.segment_profiles(features, labels, demographics=demo)
    fig, axs = plt.subplots(2, 2)
    assert segplot.plot_rfm_grid(scores, ax=axs[0, 0]) is axs[0, 0]
    assert len(axs[0, 0].texts) == 25
    assert segplot.plot_segment_profiles(profiles, ax=axs[0, 1]) is axs[0, 1]
    assert segplot.plot_clusters_2d(features, labels, ax=axs[1, 0]) is axs[1, 0]
    assert len(axs[1, 0].collections) == 3
    assert segplot.plot_demographic_mix(features.index.to_series().map(labels), demo, "age_band",
                                        ax=axs[1, 1]) is axs[1, 1]
    assert len(axs[1, 1].patches) > 0
