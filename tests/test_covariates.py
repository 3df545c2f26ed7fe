"""BG/NBD and Pareto/NBD with time-invariant covariates: known effects recovered on simulated
customers, the plain models when there is no covariate, the gradient against finite
differences, the encoding of text columns, bad input, and saving."""

import json
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest

import custlab as cl
from custlab.models import ConvergenceWarning
from custlab.models import covariates as cov
from custlab.models.covariates import BetaGeoCovariates, ParetoNBDCovariates, simulate_covariate_customers

# True effects of the "partner" channel against "web": twice the purchase rate; for dropout,
# a and b (BG/NBD) divided by 1.5, or the dropout rate (Pareto/NBD) divided by 1.5.
PURCHASE, DROPOUT = math.log(2), -math.log(1.5)
WORLDS = {
    "bgnbd": (BetaGeoCovariates, 20_000, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}),
    "pareto": (ParetoNBDCovariates, 10_000, {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.7}),
}


@pytest.fixture(scope="module", params=list(WORLDS))
def world(request):
    cls, n, truth = WORLDS[request.param]
    customers = simulate_covariate_customers(n, model=request.param, params=truth, purchase_effect=PURCHASE,
                                             dropout_effect=DROPOUT, share=0.3, random_state=2024)
    return request.param, customers, cls().fit(customers, ["channel"]), truth


@pytest.fixture(scope="module")
def calibration(cdnow_sample):
    return cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", calibration_end="1997-09-30")


@pytest.fixture(scope="module")
def small():
    """2,000 BG/NBD customers with a channel effect and covariates of every kind."""
    customers = simulate_covariate_customers(2000, purchase_effect=0.7, dropout_effect=0.3, random_state=5)
    rng = np.random.default_rng(1)
    customers["age"] = rng.normal(40, 10, len(customers))
    customers["business"] = rng.random(len(customers)) < 0.2
    customers["region"] = rng.choice(["north", "south", "east"], len(customers), p=[0.5, 0.3, 0.2])
    return customers


def test_effects_are_recovered_on_a_simulated_world(world):
    name, customers, model, truth = world
    assert model.converged_, model.convergence_
    effects = model.effects_.set_index("process")
    assert list(model.effects_["covariate"]) == ["channel[partner]"] * 2
    assert model.reference_levels_ == {"channel": "web"}
    for process, true in (("purchase", PURCHASE), ("dropout", DROPOUT)):
        row = effects.loc[process]
        assert abs(row["estimate"] - true) < 3 * row["std_error"], (name, process, row.to_dict())
        assert row["lower_95"] < true < row["upper_95"]
        assert row["rate_ratio_lower_95"] < math.exp(true) < row["rate_ratio_upper_95"]
        assert row["rate_ratio"] == pytest.approx(math.exp(row["estimate"]))
    # The base parameters are those of the reference level, "web".
    for param, true in truth.items():
        assert abs(model.params_[param] - true) < 3 * model.standard_errors_[param], (name, param)
    # Two effects beside four base parameters in every count.
    assert model.covariance_.shape == (6, 6)
    assert model.aic_ == pytest.approx(2 * 6 - 2 * model.loglik_)
    assert model.bic_ == pytest.approx(6 * math.log(len(customers)) - 2 * model.loglik_)


def test_sign_conventions(world):
    """A positive purchase effect means more purchases; each customer's parameters follow the link."""
    name, customers, model, _ = world
    by_channel = customers.groupby("channel")["frequency"].mean()
    assert by_channel["partner"] > 1.5 * by_channel["web"]
    assert model.effects_.loc[model.effects_["process"] == "purchase", "estimate"].item() > 0
    two = pd.DataFrame({"channel": ["web", "partner"]})
    params = model.customer_params(two)
    g_buy, g_drop = model.effects_.set_index("process")["estimate"]
    assert params.loc[0].to_dict() == pytest.approx(model.params_.to_dict())
    assert params.loc[1, "alpha"] == pytest.approx(model.params_["alpha"] * math.exp(-g_buy))
    if name == "bgnbd":        # a and b scaled together: the mean dropout probability does not move
        assert params.loc[1, "a"] == pytest.approx(model.params_["a"] * math.exp(g_drop))
        assert params.loc[1, "a"] / params.loc[1, "b"] == pytest.approx(model.params_["a"] / model.params_["b"])
    else:
        assert params.loc[1, "beta"] == pytest.approx(model.params_["beta"] * math.exp(-g_drop))
    # Same history, different channel: partners are expected to buy more.
    same = pd.DataFrame({"channel": ["web", "partner"], "frequency": 3, "recency": 30.0, "T": 40.0})
    table = model.predict(same, 52)
    assert table["expected_purchases"].iloc[1] > table["expected_purchases"].iloc[0] > 0
    assert ((table["p_alive"] > 0) & (table["p_alive"] < 1)).all()
    np.testing.assert_array_equal(table["p_alive"], model.p_alive(same))
    np.testing.assert_array_equal(table["expected_purchases"], model.conditional_expected_purchases(52, same))


@pytest.mark.parametrize("cls, plain", [(BetaGeoCovariates, cl.BetaGeo), (ParetoNBDCovariates, cl.ParetoNBD)])
def test_without_covariates_the_plain_model_is_fitted(calibration, cls, plain):
    model, reference = cls().fit(calibration, []), plain().fit(calibration)
    np.testing.assert_allclose(model.params_, reference.params_, rtol=1e-6)
    assert model.loglik_ == pytest.approx(reference.loglik_, abs=1e-6)
    assert model.aic_ == pytest.approx(reference.aic_, abs=1e-6) and len(model.effects_) == 0
    np.testing.assert_allclose(model.standard_errors_, reference.standard_errors_, rtol=1e-3)
    history = [calibration[c] for c in ("frequency", "recency", "T")]
    np.testing.assert_allclose(model.p_alive(calibration), reference.p_alive(*history), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.conditional_expected_purchases(39, calibration),
                               reference.conditional_expected_purchases(39, *history), rtol=1e-6)
    # With every effect at zero, the likelihood is the plain one, customer by customer.
    x, t_x, T = (calibration[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    z = np.random.default_rng(0).normal(size=(len(x), 1))
    objective = cov._Objective(cls._rows, cls.links, x, t_x, T, np.ones(len(x)), {"purchase": z, "dropout": z}, 0.0)
    at_zero = np.concatenate([reference.params_.to_numpy(), [1.0, 1.0]])
    assert objective.loglik(at_zero) == pytest.approx(reference.loglik_, rel=1e-12)


@pytest.mark.parametrize("cls", [BetaGeoCovariates, ParetoNBDCovariates])
def test_gradient_matches_finite_differences(cls):
    model = "bgnbd" if cls is BetaGeoCovariates else "pareto"
    customers = simulate_covariate_customers(300, model=model, purchase_effect=0.5, dropout_effect=0.3,
                                             random_state=2)
    x, t_x, T = (customers[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    z = np.column_stack([customers["channel"] == "partner", np.random.default_rng(0).normal(size=len(x))])
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    weights = np.random.default_rng(1).integers(1, 4, len(x)).astype(float)
    objective = cov._Objective(cls._rows, cls.links, x, t_x, T, weights,
                               {"purchase": z, "dropout": z[:, :1]}, penalizer=0.01)
    base = [0.3, 5.0, 0.9, 2.0] if model == "bgnbd" else [0.6, 9.0, 0.7, 13.0]
    P = np.array(base + [1.3, 0.8, 0.7])            # away from the optimum, every effect non-zero
    value, gradient = objective.negll_and_gradient(P)
    assert value == objective.negll(P)
    u, h = np.log(P), 1e-5
    numeric = np.array([(objective.negll(np.exp(u + h * e)) - objective.negll(np.exp(u - h * e))) / (2 * h)
                        for e in np.eye(u.size)])
    np.testing.assert_allclose(gradient * P, numeric, rtol=1e-6, atol=1e-6)


def test_text_columns_become_levels_against_the_most_common(small):
    model = BetaGeoCovariates().fit(small, ["channel", "age", "business", "region"], dropout=["channel", "age"])
    assert model.converged_
    assert model.reference_levels_ == {"channel": "web", "region": "north"}
    table = model.effects_
    assert table[["process", "covariate", "reference"]].values.tolist() == [
        ["purchase", "channel[partner]", "web"], ["purchase", "age", ""], ["purchase", "business", ""],
        ["purchase", "region[south]", "north"], ["purchase", "region[east]", "north"],
        ["dropout", "channel[partner]", "web"], ["dropout", "age", ""]]
    assert model.purchase_covariates_ == ["channel", "age", "business", "region"]
    assert model.dropout_covariates_ == ["channel", "age"]
    assert list(model.covariance_.index[4:]) == [f"{p}:{c}" for p, c in table[["process", "covariate"]].values]
    assert model.aic_ == pytest.approx(2 * 11 - 2 * model.loglik_)
    # A categorical column, a Polars table and a shifted numeric column give the same effects.
    as_category = small.assign(region=small["region"].astype("category"))
    again = BetaGeoCovariates().fit(pl.from_pandas(as_category), ["channel", "age", "business", "region"],
                                    dropout=["channel", "age"])
    pd.testing.assert_frame_equal(again.effects_, table, rtol=1e-8)
    shifted = BetaGeoCovariates().fit(small.assign(age=small["age"] + 1000), ["channel", "age", "business", "region"],
                                      dropout=["channel", "age"])
    np.testing.assert_allclose(shifted.effects_["estimate"], table["estimate"], rtol=1e-8, atol=1e-10)
    assert shifted.loglik_ == pytest.approx(model.loglik_, abs=1e-6)
    age_effect = table.set_index(["process", "covariate"]).loc[("purchase", "age"), "estimate"]
    assert shifted.params_["alpha"] == pytest.approx(model.params_["alpha"] * math.exp(1000 * age_effect))
    # Equal counts: the first level in sorted order is the reference.
    tied = small.assign(tier=np.where(np.arange(len(small)) % 2 == 0, "gold", "basic"))
    assert BetaGeoCovariates().fit(tied, ["tier"], dropout=[]).reference_levels_ == {"tier": "basic"}


def test_bad_input_gets_clear_errors(small):
    fit = BetaGeoCovariates().fit
    with pytest.raises(ValueError, match=r"no covariate column \['segment'\]; columns found"):
        fit(small, ["channel", "segment"])
    with pytest.raises(ValueError, match=r"1 customer\(s\) where covariate 'age' is missing.*\n.*customer_id"):
        fit(small.assign(age=small["age"].where(small.index != 7)), ["age"])
    with pytest.raises(ValueError, match="2 customer\\(s\\) where covariate 'region' is missing"):
        fit(small.assign(region=small["region"].where(~small.index.isin([3, 9]))), ["region"])
    with pytest.raises(ValueError, match="covariate 'country' is 'NL' for every customer"):
        fit(small.assign(country="NL"), ["channel", "country"])
    with pytest.raises(ValueError, match="covariate 'one' is 1 for every customer"):
        fit(small.assign(one=1), ["one"])
    with pytest.raises(ValueError, match=r"covariate 'customer_id' has 2,000 levels \(most common: .*at most 20"):
        fit(small, ["customer_id"])
    with pytest.raises(ValueError, match="at most 2 are accepted"):
        BetaGeoCovariates(max_levels=2).fit(small, ["region"])
    with pytest.raises(ValueError, match="max_levels must be a whole number >= 2"):
        BetaGeoCovariates(max_levels=1).fit(small, ["region"])
    with pytest.raises(ValueError, match="covariate 'signed_up' holds Datetime.*years since"):
        fit(small.assign(signed_up=pd.Timestamp("2024-01-01")), ["signed_up"])
    with pytest.raises(ValueError, match=r"\['region'\] act on neither process"):
        fit(small, ["channel", "region"], purchase=["channel"], dropout=["channel"])
    with pytest.raises(ValueError, match=r"purchase=\['age'\] names columns that are not among the covariates"):
        fit(small, ["channel"], purchase=["age"])
    with pytest.raises(ValueError, match=r"purchase covariates \['channel\[partner\]', 'is_partner'\] are collinear"):
        fit(small.assign(is_partner=(small["channel"] == "partner") * 2.0), ["channel", "is_partner"])
    with pytest.raises(ValueError, match=r"\['T'\] is part of the purchase history"):
        fit(small, ["T"])
    with pytest.raises(TypeError, match="covariates must be a list of column names"):
        fit(small, None)
    with pytest.raises(ValueError, match="recency is greater than T"):
        fit(small.assign(recency=small["T"] + 1), ["channel"])
    model = fit(small, ["channel", "region"], dropout=[])
    with pytest.raises(ValueError, match=r"covariate 'region' has a level the model was not fitted on \(\['west'\]"):
        model.predict(small.assign(region="west").head(3), 52)
    with pytest.raises(ValueError, match=r"no covariate column \['region'\]; the model was fitted with"):
        model.p_alive(small.drop(columns="region"))
    with_age = fit(small, ["age"], dropout=[])
    with pytest.raises(ValueError, match="covariate 'age' must hold numbers or true/false, as in the fit"):
        with_age.predict(pl.from_pandas(small.assign(age="forty")), 52)
    with pytest.raises(RuntimeError, match="not fitted yet"):
        BetaGeoCovariates().p_alive(small)


def test_a_level_without_repeat_buyers_warns_instead_of_inventing_an_effect(small):
    dormant = small.copy()
    chosen = dormant.index[:40]
    dormant.loc[chosen, ["frequency", "recency"]] = 0
    dormant["segment"] = np.where(dormant.index.isin(chosen), "dormant", "active")
    # No dormant customer ever buys again: their purchase rate has no lower limit in the data.
    with pytest.warns(ConvergenceWarning, match=r"BetaGeoCovariates.fit: .*purchase:segment\[dormant\]"):
        model = BetaGeoCovariates().fit(dormant, ["segment"], dropout=[])
    assert not model.converged_
    assert model.effects_["estimate"].item() < -3
    assert BetaGeoCovariates(penalizer=0.01).fit(dormant, ["segment"], dropout=[]).converged_


@pytest.mark.parametrize("cls, model", [(BetaGeoCovariates, "bgnbd"), (ParetoNBDCovariates, "pareto")])
def test_saved_models_load_with_the_same_predictions(cls, model):
    customers = simulate_covariate_customers(1500, model=model, purchase_effect=0.7, dropout_effect=0.3,
                                             random_state=8)
    customers["tier"] = np.random.default_rng(3).choice(["basic", "gold", "silver"], len(customers))
    fitted = cls(max_levels=5).fit(customers, ["channel", "tier"], purchase=["channel", "tier"],
                                   dropout=["channel"])
    state = json.loads(json.dumps(fitted.to_dict()))
    assert len(state["covariance"]) == 4
    again = cls.from_dict(state)
    assert again.max_levels == 5 and again.reference_levels_ == fitted.reference_levels_
    pd.testing.assert_series_equal(again.params_, fitted.params_)
    pd.testing.assert_series_equal(again.standard_errors_, fitted.standard_errors_)
    pd.testing.assert_frame_equal(again.covariance_, fitted.covariance_)
    pd.testing.assert_frame_equal(again.effects_, fitted.effects_)
    assert (again.aic_, again.bic_, again.converged_) == (fitted.aic_, fitted.bic_, fitted.converged_)
    pd.testing.assert_frame_equal(again.predict(customers, 26), fitted.predict(customers, 26))
    pd.testing.assert_frame_equal(again.summary(), fitted.summary())
    other = BetaGeoCovariates if cls is ParetoNBDCovariates else ParetoNBDCovariates
    with pytest.raises(ValueError, match=f"This is a saved {cls.__name__}"):
        other.from_dict(state)


def test_public_methods_run_blas_on_one_thread():
    for cls in (BetaGeoCovariates, ParetoNBDCovariates):
        for name in dir(cls):
            if (not name.startswith("_") and name not in {"summary", "to_dict", "from_dict"}
                    and callable(getattr(cls, name))):
                assert hasattr(getattr(cls, name), "__wrapped__"), f"{cls.__name__}.{name}"


def test_simulation_refuses_bad_settings():
    with pytest.raises(ValueError, match="model must be 'bgnbd' or 'pareto'"):
        simulate_covariate_customers(10, model="sbg")
    with pytest.raises(ValueError, match="params must give positive"):
        simulate_covariate_customers(10, params={"r": 1.0})
    with pytest.raises(ValueError, match="share must be between 0 and 1"):
        simulate_covariate_customers(10, share=1.0)
    a = simulate_covariate_customers(50, model="pareto", random_state=4)
    pd.testing.assert_frame_equal(a, simulate_covariate_customers(50, model="pareto", random_state=4))
    assert (a["recency"] <= a["T"]).all() and ((a["frequency"] == 0) == (a["recency"] == 0)).all()
