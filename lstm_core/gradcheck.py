"""Central-difference gradient checks: the oracle for every backward pass in the package."""
import numpy as np

from .cell import lstm_backward, lstm_forward


def numerical_gradient(loss, x, eps=1e-6):
    """dloss/dx by central differences, (loss(x+eps) - loss(x-eps)) / 2eps for each entry.

    `loss` is a function of no arguments that reads `x`; x is perturbed in place and restored.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        up = loss()
        flat[k] = old - eps
        down = loss()
        flat[k] = old
        gflat[k] = (up - down) / (2 * eps)
    return grad


def relative_error(a, b):
    """‖a - b‖ / (‖a‖ + ‖b‖), 0 when both are zero."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradcheck(params, xs, h0=None, c0=None, overrides=None, seed=0, eps=1e-6):
    """Compare lstm_backward with central differences on a random linear loss.

    L = Σ_t Σ R_t ⊙ h_t + Σ S ⊙ c_T with fixed random R, S, so every h_t and the last cell get
    a gradient.  Returns {name: relative error} for every weight, xs, h0 and c0.  Use float64.
    """
    arrays = {n: a.copy() for n, a in params.arrays().items()}
    xs = np.array(xs, dtype=np.float64)
    trace = lstm_forward(params, xs, h0, c0, overrides)
    state_shape = trace.h.shape[1:]
    h0 = np.zeros(state_shape) if h0 is None else np.array(h0, dtype=np.float64)
    c0 = np.zeros(state_shape) if c0 is None else np.array(c0, dtype=np.float64)
    rng = np.random.default_rng(seed)
    R = rng.standard_normal(trace.h.shape)
    S = rng.standard_normal(state_shape)

    def loss():
        p = type(params)(**arrays)
        tr = lstm_forward(p, xs, h0, c0, overrides)
        return float(np.sum(R * tr.h) + np.sum(S * tr.c[-1]))

    back = lstm_backward(params, trace, R, S)
    errors = {}
    analytic = back.grads.arrays()
    for name, arr in arrays.items():
        arr.setflags(write=True)
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, arr, eps))
    errors["xs"] = relative_error(back.dxs, numerical_gradient(loss, xs, eps))
    errors["h0"] = relative_error(back.dh0, numerical_gradient(loss, h0, eps))
    errors["c0"] = relative_error(back.dc0, numerical_gradient(loss, c0, eps))
    return errors
