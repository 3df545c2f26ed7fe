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
    assert bgnbd.converged_ and not bgnbd.at_boundary_ and bgnbd.convergence_.startswith("converged")


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
    with pytest.raises(ValueError, match="no repeat purchase or the mean spend is not positive"):
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
    with pytest.warns(cl.models.ConvergenceWarning, match="edge of the parameter space"):
        model = cl.BetaGeo().fit(one)
    assert not model.converged_ and model.at_boundary_ and "edge" in model.convergence_


def test_penalizer_shrinks_towards_zero(calibration):
    plain = cl.BetaGeo().fit(calibration).params_
    shrunk = cl.BetaGeo(penalizer=0.1).fit(calibration).params_
    assert (shrunk < plain).all()
    with pytest.raises(ValueError, match="penalizer"):
        cl.BetaGeo(penalizer=-1).fit(calibration)


# --- Convergence judged by the optimum, the same on every CPU ------------------------------------

def _fits(calibration):
    """The published fits, and Gamma-Gamma on the simulated company (where L-BFGS-B's line search
    ends ABNORMAL at the optimum on AVX-512 machines)."""
    world = cl.rfm_summary(cl.crm_world(5000, random_state=42).orders, observation_end="2024-12-31")
    regular = [1000, 631, 468, 382, 326, 289, 262, 241]
    return {
        "bgnbd": cl.BetaGeo().fit(calibration),
        "pareto": cl.ParetoNBD().fit(calibration),
        "gamma_gamma": cl.GammaGamma().fit(calibration[calibration["frequency"] > 0]),
        "gamma_gamma_world": cl.GammaGamma().fit(world[(world.frequency > 0) & (world.monetary_value > 0)]),
        "sbg": cl.ShiftedBetaGeo().fit(regular),
    }


def test_real_fits_converge_without_warnings(calibration):
    # filterwarnings = error: any warning, ConvergenceWarning or numpy's, fails this test.
    for name, model in _fits(calibration).items():
        assert model.converged_ and not model.at_boundary_, (name, model.convergence_)
        assert model.standard_errors_.notna().all(), name


def _failing_line_search(monkeypatch):
    """Make every L-BFGS-B run report failure, as its line search does at the optimum on some CPUs."""
    import custlab.models._optimise as optimise

    real = optimise.minimize

    def abnormal(*args, **kwargs):
        res = real(*args, **kwargs)
        res.success, res.message = False, "ABNORMAL: "
        return res

    monkeypatch.setattr(optimise, "minimize", abnormal)


def test_optimiser_message_does_not_decide_convergence(calibration, monkeypatch):
    honest = _fits(calibration)
    _failing_line_search(monkeypatch)
    for name, model in _fits(calibration).items():
        assert model.converged_, (name, model.convergence_)
        np.testing.assert_allclose(model.params_, honest[name].params_, rtol=1e-8, err_msg=name)


def test_search_that_stops_at_the_optimum_is_settled_and_judged():
    from custlab.models._optimise import CONVERGED, fit_positive_params

    # Started exactly at the optimum, L-BFGS-B has nowhere to go; the verdict comes from the point itself.
    target = np.array([0.5, 20.0, 3.0])

    def negll(p):
        return float(np.sum((np.log(p) - np.log(target)) ** 2 * [1.0, 4.0, 9.0])) + 100.0

    best = fit_positive_params(negll, [target], names=["a", "b", "c"])
    assert best.converged and best.reason == CONVERGED
    np.testing.assert_allclose(best.params, target, rtol=1e-12)
    assert best.scaled_gradient < 1e-10


def test_judging_logic_on_known_shapes():
    from custlab.models._optimise import _judge, fit_positive_params

    # A ridge: only the product of the two parameters matters.
    ridge = fit_positive_params(lambda p: (np.log(p[0] * p[1]) - 1.0) ** 2, [(1.0, 1.0)], names=["x", "y"])
    assert not ridge.converged and not ridge.at_boundary and "ridge in x and y" in ridge.reason
    # A runaway: the likelihood keeps improving as x grows.
    runaway = fit_positive_params(lambda p: 1.0 / p[0] + (np.log(p[1]) - 1.0) ** 2, [(1.0, 1.0)], names=["x", "y"])
    assert not runaway.converged and runaway.at_boundary and "x = " in runaway.reason and "y" not in runaway.reason
    # The scale sets what counts as the edge: 1e6 is ordinary for a parameter whose typical size is 1e5.
    wide = fit_positive_params(lambda p: np.log(p[0] / 1e6) ** 2, [(1e5,)], scale=[1e5])
    assert wide.converged and wide.params[0] == pytest.approx(1e6)
    # A point where the gradient has not vanished is not an optimum, whatever the curvature.
    stopped = _judge(np.zeros(2), 10.0, np.array([1e-3, 0.0]), np.eye(2), np.zeros(2), ["x", "y"])
    assert not stopped.converged and "stopped before reaching an optimum" in stopped.reason
    # The first start that reaches a converged optimum is kept, even if a later one would be lower.
    two_valleys = lambda p: float((np.log(p[0]) ** 2 - 1) ** 2 + 0.1 * np.log(p[0]))  # noqa: E731
    first = fit_positive_params(two_valleys, [(np.e**2,), (np.e**-2,)])
    assert first.converged and first.params[0] > 1


def test_edge_and_ridge_are_reported_cleanly():
    # Two counts, two parameters: only alpha / (alpha + beta) is identified (a ridge).
    with pytest.warns(cl.models.ConvergenceWarning, match="ridge in alpha and beta.*cannot pin"):
        ridge = cl.ShiftedBetaGeo().fit([1000, 631])
    assert not ridge.converged_ and not ridge.at_boundary_
    # Churn that rises from period 1 to 2 fits no mixture of constant churners: the estimates run off
    # towards a single churn rate, alpha and beta to infinity. No numpy RuntimeWarning may leak.
    with pytest.warns(cl.models.ConvergenceWarning, match="edge of the parameter space") as caught:
        edge = cl.ShiftedBetaGeo().fit([1000, 869, 743])   # High End cohort, years 0-2
    assert len(caught) == 1 and not edge.converged_ and edge.at_boundary_
    # Three counts, two parameters and a falling churn rate: exactly identified, and converged.
    regular = cl.ShiftedBetaGeo().fit([1000, 631, 468])
    assert regular.converged_ and regular.params_.round(3).tolist() == [0.861, 1.473]
    # One customer: BG/NBD runs to the edge, and says so in its attributes and its warning.
    one = pd.DataFrame({"frequency": [3], "recency": [20.0], "T": [30.0]})
    with pytest.warns(cl.models.ConvergenceWarning, match="BetaGeo.fit: the estimates ran to the edge"):
        single = cl.BetaGeo().fit(one)
    assert not single.converged_ and single.at_boundary_


@pytest.mark.parametrize("fit", [
    lambda: cl.ShiftedBetaGeo().fit([1000, 500, 250, 125]),
    lambda: cl.ShiftedBetaGeo().fit([1000, 0]),
    lambda: cl.ShiftedBetaGeo().fit([1000, 1000, 1000]),
    lambda: cl.ShiftedBetaGeo().fit_individual([1, 1, 1], [True, True, True]),
    lambda: cl.GammaGamma().fit(pd.DataFrame({"frequency": [2, 3, 1], "monetary_value": [10.0, 10.0, 10.0]})),
    lambda: cl.ParetoNBD().fit(pd.DataFrame({"frequency": [3], "recency": [20.0], "T": [30.0]})),
    lambda: cl.ShiftedBetaGeo().fit([1000, 631, 468]),
    lambda: cl.GammaGamma().fit(pd.DataFrame({"frequency": [1, 2, 5, 1, 3], "monetary_value": [5.0, 20, 12, 40, 8]})),
])
def test_a_warning_exactly_when_not_converged(fit):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit()
    kinds = [w.category for w in caught]
    assert kinds == ([] if model.converged_ else [cl.models.ConvergenceWarning]), [str(w.message) for w in caught]
    assert model.convergence_.startswith("converged") == model.converged_
    if not model.converged_:
        assert model.convergence_ in str(caught[0].message)


_SAME_ON_EVERY_CPU = """
import json, warnings
import custlab as cl
warnings.simplefilter("ignore")
s = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30", calibration_end="1997-09-30")
w = cl.rfm_summary(cl.crm_world(5000, random_state=42).orders, observation_end="2024-12-31", time_unit="D")
fits = {"bgnbd": cl.BetaGeo().fit(s), "pareto": cl.ParetoNBD().fit(s),
        "gg": cl.GammaGamma().fit(s[s.frequency > 0]), "bgnbd_world": cl.BetaGeo().fit(w, time_unit="D"),
        "pareto_world": cl.ParetoNBD().fit(w, time_unit="D"),
        "gg_world": cl.GammaGamma().fit(w[(w.frequency > 0) & (w.monetary_value > 0)]),
        "sbg": cl.ShiftedBetaGeo().fit([1000, 869, 743, 653, 593, 551, 517, 491])}
print(json.dumps({k: [[float(v) for v in m.params_], m.converged_] for k, m in fits.items()}))
"""


def test_estimates_are_the_same_with_narrower_simd():
    # The same fits with numpy's widest SIMD paths switched off (as the second nbval run does), and
    # with AVX2 off too: estimates equal to 8 significant digits (two more than are ever shown), and
    # all converged. Not "equal after rounding": an estimate that lies on a rounding boundary
    # (Pareto/NBD's beta on the simulated world is 217.5318155...) flips with the last bits.
    import contextlib
    import io
    import json
    import os
    import subprocess
    import sys
    import warnings

    from numpy._core._multiarray_umath import __cpu_dispatch__

    variants = ["X86_V4 AVX512_ICL", "X86_V3 X86_V4 AVX512_ICL"]
    if not set(variants[-1].split()) <= set(__cpu_dispatch__):
        pytest.skip("numpy here has no x86 SIMD dispatch to switch off")
    runs = [subprocess.Popen([sys.executable, "-c", _SAME_ON_EVERY_CPU], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "NPY_DISABLE_CPU_FEATURES": v}) for v in variants]
    here = io.StringIO()
    with contextlib.redirect_stdout(here), warnings.catch_warnings():
        exec(_SAME_ON_EVERY_CPU, {})
    default = json.loads(here.getvalue())
    assert all(converged for _, converged in default.values())
    for variant, run in zip(variants, runs, strict=True):
        other = json.loads(run.communicate(timeout=300)[0])
        assert other.keys() == default.keys(), variant
        for name, (estimates, converged) in default.items():
            assert other[name][1] == converged, (variant, name)
            np.testing.assert_allclose(other[name][0], estimates, rtol=1e-8, err_msg=f"{variant}: {name}")


# --- Intervals, lifetime value, BLAS threads ---------------------------------------------------

def test_intervals_are_on_the_log_scale_and_stay_positive(calibration):
    model = cl.ParetoNBD().fit(calibration)
    table = model.summary()
    # beta's standard error is about half its estimate: a symmetric interval would reach below zero.
    assert table.loc["beta", "estimate"] - 1.96 * table.loc["beta", "std_error"] < 0
    assert (table["lower_95"] > 0).all()
    half = 1.96 * table["std_error"] / table["estimate"]
    np.testing.assert_allclose(np.log(table["upper_95"] / table["estimate"]), half)
    np.testing.assert_allclose(np.log(table["estimate"] / table["lower_95"]), half)


def test_standard_errors_match_the_curvature_on_the_natural_scale(bgnbd, calibration):
    from custlab.models.bgnbd import bgnbd_loglik

    x, t_x, T = (calibration[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    p = bgnbd.params_.to_numpy()

    def negll(q):
        return -float(np.sum(bgnbd_loglik(q, x, t_x, T)))

    h = 1e-4 * p
    hess = np.empty((4, 4))
    for i in range(4):
        for j in range(4):
            ei, ej = np.eye(4)[i] * h[i], np.eye(4)[j] * h[j]
            hess[i, j] = (negll(p + ei + ej) - negll(p + ei - ej) - negll(p - ei + ej)
                          + negll(p - ei - ej)) / (4 * h[i] * h[j])
    np.testing.assert_allclose(bgnbd.standard_errors_, np.sqrt(np.diag(np.linalg.inv(hess))), rtol=1e-4)


def test_discounted_expected_lifetime_of_a_new_subscriber():
    model = cl.ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    for d in (0.01, 0.1, 0.5):
        t = np.arange(20_000)
        direct = float(np.sum(model.survival(t) * np.exp(-t * np.log1p(d))))
        assert model.discounted_expected_lifetime(d) == pytest.approx(direct, rel=1e-9, abs=1e-9)
        # The first payment now, plus DERL of a customer who made it, valued one period earlier.
        derl = model.expected_residual_lifetime(d, renewals=0)
        assert model.discounted_expected_lifetime(d) == pytest.approx(1 + derl / (1 + d), rel=1e-12)
    rates = np.array([0.01, 0.1])
    np.testing.assert_allclose(model.discounted_expected_lifetime(rates),
                               [model.discounted_expected_lifetime(r) for r in rates])
    with pytest.raises(ValueError, match="discount_rate"):
        model.discounted_expected_lifetime(0)


def test_blas_runs_on_one_thread_inside_fits_and_predictions(calibration, monkeypatch):
    from custlab.models import _base, bgnbd

    controller = _base._blas_controller()

    def blas_threads():  # OpenMP (loaded by scikit-learn) is not BLAS and keeps its own threads
        return [lib["num_threads"] for lib in controller.info() if lib["user_api"] == "blas"]

    outside = blas_threads()
    seen = []
    real = bgnbd.bgnbd_derivatives

    def spy(*args):
        seen.append(max(blas_threads()))
        return real(*args)

    monkeypatch.setattr(bgnbd, "bgnbd_derivatives", spy)
    model = cl.BetaGeo().fit(calibration)
    assert seen and set(seen) == {1}
    assert blas_threads() == outside
    probe = _base.one_blas_thread(lambda: max(blas_threads()))
    assert probe() == 1
    # Fits in several threads at once give the same estimates, and leave the thread counts as they were.
    from concurrent.futures import ThreadPoolExecutor

    repeat = calibration[calibration["frequency"] > 0]
    with ThreadPoolExecutor(4) as pool:
        estimates = list(pool.map(lambda _: cl.GammaGamma().fit(repeat).params_.tolist(), range(8)))
    assert all(e == estimates[0] for e in estimates)
    assert blas_threads() == outside
    assert probe() == 1
    # Every public method that computes goes through the limit (saving and loading only copy numbers).
    for cls in (cl.BetaGeo, cl.ParetoNBD, cl.GammaGamma, cl.ShiftedBetaGeo):
        for name in dir(cls):
            if (not name.startswith("_") and name not in {"summary", "to_dict", "from_dict"}
                    and callable(getattr(cls, name))):
                assert hasattr(getattr(cls, name), "__wrapped__"), f"{cls.__name__}.{name}"
    assert model.converged_
