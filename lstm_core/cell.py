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

from ._checks import backward_inputs, check_shape, float_array, initial_state, sequence_input, working_dtype
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
    h_prev = initial_state("h_prev", h_prev, shape, dtype)
    c_prev = initial_state("c_prev", c_prev, shape, dtype)
    shapes_text = f"() or {shape}" if shape == (H,) else f"(), ({H},) or {shape}"
    pins = _check_overrides(overrides, allowed=[(), (H,), shape], shapes_text=shapes_text)

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
    unbatched sequence and (T, B, H) for a batch.  From lstm_forward these arrays are (T, B, ·)
    views of memory laid out (T, ·, B), the layout its loop runs fastest in; treat them as read-only.
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
    xs, batched, T, B = sequence_input(xs, X)
    user_state = (B, H) if batched else (H,)
    dtype = working_dtype(p.dtype, xs.dtype)
    h0 = initial_state("h0", h0, user_state, dtype).reshape(B, H)
    c0 = initial_state("c0", c0, user_state, dtype).reshape(B, H)
    trace_shape = (T, B, H) if batched else (T, H)
    pins = _check_overrides(overrides, allowed=[(), (H,), trace_shape],
                            shapes_text=f"(), ({H},) or {trace_shape}")
    pins = {k: np.broadcast_to(np.asarray(v, dtype).reshape(v.shape[:1] + (1,) + v.shape[1:])
                               if v.ndim == 2 and not batched else np.asarray(v, dtype), (T, B, H))
            for k, v in pins.items()}
    xs3 = xs.reshape(T, B, X).astype(dtype, copy=False)

    W_x, W_h, b = (a.astype(dtype, copy=False) for a in p.stacked())
    # Speed: inside the loop every step works in columns, (4H, B) and (H, B), so that each gate is a
    # block of contiguous rows (slicing gates out of (B, 4H) gives strided arrays that numpy handles
    # several times slower), and one product gives all four pre-activations: z_t = W u_t with
    # W = [W_h; W_x; b]^T and u_t = [h_{t-1}; x_t; 1], the course layout's concat.  Each step is ~12
    # small numpy calls writing into preallocated memory; the Trace gets (T, B, ·) views of it.
    W = np.ascontiguousarray(np.concatenate([W_h, W_x, b[None]]).T)    # (4H, H+X+1)
    u = np.empty((T + 1, H + X + 1, B), dtype)     # u[t] = [h_{t-1}; x_t; 1]; u[T, :H] holds h_T
    u[0, :H] = h0.T
    u[:T, H:H + X] = xs3.transpose(0, 2, 1)
    u[:, H + X] = 1.0
    hs = u[1:, :H]
    z = np.empty((T, 4 * H, B), dtype)
    gates = np.empty((T, 4 * H, B), dtype)
    cs = np.empty((T, H, B), dtype)
    tanh_cs = np.empty((T, H, B), dtype)
    peep = p.peephole
    if peep:
        w_cf, w_ci, w_co = (a.astype(dtype, copy=False)[:, None] for a in (p.w_cf, p.w_ci, p.w_co))
    ig = np.empty((H, B), dtype)
    c = c0.T
    H2, H3 = 2 * H, 3 * H
    z_g, f, i, g, o = z[:, H2:H3], gates[:, :H], gates[:, H:H2], gates[:, H2:H3], gates[:, H3:]
    pin_fig = [(k, pins[name].transpose(0, 2, 1)) for k, name in enumerate("fig") if name in pins]
    with np.errstate(over="ignore"):   # exp(-z) may overflow to inf inside _sigmoid_into: σ = 0, exact
        for t in range(T):
            zt, ct = np.matmul(W, u[t], out=z[t]), cs[t]
            if peep:
                zt[:H] += c * w_cf
                zt[H:H2] += c * w_ci
                _sigmoid_into(zt[:H2], gates[t, :H2])
            else:              # o does not depend on c_t: one sigmoid for f, i, o (and g, overwritten)
                _sigmoid_into(zt, gates[t])
            np.tanh(z_g[t], out=g[t])
            for k, pin in pin_fig:
                gates[t, k * H:(k + 1) * H] = pin[t]
            np.multiply(f[t], c, out=ct)
            ct += np.multiply(i[t], g[t], out=ig)
            if peep:
                zt[H3:] += ct * w_co
                _sigmoid_into(zt[H3:], o[t])
            if "o" in pins:
                o[t] = pins["o"][t].T
            np.multiply(o[t], np.tanh(ct, out=tanh_cs[t]), out=hs[t])
            c = ct
    rows = [a.transpose(0, 2, 1) for a in (z, gates, cs, hs, tanh_cs)]
    return Trace(xs3, h0, c0, *rows, frozenset(pins), batched)


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
    T, B, H, X, dtype, dh = backward_inputs(p, trace, Trace, "lstm_forward", dh)
    state = (B, H) if trace.batched else (H,)
    dc = initial_state("dc_last", dc_last, state, dtype).reshape(B, H).copy()

    W_x, W_h, _ = (a.astype(dtype, copy=False) for a in p.stacked())
    H2, H3 = 2 * H, 3 * H
    # Columns again, as in lstm_forward: (T, 4H, B) and (T, H, B).  For a Trace from lstm_forward
    # these transposes are free; they undo the ones it made.
    G, cs, tcs = (a.transpose(0, 2, 1) for a in (trace.gates, trace.cs, trace.tanh_cs))
    c0 = trace.c0.T
    f, i, g, o = G[:, :H], G[:, H:H2], G[:, H2:H3], G[:, H3:]
    # Everything that does not depend on the recursion is computed for all steps at once, so the
    # loop below is ~7 small numpy calls per step.  dz = dc ⊙ A[f|i|g] and dz_o = dh ⊙ A[o]:
    # A holds each gate's local slope (σ' = s(1-s), tanh' = 1-g²) times what the gate multiplies.
    # In place throughout, and A becomes dz step by step: fresh memory costs page faults, which
    # cost more than the arithmetic here.
    das = np.subtract(1.0, G, out=np.empty((T, 4 * H, B), dtype))   # A, then dL/dz for every step
    das *= G                                                    # σ' = s(1 - s) for f, i, o
    das[1:, :H] *= cs[:-1]                                      # f multiplies c_{t-1}
    das[0, :H] *= c0
    das[:, H:H2] *= g                                           # i multiplies g
    A_g = das[:, H2:H3]
    np.subtract(1.0, np.multiply(g, g, out=A_g), out=A_g)       # tanh' = 1 - g²,
    A_g *= i                                                    # and g is multiplied by i
    das[:, H3:] *= tcs                                          # o multiplies tanh(c_t)
    for k, name in enumerate(GATES):
        if name in trace.pinned:
            das[:, k * H:(k + 1) * H] = 0.0                     # a pinned gate passes no gradient on
    dh_to_dc = np.multiply(tcs, tcs)
    np.subtract(1.0, dh_to_dc, out=dh_to_dc)
    dh_to_dc *= o                                               # ∂h_t/∂c_t = o ⊙ tanh'(c_t)
    dh = np.ascontiguousarray(dh.transpose(0, 2, 1))
    dc = dc.T.copy()
    peep = p.peephole
    if peep:
        w_cf, w_ci, w_co = (a.astype(dtype, copy=False)[:, None] for a in (p.w_cf, p.w_ci, p.w_co))
    dh_next = np.zeros((H, B), dtype)
    dh_t = np.empty((H, B), dtype)
    tmp = np.empty((H, B), dtype)
    das_fig, das_o = das[:, :H3].reshape(T, 3, H, B), das[:, H3:]   # views, made once
    for t in range(T - 1, -1, -1):
        np.add(dh[t], dh_next, out=dh_t)
        dc += np.multiply(dh_t, dh_to_dc[t], out=tmp)
        da_o = np.multiply(dh_t, das_o[t], out=das_o[t])
        if peep:
            dc += np.multiply(da_o, w_co, out=tmp)
        np.multiply(das_fig[t], dc, out=das_fig[t])
        dc *= f[t]
        if peep:
            dc += das[t, :H] * w_cf + das[t, H:H2] * w_ci
        np.matmul(W_h, das[t], out=dh_next)

    # Weight gradients: Σ_t dz_t h_{t-1}^T and Σ_t dz_t x_t^T, small products over blocks of steps
    # (one (4H, T·B) product would need a transposed copy and cross OpenBLAS's threading threshold).
    dW_h = das[0] @ trace.h0
    for t0 in range(1, T, 8):
        t1 = min(t0 + 8, T)
        dW_h += np.matmul(das[t0:t1], trace.hs[t0 - 1:t1 - 1]).sum(0)
    dW_h, dW_x = dW_h.T, np.matmul(das, trace.xs).sum(0).T
    db = das.sum((0, 2))
    dxs = np.matmul(das.transpose(0, 2, 1), W_x.T)
    if peep:
        dw_cf = (das[1:, :H] * cs[:-1]).sum((0, 2)) + (das[0, :H] * c0).sum(1)
        dw_ci = (das[1:, H:H2] * cs[:-1]).sum((0, 2)) + (das[0, H:H2] * c0).sum(1)
        dw_co = (das[:, H3:] * cs).sum((0, 2))
    dh_next, dc = dh_next.T.copy(), dc.T.copy()
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


def _check_params(params):
    if not isinstance(params, LSTMParams):
        raise ValueError(f"params: expected an LSTMParams, got {type(params).__name__}")
    return params


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
