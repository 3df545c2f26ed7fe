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

# ``import custlab`` loads none of pandas, numpy, scipy, scikit-learn, lifelines, matplotlib,
# narwhals or Polars: each name below is imported from its module the first time it is used
# (``cl.rfm_summary`` loads the summaries, ``cl.plot_tracking`` loads matplotlib), then kept
# in this module's namespace. ``tests/test_imports.py`` checks both.

from __future__ import annotations

from typing import TYPE_CHECKING

from custlab._lazy import attach

if TYPE_CHECKING:
    from custlab import (
        clustering,
        clv,
        evaluation,
        experiments,
        feedback,
        lifecycle,
        params,
        retention,
        segmentation,
        typology,
    )
    from custlab.datasets import (
        load_cdnow,
        load_donations,
        load_retention_cohorts,
        load_transactions,
    )
    from custlab.definitions import (
        ROLE_DEFINITIONS,
        ROLES,
        customer_roles,
        role_counts,
        role_overlap,
        role_sensitivity,
    )
    from custlab.evaluation import (
        conditional_expectations,
        expected_purchases_matrix,
        repeat_purchase_histogram,
        tracking_table,
    )
    from custlab.models import BetaGeo, GammaGamma, ParetoNBD, ShiftedBetaGeo
    from custlab.models.bgbb import BetaGeoBetaBinom
    from custlab.models.covariates import BetaGeoCovariates, ParetoNBDCovariates
    from custlab.models.intervals import clv_interval, prediction_interval
    from custlab.models.mbgnbd import ModifiedBetaGeo
    from custlab.models.selection import compare_models
    from custlab.plotting import (
        plot_conditional_expectations,
        plot_expected_purchases_matrix,
        plot_p_alive_matrix,
        plot_repeat_histogram,
        plot_role_counts,
        plot_role_overlap,
        plot_tracking,
    )
    from custlab.plotting.typology import plot_type_overlap, plot_type_sensitivity, plot_type_shares
    from custlab.readers import AmbiguousDateError, EncodingError
    from custlab.schema import (
        SchemaError,
        TransactionValidationError,
        ValidationReport,
        validate_transactions,
    )
    from custlab.simulate import CRMWorld, WorldParams, crm_world
    from custlab.summaries import rfm_summary
    from custlab.typology import (
        classify_customer_types,
        rule_quality,
        type_share_sensitivity,
        type_shares,
    )
    from custlab.units import elapsed, normalize_unit, unit_label

__version__ = "0.1.0"

__all__ = [
    "AmbiguousDateError",
    "EncodingError",
    "BetaGeo",
    "BetaGeoBetaBinom",
    "BetaGeoCovariates",
    "classify_customer_types",
    "conditional_expectations",
    "crm_world",
    "clustering",
    "clv",
    "clv_interval",
    "compare_models",
    "CRMWorld",
    "customer_roles",
    "elapsed",
    "evaluation",
    "expected_purchases_matrix",
    "experiments",
    "feedback",
    "GammaGamma",
    "lifecycle",
    "load_cdnow",
    "load_donations",
    "load_retention_cohorts",
    "load_transactions",
    "ModifiedBetaGeo",
    "normalize_unit",
    "params",
    "ParetoNBD",
    "ParetoNBDCovariates",
    "plot_conditional_expectations",
    "plot_expected_purchases_matrix",
    "plot_p_alive_matrix",
    "plot_repeat_histogram",
    "plot_role_counts",
    "plot_role_overlap",
    "plot_tracking",
    "plot_type_overlap",
    "plot_type_sensitivity",
    "plot_type_shares",
    "prediction_interval",
    "repeat_purchase_histogram",
    "retention",
    "rfm_summary",
    "role_counts",
    "ROLE_DEFINITIONS",
    "role_overlap",
    "role_sensitivity",
    "rule_quality",
    "segmentation",
    "ROLES",
    "SchemaError",
    "ShiftedBetaGeo",
    "tracking_table",
    "TransactionValidationError",
    "type_share_sensitivity",
    "type_shares",
    "typology",
    "unit_label",
    "validate_transactions",
    "ValidationReport",
    "WorldParams",
]

# Where each public name lives: the module it is imported from on first use.
_ORIGINS = {
    "custlab.datasets": ("load_cdnow", "load_donations", "load_retention_cohorts", "load_transactions"),
    "custlab.definitions": ("ROLE_DEFINITIONS", "ROLES", "customer_roles", "role_counts", "role_overlap",
                            "role_sensitivity"),
    "custlab.evaluation": ("conditional_expectations", "expected_purchases_matrix", "repeat_purchase_histogram",
                           "tracking_table"),
    "custlab.models": ("BetaGeo", "GammaGamma", "ParetoNBD", "ShiftedBetaGeo"),
    "custlab.models.bgbb": ("BetaGeoBetaBinom",),
    "custlab.models.covariates": ("BetaGeoCovariates", "ParetoNBDCovariates"),
    "custlab.models.intervals": ("clv_interval", "prediction_interval"),
    "custlab.models.mbgnbd": ("ModifiedBetaGeo",),
    "custlab.models.selection": ("compare_models",),
    "custlab.plotting": ("plot_conditional_expectations", "plot_expected_purchases_matrix", "plot_p_alive_matrix",
                         "plot_repeat_histogram", "plot_role_counts", "plot_role_overlap", "plot_tracking"),
    "custlab.plotting.typology": ("plot_type_overlap", "plot_type_sensitivity", "plot_type_shares"),
    "custlab.readers": ("AmbiguousDateError", "EncodingError"),
    "custlab.schema": ("SchemaError", "TransactionValidationError", "ValidationReport", "validate_transactions"),
    "custlab.simulate": ("CRMWorld", "WorldParams", "crm_world"),
    "custlab.summaries": ("rfm_summary",),
    "custlab.typology": ("classify_customer_types", "rule_quality", "type_share_sensitivity", "type_shares"),
    "custlab.units": ("elapsed", "normalize_unit", "unit_label"),
}
# Submodules, loaded on first use as attributes too (``cl.lifecycle.lifecycle_states``).
_SUBMODULES = frozenset({
    "_frames", "clustering", "clv", "datasets", "definitions", "evaluation", "experiments", "feedback",
    "lifecycle", "models", "params", "plotting", "readers", "retention", "runner", "schema", "segmentation",
    "simulate", "summaries", "typology", "units",
})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES)
