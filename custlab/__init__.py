"""custlab: who is a customer, and what are they worth?

Three layers: tables from tables (``validate_transactions``, ``rfm_summary``,
``customer_roles``, ...), fitted things, and pictures (``plot_*``). See the
README for the notebooks that use them.

Examples
--------
>>> import custlab as cl
>>> tx = cl.load_cdnow(sample=True)
>>> summary = cl.rfm_summary(tx, observation_end="1998-06-30", calibration_end="1997-09-30")
>>> int(summary["frequency"].sum())
2457
"""

from custlab.datasets import load_cdnow, load_retention_cohorts, load_transactions
from custlab.definitions import (
    ROLE_DEFINITIONS,
    ROLES,
    customer_roles,
    role_counts,
    role_overlap,
    role_sensitivity,
)
from custlab.models import BetaGeo, GammaGamma, ParetoNBD, ShiftedBetaGeo
from custlab.plotting import plot_role_counts, plot_role_overlap
from custlab.schema import (
    SchemaError,
    TransactionValidationError,
    ValidationReport,
    validate_transactions,
)
from custlab.simulate import CRMWorld, WorldParams, crm_world
from custlab.summaries import rfm_summary
from custlab.units import elapsed, normalize_unit, unit_label

__version__ = "0.1.0"

__all__ = [
    "BetaGeo", "CRMWorld", "GammaGamma", "ParetoNBD", "ROLES", "ShiftedBetaGeo", "ROLE_DEFINITIONS", "SchemaError", "TransactionValidationError",
    "ValidationReport", "WorldParams", "crm_world", "customer_roles", "elapsed", "load_cdnow",
    "load_retention_cohorts", "load_transactions", "normalize_unit", "plot_role_counts", "plot_role_overlap",
    "rfm_summary", "role_counts", "role_overlap", "role_sensitivity", "unit_label",
    "validate_transactions",
]
