"""The LSTM cell: one function per equation, one step, a sequence, and backpropagation through time.

Equations (row convention, x_t: (B, X), h, c: (B, H)); the notebooks number them the same way:

    (1) f_t = σ(x_t W_xf + h_{t-1} W_hf + b_f)                      forget gate
    (2) i_t = σ(x_t W_xi + h_{t-1} W_hi + b_i)                      input gate
    (3) g_t = tanh(x_t W_xg + h_{t-1} W_hg + b_g)                   candidate
    (4) c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                             cell-state update
    (5) o_t = σ(x_t W_xo + h_{t-1} W_ho + b_o)                      output gate
    (6) h_t = o_t ⊙ tanh(c_t)                                       hidden state
    (7) ŷ_t = softmax(h_t V + b_y)                                  output layer

With peepholes (Gers & Schmidhuber 2000) the gates also see the cell: f and i add
w_cf ⊙ c_{t-1} and w_ci ⊙ c_{t-1}; o adds w_co ⊙ c_t.

Sequences are time-major: xs is (T, X) or (T, B, X) and every trace array is (T, H) or (T, B, H).

Gate overrides pin a gate to a constant, for teaching ("what if f = 1 always?"): a dict such as
{"f": 1.0} or {"o": array}.  A pinned gate ignores its pre-activation, and no gradient flows into
that gate's weights.
"""
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._checks import check_shape, float_array, working_dtype
from .activations import sigmoid, softmax
from .params import GATES, LSTMGrads, LSTMParams

_RANGES = {"f": (0.0, 1.0), "i": (0.0, 1.0), "g": (-1.0, 1.0), "o": (0.0, 1.0)}


# ----- one function per equation ----------------------------------------------------------
def gate_preactivation(x_t, h_prev, p, gate, c=None):
    """z = x_t W_x + h_{t-1} W_h + b (+ w ⊙ c for a peephole).  x_t: (B, X), h_prev: (B, H) -> (B, H).

    `c` is the cell the peephole looks at: c_{t-1} for f and i, c_t for o.
    """
    W_x, W_h, b = p.gate(gate)
    z = x_t @ W_x + h_prev @ W_h + b
    if p.peephole and gate != "g":
        if c is None:
            raise ValueError(f"c: the peephole {gate}-gate needs the cell state, got None")
        z = z + c * getattr(p, f"w_c{gate}")
    return z


def forget_gate(x_t, h_prev, p, c_prev=None):
    """Eq. (1): f_t = σ(x_t W_xf + h_{t-1} W_hf + b_f).  x_t: (B, X), h_prev: (B, H) -> (B, H)"""
    return sigmoid(gate_preactivation(x_t, h_prev, p, "f", c_prev))


def input_gate(x_t, h_prev, p, c_prev=None):
    """Eq. (2): i_t = σ(x_t W_xi + h_{t-1} W_hi + b_i).  x_t: (B, X), h_prev: (B, H) -> (B, H)"""
    return sigmoid(gate_preactivation(x_t, h_prev, p, "i", c_prev))


def candidate(x_t, h_prev, p):
    """Eq. (3): g_t = tanh(x_t W_xg + h_{t-1} W_hg + b_g).  x_t: (B, X), h_prev: (B, H) -> (B, H)"""
    return np.tanh(gate_preactivation(x_t, h_prev, p, "g"))


def cell_update(f_t, c_prev, i_t, g_t):
    """Eq. (4): c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t.  All (B, H) -> (B, H)"""
    return f_t * c_prev + i_t * g_t


def output_gate(x_t, h_prev, p, c_t=None):
    """Eq. (5): o_t = σ(x_t W_xo + h_{t-1} W_ho + b_o).  x_t: (B, X), h_prev: (B, H) -> (B, H)

    With peepholes o looks at the new cell c_t."""
    return sigmoid(gate_preactivation(x_t, h_prev, p, "o", c_t))


def hidden_state(o_t, c_t):
    """Eq. (6): h_t = o_t ⊙ tanh(c_t).  (B, H), (B, H) -> (B, H)"""
    return o_t * np.tanh(c_t)


def output_layer(h_t, V, b_y):
    """Eq. (7): ŷ_t = softmax(h_t V + b_y).  h_t: (..., H), V: (H, Y), b_y: (Y,) -> (..., Y)

    The row-vector form of the seeds' softmax(V h + b_y)."""
    h_t = float_array("h_t", h_t)
    V = float_array("V", V)
    if V.ndim != 2 or h_t.shape[-1:] != V.shape[:1]:
        raise ValueError(f"V: expected shape (H, Y) with H={h_t.shape[-1]} from h_t, got {V.shape}")
    b_y = check_shape("b_y", float_array("b_y", b_y), (V.shape[1],), f"Y={V.shape[1]} from V")
    return softmax(h_t @ V + b_y, axis=-1)


# ----- one step ---------------------------------------------------------------------------
class Step(NamedTuple):
    """Everything one step computes.  z_* are pre-activations; f, i, g, o are the gates as used
    (after any override); c and h are the new states."""
    z_f: np.ndarray
    z_i: np.ndarray
    z_g: np.ndarray
    z_o: np.ndarray
    f: np.ndarray
    i: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


def lstm_step(params, x_t, h_prev=None, c_prev=None, overrides=None):
    """One step of the cell, Eqs. (1)-(6), each through its own function.

    x_t: (X,) or (B, X); h_prev, c_prev: (H,) or (B, H), default zeros.  Returns a Step whose
    arrays are (H,) or (B, H).  `overrides` pins gates, e.g. {"f": 1.0}: a scalar, an (H,) array,
    or an array of the gate's shape.
    """
    p = _check_params(params)
    X, H = p.input_size, p.hidden_size
    x_t = float_array("x_t", x_t)
    if x_t.ndim not in (1, 2):
        raise ValueError(f"x_t: expected shape (X,) or (B, X) with X={X}, got {x_t.shape}")
    batched = x_t.ndim == 2
    shape = (x_t.shape[0], H) if batched else (H,)
    check_shape("x_t", x_t, shape[:-1] + (X,), f"X={X} from params")
    dtype = working_dtype(p.dtype, x_t.dtype)
    h_prev = _state("h_prev", h_prev, shape, dtype)
    c_prev = _state("c_prev", c_prev, shape, dtype)
    pins = _check_overrides(overrides, allowed=[(), (H,), shape], shapes_text=f"(), ({H},) or {shape}")

    z = {g: gate_preactivation(x_t, h_prev, p, g, c_prev) for g in "fig"}
    f = _pinned(pins, "f", shape, dtype, sigmoid(z["f"]))
    i = _pinned(pins, "i", shape, dtype, sigmoid(z["i"]))
    g = _pinned(pins, "g", shape, dtype, np.tanh(z["g"]))
    c = cell_update(f, c_prev, i, g)
    z["o"] = gate_preactivation(x_t, h_prev, p, "o", c)
    o = _pinned(pins, "o", shape, dtype, sigmoid(z["o"]))
    h = hidden_state(o, c)
    return Step(z["f"], z["i"], z["g"], z["o"], f, i, g, o, c, h)


# ----- a sequence -------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Trace:
    """What lstm_forward computed at every step, time-major.

    z (T, B, 4H) holds the pre-activations and gates (T, B, 4H) the gates as used, both in the
    stacked order f, i, g, o.  The properties f, i, g, o, c, h, z_f, ... return (T, H) for an
    unbatched sequence and (T, B, H) for a batch.
    """
    xs: np.ndarray          # (T, B, X)
    h0: np.ndarray          # (B, H)
    c0: np.ndarray          # (B, H)
    z: np.ndarray           # (T, B, 4H)
    gates: np.ndarray       # (T, B, 4H)
    cs: np.ndarray          # (T, B, H)
    hs: np.ndarray          # (T, B, H)
    tanh_cs: np.ndarray     # (T, B, H)
    pinned: frozenset       # names of the gates that were overridden
    batched: bool

    def _user(self, a):
        return a if self.batched else a[:, 0]

    def _gate(self, arr, k):
        H = self.cs.shape[-1]
        return self._user(arr[..., k * H:(k + 1) * H])

    f = property(lambda self: self._gate(self.gates, 0), doc="forget gate f_t, (T, [B,] H)")
    i = property(lambda self: self._gate(self.gates, 1), doc="input gate i_t, (T, [B,] H)")
    g = property(lambda self: self._gate(self.gates, 2), doc="candidate g_t, (T, [B,] H)")
    o = property(lambda self: self._gate(self.gates, 3), doc="output gate o_t, (T, [B,] H)")
    z_f = property(lambda self: self._gate(self.z, 0), doc="pre-activation of f, (T, [B,] H)")
    z_i = property(lambda self: self._gate(self.z, 1), doc="pre-activation of i, (T, [B,] H)")
    z_g = property(lambda self: self._gate(self.z, 2), doc="pre-activation of g, (T, [B,] H)")
    z_o = property(lambda self: self._gate(self.z, 3), doc="pre-activation of o, (T, [B,] H)")
    c = property(lambda self: self._user(self.cs), doc="cell state c_t, (T, [B,] H)")
    h = property(lambda self: self._user(self.hs), doc="hidden state h_t, (T, [B,] H)")

    @property
    def T(self):
        return self.xs.shape[0]


def lstm_forward(params, xs, h0=None, c0=None, overrides=None):
    """Run the cell over a sequence.  xs: (T, X) or (T, B, X); h0, c0: (H,) or (B, H), default zeros.

    Uses the stacked form: one (X, 4H) and one (H, 4H) matrix for all four gates, which gives the
    same numbers as calling lstm_step T times (the tests assert it) in far fewer numpy calls.
    `overrides` pins gates for the whole sequence: a scalar, an (H,) array, or an array of the
    trace's shape (T, H) / (T, B, H).
    """
    p = _check_params(params)
    X, H = p.input_size, p.hidden_size
    xs = float_array("xs", xs)
    if xs.ndim not in (2, 3) or xs.shape[-1] != X or xs.shape[0] < 1:
        raise ValueError(f"xs: expected shape (T, X) or (T, B, X) with T >= 1 and X={X} from params, "
                         f"got {xs.shape}")
    batched = xs.ndim == 3
    T = xs.shape[0]
    B = xs.shape[1] if batched else 1
    user_state = (B, H) if batched else (H,)
    dtype = working_dtype(p.dtype, xs.dtype)
    h0 = _state("h0", h0, user_state, dtype).reshape(B, H)
    c0 = _state("c0", c0, user_state, dtype).reshape(B, H)
    trace_shape = (T, B, H) if batched else (T, H)
    pins = _check_overrides(overrides, allowed=[(), (H,), trace_shape],
                            shapes_text=f"(), ({H},) or {trace_shape}")
    pins = {k: np.broadcast_to(np.asarray(v, dtype).reshape(v.shape[:1] + (1,) + v.shape[1:])
                               if v.ndim == 2 and not batched else np.asarray(v, dtype), (T, B, H))
            for k, v in pins.items()}
    xs3 = xs.reshape(T, B, X).astype(dtype, copy=False)

    W_x, W_h, b = (a.astype(dtype, copy=False) for a in p.stacked())
    z = xs3 @ W_x + b                      # input part of every pre-activation, all steps at once
    gates = np.empty((T, B, 4 * H), dtype)
    cs = np.empty((T, B, H), dtype)
    hs = np.empty((T, B, H), dtype)
    tanh_cs = np.empty((T, B, H), dtype)
    peep = p.peephole
    if peep:
        w_cf, w_ci, w_co = (a.astype(dtype, copy=False) for a in (p.w_cf, p.w_ci, p.w_co))
    # Speed: the loop is ~15 small numpy calls per step, each writing into preallocated memory.
    # Without peepholes o does not depend on c_t, so one sigmoid covers f, i and o (and g, which
    # tanh then overwrites).
    hW = np.empty((B, 4 * H), dtype)
    ig = np.empty((B, H), dtype)
    h, c = h0, c0
    H2, H3 = 2 * H, 3 * H
    pin_fig = [(k, pins[name]) for k, name in enumerate("fig") if name in pins]
    with np.errstate(over="ignore"):   # exp(-z) may overflow to inf inside _sigmoid_into: σ = 0, exact
        for t in range(T):
            zt, gt, ct = z[t], gates[t], cs[t]
            zt += np.matmul(h, W_h, out=hW)
            if peep:
                zt[:, :H] += c * w_cf
                zt[:, H:H2] += c * w_ci
                _sigmoid_into(zt[:, :H2], gt[:, :H2])
            else:
                _sigmoid_into(zt, gt)
            np.tanh(zt[:, H2:H3], out=gt[:, H2:H3])
            for k, pin in pin_fig:
                gt[:, k * H:(k + 1) * H] = pin[t]
            np.multiply(gt[:, :H], c, out=ct)
            ct += np.multiply(gt[:, H:H2], gt[:, H2:H3], out=ig)
            if peep:
                zt[:, H3:] += ct * w_co
                _sigmoid_into(zt[:, H3:], gt[:, H3:])
            if "o" in pins:
                gt[:, H3:] = pins["o"][t]
            h = np.multiply(gt[:, H3:], np.tanh(ct, out=tanh_cs[t]), out=hs[t])
            c = ct
    return Trace(xs3, h0, c0, z, gates, cs, hs, tanh_cs, frozenset(pins), batched)


# ----- backpropagation through time -------------------------------------------------------
class Backward(NamedTuple):
    """Result of lstm_backward.  grads is an LSTMGrads (the names and shapes of LSTMParams);
    dxs has the shape of xs; dh0 and dc0 the shape of the initial states."""
    grads: LSTMGrads
    dxs: np.ndarray
    dh0: np.ndarray
    dc0: np.ndarray


def lstm_backward(params, trace, dh, dc_last=None):
    """Backpropagation through time.

    dh: dL/dh_t coming from the loss at every step, shape of trace.h ((T, H) or (T, B, H)).
    dc_last: dL/dc_T from outside (e.g. a loss on the final cell), shape of one state; default 0.
    Returns Backward(grads, dxs, dh0, dc0).
    """
    p = _check_params(params)
    if not isinstance(trace, Trace):
        raise ValueError(f"trace: expected the Trace returned by lstm_forward, got {type(trace).__name__}")
    T, B, H = trace.hs.shape
    X = trace.xs.shape[-1]
    if (p.input_size, p.hidden_size) != (X, H):
        raise ValueError(f"params: expected the params the trace was made with (X={X}, H={H}), "
                         f"got X={p.input_size}, H={p.hidden_size}")
    dtype = trace.hs.dtype
    user = (T, B, H) if trace.batched else (T, H)
    dh = check_shape("dh", float_array("dh", dh, dtype), user, "the shape of trace.h").reshape(T, B, H)
    state = (B, H) if trace.batched else (H,)
    dc = _state("dc_last", dc_last, state, dtype).reshape(B, H).copy()

    W_x, W_h, _ = (a.astype(dtype, copy=False) for a in p.stacked())
    W_hT = np.ascontiguousarray(W_h.T)
    H2, H3 = 2 * H, 3 * H
    G, cs, tcs = trace.gates, trace.cs, trace.tanh_cs
    c_prevs = np.concatenate([trace.c0[None], cs[:-1]])
    # Everything that does not depend on the recursion is computed for all steps at once, so the
    # loop below is ~8 small numpy calls per step.  dz = dc ⊙ A[..., f|i|g] and dz_o = dh ⊙ A[..., o]:
    # A holds each gate's local slope (σ' = s(1-s), tanh' = 1-g²) times what the gate multiplies.
    A = G * (1.0 - G)
    A[..., :H] *= c_prevs                                       # f multiplies c_{t-1}
    A[..., H:H2] *= G[..., H2:H3]                               # i multiplies g
    A[..., H2:H3] = (1.0 - G[..., H2:H3] ** 2) * G[..., H:H2]   # g is multiplied by i
    A[..., H3:] *= tcs                                          # o multiplies tanh(c_t)
    for k, name in enumerate(GATES):
        if name in trace.pinned:
            A[..., k * H:(k + 1) * H] = 0.0                     # a pinned gate passes no gradient on
    dh_to_dc = G[..., H3:] * (1.0 - tcs * tcs)                  # ∂h_t/∂c_t = o ⊙ tanh'(c_t)
    F = G[..., :H]
    A4 = A.reshape(T, B, 4, H)
    das = np.empty((T, B, 4 * H), dtype)                        # dL/dz for every step
    das4 = das.reshape(T, B, 4, H)
    peep = p.peephole
    if peep:
        w_cf, w_ci, w_co = (a.astype(dtype, copy=False) for a in (p.w_cf, p.w_ci, p.w_co))
    dh_next = np.zeros((B, H), dtype)
    dh_t = np.empty((B, H), dtype)
    tmp = np.empty((B, H), dtype)
    for t in range(T - 1, -1, -1):
        np.add(dh[t], dh_next, out=dh_t)
        dc += np.multiply(dh_t, dh_to_dc[t], out=tmp)
        da4 = das4[t]
        np.multiply(dh_t, A4[t, :, 3], out=da4[:, 3])
        if peep:
            dc += np.multiply(da4[:, 3], w_co, out=tmp)
        np.multiply(dc[:, None, :], A4[t, :, :3], out=da4[:, :3])
        dc *= F[t]
        if peep:
            dc += da4[:, 0] * w_cf + da4[:, 1] * w_ci
        np.matmul(das[t], W_hT, out=dh_next)

    flat = das.reshape(T * B, 4 * H)
    h_prevs = np.concatenate([trace.h0[None], trace.hs[:-1]]).reshape(T * B, H)
    dW_x = _at_b(trace.xs.reshape(T * B, X), flat)
    dW_h = _at_b(h_prevs, flat)
    db = flat.sum(0)
    dxs = das @ W_x.T
    if peep:
        dw_cf = (das[..., :H] * c_prevs).sum((0, 1))
        dw_ci = (das[..., H:H2] * c_prevs).sum((0, 1))
        dw_co = (das[..., H3:] * cs).sum((0, 1))
    grads = LSTMGrads.from_stacked(dW_x, dW_h, db, (dw_cf, dw_ci, dw_co) if peep else None)
    if not trace.batched:
        dxs, dh_next, dc = dxs[:, 0], dh_next[0], dc[0]
    return Backward(grads, dxs, dh_next, dc)


# ----- helpers ----------------------------------------------------------------------------
def _sigmoid_into(z, out):
    """out = σ(z) = 1 / (1 + e^{-z}) in four in-place calls, for the forward loop.

    Call under np.errstate(over="ignore"): for z < -88 (float32) or -709 (float64) e^{-z} is inf and
    σ is then exactly 0, as activations.sigmoid gives.
    """
    np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _at_b(a, b):
    """a.T @ b for tall a (N, K) and b (N, M), summed over blocks of rows.

    One big product crosses OpenBLAS's threading threshold (K·M·rows >= 2^18); its threads then
    wait for a core on a busy 2-core machine and cost milliseconds.  Blocks below the threshold
    stay single-threaded.  Large K·M (big H) keeps 64-row blocks, where threads pay off.
    """
    rows = max((1 << 18) // (a.shape[1] * b.shape[1]) - 1, 64)
    out = a[:rows].T @ b[:rows]
    for k in range(rows, a.shape[0], rows):
        out += a[k:k + rows].T @ b[k:k + rows]
    return out


def _check_params(params):
    if not isinstance(params, LSTMParams):
        raise ValueError(f"params: expected an LSTMParams, got {type(params).__name__}")
    return params


def _state(name, value, shape, dtype):
    if value is None:
        return np.zeros(shape, dtype)
    arr = float_array(name, value)
    check_shape(name, arr, shape, "(H,) for one sequence, (B, H) for a batch")
    return arr.astype(dtype, copy=False)


def _check_overrides(overrides, allowed, shapes_text):
    if overrides is None:
        return {}
    if not hasattr(overrides, "items"):
        raise ValueError(f"overrides: expected a dict like {{'f': 1.0}}, got {type(overrides).__name__}")
    pins = {}
    for name, value in overrides.items():
        if name not in GATES:
            raise ValueError(f"overrides: expected gate names among {GATES}, got {name!r}")
        arr = float_array(f"overrides[{name!r}]", value)
        if arr.shape not in [tuple(s) for s in allowed]:
            raise ValueError(f"overrides[{name!r}]: expected shape {shapes_text}, got {arr.shape}")
        lo, hi = _RANGES[name]
        if arr.size and (arr.min() < lo or arr.max() > hi):
            raise ValueError(f"overrides[{name!r}]: expected values in [{lo:g}, {hi:g}], "
                             f"got values from {arr.min():g} to {arr.max():g}")
        pins[name] = arr
    return pins


def _pinned(pins, name, shape, dtype, computed):
    if name not in pins:
        return computed
    return np.broadcast_to(pins[name], shape).astype(dtype)
