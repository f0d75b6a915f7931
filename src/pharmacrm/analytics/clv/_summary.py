"""Validation of the BTYD summary arrays every purchase-count model takes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pharmacrm.analytics.clv._mle import FloatArray, as_float_array


@dataclass(frozen=True)
class BtydArrays:
    """Checked ``frequency``, ``recency``, ``T`` and weights of one sample."""

    frequency: FloatArray
    recency: FloatArray
    T: FloatArray  # noqa: N815 - the BTYD literature's name for the customer's age
    weights: FloatArray


def check_btyd_arrays(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,  # noqa: N803
    weights: npt.ArrayLike | None = None,
) -> BtydArrays:
    """Validate a BTYD summary for fitting and refuse samples no model can learn from.

    Raises
    ------
    ValueError
        With a message naming the problem: arrays of different lengths, negative or
        non-integer frequency, recency outside ``[0, T]``, an empty sample, a sample in which
        every customer was first seen on the observation date (all purchases on one day), or
        one without a single repeat buyer (nothing to learn the purchase rate from).
    """
    x = as_float_array(frequency, "frequency")
    t_x = as_float_array(recency, "recency")
    age = as_float_array(T, "T")
    w = np.ones_like(x) if weights is None else as_float_array(weights, "weights")
    if not (x.size == t_x.size == age.size == w.size):
        raise ValueError("frequency, recency, T (and weights) must have the same length")
    if x.size == 0:
        raise ValueError("the BTYD summary is empty: no customers to fit")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be a whole number of repeat purchases >= 0")
    if np.any(t_x < 0) or np.any(t_x > age + 1e-9):
        raise ValueError("recency must lie between 0 and T for every customer")
    if np.any(w < 0):
        raise ValueError("weights must be >= 0")
    if np.all(age <= 0):
        raise ValueError(
            "every customer was first seen on the observation date (T = 0): "
            "there is no history to fit a model on"
        )
    if not np.any((x > 0) & (w > 0)):
        raise ValueError(
            "no customer made a repeat purchase (frequency is 0 for all): "
            "purchase-rate and dropout cannot be estimated from one-time buyers only"
        )
    return BtydArrays(frequency=x, recency=t_x, T=age, weights=w)


def compress_btyd_arrays(sample: BtydArrays) -> BtydArrays:
    """Collapse identical (x, t_x, T) rows into one row weighted by how many customers share it.

    The likelihood is a weighted sum over customers, so this changes no estimate, only the work
    per evaluation: one-time buyers differ only in T (one row per acquisition day), and on a
    day or week grid many repeat buyers coincide too. Rows of weight 0 are dropped.
    """
    keep = sample.weights > 0
    x, t_x, age, w = (
        sample.frequency[keep],
        sample.recency[keep],
        sample.T[keep],
        sample.weights[keep],
    )
    # One lexicographic sort and a run-length split: several times faster than
    # numpy.unique(axis=0), which sorts rows as opaque byte strings.
    order = np.lexsort((age, t_x, x))
    x, t_x, age, w = x[order], t_x[order], age[order], w[order]
    starts = np.flatnonzero(
        np.concatenate(([True], (np.diff(x) != 0) | (np.diff(t_x) != 0) | (np.diff(age) != 0)))
    )
    return BtydArrays(
        frequency=x[starts],
        recency=t_x[starts],
        T=age[starts],
        weights=np.add.reduceat(w, starts) if starts.size else w,
    )
