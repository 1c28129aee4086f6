"""LSTMParams: the named weights of one LSTM layer, and converters to every common layout.

Row convention (d2l's): a step's input is x_t of shape (B, X), batch in rows, and a gate is
    f_t = σ(x_t W_xf + h_{t-1} W_hf + b_f)      W_xf: (X, H), W_hf: (H, H), b_f: (H,)

Layouts this module reads and writes:
    PyTorch  nn.LSTM / nn.LSTMCell: weight_ih (4H, X), weight_hh (4H, H), bias_ih, bias_hh (4H,),
             gate order i, f, g, o; the two biases are summed.
    Keras 3  LSTM.get_weights(): kernel (X, 4H), recurrent_kernel (H, 4H), bias (4H,), order i, f, c, o.
    Course   (deeplearning.ai): Wf (H, H+X) multiplies concat = [h_prev; x_t] (hidden rows first),
             batches as columns; bf is (H, 1) or (H,).
"""
from dataclasses import dataclass, fields, replace

import numpy as np

from ._checks import check_shape, float_array, freeze_fields, working_dtype

GATES = ("f", "i", "g", "o")
GATE_NAMES = {"f": "forget gate", "i": "input gate", "g": "candidate", "o": "output gate"}
PEEPHOLES = ("w_cf", "w_ci", "w_co")
_TORCH_ORDER = ("i", "f", "g", "o")  # Keras uses the same order, calling g "c"


@dataclass(frozen=True, eq=False)
class LSTMParams:
    """Weights of one LSTM layer, by gate: W_x* (X, H), W_h* (H, H), b_* (H,).

    The optional peephole weights w_cf, w_ci, w_co (H,) are the diagonal peephole
    connections of Gers & Schmidhuber (2000); they are None in the standard cell.
    """

    W_xf: np.ndarray
    W_hf: np.ndarray
    b_f: np.ndarray
    W_xi: np.ndarray
    W_hi: np.ndarray
    b_i: np.ndarray
    W_xg: np.ndarray
    W_hg: np.ndarray
    b_g: np.ndarray
    W_xo: np.ndarray
    W_ho: np.ndarray
    b_o: np.ndarray
    w_cf: np.ndarray = None
    w_ci: np.ndarray = None
    w_co: np.ndarray = None

    def __post_init__(self):
        given = {f.name: getattr(self, f.name) for f in fields(self)}
        peep = [given[n] is not None for n in PEEPHOLES]
        if any(peep) and not all(peep):
            missing = [n for n, p in zip(PEEPHOLES, peep) if not p]
            raise ValueError(f"peephole weights: give all of w_cf, w_ci, w_co or none; missing {missing}")
        arrays = {n: float_array(n, v) for n, v in given.items() if v is not None}
        dtype = working_dtype(*(a.dtype for a in arrays.values()))
        X, H = arrays["W_xf"].shape if arrays["W_xf"].ndim == 2 else (None, None)
        if X is None:
            raise ValueError(f"W_xf: expected a 2-D array (X, H), got shape {arrays['W_xf'].shape}")
        for g in GATES:
            check_shape(f"W_x{g}", arrays[f"W_x{g}"], (X, H), f"X={X}, H={H} from W_xf")
            check_shape(f"W_h{g}", arrays[f"W_h{g}"], (H, H), f"H={H} from W_xf")
            check_shape(f"b_{g}", arrays[f"b_{g}"], (H,), f"H={H} from W_xf")
        for n in PEEPHOLES:
            if n in arrays:
                check_shape(n, arrays[n], (H,), f"H={H} from W_xf")
        freeze_fields(self, arrays, dtype)

    # ----- sizes --------------------------------------------------------------------------
    @property
    def input_size(self):
        return self.W_xf.shape[0]

    @property
    def hidden_size(self):
        return self.W_xf.shape[1]

    @property
    def dtype(self):
        return self.W_xf.dtype

    @property
    def peephole(self):
        return self.w_cf is not None

    def gate(self, name):
        """(W_x, W_h, b) of gate `name` in 'f', 'i', 'g', 'o'."""
        _check_gate(name)
        return getattr(self, f"W_x{name}"), getattr(self, f"W_h{name}"), getattr(self, f"b_{name}")

    def with_gate(self, name, W_x=None, W_h=None, b=None):
        """A copy with some of gate `name`'s weights replaced (the sliders use this)."""
        _check_gate(name)
        given = {f"W_x{name}": W_x, f"W_h{name}": W_h, f"b_{name}": b}
        # Plain numbers and lists take the params' dtype, so float32 params stay float32.
        new = {n: v if isinstance(v, np.ndarray) else float_array(n, v, self.dtype)
               for n, v in given.items() if v is not None}
        return replace(self, **new)

    def arrays(self):
        """{name: array} of every weight present, in field order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def astype(self, dtype):
        return type(self)(**{n: a.astype(dtype) for n, a in self.arrays().items()})

    def stacked(self):
        """(W_x (X, 4H), W_h (H, 4H), b (4H,)): all four gates side by side, in order f, i, g, o."""
        W_x = np.concatenate([self.W_xf, self.W_xi, self.W_xg, self.W_xo], axis=1)
        W_h = np.concatenate([self.W_hf, self.W_hi, self.W_hg, self.W_ho], axis=1)
        b = np.concatenate([self.b_f, self.b_i, self.b_g, self.b_o])
        return W_x, W_h, b

    @classmethod
    def from_stacked(cls, W_x, W_h, b, peephole=None):
        """Inverse of stacked(); `peephole` is None or (w_cf, w_ci, w_co)."""
        W_x, W_h, b = float_array("W_x", W_x), float_array("W_h", W_h), float_array("b", b)
        if W_h.ndim != 2 or W_h.shape[1] != 4 * W_h.shape[0]:
            raise ValueError(f"W_h: expected shape (H, 4H), got {W_h.shape}")
        H = W_h.shape[0]
        check_shape("b", b, (4 * H,), f"4H with H={H} from W_h")
        if W_x.ndim != 2:
            raise ValueError(f"W_x: expected a 2-D array (X, 4H), got shape {W_x.shape}")
        check_shape("W_x", W_x, (W_x.shape[0], 4 * H), f"4H with H={H} from W_h")
        kw = {}
        for k, g in enumerate(GATES):
            s = slice(k * H, (k + 1) * H)
            kw[f"W_x{g}"], kw[f"W_h{g}"], kw[f"b_{g}"] = W_x[:, s], W_h[:, s], b[s]
        if peephole is not None:
            kw.update(zip(PEEPHOLES, peephole))
        return cls(**kw)

    # ----- constructors -------------------------------------------------------------------
    @classmethod
    def random(cls, input_size, hidden_size, seed=0, forget_bias=0.0, dtype=np.float64, peephole=False):
        """Reproducible weights drawn like PyTorch's default: U(-1/√H, 1/√H) for every entry.

        `forget_bias` is added to b_f (Jozefowicz et al. 2015 recommend 1.0).
        """
        for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
            if int(v) != v or v < 1:
                raise ValueError(f"{name}: expected a positive integer, got {v!r}")
        X, H = int(input_size), int(hidden_size)
        rng = np.random.default_rng(seed)
        k = 1.0 / np.sqrt(H)
        kw = {}
        for g in GATES:
            kw[f"W_x{g}"] = rng.uniform(-k, k, size=(X, H))
            kw[f"W_h{g}"] = rng.uniform(-k, k, size=(H, H))
            kw[f"b_{g}"] = rng.uniform(-k, k, size=H)
        kw["b_f"] = kw["b_f"] + float_array("forget_bias", forget_bias)
        if peephole:
            for n in PEEPHOLES:
                kw[n] = rng.uniform(-k, k, size=H)
        return cls(**{n: np.asarray(a, dtype=dtype) for n, a in kw.items()})

    @classmethod
    def zeros(cls, input_size, hidden_size, dtype=np.float64, peephole=False):
        X, H = input_size, hidden_size
        kw = {}
        for g in GATES:
            kw.update({f"W_x{g}": np.zeros((X, H), dtype), f"W_h{g}": np.zeros((H, H), dtype),
                       f"b_{g}": np.zeros(H, dtype)})
        if peephole:
            kw.update({n: np.zeros(H, dtype) for n in PEEPHOLES})
        return cls(**kw)

    # ----- PyTorch ------------------------------------------------------------------------
    @classmethod
    def from_torch(cls, obj, layer=None, reverse=False):
        """Read a torch.nn.LSTM, torch.nn.LSTMCell, or the state_dict() of either.

        Tensors or numpy arrays are both accepted.  A multi-layer or bidirectional LSTM
        needs `layer=` (and `reverse=True` for the backward direction).
        """
        sd = obj.state_dict() if hasattr(obj, "state_dict") else obj
        if not hasattr(sd, "keys"):
            raise ValueError(f"obj: expected a torch LSTM, LSTMCell or a state_dict, got {type(obj).__name__}")
        sd = {k: _to_numpy(v) for k, v in sd.items()}
        hr = sorted(k for k in sd if k.startswith("weight_hr"))
        if hr:
            raise ValueError(f"obj: LSTM with proj_size={sd[hr[0]].shape[0]} is not supported (found {hr[0]}); "
                             "expected a standard LSTM without projection")
        if "weight_ih" in sd:  # LSTMCell
            if layer not in (None, 0) or reverse:
                raise ValueError(f"layer: an LSTMCell has one layer and one direction, got layer={layer}, "
                                 f"reverse={reverse}")
            suffix = ""
        else:
            layers = sorted({int(k[len("weight_ih_l"):].split("_")[0]) for k in sd if k.startswith("weight_ih_l")})
            if not layers:
                raise ValueError(f"obj: expected weight_ih_l0 or weight_ih in the state_dict, got keys {sorted(sd)}")
            bidirectional = any(k.endswith("_reverse") for k in sd)
            if layer is None:
                if len(layers) > 1 or bidirectional:
                    raise ValueError(
                        f"layer: this LSTM has {len(layers)} layer(s)"
                        f"{' and is bidirectional' if bidirectional else ''}; "
                        f"expected layer= one of {layers}{' (and reverse=True for the backward direction)' if bidirectional else ''}, got None")
                layer = 0
            if layer not in layers:
                raise ValueError(f"layer: expected one of {layers}, got {layer!r}")
            if reverse and not bidirectional:
                raise ValueError("reverse: this LSTM is not bidirectional, expected reverse=False, got True")
            suffix = f"_l{layer}" + ("_reverse" if reverse else "")
        # Validate under torch's names, so a NaN is reported where the user can find it.
        sd = {k: float_array(k, v) for k, v in sd.items() if k.endswith(suffix) or not suffix}
        W_ih, W_hh = sd["weight_ih" + suffix], sd["weight_hh" + suffix]
        if W_hh.ndim != 2 or W_hh.shape[0] != 4 * W_hh.shape[1]:
            raise ValueError(f"weight_hh{suffix}: expected shape (4H, H), got {W_hh.shape}")
        H = W_hh.shape[1]
        if W_ih.ndim != 2 or W_ih.shape[0] != 4 * H:
            raise ValueError(f"weight_ih{suffix}: expected shape (4H, X) with H={H}, got {W_ih.shape}")
        b = np.zeros(4 * H, dtype=working_dtype(W_ih.dtype))
        for name in ("bias_ih" + suffix, "bias_hh" + suffix):
            if name in sd:
                b = b + check_shape(name, float_array(name, sd[name]), (4 * H,), f"4H with H={H}")
        kw = {}
        for k, g in enumerate(_TORCH_ORDER):
            s = slice(k * H, (k + 1) * H)
            kw[f"W_x{g}"], kw[f"W_h{g}"], kw[f"b_{g}"] = W_ih[s].T, W_hh[s].T, b[s]
        return cls(**kw)

    def _torch_biases(self, b):
        """Split the summed bias into (bias_ih, bias_hh) so that they add up to b."""
        return b, np.zeros_like(b)

    def to_torch(self, cell=False):
        """State-dict arrays with PyTorch's names and shapes (gate order i, f, g, o).

        Load with `module.load_state_dict({k: torch.from_numpy(v) for k, v in d.items()})`.
        Names are nn.LSTM's (`weight_ih_l0` ...) or, with cell=True, nn.LSTMCell's.
        """
        _no_peephole(self, "PyTorch")
        W_ih = np.concatenate([getattr(self, f"W_x{g}").T for g in _TORCH_ORDER])
        W_hh = np.concatenate([getattr(self, f"W_h{g}").T for g in _TORCH_ORDER])
        b_ih, b_hh = self._torch_biases(np.concatenate([getattr(self, f"b_{g}") for g in _TORCH_ORDER]))
        sfx = "" if cell else "_l0"
        return {f"weight_ih{sfx}": np.ascontiguousarray(W_ih), f"weight_hh{sfx}": np.ascontiguousarray(W_hh),
                f"bias_ih{sfx}": b_ih.copy(), f"bias_hh{sfx}": b_hh.copy()}

    # ----- Keras 3 ------------------------------------------------------------------------
    @classmethod
    def from_keras(cls, kernel, recurrent_kernel, bias=None):
        """Read Keras 3 `LSTM.get_weights()`: kernel (X, 4H), recurrent_kernel (H, 4H), bias (4H,).

        Gate order i, f, c, o.  bias=None is a layer built with use_bias=False.
        """
        kernel = float_array("kernel", kernel)
        rk = float_array("recurrent_kernel", recurrent_kernel)
        if rk.ndim != 2 or rk.shape[1] != 4 * rk.shape[0]:
            raise ValueError(f"recurrent_kernel: expected shape (H, 4H), got {rk.shape}")
        H = rk.shape[0]
        if kernel.ndim != 2:
            raise ValueError(f"kernel: expected a 2-D array (X, 4H), got shape {kernel.shape}")
        check_shape("kernel", kernel, (kernel.shape[0], 4 * H), f"4H with H={H} from recurrent_kernel")
        if bias is None:
            bias = np.zeros(4 * H, kernel.dtype)
        bias = check_shape("bias", float_array("bias", bias), (4 * H,), f"4H with H={H} from recurrent_kernel")
        kw = {}
        for k, g in enumerate(_TORCH_ORDER):
            s = slice(k * H, (k + 1) * H)
            kw[f"W_x{g}"], kw[f"W_h{g}"], kw[f"b_{g}"] = kernel[:, s], rk[:, s], bias[s]
        return cls(**kw)

    def to_keras(self):
        """[kernel (X, 4H), recurrent_kernel (H, 4H), bias (4H,)], ready for `layer.set_weights`."""
        _no_peephole(self, "Keras")
        return [np.concatenate([getattr(self, f"W_x{g}") for g in _TORCH_ORDER], axis=1),
                np.concatenate([getattr(self, f"W_h{g}") for g in _TORCH_ORDER], axis=1),
                np.concatenate([getattr(self, f"b_{g}") for g in _TORCH_ORDER])]

    # ----- course layout ------------------------------------------------------------------
    @classmethod
    def from_concat(cls, Wf, bf, Wi, bi, Wc, bc, Wo, bo):
        """Read the course layout: each W is (H, H+X) on concat = [h_prev; x_t], each b (H, 1) or (H,)."""
        kw = {}
        H = None
        for g, (Wname, W, bname, b) in zip(GATES, (("Wf", Wf, "bf", bf), ("Wi", Wi, "bi", bi),
                                                 ("Wc", Wc, "bc", bc), ("Wo", Wo, "bo", bo))):
            W = float_array(Wname, W)
            if W.ndim != 2 or W.shape[1] <= W.shape[0]:
                raise ValueError(f"{Wname}: expected shape (H, H+X) with X >= 1, got {W.shape}")
            if H is None:
                H, X = W.shape[0], W.shape[1] - W.shape[0]
            check_shape(Wname, W, (H, H + X), f"H={H}, X={X} from Wf")
            b = float_array(bname, b)
            if b.shape not in ((H,), (H, 1)):
                raise ValueError(f"{bname}: expected shape ({H}, 1) or ({H},) (H={H} from Wf), got {b.shape}")
            kw[f"W_h{g}"], kw[f"W_x{g}"], kw[f"b_{g}"] = W[:, :H].T, W[:, H:].T, b.reshape(H)
        return cls(**kw)

    def to_concat(self):
        """{'Wf', 'bf', 'Wi', 'bi', 'Wc', 'bc', 'Wo', 'bo'} in the course layout; biases are (H, 1)."""
        _no_peephole(self, "the course layout")
        out = {}
        for g, letter in zip(GATES, "fico"):
            W_x, W_h, b = self.gate(g)
            out[f"W{letter}"] = np.concatenate([W_h.T, W_x.T], axis=1)
            out[f"b{letter}"] = b.reshape(-1, 1).copy()
        return out


class LSTMGrads(LSTMParams):
    """Gradients with the same names and shapes as LSTMParams.

    The only difference is the torch export: PyTorch keeps two biases that are summed, so
    dL/d bias_ih = dL/d bias_hh = dL/db, and to_torch() writes db into both.
    """

    def _torch_biases(self, b):
        return b, b.copy()


def _check_gate(name):
    if name not in GATES:
        raise ValueError(f"gate: expected one of {GATES}, got {name!r}")


def _no_peephole(p, where):
    if p.peephole:
        raise ValueError(f"params: {where} has no peephole connections; expected params without "
                         f"w_cf/w_ci/w_co, got a peephole LSTM")


def _to_numpy(v):
    if hasattr(v, "detach"):
        v = v.detach().cpu().numpy()
    return np.asarray(v)
