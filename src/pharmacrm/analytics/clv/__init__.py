"""Customer lifetime value: BG/NBD, Pareto/NBD and Gamma-Gamma (DESIGN.md, Analytics: CLV).

Fitting leaves the engine: one named function per model takes the materialised BTYD summary of
a sample (NumPy arrays) and returns a frozen dataclass of maximum-likelihood parameters with a
convergence flag. Scoring every customer streams Arrow record batches of the summary through
vectorised SciPy (:func:`score_batches`). :func:`holdout_report` validates the models on a
calibration/holdout split. Nothing here does I/O or reads the clock.
"""

from pharmacrm.analytics.clv._mle import ConvergenceError, FitDiagnostics
from pharmacrm.analytics.clv.bgnbd import (
    BgNbdParams,
    bgnbd_expected_purchases,
    bgnbd_expected_purchases_new_customer,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
    bgnbd_p_no_purchase,
    fit_bgnbd,
)
from pharmacrm.analytics.clv.gamma_gamma import (
    GammaGammaParams,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
    gamma_gamma_log_likelihood,
)
from pharmacrm.analytics.clv.holdout import (
    HoldoutReport,
    ModelHoldoutFit,
    calibration_holdout_summary,
    cohort_repeat_purchases_by_day,
    holdout_report,
)
from pharmacrm.analytics.clv.pareto_nbd import (
    ParetoNbdParams,
    fit_pareto_nbd,
    pareto_nbd_expected_purchases,
    pareto_nbd_expected_purchases_new_customer,
    pareto_nbd_log_likelihood,
    pareto_nbd_p_alive,
    pareto_nbd_p_no_purchase,
)
from pharmacrm.analytics.clv.scoring import SCORE_SCHEMA, ScoringConfig, score_batches

__all__ = [
    "SCORE_SCHEMA",
    "BgNbdParams",
    "ConvergenceError",
    "FitDiagnostics",
    "GammaGammaParams",
    "HoldoutReport",
    "ModelHoldoutFit",
    "ParetoNbdParams",
    "ScoringConfig",
    "bgnbd_expected_purchases",
    "bgnbd_expected_purchases_new_customer",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "bgnbd_p_no_purchase",
    "calibration_holdout_summary",
    "cohort_repeat_purchases_by_day",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "gamma_gamma_expected_spend",
    "gamma_gamma_log_likelihood",
    "holdout_report",
    "pareto_nbd_expected_purchases",
    "pareto_nbd_expected_purchases_new_customer",
    "pareto_nbd_log_likelihood",
    "pareto_nbd_p_alive",
    "pareto_nbd_p_no_purchase",
    "score_batches",
]
