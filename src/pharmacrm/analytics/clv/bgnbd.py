"""BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after every
purchase they drop out with probability p ~ Beta(a, b). Time runs in the unit of the BTYD
summary (days or weeks), so α is in that unit too.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.
Hardie, B. G. S. (2013). Overcoming the BG/NBD model's #NUM! error problem. Note 027,
brucehardie.com.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from pharmacrm.analytics.clv._mle import (
    ConvergenceError,
    FitDiagnostics,
    FloatArray,
    dot,
    maximise_log_likelihood,
)
from pharmacrm.analytics.clv._summary import (
    BtydArrays,
    check_btyd_arrays,
    compress_btyd_arrays,
)


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted (or given) BG/NBD parameters.

    Attributes
    ----------
    r, alpha
        Shape and rate of the Gamma heterogeneity of the purchase rate λ; α is in the time
        unit of the summary the model was fitted on.
    a, b
        Beta heterogeneity of the dropout probability p.
    fit
        Diagnostics of the fit, or ``None`` for parameters taken from elsewhere.
    """

    r: float
    alpha: float
    a: float
    b: float
    fit: FitDiagnostics | None = None

    def require_converged(self) -> None:
        """Raise :class:`ConvergenceError` if these parameters come from a failed fit."""
        if self.fit is not None and not self.fit.converged:
            raise ConvergenceError(f"the BG/NBD fit did not converge: {self.fit.message}")


def bgnbd_log_likelihood(
    params: BgNbdParams | npt.ArrayLike,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,  # noqa: N803
) -> FloatArray:
    """Per-customer BG/NBD log-likelihood in the numerically stable form of Hardie's note 027.

    ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b) − (r+x) ln(α+T)
    + ln(1 + [x>0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)); the last term is taken as
    ``logaddexp(0, ·)`` of its logarithm, so large ``x`` never overflows.

    Parameters
    ----------
    params
        :class:`BgNbdParams` or a sequence ``(r, alpha, a, b)``.
    frequency, recency, T
        BTYD summary arrays (x, t_x, T), time in the unit of α.

    Returns
    -------
    numpy.ndarray
        One log-likelihood per customer.
    """
    r, alpha, a, b = _unpack(params)
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    age = np.asarray(T, dtype=np.float64)
    base = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + betaln(a, b + x)
        - betaln(a, b)
        - (r + x) * np.log(alpha + age)
    )
    log_dropout_term = _log_dropout_term(r, alpha, a, b, x, t_x, age)
    return base + np.logaddexp(0.0, log_dropout_term)


def fit_bgnbd(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,  # noqa: N803
    *,
    weights: npt.ArrayLike | None = None,
    max_iterations: int = 2000,
) -> BgNbdParams:
    """Fit the BG/NBD model by maximum likelihood on a materialised BTYD summary.

    Parameters
    ----------
    frequency, recency, T
        Repeat purchases, age at last purchase and age at the observation date, one entry per
        customer (or per group of identical customers with ``weights``); days or weeks.
    weights
        Optional count of customers each row stands for.
    max_iterations
        Optimiser iteration cap; hitting it yields ``fit.converged == False``.

    Returns
    -------
    BgNbdParams
        Parameters with ``fit`` diagnostics (convergence flag, log-likelihood, standard errors).
        A fit that did not converge is returned flagged, never silently; scoring refuses it.

    Raises
    ------
    ValueError
        For samples nothing can be learned from (see
        :func:`pharmacrm.analytics.clv._summary.check_btyd_arrays`).
    """
    sample = compress_btyd_arrays(check_btyd_arrays(frequency, recency, T, weights))
    mean_age = float(np.average(sample.T, weights=sample.weights))
    values, diagnostics = maximise_log_likelihood(
        None,
        # r = 1 and α = mean age start from "one purchase per customer lifetime"; a = 1, b = 1
        # from a uniform dropout probability.
        (1.0, max(mean_age, 1e-3), 1.0, 1.0),
        names=("r", "alpha", "a", "b"),
        n_customers=int(round(float(sample.weights.sum()))),
        max_iterations=max_iterations,
        total_and_gradient=_total_and_gradient(sample),
    )
    r, alpha, a, b = (float(v) for v in values)
    return BgNbdParams(r=r, alpha=alpha, a=a, b=b, fit=diagnostics)


def _total_and_gradient(
    sample: BtydArrays,
) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Total BG/NBD log-likelihood of a weighted sample and its analytic gradient in (r, α, a, b).

    The log-gamma and beta terms depend on x alone, and x takes few distinct values, so they are
    evaluated once per distinct x and weighted by the customers holding it; only the logarithms
    of α+T and α+t_x run over every row, and the dropout term over repeat buyers only. With
    S = sigmoid(D), D = ln a − ln(b+x−1) + (r+x) ln((α+T)/(α+t_x)) (repeat buyers), the partial
    derivatives of ln L are
    ∂r = ψ(r+x) − ψ(r) + ln α − ln(α+T) + S ln((α+T)/(α+t_x)),
    ∂α = r/α − (r+x)/(α+T) + S (r+x) (1/(α+T) − 1/(α+t_x)),
    ∂a = ψ(a+b) − ψ(a+b+x) + S/a,
    ∂b = ψ(b+x) − ψ(b) + ψ(a+b) − ψ(a+b+x) − S/(b+x−1).
    """
    x, t_x, age, w = sample.frequency, sample.recency, sample.T, sample.weights
    distinct_x, which_x = np.unique(x, return_inverse=True)
    weight_per_x = np.bincount(which_x.reshape(-1), weights=w)
    total_weight = float(w.sum())
    weighted_x = w * x
    repeat = x > 0
    x_rep, t_x_rep, age_rep, w_rep = x[repeat], t_x[repeat], age[repeat], w[repeat]
    log_b_offset = x_rep - 1.0

    def total_and_gradient(params: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = (float(v) for v in params)
        log_alpha_age = np.log(alpha + age)
        log_alpha_age_rep = log_alpha_age[repeat]
        log_gap = log_alpha_age_rep - np.log(alpha + t_x_rep)
        shape_rep = r + x_rep
        dropout = np.log(a) - np.log(b + log_b_offset) + shape_rep * log_gap
        # softplus(D) = ln(1 + e^D) and sigmoid(D) = e^(D − softplus(D)), overflow-free; twice
        # as fast as numpy.logaddexp plus scipy's expit.
        softplus = np.maximum(dropout, 0.0) + np.log1p(np.exp(-np.abs(dropout)))
        s_weighted = w_rep * np.exp(dropout - softplus)

        total = (
            dot(
                weight_per_x,
                gammaln(r + distinct_x) + gammaln(b + distinct_x) - gammaln(a + b + distinct_x),
            )
            + total_weight * (-gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b))
            - dot(r * w + weighted_x, log_alpha_age)
            + dot(w_rep, softplus)
        )
        psi_ab_x = dot(weight_per_x, digamma(a + b + distinct_x))
        psi_ab = total_weight * digamma(a + b)
        grad_r = (
            dot(weight_per_x, digamma(r + distinct_x))
            - total_weight * digamma(r)
            + total_weight * np.log(alpha)
            - dot(w, log_alpha_age)
            + dot(s_weighted, log_gap)
        )
        grad_alpha = (
            total_weight * r / alpha
            - dot(r * w + weighted_x, 1.0 / (alpha + age))
            + dot(s_weighted * shape_rep, 1.0 / (alpha + age_rep) - 1.0 / (alpha + t_x_rep))
        )
        grad_a = psi_ab - psi_ab_x + s_weighted.sum() / a
        grad_b = (
            dot(weight_per_x, digamma(b + distinct_x))
            - total_weight * digamma(b)
            + psi_ab
            - psi_ab_x
            - dot(s_weighted, 1.0 / (b + log_b_offset))
        )
        return float(total), np.array([grad_r, grad_alpha, grad_a, grad_b])

    return total_and_gradient


def bgnbd_p_alive(
    params: BgNbdParams,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,  # noqa: N803
) -> FloatArray:
    """P(still active at T | x, t_x, T) = 1 / (1 + [x>0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x)).

    A customer without repeat purchases cannot have dropped out under BG/NBD (dropout happens
    only right after a purchase), so their P(alive) is 1.
    """
    x, t_x, age = _arrays(frequency, recency, T)
    return expit(-_log_dropout_term(params.r, params.alpha, params.a, params.b, x, t_x, age))


def bgnbd_expected_purchases(
    params: BgNbdParams,
    t: float,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,  # noqa: N803
) -> FloatArray:
    """Expected purchases in the next ``t`` time units given the history (x, t_x, T).

    E[X(t) | x, t_x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x)
    ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive). The product of the power and ₂F₁ is
    evaluated through Euler's transformation, (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), whose
    series neither overflows for heavy buyers nor loses the small power to underflow.
    """
    x, t_x, age = _arrays(frequency, recency, T)
    r, alpha, a, b = _unpack(params)
    a = _away_from_one(a)
    z = t / (alpha + age + t)
    power_times_f = np.exp((a - 1.0) * np.log1p(-z)) * hyp2f1(
        a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z
    )
    expected_if_alive = (a + b + x - 1.0) / (a - 1.0) * (1.0 - power_times_f)
    return expected_if_alive * bgnbd_p_alive(params, x, t_x, age)


def bgnbd_expected_purchases_new_customer(params: BgNbdParams, t: npt.ArrayLike) -> FloatArray:
    """Expected purchases in the first ``t`` time units of a customer just acquired.

    E[X(t)] = (a+b−1)/(a−1) [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))], evaluated through the
    same Euler transformation as :func:`bgnbd_expected_purchases`.
    Used by the holdout tracking curve (expected cumulative repeat purchases of a cohort).
    """
    r, alpha, a, b = _unpack(params)
    a = _away_from_one(a)
    time = np.asarray(t, dtype=np.float64)
    z = time / (alpha + time)
    power_times_f = np.exp((a - 1.0) * np.log1p(-z)) * hyp2f1(
        a + b - 1.0 - r, a - 1.0, a + b - 1.0, z
    )
    return (a + b - 1.0) / (a - 1.0) * (1.0 - power_times_f)


def bgnbd_p_no_purchase(
    params: BgNbdParams,
    t: float,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,  # noqa: N803
) -> FloatArray:
    """P(no purchase in the next ``t`` units | x, t_x, T).

    Dead customers never buy; an active one with λ ~ Gamma(r+x, α+T) (the posterior given
    activity) makes no purchase with probability ((α+T)/(α+T+t))^(r+x), and cannot drop out
    before purchasing. So P = 1 − P(alive) + P(alive) · ((α+T)/(α+T+t))^(r+x).
    """
    x, t_x, age = _arrays(frequency, recency, T)
    p_alive = bgnbd_p_alive(params, x, t_x, age)
    quiet_if_alive = np.exp(-(params.r + x) * np.log1p(t / (params.alpha + age)))
    return 1.0 - p_alive + p_alive * quiet_if_alive


def _log_dropout_term(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: FloatArray,
    t_x: FloatArray,
    age: FloatArray,
) -> FloatArray:
    """ln(a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) for repeat buyers, −∞ for the others."""
    has_repeat = x > 0
    safe_x = np.where(has_repeat, x, 1.0)
    value = (
        np.log(a)
        - np.log(b + safe_x - 1.0)
        + (r + safe_x) * (np.log(alpha + age) - np.log(alpha + t_x))
    )
    return np.where(has_repeat, value, -np.inf)


def _away_from_one(a: float) -> float:
    """Nudge a = 1 (where the closed forms divide 0 by 0) by 1e-9; the limit is continuous."""
    return a + 1e-9 if abs(a - 1.0) < 1e-9 else a


def _arrays(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,  # noqa: N803
) -> tuple[FloatArray, FloatArray, FloatArray]:
    return (
        np.asarray(frequency, dtype=np.float64),
        np.asarray(recency, dtype=np.float64),
        np.asarray(T, dtype=np.float64),
    )


def _unpack(params: BgNbdParams | npt.ArrayLike) -> tuple[float, float, float, float]:
    if isinstance(params, BgNbdParams):
        return params.r, params.alpha, params.a, params.b
    r, alpha, a, b = (float(v) for v in np.asarray(params, dtype=np.float64))
    return r, alpha, a, b
