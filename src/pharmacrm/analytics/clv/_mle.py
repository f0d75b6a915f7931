"""Maximum-likelihood machinery shared by the CLV models.

Every model maximises a sum of per-customer log-likelihoods over positive parameters. We
optimise in log-parameter space (so positivity needs no constraint; a wide box only keeps exp()
finite) with L-BFGS-B from fixed starting values, which makes every fit deterministic, using the
model's analytic gradient where it has one, and report the outcome honestly: a fit
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
# A standard error above 10 times its parameter means the likelihood is flat in that direction:
# the optimiser stopped on a plateau (e.g. no customer seems to drop out, so the dropout
# parameters drift off) and the value is arbitrary, not an estimate. Where it stops on such a
# plateau depends on rounding (on four such customers we saw 13 and 30 times), while fits that
# identify their parameters stay far below: CDNOW 0.05-0.29, 4,000 simulated customers < 0.1.
_RELATIVE_ERROR_LIMIT = 10.0
# The optimiser's box in log space: a little wider than the runaway limit, so a parameter that
# runs off is caught by that check, while exp() of a wild line-search step cannot overflow.
_LOG_PARAMETER_BOX = 30.0
# Largest |∂ mean log-likelihood / ∂ ln θ| accepted as a stationary point when the line search
# stops without progress: 1e-6 moves the mean log-likelihood by < 1e-12 per 1e-6 step.
_STATIONARY_GRADIENT = 1e-6


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


TotalAndGradient = Callable[[FloatArray], tuple[float, FloatArray]]
GradientInLogs = Callable[[FloatArray], tuple[float, FloatArray]]


def maximise_log_likelihood(
    log_likelihood: Callable[[FloatArray], FloatArray] | None,
    start: Sequence[float],
    *,
    names: Sequence[str],
    n_customers: int,
    max_iterations: int = 2000,
    total_and_gradient: TotalAndGradient | None = None,
) -> tuple[FloatArray, FitDiagnostics]:
    """Maximise a log-likelihood over positive parameters.

    A model with an analytic gradient passes ``total_and_gradient``: L-BFGS-B then needs one
    evaluation per step instead of 1 + p (forward differences), and the standard errors come
    from central differences of that gradient (2·p evaluations) instead of a Hessian of
    function values (4·p(p+1)/2). Models without one pass the per-customer ``log_likelihood``.

    Parameters
    ----------
    log_likelihood
        Maps a parameter vector (natural scale, all > 0) to the per-customer (weighted)
        log-likelihood contributions; ``None`` when ``total_and_gradient`` is given.
    start
        Starting values on the natural scale.
    names
        Parameter names, used in messages.
    n_customers
        Number of customers (for the mean, which keeps the objective well scaled).
    max_iterations
        Optimiser iteration cap; reaching it is reported as non-convergence.
    total_and_gradient
        Maps a parameter vector (natural scale) to the total log-likelihood and its gradient
        with respect to the natural-scale parameters.

    Returns
    -------
    tuple
        Parameters on the natural scale and the fit diagnostics.
    """
    total_in_logs, gradient_in_logs = _objective_in_logs(log_likelihood, total_and_gradient)

    def mean_loss(log_params: FloatArray) -> float:
        value = -total_in_logs(log_params) / n_customers
        return value if np.isfinite(value) else 1e100

    start_in_logs = np.log(np.asarray(start, dtype=np.float64))
    box = [(-_LOG_PARAMETER_BOX, _LOG_PARAMETER_BOX)] * start_in_logs.size
    options = {"maxiter": max_iterations, "ftol": 1e-14, "gtol": 1e-9, "maxcor": 20}
    if gradient_in_logs is None:
        result = minimize(mean_loss, start_in_logs, method="L-BFGS-B", bounds=box, options=options)
    else:
        analytic = gradient_in_logs

        def mean_loss_and_gradient(log_params: FloatArray) -> tuple[float, FloatArray]:
            total, gradient = analytic(log_params)
            if not (np.isfinite(total) and np.all(np.isfinite(gradient))):
                # An undefined point: a huge loss makes the line search step back from it.
                return 1e100, np.zeros_like(log_params)
            return -total / n_customers, -gradient / n_customers

        result = minimize(
            mean_loss_and_gradient,
            start_in_logs,
            jac=True,
            method="L-BFGS-B",
            bounds=box,
            options=options,
        )
    log_params = np.asarray(result.x, dtype=np.float64)
    params = np.exp(log_params)
    total = -float(result.fun) * n_customers
    message = str(result.message)
    success = bool(result.success)
    gradient_norm = float(np.max(np.abs(result.jac))) if result.jac is not None else np.inf
    if not success and int(result.status) == 2 and gradient_norm < _STATIONARY_GRADIENT:
        # With an exact gradient L-BFGS-B can reach the optimum to the last bits of the
        # objective and then report that its line search made no progress ("ABNORMAL"); a
        # vanishing gradient there means the optimum was found, not that the fit failed.
        success = True
        message = f"converged (line search at machine precision, |gradient| {gradient_norm:.1e})"
    converged = success and np.isfinite(total) and total > -1e99
    runaway = [
        name
        for name, value in zip(names, log_params, strict=True)
        if abs(value) >= _LOG_PARAMETER_LIMIT
    ]
    if runaway:
        converged = False
        message = (
            f"parameter(s) {', '.join(runaway)} ran off towards 0 or infinity: "
            "the data cannot identify them"
        )
    # Also computed when the line search gave up (status 2) rather than the iteration cap
    # (status 1): a flat direction is the likelier cause, and naming it tells the user more
    # than "ABNORMAL".
    hit_iteration_cap = int(result.status) == 1
    standard_errors = (
        _standard_errors(_hessian(total_in_logs, gradient_in_logs, log_params), log_params)
        if not runaway and not hit_iteration_cap and np.isfinite(total) and total > -1e99
        else ()
    )
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
        standard_errors=standard_errors if converged else (),
    )


def _objective_in_logs(
    log_likelihood: Callable[[FloatArray], FloatArray] | None,
    total_and_gradient: TotalAndGradient | None,
) -> tuple[Callable[[FloatArray], float], GradientInLogs | None]:
    """The total log-likelihood, and its gradient d/d ln θ = θ · d/dθ when known, in logs."""
    if total_and_gradient is not None:
        analytic = total_and_gradient

        def gradient_in_logs(log_params: FloatArray) -> tuple[float, FloatArray]:
            with np.errstate(all="ignore"):
                params = np.exp(log_params)
                total, gradient = analytic(params)
            return float(total), np.asarray(gradient, dtype=np.float64) * params

        return (lambda log_params: gradient_in_logs(log_params)[0]), gradient_in_logs
    if log_likelihood is None:
        raise TypeError("pass log_likelihood or total_and_gradient")
    per_customer = log_likelihood

    def total_in_logs(log_params: FloatArray) -> float:
        with np.errstate(all="ignore"):
            return float(np.sum(per_customer(np.exp(log_params))))

    return total_in_logs, None


def _hessian(
    total_in_logs: Callable[[FloatArray], float],
    gradient_in_logs: GradientInLogs | None,
    log_params: FloatArray,
) -> FloatArray:
    """Hessian of the total log-likelihood in log-parameter space, by central differences.

    Steps are relative to each parameter (1e-4 in log space), so one size suits parameters of
    any scale. With an analytic gradient it costs 2·p gradient evaluations (then symmetrised);
    without, 4·p(p+1)/2 evaluations of the total.
    """
    dimension = log_params.size
    step = 1e-4
    hessian = np.empty((dimension, dimension))
    if gradient_in_logs is not None:
        for i in range(dimension):
            up, down = log_params.copy(), log_params.copy()
            up[i] += step
            down[i] -= step
            hessian[i] = (gradient_in_logs(up)[1] - gradient_in_logs(down)[1]) / (2 * step)
        return np.asarray(0.5 * (hessian + hessian.T), dtype=np.float64)
    for i in range(dimension):
        for j in range(i, dimension):
            shifts = []
            for sign_i, sign_j in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                point = log_params.copy()
                point[i] += sign_i * step
                point[j] += sign_j * step
                shifts.append(total_in_logs(point))
            value = (shifts[0] - shifts[1] - shifts[2] + shifts[3]) / (4 * step * step)
            hessian[i, j] = hessian[j, i] = value
    return hessian


def _standard_errors(hessian: FloatArray, log_params: FloatArray) -> tuple[float, ...]:
    """Standard errors from the inverse observed information, mapped back from log space.

    At the optimum the gradient is zero, so the log-space Hessian is the natural one rescaled
    by θᵢθⱼ and the delta method gives se(θ) = θ · se(ln θ).
    """
    try:
        covariance = np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        return tuple(float("nan") for _ in range(log_params.size))
    variances = np.diag(covariance)
    with np.errstate(invalid="ignore"):
        log_se = np.where(variances > 0, np.sqrt(np.abs(variances)), np.nan)
    return tuple(float(v) for v in np.exp(log_params) * log_se)


def dot(u: FloatArray, v: FloatArray) -> float:
    """Σ uᵢvᵢ without BLAS.

    On a shared machine a multithreaded BLAS dot of 100 k elements waits for its threads (we
    measured 33 ms against 0.05 ms single-threaded); NumPy's own einsum loop does not.
    """
    return float(np.einsum("i,i->", u, v))


def as_float_array(values: npt.ArrayLike, name: str) -> FloatArray:
    """Return ``values`` as a 1-D float64 array, refusing NaN and infinity by name."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return array
