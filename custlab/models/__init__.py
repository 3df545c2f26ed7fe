"""Fitted customer-base models, scikit-learn style: settings in ``__init__``, ``fit`` returns
``self``, results in attributes ending in ``_``.

- :class:`BetaGeo`: BG/NBD repeat purchases (non-contractual);
- :class:`ParetoNBD`: Pareto/NBD repeat purchases (non-contractual);
- :class:`BetaGeoCovariates`, :class:`ParetoNBDCovariates`: the same with customer covariates
  (channel, business or individual, ...) acting on purchases and dropout;
- :class:`ModifiedBetaGeo`: MBG/NBD repeat purchases (as BG/NBD, but one may leave at once);
- :class:`GammaGamma`: spend per transaction;
- :class:`ShiftedBetaGeo`: sBG contract renewals.

:func:`prediction_interval` and :func:`clv_interval` put intervals on their predictions, from the
uncertainty of the estimates; :func:`compare_models` sets fitted models side by side (AIC, BIC and
the holdout).
"""

from custlab.models._base import ConvergenceWarning
from custlab.models.bgbb import BetaGeoBetaBinom
from custlab.models.bgnbd import BetaGeo
from custlab.models.covariates import BetaGeoCovariates, ParetoNBDCovariates
from custlab.models.gamma_gamma import GammaGamma
from custlab.models.intervals import clv_interval, prediction_interval
from custlab.models.mbgnbd import ModifiedBetaGeo
from custlab.models.pareto_nbd import ParetoNBD
from custlab.models.sbg import ShiftedBetaGeo
from custlab.models.selection import compare_models

__all__ = ["BetaGeo", "BetaGeoBetaBinom", "BetaGeoCovariates", "ConvergenceWarning", "GammaGamma",
           "ModifiedBetaGeo", "ParetoNBD", "ParetoNBDCovariates", "ShiftedBetaGeo", "clv_interval",
           "compare_models", "prediction_interval"]
