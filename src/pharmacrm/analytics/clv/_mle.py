"""Maximum-likelihood machinery shared by the CLV models.

Every model maximises a sum of per-customer log-likelihoods over positive parameters. We
optimise in log-parameter space (so positivity needs no bounds) with L-BFGS-B from fixed
starting values, which makes every fit deterministic, and report the outcome honestly: a fit
whose optimiser stopped early, whose log-likelihood is not finite, or whose parameters run off
towards 0 or infinity (the data cannot identify them) is flagged as not converged instead of
being returned as if it were an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

FloatArray = npt.NDArray[np.float64]

# |log(parameter)| beyond this means the optimiser is chasing a boundary (a parameter tends to
# 0 or infinity): exp(25) ≈ 7e10, far outside any plausible CLV parameter in days or weeks.
_LOG_PARAMETER_LIMIT = 25.0
# A standard error above 100 times its parameter means the likelihood is flat in that
# direction: the optimiser stopped on a plateau (e.g. no customer seems to drop out, so the
# dropout parameters drift off) and the value is arbitrary, not an estimate.
_RELATIVE_ERROR_LIMIT = 100.0


class ConvergenceError(RuntimeError):
    """A model whose fit did not converge was asked to score customers."""


@dataclass(frozen=True)
class FitDiagnostics:
    """How a maximum-likelihood fit went.

    Attributes
    ----------
    converged
        True when the optimiser reported success, the log-likelihood is finite and no
        parameter ran off to a boundary.
    message
        The optimiser's message, or why the fit is not trusted.
    log_likelihood
        Total log-likelihood at the returned parameters (sum over customers).
    n_customers
        Number of customers the fit used.
    iterations
        Optimiser iterations.
    standard_errors
        Asymptotic standard errors of the parameters, in the order of the model's parameters,
        from the inverse observed information matrix (numerical Hessian of the total
        log-likelihood at the optimum). NaN where the matrix is not invertible.
    """

    converged: bool
    message: str
    log_likelihood: float
    n_customers: int
    iterations: int
    standard_errors: tuple[float, ...]


def maximise_log_likelihood(
    log_likelihood: Callable[[FloatArray], FloatArray],
    start: Sequence[float],
    *,
    names: Sequence[str],
    n_customers: int,
    max_iterations: int = 2000,
) -> tuple[FloatArray, FitDiagnostics]:
    """Maximise a per-customer log-likelihood over positive parameters.

    Parameters
    ----------
    log_likelihood
        Maps a parameter vector (natural scale, all > 0) to the per-customer (weighted)
        log-likelihood contributions.
    start
        Starting values on the natural scale.
    names
        Parameter names, used in messages.
    n_customers
        Number of customers (for the mean, which keeps the objective well scaled).
    max_iterations
        Optimiser iteration cap; reaching it is reported as non-convergence.

    Returns
    -------
    tuple
        Parameters on the natural scale and the fit diagnostics.
    """

    def objective(log_params: FloatArray) -> float:
        with np.errstate(all="ignore"):
            value = -float(np.sum(log_likelihood(np.exp(log_params)))) / n_customers
        return value if np.isfinite(value) else 1e100

    result = minimize(
        objective,
        np.log(np.asarray(start, dtype=np.float64)),
        method="L-BFGS-B",
        options={"maxiter": max_iterations, "ftol": 1e-14, "gtol": 1e-9, "maxcor": 20},
    )
    log_params = np.asarray(result.x, dtype=np.float64)
    params = np.exp(log_params)
    total = -float(result.fun) * n_customers
    converged = bool(result.success) and np.isfinite(total) and total > -1e99
    message = str(result.message)
    runaway = [
        name
        for name, value in zip(names, log_params, strict=True)
        if abs(value) > _LOG_PARAMETER_LIMIT
    ]
    if runaway:
        converged = False
        message = (
            f"parameter(s) {', '.join(runaway)} ran off towards 0 or infinity: "
            "the data cannot identify them"
        )
    standard_errors = _standard_errors(log_likelihood, params) if converged else ()
    unidentified = [
        name
        for name, value, error in zip(names, params, standard_errors, strict=False)
        if not np.isfinite(error) or error > _RELATIVE_ERROR_LIMIT * value
    ]
    if unidentified:
        converged = False
        message = (
            f"the likelihood is flat in parameter(s) {', '.join(unidentified)} at the optimum: "
            "the data cannot identify them (for example, nobody seems to drop out)"
        )
    return params, FitDiagnostics(
        converged=converged,
        message=message,
        log_likelihood=total,
        n_customers=n_customers,
        iterations=int(result.nit),
        standard_errors=standard_errors,
    )


def _standard_errors(
    log_likelihood: Callable[[FloatArray], FloatArray], params: FloatArray
) -> tuple[float, ...]:
    """Standard errors from a central-difference Hessian of the total log-likelihood.

    The Hessian is taken in log-parameter space (steps relative to each parameter, so one step
    size suits parameters of any scale) and mapped back with the delta method:
    se(θ) = θ · se(log θ).
    """
    dimension = params.size
    log_params = np.log(params)
    step = 1e-4

    def total(point: FloatArray) -> float:
        with np.errstate(all="ignore"):
            return float(np.sum(log_likelihood(np.exp(point))))

    hessian = np.empty((dimension, dimension))
    for i in range(dimension):
        for j in range(i, dimension):
            shifts = []
            for sign_i, sign_j in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                point = log_params.copy()
                point[i] += sign_i * step
                point[j] += sign_j * step
                shifts.append(total(point))
            value = (shifts[0] - shifts[1] - shifts[2] + shifts[3]) / (4 * step * step)
            hessian[i, j] = hessian[j, i] = value
    try:
        covariance = np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        return tuple(float("nan") for _ in range(dimension))
    variances = np.diag(covariance)
    with np.errstate(invalid="ignore"):
        log_se = np.where(variances > 0, np.sqrt(np.abs(variances)), np.nan)
    return tuple(float(v) for v in params * log_se)


def as_float_array(values: npt.ArrayLike, name: str) -> FloatArray:
    """Return ``values`` as a 1-D float64 array, refusing NaN and infinity by name."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return array
