"""Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005; Hardie note 025).

A customer's purchase amounts are Gamma(p, ν) with ν ~ Gamma(q, v) across customers, so the
observed mean of x repeat purchases, z̄, carries information about the customer's own mean
spend. The model assumes spend is independent of the purchase process; it is fitted on repeat
buyers only (the BTYD ``monetary_value`` is the mean over repeat purchase days).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research* 42(4), 415-430.
Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value. Note 025, brucehardie.com.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from pharmacrm.analytics.clv._mle import (
    ConvergenceError,
    FitDiagnostics,
    FloatArray,
    as_float_array,
    dot,
    maximise_log_likelihood,
)


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted (or given) Gamma-Gamma parameters.

    Attributes
    ----------
    p
        Shape of the per-purchase spend distribution.
    q, v
        Shape and scale of the Gamma heterogeneity of the spend rate ν across customers;
        the population mean spend per purchase is p·v/(q−1) (finite only for q > 1).
    n_excluded
        Repeat buyers left out of the fit because their mean spend was ≤ 0 (gift-only or
        fully refunded days): the model is defined for positive spend only.
    fit
        Diagnostics of the fit, or ``None`` for parameters taken from elsewhere.
    """

    p: float
    q: float
    v: float
    n_excluded: int = 0
    fit: FitDiagnostics | None = None

    def require_converged(self) -> None:
        """Raise :class:`ConvergenceError` for a failed fit or an infinite mean (q ≤ 1)."""
        if self.fit is not None and not self.fit.converged:
            raise ConvergenceError(f"the Gamma-Gamma fit did not converge: {self.fit.message}")
        if self.q <= 1.0:
            raise ConvergenceError(
                f"Gamma-Gamma q = {self.q:.4g} <= 1: the expected spend per purchase is infinite "
                "(spend is too heavy-tailed for this model)"
            )


def gamma_gamma_log_likelihood(
    params: GammaGammaParams | npt.ArrayLike,
    frequency: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
) -> FloatArray:
    """Per-customer log-likelihood of the mean spend z̄ of x repeat purchases.

    ln f = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln z̄ + px ln x − (px+q) ln(v+x z̄).
    """
    p, q, v = _unpack(params)
    x = np.asarray(frequency, dtype=np.float64)
    z = np.asarray(monetary_value, dtype=np.float64)
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1.0) * np.log(z)
        + p * x * np.log(x)
        - (p * x + q) * np.log(v + x * z)
    )


def fit_gamma_gamma(
    frequency: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    max_iterations: int = 2000,
) -> GammaGammaParams:
    """Fit the Gamma-Gamma spend model by maximum likelihood.

    Parameters
    ----------
    frequency
        Repeat purchases x per customer; customers with x = 0 carry no spend information
        and are skipped.
    monetary_value
        Mean spend z̄ over the repeat purchase days (currency units).
    weights
        Optional count of customers each row stands for.
    max_iterations
        Optimiser iteration cap.

    Returns
    -------
    GammaGammaParams
        With ``n_excluded`` repeat buyers whose z̄ ≤ 0 and the fit diagnostics.

    Raises
    ------
    ValueError
        If no repeat buyer with positive spend is left to fit on.
    """
    x = as_float_array(frequency, "frequency")
    z = as_float_array(monetary_value, "monetary_value")
    w = np.ones_like(x) if weights is None else as_float_array(weights, "weights")
    if not (x.size == z.size == w.size):
        raise ValueError("frequency, monetary_value (and weights) must have the same length")
    repeat = (x > 0) & (w > 0)
    usable = repeat & (z > 0)
    n_excluded = int(round(float(w[repeat & ~usable].sum())))
    if not np.any(usable):
        raise ValueError(
            "no repeat buyer with positive spend: the Gamma-Gamma spend model needs customers "
            "with frequency > 0 and monetary_value > 0"
        )
    x, z, w = x[usable], z[usable], w[usable]
    mean_spend = float(np.average(z, weights=w))

    values, diagnostics = maximise_log_likelihood(
        None,
        # p = q = 2 is a broad start; v then matches the sample mean spend, p·v/(q−1) = z̄.
        (2.0, 2.0, max(mean_spend / 2.0, 1e-6)),
        names=("p", "q", "v"),
        n_customers=int(round(float(w.sum()))),
        max_iterations=max_iterations,
        total_and_gradient=_total_and_gradient(x, z, w),
    )
    p, q, v = (float(value) for value in values)
    return GammaGammaParams(p=p, q=q, v=v, n_excluded=n_excluded, fit=diagnostics)


def _total_and_gradient(
    frequency: FloatArray, monetary_value: FloatArray, weights: FloatArray
) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Total Gamma-Gamma log-likelihood of a weighted sample and its gradient in (p, q, v).

    Every term but ln(v + x z̄) depends on x alone or on data only, so the log-gamma and
    digamma functions run once per distinct x and the data sums are taken once; each evaluation
    then makes one pass over the customers. The partial derivatives of ln f are
    ∂p = x [ψ(px+q) − ψ(px) + ln z̄ + ln x − ln(v+xz̄)],
    ∂q = ψ(px+q) − ψ(q) + ln v − ln(v+xz̄),
    ∂v = q/v − (px+q)/(v+xz̄).
    """
    x, z, w = frequency, monetary_value, weights
    distinct_x, which_x = np.unique(x, return_inverse=True)
    weight_per_x = np.bincount(which_x.reshape(-1), weights=w)
    total_weight = float(w.sum())
    log_z = np.log(z)
    # Σ w x (ln z̄ + ln x) and Σ w ln z̄: the data part of the (px−1) ln z̄ + px ln x terms.
    weighted_x = w * x
    data_slope = dot(weighted_x, log_z + np.log(x))
    data_constant = dot(w, log_z)
    x_z = x * z

    def total_and_gradient(params: FloatArray) -> tuple[float, FloatArray]:
        p, q, v = (float(value) for value in params)
        px = p * distinct_x
        log_v_xz = np.log(v + x_z)
        shape = p * x + q
        total = (
            dot(weight_per_x, gammaln(px + q) - gammaln(px))
            + total_weight * (q * np.log(v) - gammaln(q))
            + p * data_slope
            - data_constant
            - dot(w * shape, log_v_xz)
        )
        psi_shape = digamma(px + q)
        grad_p = (
            dot(weight_per_x * distinct_x, psi_shape - digamma(px))
            + data_slope
            - dot(weighted_x, log_v_xz)
        )
        grad_q = (
            dot(weight_per_x, psi_shape)
            - total_weight * (digamma(q) - np.log(v))
            - dot(w, log_v_xz)
        )
        grad_v = total_weight * q / v - dot(w * shape, 1.0 / (v + x_z))
        return float(total), np.array([grad_p, grad_q, grad_v])

    return total_and_gradient


def gamma_gamma_expected_spend(
    params: GammaGammaParams,
    frequency: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
) -> FloatArray:
    """Expected spend per future purchase given x repeat purchases with mean z̄.

    E[M | x, z̄] = p (v + x z̄) / (p x + q − 1): a weighted mean of the population mean
    p v/(q−1) and the customer's own z̄, the weight on z̄ growing with x. Customers without
    repeat purchases get the population mean; a negative z̄ (net refunds) is treated as 0.
    """
    x = np.asarray(frequency, dtype=np.float64)
    z = np.clip(np.asarray(monetary_value, dtype=np.float64), 0.0, None)
    z = np.where(x > 0, z, 0.0)
    return params.p * (params.v + x * z) / (params.p * x + params.q - 1.0)


def _unpack(params: GammaGammaParams | npt.ArrayLike) -> tuple[float, float, float]:
    if isinstance(params, GammaGammaParams):
        return params.p, params.q, params.v
    p, q, v = (float(value) for value in np.asarray(params, dtype=np.float64))
    return p, q, v
