"""How far back a gradient reaches: ‖∂L/∂h_{T-k}‖ in the tanh RNN against ‖∂L/∂c_{T-k}‖ in the LSTM.

Every function here measures a loss L that depends on the LAST step only, and reports a norm for
each lag k = 0 .. T-1 (k = 0 is the last step T itself), so a plot against k reads "k steps back".

The two facts the notebook draws in:
- RNN (Pascanu et al. 2013): ∂h_t/∂h_{t-1} = diag(1 - h_t²) W_hhᵀ, and |tanh'| ≤ γ = 1, so one step
  back multiplies the gradient's norm by at most σ_max(W_hh):  ‖∂L/∂h_{T-k}‖ ≤ σ_max^k ‖∂L/∂h_T‖.
  With σ_max < 1/γ = 1 the gradient must vanish geometrically.
- LSTM: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t, so the cell-to-cell path contributes ∂L/∂c_T ⊙ Π f_k,
  with no weight matrix and no squashing derivative in it.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_shape, float_array, initial_state
from .cell import Trace, _check_params, lstm_forward
from .params import GATES, LSTMParams
from .rnn import RNNParams, rnn_forward, rnn_state_grads


def _last_step_grad(name, value, state_shape, dtype):
    """dL/d(state at T): the given array, or by default the unit vector 1/√H in every row."""
    if value is None:
        return np.full(state_shape, 1.0 / np.sqrt(state_shape[-1]), dtype)
    arr = float_array(name, value)
    return check_shape(name, arr, state_shape, "(H,) for one sequence, (B, H) for a batch").astype(dtype)


def by_lag(per_step):
    """Reorder a time-major (T, [B,] H) array by lag, k = 0 first (step T), and take the norm over H."""
    return np.linalg.norm(np.asarray(per_step)[::-1], axis=-1)


# ----- the RNN ----------------------------------------------------------------------------
def rnn_grad_by_lag(params, xs, h0=None, dh_last=None):
    """‖∂L/∂h_{T-k}‖ for k = 0 .. T-1, where L depends on h_T only and ∂L/∂h_T = dh_last.

    xs: (T, X) or (T, B, X); dh_last: (H,) or (B, H), default the unit vector 1/√H.
    Returns (T,) or (T, B), lag 0 first.
    """
    trace = rnn_forward(params, xs, h0)
    dh = np.zeros_like(trace.h)
    dh[-1] = _last_step_grad("dh_last", dh_last, trace.h.shape[1:], dh.dtype)
    return by_lag(rnn_state_grads(params, trace, dh))


def pascanu_bound(params, lags):
    """σ_max(W_hh)^k for each lag k: the ceiling on ‖∂L/∂h_{T-k}‖ / ‖∂L/∂h_T‖ for a tanh RNN (γ = 1)."""
    if not isinstance(params, RNNParams):
        raise ValueError(f"params: expected an RNNParams, got {type(params).__name__}")
    return params.largest_singular_value() ** np.asarray(lags, dtype=np.float64)


def decay_rate(norms):
    """The mean factor per step, (‖g_k‖ / ‖g_0‖)^(1/k) at the largest lag k: < 1 vanishes, > 1 explodes.

    norms: (T,) by lag with T >= 2 and a positive lag-0 norm.  0 when the gradient has reached exactly zero.
    """
    norms = float_array("norms", norms)
    if norms.ndim != 1 or norms.size < 2 or not norms[0] > 0:
        raise ValueError(f"norms: expected a 1-D array by lag with T >= 2 and norms[0] > 0, got shape "
                         f"{norms.shape}" + (f" and norms[0] = {norms[0]:g}" if norms.size else ""))
    return float((norms[-1] / norms[0]) ** (1.0 / (norms.size - 1)))


# ----- the LSTM ---------------------------------------------------------------------------
def lstm_state_grads(params, trace, dh, dc_last=None):
    """dL/dh_t and dL/dc_t at every step through every path: the recursion of lstm_backward, keeping
    the per-step state gradients that lstm_backward sums away.

    dh, dc_last as in lstm_backward.  Returns (dh_total, dc_total), each the shape of trace.h; dc_total[t]
    is the gradient at the node c_t, including the path c_t -> h_t.  The tests check the end of the
    recursion against lstm_backward's dh0 and dc0 and each step against lstm_backward on a sub-sequence.
    """
    p = _check_params(params)
    if not isinstance(trace, Trace):
        raise ValueError(f"trace: expected the Trace returned by lstm_forward, got {type(trace).__name__}")
    T, B, H = trace.hs.shape
    if (p.input_size, p.hidden_size) != (trace.xs.shape[-1], H):
        raise ValueError(f"params: expected the params the trace was made with (X={trace.xs.shape[-1]}, "
                         f"H={H}), got X={p.input_size}, H={p.hidden_size}")
    dtype = trace.hs.dtype
    user = (T, B, H) if trace.batched else (T, H)
    dh = check_shape("dh", float_array("dh", dh, dtype), user, "the shape of trace.h").reshape(T, B, H)
    dc = initial_state("dc_last", dc_last, (B, H) if trace.batched else (H,), dtype).reshape(B, H).copy()

    _, W_h, _ = (a.astype(dtype, copy=False) for a in p.stacked())
    W_hT = np.ascontiguousarray(W_h.T)
    if p.peephole:
        w_cf, w_ci, w_co = (a.astype(dtype, copy=False) for a in (p.w_cf, p.w_ci, p.w_co))
    keep = np.ones(4 * H, dtype)                 # a pinned gate passes no gradient to its pre-activation
    for k, name in enumerate(GATES):
        if name in trace.pinned:
            keep[k * H:(k + 1) * H] = 0.0
    G = trace.gates
    slope = G * (1.0 - G)
    slope[..., 2 * H:3 * H] = 1.0 - G[..., 2 * H:3 * H] ** 2
    slope *= keep
    dh_total = np.empty((T, B, H), dtype)
    dc_total = np.empty((T, B, H), dtype)
    dh_next = np.zeros((B, H), dtype)
    da = np.empty((B, 4 * H), dtype)
    for t in range(T - 1, -1, -1):
        f, i, g, o = (G[t, :, k * H:(k + 1) * H] for k in range(4))
        c_prev = trace.cs[t - 1] if t > 0 else trace.c0
        tc = trace.tanh_cs[t]
        dh_t = dh[t] + dh_next
        dc = dc + dh_t * o * (1.0 - tc * tc)
        da[:, 3 * H:] = dh_t * tc * slope[t, :, 3 * H:]
        if p.peephole:
            dc = dc + da[:, 3 * H:] * w_co
        dh_total[t], dc_total[t] = dh_t, dc
        da[:, :H] = dc * c_prev
        da[:, H:2 * H] = dc * g
        da[:, 2 * H:3 * H] = dc * i
        da[:, :3 * H] *= slope[t, :, :3 * H]
        dc = dc * f
        if p.peephole:
            dc = dc + da[:, :H] * w_cf + da[:, H:2 * H] * w_ci
        dh_next = da @ W_hT
    if not trace.batched:
        return dh_total[:, 0], dc_total[:, 0]
    return dh_total, dc_total


def forget_path(trace, dc_T):
    """The cell-to-cell path alone: dc_T ⊙ Π_{s=t+1}^{T} f_s for every step t, shape of trace.c.

    This is ∂L/∂c_t exactly when no other path carries gradient (for a loss on c_T with f, i, g
    pinned), and the part of it that no weight matrix touches otherwise.
    """
    if not isinstance(trace, Trace):
        raise ValueError(f"trace: expected the Trace returned by lstm_forward, got {type(trace).__name__}")
    f = trace.f
    dc_T = check_shape("dc_T", float_array("dc_T", dc_T), f.shape[1:], "the shape of one cell state")
    # after[t] = Π_{s>t} f_s: a reversed cumulative product, shifted by one step
    after = np.ones_like(f)
    after[:-1] = np.cumprod(f[:0:-1], axis=0)[::-1]
    return dc_T * after


def lstm_grad_by_lag(params, xs, h0=None, c0=None, overrides=None, dh_last=None, dc_last=None):
    """‖∂L/∂c_{T-k}‖ for k = 0 .. T-1, where L depends on the last step only.

    ∂L/∂h_T = dh_last (default: the unit vector 1/√H) and ∂L/∂c_T from outside = dc_last (default 0);
    pass dh_last=zeros and a dc_last for a loss on c_T alone.  Returns (T,) or (T, B), lag 0 first.
    """
    trace = lstm_forward(params, xs, h0, c0, overrides)
    dh = np.zeros_like(trace.h)
    dh[-1] = _last_step_grad("dh_last", dh_last, trace.h.shape[1:], dh.dtype)
    _, dc = lstm_state_grads(params, trace, dh, dc_last)
    return by_lag(dc)


# ----- the comparison notebook 00 plots --------------------------------------------------------
class FlowComparison(NamedTuple):
    """Everything the gradient-flow plot shows, by lag k = 0 .. T-1 (all (T,) arrays).

    rnn: ‖∂L/∂h_{T-k}‖ of the tanh RNN; bound: σ_max^k ‖∂L/∂h_T‖ (Pascanu); lstm: ‖∂L/∂c_{T-k}‖;
    cell_path: ‖∂L/∂c_T ⊙ Π f‖, the cell-to-cell path alone.  Scalars: rho = ρ(W_hh),
    sigma_max = σ_max(W_hh), rnn_rate = decay_rate(rnn), f_mean = mean forget gate over the sequence.
    """
    lag: np.ndarray
    rnn: np.ndarray
    bound: np.ndarray
    lstm: np.ndarray
    cell_path: np.ndarray
    rho: float
    sigma_max: float
    rnn_rate: float
    f_mean: float


FLOW_SIZES = {"T": 100, "X": 4, "H": 32}


def flow_setup(seed=0, T=FLOW_SIZES["T"], X=FLOW_SIZES["X"], H=FLOW_SIZES["H"]):
    """The fixed inputs of the comparison: xs (T, X) ~ N(0, 1), and the RNN and LSTM weights drawn
    like PyTorch's defaults (RNNParams.random, LSTMParams.random), all from one seed."""
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((T, X))
    return xs, RNNParams.random(X, H, seed=seed + 1), LSTMParams.random(X, H, seed=seed + 2)


def compare_flow(rho, b_f, setup=None):
    """Both networks on the same inputs, the loss reading the last hidden state only (∂L/∂h_T = 1/√H).

    rho: the RNN's spectral radius ρ(W_hh) (W_hh of setup's RNN rescaled, ≥ 0).  b_f: the LSTM's
    forget-gate bias, the same value for every unit (the other weights are setup's LSTM).
    setup: (xs, RNNParams, LSTMParams), default flow_setup().
    """
    xs, rnn_p, lstm_p = flow_setup() if setup is None else setup
    rnn_p = rnn_p.with_spectral_radius(rho)
    b_f = float_array("b_f", b_f)
    if b_f.shape != ():
        raise ValueError(f"b_f: expected one number (the bias of every unit), got shape {b_f.shape}")
    lstm_p = lstm_p.with_gate("f", b=np.full(lstm_p.hidden_size, float(b_f)))
    rnn = rnn_grad_by_lag(rnn_p, xs)
    lag = np.arange(rnn.size)

    trace = lstm_forward(lstm_p, xs)
    dh = np.zeros_like(trace.h)
    dh[-1] = _last_step_grad("dh_last", None, trace.h.shape[1:], dh.dtype)
    _, dc = lstm_state_grads(lstm_p, trace, dh)
    return FlowComparison(lag, rnn, pascanu_bound(rnn_p, lag) * rnn[0], by_lag(dc),
                          by_lag(forget_path(trace, dc[-1])), rnn_p.spectral_radius(),
                          rnn_p.largest_singular_value(), decay_rate(rnn), float(trace.f.mean()))
