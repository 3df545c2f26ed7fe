"""Fitted customer-base models, scikit-learn style: settings in ``__init__``, ``fit`` returns
``self``, results in attributes ending in ``_``.

- :class:`BetaGeo`: BG/NBD repeat purchases (non-contractual);
- :class:`ParetoNBD`: Pareto/NBD repeat purchases (non-contractual);
- :class:`GammaGamma`: spend per transaction;
- :class:`ShiftedBetaGeo`: sBG contract renewals.
"""

from custlab.models._base import ConvergenceWarning
from custlab.models.bgnbd import BetaGeo
from custlab.models.gamma_gamma import GammaGamma
from custlab.models.pareto_nbd import ParetoNBD
from custlab.models.sbg import ShiftedBetaGeo

__all__ = ["BetaGeo", "ConvergenceWarning", "GammaGamma", "ParetoNBD", "ShiftedBetaGeo"]
