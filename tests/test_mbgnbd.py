"""MBG/NBD: lifetimes' estimates reproduced by a real fit, the analytic gradient, predictions
and bad input; Pareto/NBD's P(X(t) = n) and its fit histogram; maps of expected purchases."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

import custlab as cl
from custlab.models._data import compress
from custlab.models._pareto_counts import _gone_by_quadrature, pareto_nbd_count_probabilities
from custlab.models.mbgnbd import mbgnbd_loglik, mbgnbd_loglik_and_gradient
from custlab.plotting.model_maps import plot_expected_purchases_matrix


@pytest.fixture(scope="module")
def calibration(cdnow_sample):
    return cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", calibration_end="1997-09-30", time_unit="W")


@pytest.fixture(scope="module")
def mbgnbd(calibration):
    return cl.ModifiedBetaGeo().fit(calibration, time_unit="W")


@pytest.fixture(scope="module")
def pareto(calibration):
    return cl.ParetoNBD().fit(calibration, time_unit="W")


def significant(values, digits=4):
    return [float(f"{v:.{digits}g}") for v in values]


# ---------------------------------------------------------------------------------------------
# MBG/NBD
# ---------------------------------------------------------------------------------------------
def test_mbgnbd_gives_lifetimes_estimates(mbgnbd):
    # lifetimes 0.11.3, ModifiedBetaGeoFitter().fit(frequency, recency, T) on the same summary:
    # r 0.5248429, alpha 6.183082, a 0.8913595, b 1.614003; custlab's likelihood at those
    # estimates is -9582.135716.
    assert significant(mbgnbd.params_) == [0.5248, 6.183, 0.8914, 1.614]
    assert mbgnbd.loglik_ == pytest.approx(-9582.135716, abs=1e-5)
    assert mbgnbd.n_customers_ == 2357 and mbgnbd.time_unit_ == "weeks"
    assert mbgnbd.converged_ and not mbgnbd.at_boundary_
    assert (mbgnbd.standard_errors_ > 0).all()


def test_mbgnbd_predictions_match_lifetimes(mbgnbd):
    # lifetimes' predictions with its own estimates (which differ from ours by < 1e-6 relative).
    assert mbgnbd.expected_purchases([13, 52]) == pytest.approx([0.53508428, 1.41888498], rel=1e-5)
    assert mbgnbd.p_alive([0, 5, 5], [0, 5, 38], 38.86) == pytest.approx([0.38971519, 0.00335778, 0.86963004],
                                                                        rel=1e-5)
    assert mbgnbd.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.2626692, rel=1e-5)
    assert mbgnbd.probability_of_purchases([0, 1, 2, 3], 39) == pytest.approx(
        [0.58260505, 0.18276394, 0.08687084, 0.04855082], rel=1e-5)


@pytest.mark.parametrize("params", [(0.5248, 6.183, 0.8914, 1.614), (0.3, 3.0, 1.7, 2.5), (2.0, 20.0, 0.4, 6.0)])
def test_mbgnbd_gradient_matches_finite_differences(calibration, params):
    x, t_x, T = (calibration[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    (ux, ut, uT), w = compress(x, t_x, T)
    p = np.array(params)
    value, grad = mbgnbd_loglik_and_gradient(p, ux, ut, uT, w)
    # The weighted distinct rows give the likelihood of every customer.
    assert value == pytest.approx(float(np.sum(mbgnbd_loglik(p, x, t_x, T))), rel=1e-12)
    numeric = []
    for i in range(4):
        h = np.zeros(4)
        h[i] = 1e-6 * p[i]
        numeric.append((np.dot(w, mbgnbd_loglik(p + h, ux, ut, uT)) - np.dot(w, mbgnbd_loglik(p - h, ux, ut, uT)))
                       / (2 * h[i]))
    assert grad == pytest.approx(numeric, rel=1e-6, abs=1e-4)


@pytest.mark.parametrize("t", [1.0, 13.0, 39.0, 78.0])
def test_mbgnbd_count_probabilities_are_a_distribution(mbgnbd, t):
    n = np.arange(400)
    p = mbgnbd.probability_of_purchases(n, t)
    assert (p >= 0).all()
    assert p.sum() == pytest.approx(1, abs=1e-9)
    assert np.dot(n, p) == pytest.approx(float(mbgnbd.expected_purchases(t)), rel=1e-8)


def test_mbgnbd_customers_without_repeat_purchase_may_be_gone(mbgnbd, calibration):
    # The model's point: a dropout right after the first purchase, so P(alive) < 1 at x = 0,
    # falling the longer the customer stays silent; BG/NBD keeps them alive for sure.
    silent = mbgnbd.p_alive(0, 0, [10, 20, 39])
    assert (silent < 1).all() and (np.diff(silent) < 0).all()
    assert cl.BetaGeo().fit(calibration).p_alive(0, 0, 39) == 1.0
    # Before any time has passed, only the dropout at time 0 counts: P(alive) = b / (a + b).
    r, alpha, a, b = mbgnbd.params_
    assert mbgnbd.p_alive(0, 0, 0) == pytest.approx(b / (a + b))
    assert mbgnbd.probability_of_purchases(0, 0) == 1.0


def test_mbgnbd_refuses_bad_input(mbgnbd, calibration):
    with pytest.raises(RuntimeError, match="not fitted"):
        cl.ModifiedBetaGeo().p_alive(1, 1, 2)
    with pytest.raises(ValueError, match="recency must not exceed T"):
        mbgnbd.p_alive(2, 40, 39)
    with pytest.raises(ValueError, match="frequency .* must be a whole number"):
        mbgnbd.conditional_expected_purchases(10, 1.5, 3, 39)
    with pytest.raises(ValueError, match="n .* must be 0 or more"):
        mbgnbd.probability_of_purchases(-1, 10)
    with pytest.raises(ValueError, match="t .* must be 0 or more"):
        mbgnbd.expected_purchases(-3)
    with pytest.raises(ValueError, match="no column"):
        cl.ModifiedBetaGeo().fit(calibration.drop(columns="recency"))
    with pytest.raises(ValueError, match="none of the .* customers made a repeat purchase"):
        cl.ModifiedBetaGeo().fit(pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0.0], "T": [5.0, 6.0]}))
    with pytest.raises(ValueError, match="recency is greater than T"):
        cl.ModifiedBetaGeo().fit(pd.DataFrame({"frequency": [1, 0], "recency": [7.0, 0.0], "T": [5.0, 6.0]}))


def test_mbgnbd_saved_and_loaded_predicts_the_same(mbgnbd):
    again = cl.ModifiedBetaGeo.from_dict(json.loads(json.dumps(mbgnbd.to_dict())))
    history = ([0, 1, 4, 10], [0, 5, 20, 38], 39)
    assert (again.p_alive(*history) == mbgnbd.p_alive(*history)).all()
    ahead = again.conditional_expected_purchases(26, *history)
    assert (ahead == mbgnbd.conditional_expected_purchases(26, *history)).all()
    assert (again.probability_of_purchases(range(5), 39) == mbgnbd.probability_of_purchases(range(5), 39)).all()
    assert again.loglik_ == mbgnbd.loglik_ and again.time_unit_ == "weeks"
    with pytest.raises(ValueError, match="saved ModifiedBetaGeo, not a BetaGeo"):
        cl.BetaGeo.from_dict(mbgnbd.to_dict())


# ---------------------------------------------------------------------------------------------
# Pareto/NBD: P(X(t) = n)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [1.0, 13.0, 39.0, 78.0])
def test_pareto_count_probabilities_are_a_distribution(pareto, t):
    n = np.arange(400)
    p = pareto.probability_of_purchases(n, t)
    assert (p >= 0).all()
    assert p.sum() == pytest.approx(1, abs=1e-6)
    assert np.dot(n, p) == pytest.approx(float(pareto.expected_purchases(t)), rel=1e-6)


def test_pareto_count_probabilities_by_two_routes():
    # The hypergeometric closed form against the one-dimensional integral, on both of its
    # branches (alpha below and above beta).
    for params in [(0.553, 10.578, 0.606, 11.669), (2.0, 50.0, 0.5, 0.2)]:
        r, alpha, s, beta = params
        for n, t in [(0, 5.0), (1, 39.0), (4, 39.0), (9, 78.0)]:
            closed = float(pareto_nbd_count_probabilities(params, n, t)[()])
            still_there = np.exp(gammaln(r + n) - gammaln(r) - gammaln(n + 1) + r * np.log(alpha / (alpha + t))
                                 + n * np.log(t / (alpha + t)) + s * np.log(beta / (beta + t)))
            assert closed == pytest.approx(still_there + _gone_by_quadrature(r, alpha, s, beta, n, t), rel=1e-8)


def test_pareto_count_probabilities_far_out_parameters():
    # s and beta in the hundreds and thousands: scipy's hypergeometric function fails for many
    # purchases, and the integral takes over; the probabilities still add up to 1.
    params = (0.2715, 8.178, 163.3, 37354.0)
    p = pareto_nbd_count_probabilities(params, np.arange(150), 39.0)
    assert np.isfinite(p).all() and (p >= 0).all()
    assert p.sum() == pytest.approx(1, abs=1e-6)


def test_pareto_count_probabilities_shape_and_bad_input(pareto):
    p = pareto.probability_of_purchases(np.arange(3)[:, None], [0.0, 10.0, 39.0])
    assert p.shape == (3, 3)
    assert p[:, 0].tolist() == [1.0, 0.0, 0.0]          # nothing can happen in no time
    assert np.isnan(pareto.probability_of_purchases(1, np.nan))
    with pytest.raises(ValueError, match="n .* must be a whole number"):
        pareto.probability_of_purchases(1.5, 10)
    with pytest.raises(ValueError, match="t .* must be 0 or more"):
        pareto.probability_of_purchases(1, -1)


@pytest.mark.parametrize("model_class", [cl.ParetoNBD, cl.ModifiedBetaGeo])
def test_histogram_and_chi_square_for_other_models(calibration, model_class):
    model = model_class().fit(calibration)
    check = cl.repeat_purchase_histogram(calibration, model)
    assert check.table["actual"].sum() == 2357
    assert check.table["expected"].sum() == pytest.approx(2357)
    assert (check.table["expected"] > 0).all()
    assert check.degrees_of_freedom == 3 and np.isfinite(check.chi_square) and 0 < check.p_value < 1
    # The expected count of customers with no repeat purchase adds their own P(X(T) = 0).
    p0 = model.probability_of_purchases(0, calibration["T"].to_numpy()).sum()
    assert check.table["expected"].iloc[0] == pytest.approx(p0)


# ---------------------------------------------------------------------------------------------
# Maps of expected purchases
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model_class", [cl.BetaGeo, cl.ParetoNBD, cl.ModifiedBetaGeo])
def test_expected_purchases_matrix(calibration, model_class):
    model = model_class().fit(calibration)
    m = cl.expected_purchases_matrix(model, t=26, T=39, max_frequency=10)
    assert m.shape == (11, 20) and m.index.name == "frequency" and m.columns.name == "recency"
    assert m.attrs == {"time_unit": "weeks", "t": 26.0}
    # A cell is the model's own conditional expectation for that history.
    assert m.loc[4, 30.0] == pytest.approx(float(model.conditional_expected_purchases(26, 4, 30.0, 39)))
    assert m.loc[0, 0.0] == pytest.approx(float(model.conditional_expected_purchases(26, 0, 0, 39)))
    # Impossible cells are blank; a recent buyer is expected to buy more than a lapsed one.
    assert np.isnan(m.loc[3, 0.0]) and m.loc[0].iloc[1:].isna().all()
    assert m.loc[8, 38.0] > m.loc[8, 10.0]
    with pytest.raises(ValueError, match="t must be a positive length"):
        cl.expected_purchases_matrix(model, t=0, T=39)
    with pytest.raises(ValueError, match="T must be a positive time"):
        cl.expected_purchases_matrix(model, t=10, T=0)


def test_plot_expected_purchases_matrix(mbgnbd):
    m = cl.expected_purchases_matrix(mbgnbd, t=52, T=39, max_frequency=12, recency_step=3)
    ax = plot_expected_purchases_matrix(m)
    assert len(ax.collections) == 1
    assert ax.collections[0].colorbar.ax.get_ylabel() == "expected purchases in the next 52 weeks"
    assert ax.get_ylabel() == "repeat purchases" and "weeks since the first" in ax.get_xlabel()
    # The colour scale starts at 0 and reaches the largest cell.
    low, high = ax.collections[0].get_clim()
    assert low == 0 and high == pytest.approx(np.nanmax(m.to_numpy()))
