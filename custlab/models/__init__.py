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

# Each name is imported from its module the first time it is used (``__getattr__`` below),
# so importing one submodule does not load the others and what they import.

from __future__ import annotations

from typing import TYPE_CHECKING

from custlab._lazy import attach

if TYPE_CHECKING:
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

_ORIGINS = {
    "custlab.models._base": ("ConvergenceWarning",),
    "custlab.models.bgbb": ("BetaGeoBetaBinom",),
    "custlab.models.bgnbd": ("BetaGeo",),
    "custlab.models.covariates": ("BetaGeoCovariates", "ParetoNBDCovariates"),
    "custlab.models.gamma_gamma": ("GammaGamma",),
    "custlab.models.intervals": ("clv_interval", "prediction_interval"),
    "custlab.models.mbgnbd": ("ModifiedBetaGeo",),
    "custlab.models.pareto_nbd": ("ParetoNBD",),
    "custlab.models.sbg": ("ShiftedBetaGeo",),
    "custlab.models.selection": ("compare_models",),
}
_SUBMODULES = frozenset({
    "_base", "_data", "_optimise", "_pareto_counts", "_pareto_derivatives", "bgbb", "bgnbd", "covariates",
    "gamma_gamma", "intervals", "mbgnbd", "pareto_nbd", "sbg", "selection",
})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES)
