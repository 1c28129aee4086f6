"""The vanilla (Elman) tanh RNN the LSTM was invented to fix: forward and backpropagation through time.

One equation, row convention (x_t: (B, X), h: (B, H)), as in torch.nn.RNN(nonlinearity="tanh"):

    (R) h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h)        W_xh: (X, H), W_hh: (H, H), b_h: (H,)

Sequences are time-major: xs is (T, X) or (T, B, X), like lstm_forward.  PyTorch keeps two biases
(bias_ih + bias_hh); here they are one, b_h, their sum.
"""
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from ._checks import (backward_inputs, check_shape, float_array, freeze_fields, initial_state, sequence_input,
                      working_dtype)
from .gradcheck import numerical_gradient, relative_error


@dataclass(frozen=True, eq=False)
class RNNParams:
    """Weights of one tanh RNN layer: W_xh (X, H), W_hh (H, H), b_h (H,).

    Arrays are copied, made read-only, and share one float dtype: float64 by default, float32
    only when every array is float32.
    """

    W_xh: np.ndarray
    W_hh: np.ndarray
    b_h: np.ndarray

    def __post_init__(self):
        arrays = {f.name: float_array(f.name, getattr(self, f.name)) for f in fields(self)}
        W_xh = arrays["W_xh"]
        if W_xh.ndim != 2:
            raise ValueError(f"W_xh: expected a 2-D array (X, H), got shape {W_xh.shape}")
        X, H = W_xh.shape
        check_shape("W_hh", arrays["W_hh"], (H, H), f"H={H} from W_xh")
        check_shape("b_h", arrays["b_h"], (H,), f"H={H} from W_xh")
        dtype = working_dtype(*(a.dtype for a in arrays.values()))
        freeze_fields(self, arrays, dtype)

    @property
    def input_size(self):
        return self.W_xh.shape[0]

    @property
    def hidden_size(self):
        return self.W_xh.shape[1]

    @property
    def dtype(self):
        return self.W_xh.dtype

    def arrays(self):
        """{name: array} in field order: W_xh, W_hh, b_h."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def astype(self, dtype):
        return type(self)(**{n: a.astype(dtype) for n, a in self.arrays().items()})

    def spectral_radius(self):
        """ρ(W_hh) = max |eigenvalue|: the growth rate of W_hh^k, ‖W_hh^k‖^(1/k) → ρ."""
        return float(np.max(np.abs(np.linalg.eigvals(self.W_hh.astype(np.float64)))))

    def largest_singular_value(self):
        """σ_max(W_hh) = ‖W_hh‖₂ ≥ ρ(W_hh): the largest factor by which one step can stretch a gradient."""
        return float(np.linalg.norm(self.W_hh.astype(np.float64), 2))

    @classmethod
    def random(cls, input_size, hidden_size, seed=0, scale=None, dtype=np.float64):
        """Reproducible weights drawn like PyTorch's default: U(-1/√H, 1/√H) for every entry.

        `scale` (optional, ≥ 0) rescales W_hh so that its spectral radius ρ(W_hh) equals `scale`;
        the other weights and the direction of W_hh do not depend on it (same seed, same draw).
        """
        for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
            if isinstance(v, bool) or int(v) != v or v < 1:
                raise ValueError(f"{name}: expected a positive integer, got {v!r}")
        X, H = int(input_size), int(hidden_size)
        rng = np.random.default_rng(seed)
        k = 1.0 / np.sqrt(H)
        W_xh = rng.uniform(-k, k, size=(X, H))
        W_hh = rng.uniform(-k, k, size=(H, H))
        b_h = rng.uniform(-k, k, size=H)
        p = cls(*(np.asarray(a, dtype=dtype) for a in (W_xh, W_hh, b_h)))
        return p if scale is None else p.with_spectral_radius(scale, name="scale")

    def with_spectral_radius(self, rho, name="rho"):
        """A copy with W_hh multiplied by the number that makes its spectral radius `rho` (≥ 0)."""
        r = float_array(name, rho)
        if r.shape != () or r < 0:
            raise ValueError(f"{name}: expected one number >= 0 (the spectral radius of W_hh), got {rho!r}")
        now = self.spectral_radius()
        if now == 0:
            raise ValueError(f"{name}: W_hh is nilpotent (spectral radius 0), no multiple of it has radius {rho!r}")
        return type(self)(self.W_xh, self.W_hh * (float(r) / now), self.b_h)

    @classmethod
    def zeros(cls, input_size, hidden_size, dtype=np.float64):
        X, H = input_size, hidden_size
        return cls(np.zeros((X, H), dtype), np.zeros((H, H), dtype), np.zeros(H, dtype))

    # ----- PyTorch ------------------------------------------------------------------------
    @classmethod
    def from_torch(cls, obj):
        """Read a one-layer tanh torch.nn.RNN, a torch.nn.RNNCell, or the state_dict() of either.

        W_xh = weight_ih.T, W_hh = weight_hh.T, b_h = bias_ih + bias_hh (a missing bias counts as 0).
        """
        if getattr(obj, "nonlinearity", "tanh") != "tanh":
            raise ValueError(f"obj: expected a tanh RNN, got nonlinearity={obj.nonlinearity!r}")
        sd = obj.state_dict() if hasattr(obj, "state_dict") else obj
        if not hasattr(sd, "keys"):
            raise ValueError(f"obj: expected a torch RNN, RNNCell or a state_dict, got {type(obj).__name__}")
        sd = {k: (v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)) for k, v in sd.items()}
        sfx = "" if "weight_ih" in sd else "_l0"
        known = {f"{n}{sfx}" for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        if f"weight_ih{sfx}" not in sd or f"weight_hh{sfx}" not in sd or set(sd) - known:
            raise ValueError(f"obj: expected the weights of a one-layer, one-direction RNN (weight_ih_l0 ...), "
                             f"got keys {sorted(sd)}")
        W_ih, W_hh = sd[f"weight_ih{sfx}"], sd[f"weight_hh{sfx}"]
        H = W_hh.shape[0]
        b = sd.get(f"bias_ih{sfx}", np.zeros(H)) + sd.get(f"bias_hh{sfx}", np.zeros(H))
        return cls(W_ih.T, W_hh.T, b)

    def to_torch(self, cell=False):
        """State-dict arrays for torch.nn.RNN (`weight_ih_l0` ...) or, with cell=True, nn.RNNCell.

        The whole bias goes into bias_ih; bias_hh is zero.  Load with
        `module.load_state_dict({k: torch.from_numpy(v) for k, v in d.items()})`.
        """
        sfx = "" if cell else "_l0"
        return {f"weight_ih{sfx}": np.ascontiguousarray(self.W_xh.T),
                f"weight_hh{sfx}": np.ascontiguousarray(self.W_hh.T),
                f"bias_ih{sfx}": self.b_h.copy(), f"bias_hh{sfx}": np.zeros_like(self.b_h)}


class RNNGrads(RNNParams):
    """Gradients dL/dW_xh, dL/dW_hh, dL/db_h: the names and shapes of RNNParams."""


# ----- one step ---------------------------------------------------------------------------
def rnn_step(params, x_t, h_prev=None):
    """Eq. (R): h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h).

    x_t: (X,) or (B, X); h_prev: (H,) or (B, H), default zeros -> h_t: (H,) or (B, H).
    """
    p = _check_params(params)
    X, H = p.input_size, p.hidden_size
    x_t = float_array("x_t", x_t)
    if x_t.ndim not in (1, 2) or x_t.shape[-1] != X:
        raise ValueError(f"x_t: expected shape (X,) or (B, X) with X={X} from params, got {x_t.shape}")
    shape = x_t.shape[:-1] + (H,)
    dtype = working_dtype(p.dtype, x_t.dtype)
    h_prev = initial_state("h_prev", h_prev, shape, dtype)
    return np.tanh(x_t.astype(dtype, copy=False) @ p.W_xh.astype(dtype, copy=False)
                   + h_prev @ p.W_hh.astype(dtype, copy=False) + p.b_h.astype(dtype, copy=False))


# ----- a sequence -------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RNNTrace:
    """What rnn_forward computed, time-major.  `h` is (T, H) or (T, B, H) like the input."""
    xs: np.ndarray          # (T, B, X)
    h0: np.ndarray          # (B, H)
    hs: np.ndarray          # (T, B, H); tanh' at step t is 1 - hs[t]², all backward needs
    batched: bool

    h = property(lambda self: self.hs if self.batched else self.hs[:, 0], doc="hidden state h_t, (T, [B,] H)")

    @property
    def T(self):
        return self.xs.shape[0]


def rnn_forward(params, xs, h0=None):
    """Run Eq. (R) over a sequence.  xs: (T, X) or (T, B, X); h0: (H,) or (B, H), default zeros."""
    p = _check_params(params)
    X, H = p.input_size, p.hidden_size
    xs, batched, T, B = sequence_input(xs, X)
    dtype = working_dtype(p.dtype, xs.dtype)
    h = initial_state("h0", h0, (B, H) if batched else (H,), dtype).reshape(B, H)
    h0 = h
    xs3 = xs.reshape(T, B, X).astype(dtype, copy=False)
    W_hh = p.W_hh.astype(dtype, copy=False)
    a = xs3 @ p.W_xh.astype(dtype, copy=False) + p.b_h.astype(dtype, copy=False)  # input part, all steps
    hs = np.empty((T, B, H), dtype)
    for t in range(T):
        h = np.tanh(a[t] + h @ W_hh, out=hs[t])
    return RNNTrace(xs3, h0, hs, batched)


# ----- backpropagation through time -------------------------------------------------------
class RNNBackward(NamedTuple):
    """Result of rnn_backward: grads (an RNNGrads), dxs (shape of xs), dh0 (shape of h0)."""
    grads: RNNGrads
    dxs: np.ndarray
    dh0: np.ndarray


def _bptt(params, trace, dh):
    """The backward recursion.  Returns (da, dh_total, dh0), all with a batch axis:
    da[t] = dL/da_t (pre-activation), dh_total[t] = dL/dh_t through every path (the loss at step t
    plus everything h_t feeds later), dh0 = dL/dh_0."""
    p = _check_params(params)
    T, B, H, X, dtype, dh = backward_inputs(p, trace, RNNTrace, "rnn_forward", dh)
    W_hhT = np.ascontiguousarray(p.W_hh.astype(dtype, copy=False).T)
    slope = 1.0 - trace.hs * trace.hs           # tanh'(a_t) = 1 - h_t²
    da = np.empty((T, B, H), dtype)
    dh_total = np.empty((T, B, H), dtype)
    dh_next = np.zeros((B, H), dtype)
    for t in range(T - 1, -1, -1):
        np.add(dh[t], dh_next, out=dh_total[t])
        np.multiply(dh_total[t], slope[t], out=da[t])
        dh_next = da[t] @ W_hhT
    return da, dh_total, dh_next


def rnn_backward(params, trace, dh):
    """Backpropagation through time.  dh: dL/dh_t from the loss at every step, the shape of trace.h.

    Returns RNNBackward(grads, dxs, dh0).
    """
    da, _, dh0 = _bptt(params, trace, dh)
    T, B, H = trace.hs.shape
    X = trace.xs.shape[-1]
    flat = da.reshape(T * B, H)
    h_prevs = np.concatenate([trace.h0[None], trace.hs[:-1]]).reshape(T * B, H)
    grads = RNNGrads(trace.xs.reshape(T * B, X).T @ flat, h_prevs.T @ flat, flat.sum(0))
    dxs = da @ params.W_xh.astype(da.dtype, copy=False).T
    if not trace.batched:
        dxs, dh0 = dxs[:, 0], dh0[0]
    return RNNBackward(grads, dxs, dh0)


def rnn_state_grads(params, trace, dh):
    """dL/dh_t at every step through every path, shape of trace.h: the quantity whose norm vanishes.

    dh is as in rnn_backward (the loss's direct dL/dh_t); the result adds what flows back from later steps.
    """
    _, dh_total, _ = _bptt(params, trace, dh)
    return dh_total if trace.batched else dh_total[:, 0]


def rnn_gradcheck(params, xs, h0=None, seed=0, eps=1e-6):
    """Compare rnn_backward with central differences on a random linear loss L = Σ_t Σ R_t ⊙ h_t.

    Returns {name: relative error} for W_xh, W_hh, b_h, xs and h0.  Use float64.
    """
    p = _check_params(params).astype(np.float64)
    arrays = {n: a.copy() for n, a in p.arrays().items()}
    xs = np.array(float_array("xs", xs), dtype=np.float64)
    trace = rnn_forward(p, xs, h0)
    state_shape = trace.h.shape[1:]
    h0 = np.zeros(state_shape) if h0 is None else np.array(float_array("h0", h0), dtype=np.float64)
    R = np.random.default_rng(seed).standard_normal(trace.h.shape)

    def loss():
        return float(np.sum(R * rnn_forward(RNNParams(**arrays), xs, h0).h))

    back = rnn_backward(p, trace, R)
    analytic = back.grads.arrays()
    errors = {name: relative_error(analytic[name], numerical_gradient(loss, arr, eps))
              for name, arr in arrays.items()}
    errors["xs"] = relative_error(back.dxs, numerical_gradient(loss, xs, eps))
    errors["h0"] = relative_error(back.dh0, numerical_gradient(loss, h0, eps))
    return errors


# ----- helpers ----------------------------------------------------------------------------
def _check_params(params):
    if not isinstance(params, RNNParams):
        raise ValueError(f"params: expected an RNNParams, got {type(params).__name__}")
    return params
