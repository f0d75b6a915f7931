"""Synthetic BTYD summaries shared by the CLV benchmarks (NumPy only, so peers can import it)."""

import numpy as np


def simulate(n, seed=1):
    """Vectorised BG/NBD + Gamma-Gamma summary of n customers (days, T in 165..365)."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(0.9, 1 / 30.0, n)
    dropout = rng.beta(0.6, 5.0, n)
    ages = rng.integers(165, 366, n).astype(float)
    # purchases before dropout ~ geometric; the time of the k-th purchase ~ Gamma(k, rate).
    max_purchases = rng.geometric(dropout)  # number of purchases until (and incl.) dropout
    frequency = np.zeros(n)
    recency = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, bool)
    for k in range(1, 400):
        t = t + rng.exponential(1 / rates)
        in_window = alive & (t <= ages) & (k <= max_purchases)
        frequency[in_window] += 1
        recency[in_window] = np.floor(t[in_window])
        alive &= in_window
        if not alive.any():
            break
    spend_rate = rng.gamma(4.0, 1 / 15.0, n)
    monetary = np.where(
        frequency > 0,
        rng.gamma(6.0 * np.maximum(frequency, 1), 1 / spend_rate) / np.maximum(frequency, 1),
        0.0,
    )
    return frequency, recency, ages, monetary
