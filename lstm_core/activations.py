"""Activation functions used by the gates, and their derivatives.

Every function takes an array of any shape and returns an array of the same shape and
float dtype (float32 stays float32).  Integer input is promoted to float64.
"""
import numpy as np


def _as_float(z):
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    return z


def sigmoid(z):
    """σ(z) = 1 / (1 + e^{-z}), computed without overflow for any finite z.

    exp is only ever taken of -|z|, so it never overflows: σ(±1000) is exactly 1 or 0
    with no warning, in float32 and float64 alike.
    """
    z = _as_float(z)
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


def dsigmoid(z):
    """dσ/dz = σ(z)(1 - σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """tanh(z), range (-1, 1): it saturates, it never reaches ±∞."""
    return np.tanh(_as_float(z))


def dtanh(z):
    """d tanh/dz = 1 - tanh(z)^2."""
    t = tanh(z)
    return 1.0 - t * t


def softmax(z, axis=-1):
    """softmax(z) along `axis`; the max is subtracted first, so large logits do not overflow."""
    z = _as_float(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
