"""Customer-base models: published estimates reproduced by real fits on the real data,
parameter recovery on the simulated company, predictions and bad input."""

import numpy as np
import pandas as pd
import pytest

import custlab as cl
from custlab.simulate import WorldParams


@pytest.fixture(scope="module")
def calibration(cdnow_sample):
    return cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", calibration_end="1997-09-30",
                          time_unit="W")


@pytest.fixture(scope="module")
def bgnbd(calibration):
    return cl.BetaGeo().fit(calibration, time_unit="W")


def test_bgnbd_reproduces_fader_hardie_lee_2005(bgnbd):
    # "Counting your customers the easy way", Marketing Science 24(2): r, alpha, a, b and LL.
    assert bgnbd.params_.round(3).tolist() == [0.243, 4.414, 0.793, 2.426]
    assert round(bgnbd.loglik_, 1) == -9582.4
    assert bgnbd.n_customers_ == 2357 and bgnbd.time_unit_ == "weeks"
    assert (bgnbd.standard_errors_ > 0).all()
    assert list(bgnbd.summary().columns) == ["estimate", "std_error", "lower_95", "upper_95"]


def test_bgnbd_predictions_match_the_paper(bgnbd):
    # The paper's worked example: x = 2, t_x = 30.43, T = 38.86 weeks; 1.226 purchases expected in weeks 40-78.
    assert round(float(bgnbd.conditional_expected_purchases(39, 2, 30.43, 38.86)), 3) == 1.226
    assert bgnbd.p_alive(0, 0, 30) == 1.0
    assert 0 < bgnbd.p_alive(5, 5, 38) < bgnbd.p_alive(5, 37, 38) < 1
    # Expected purchases by a new customer grow with t, slower and slower.
    e = bgnbd.expected_purchases([10, 20, 30, 40])
    assert np.all(np.diff(e) > 0) and np.all(np.diff(e, 2) < 0)


def test_pareto_nbd_reproduces_fader_hardie_lee_2005(calibration):
    model = cl.ParetoNBD().fit(calibration, time_unit="W")
    assert model.params_[["r", "alpha", "s"]].round(3).tolist() == [0.553, 10.578, 0.606]
    # beta sits on a flat ridge (standard error about 6): compare it at 0.01.
    assert abs(model.params_["beta"] - 11.669) < 0.01
    assert 5 < model.standard_errors_["beta"] < 7
    assert round(model.loglik_, 1) == -9595.0
    # Both models agree that a customer who bought often and recently is likely alive.
    assert model.p_alive(10, 38, 38.86) > 0.9 > 0.1 > model.p_alive(10, 5, 38.86)
    e = model.expected_purchases([10, 20, 30])
    assert np.all(np.diff(e) > 0)


def test_gamma_gamma_reproduces_fader_hardie_2013(calibration):
    repeat = calibration[calibration["frequency"] > 0]
    model = cl.GammaGamma().fit(repeat)
    assert model.n_customers_ == 946
    assert model.params_.round(2).tolist() == [6.25, 3.74, 15.44]
    spend = model.expected_average_spend(repeat["frequency"], repeat["monetary_value"])
    assert spend.min() > 0
    p, q, gamma = model.params_
    assert model.expected_average_spend(0, 0) == pytest.approx(p * gamma / (q - 1))


@pytest.mark.parametrize("group, alpha, beta", [("regular", 0.704, 1.182), ("high_end", 0.668, 3.806)])
def test_sbg_reproduces_fader_hardie_2007(group, alpha, beta):
    table = cl.load_retention_cohorts()
    active = np.round(10 * table[f"{group}_pct_active"]).to_numpy()[:8]  # years 0-7 of 1,000 customers
    model = cl.ShiftedBetaGeo().fit(active)
    assert model.params_.round(3).tolist() == [alpha, beta]
    # Projected years 8-12 stay close to what happened (the paper's point).
    projected = 100 * model.survival(np.arange(8, 13))
    actual = table[f"{group}_pct_active"].to_numpy()[8:]
    assert np.max(np.abs(projected - actual)) < 2.5


def test_sbg_individual_data_gives_the_same_fit():
    active = np.array([1000, 631, 468, 382, 326, 289, 262, 241])
    lost = -np.diff(active)
    periods = np.concatenate([np.repeat(np.arange(1, 8), lost), np.full(active[-1], 7)])
    churned = np.concatenate([np.ones(lost.sum(), bool), np.zeros(active[-1], bool)])
    a = cl.ShiftedBetaGeo().fit(active)
    b = cl.ShiftedBetaGeo().fit_individual(periods, churned)
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-4)
    # Retention rises although no one's churn probability changes.
    assert np.all(np.diff(a.retention_rate(np.arange(1, 10))) > 0)
    assert a.expected_residual_lifetime(0.1, renewals=4) > a.expected_residual_lifetime(0.1)


def test_recovers_the_simulated_company_parameters():
    prm = WorldParams(incentive_uplift=0.0)
    world = cl.crm_world(20_000, random_state=123, params=prm)
    summary = cl.rfm_summary(world.transactions(), observation_end=world.end, time_unit="W")
    bg = cl.BetaGeo().fit(summary)
    truth = pd.Series(prm.bgnbd)
    z = (bg.params_ - truth[bg.params_.index]) / bg.standard_errors_
    assert (z.abs() < 2.5).all(), z
    repeat = summary[summary["frequency"] > 0]
    gg = cl.GammaGamma().fit(repeat)
    z = (gg.params_ - pd.Series(prm.gamma_gamma)[gg.params_.index]) / gg.standard_errors_
    assert (z.abs() < 2.5).all(), z


def test_bad_input_gets_clear_errors(calibration):
    bad = calibration.copy()
    bad.loc[3, "recency"] = bad.loc[3, "T"] + 1
    with pytest.raises(ValueError, match="recency is greater than T"):
        cl.BetaGeo().fit(bad)
    with pytest.raises(ValueError, match="no customers"):
        cl.BetaGeo().fit(calibration.iloc[:0])
    with pytest.raises(ValueError, match="without repeat purchases or with a mean spend"):
        cl.GammaGamma().fit(calibration)
    neg = calibration[calibration["frequency"] > 0].copy()
    neg.iloc[0, neg.columns.get_loc("monetary_value")] = -5.0
    with pytest.raises(ValueError, match="1 customer"):
        cl.GammaGamma().fit(neg)
    with pytest.raises(ValueError, match="grows from 468 .* to 500"):
        cl.ShiftedBetaGeo().fit([1000, 631, 468, 500])
    with pytest.raises(RuntimeError, match="not fitted"):
        cl.BetaGeo().p_alive(1, 1, 2)


def test_data_that_cannot_identify_the_model_is_refused_or_warned(calibration):
    no_repeat = pd.DataFrame({"frequency": [0] * 50, "recency": [0.0] * 50, "T": np.linspace(5, 40, 50)})
    with pytest.raises(ValueError, match="none of the 50 customers made a repeat purchase"):
        cl.BetaGeo().fit(no_repeat)
    # One repeat buyer among many: the fit runs to the edge of the parameter space, and says so.
    one = no_repeat.copy()
    one.loc[0, ["frequency", "recency"]] = [1, 2.0]
    with pytest.warns(cl.models.ConvergenceWarning):
        cl.BetaGeo().fit(one)


def test_penalizer_shrinks_towards_zero(calibration):
    plain = cl.BetaGeo().fit(calibration).params_
    shrunk = cl.BetaGeo(penalizer=0.1).fit(calibration).params_
    assert (shrunk < plain).all()
    with pytest.raises(ValueError, match="penalizer"):
        cl.BetaGeo(penalizer=-1).fit(calibration)
