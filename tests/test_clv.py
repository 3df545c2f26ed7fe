import numpy as np
import pytest

import custlab as cl
from custlab.clv import new_customer_value, residual_value


@pytest.fixture(scope="module")
def models(cdnow_sample):
    s = cl.rfm_summary(cdnow_sample, observation_end="1998-06-30", time_unit="W")
    repeat = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    return s, cl.BetaGeo().fit(s), cl.GammaGamma().fit(repeat)


def test_undiscounted_value_is_purchases_times_spend_times_margin(models):
    s, bg, gg = models
    v = residual_value(bg, gg, s, horizon=52, discount_rate=0.0, margin=0.3)
    expected = bg.conditional_expected_purchases(52, s["frequency"], s["recency"], s["T"])
    np.testing.assert_allclose(v["expected_purchases"], expected)
    np.testing.assert_allclose(v["residual_value"], 0.3 * expected * v["expected_spend"])
    assert v["customer_id"].tolist() == s["customer_id"].tolist()


def test_discounting_lowers_value_and_longer_horizons_raise_it(models):
    s, bg, gg = models
    base = residual_value(bg, gg, s, horizon=52, discount_rate=0.0)["residual_value"]
    discounted = residual_value(bg, gg, s, horizon=52, discount_rate=0.01)["residual_value"]
    longer = residual_value(bg, gg, s, horizon=104, discount_rate=0.01)["residual_value"]
    assert (discounted <= base + 1e-12).all() and (discounted < base).any()
    assert (longer >= discounted - 1e-12).all()
    # Uneven last step: a 50.5-week horizon ends exactly at 50.5.
    odd = residual_value(bg, gg, s, horizon=50.5, discount_rate=0.0)["expected_purchases"]
    np.testing.assert_allclose(odd, bg.conditional_expected_purchases(50.5, s["frequency"], s["recency"], s["T"]))


def test_new_customer_value(models):
    _, bg, gg = models
    value = new_customer_value(bg, gg, horizon=52, discount_rate=0.0)
    assert value == pytest.approx(float(bg.expected_purchases(52)) * float(gg.expected_average_spend(0, 0)))
    with pytest.raises(ValueError, match="per step as a fraction"):
        new_customer_value(bg, gg, horizon=52, discount_rate=10)
    with pytest.raises(ValueError, match="must be positive"):
        new_customer_value(bg, gg, horizon=0, discount_rate=0.1)
