"""Training a recurrent cell with a linear readout, in numpy: MSE loss, full BPTT, Adam, clipping.

A Model is a cell (an LSTMParams or an RNNParams) plus a linear readout
    ŷ = h_T V + b_y                     (one prediction per sequence, the adding problem)
    ŷ_t = h_t V + b_y  for every t      (per_step=True, the reset task)
with V (H, 1), b_y (1,).  Gradients come from lstm_core.lstm_backward / rnn_backward, so
training is exactly the backward pass the rest of the course checks against finite differences.

The optimiser is Adam written the way torch.optim.Adam computes it, and clipping is
torch.nn.utils.clip_grad_norm_'s rule, so benchmarks/train_vs_torch.py can run the same
training in PyTorch step for step.

Everything is seeded: the initial weights by `seed` in init_model, and mini-batch k of a run by
the seed pair (seed, k) handed to the task generator.
"""
import functools
import time
from dataclasses import dataclass, field, fields, replace

import numpy as np

from ._checks import check_shape, float_array
from .cell import lstm_backward, lstm_forward
from .params import LSTMParams
from .rnn import RNNParams, rnn_backward, rnn_forward
from .tasks import adding_problem, reset_task, solve_rate

NO_FORGET = {"f": 1.0}   # the 1997 cell: f pinned to 1, c_t = c_{t-1} + i_t g_t


@dataclass(frozen=True, eq=False)
class Model:
    """A cell and its linear readout.

    cell: LSTMParams or RNNParams; V: (H, 1); b_y: (1,).  per_step: predict at every step (T, n)
    instead of once from h_T (n,).  forget_gate=False pins f to 1 (LSTM only).
    """
    cell: object
    V: np.ndarray
    b_y: np.ndarray
    per_step: bool = False
    forget_gate: bool = True

    def __post_init__(self):
        if not isinstance(self.cell, (LSTMParams, RNNParams)):
            raise ValueError(f"cell: expected an LSTMParams or RNNParams, got {type(self.cell).__name__}")
        H = self.cell.hidden_size
        check_shape("V", float_array("V", self.V), (H, 1), f"H={H} from the cell, one output")
        check_shape("b_y", float_array("b_y", self.b_y), (1,), "one output")
        if not self.forget_gate and not isinstance(self.cell, LSTMParams):
            raise ValueError("forget_gate: a vanilla RNN has no forget gate; expected True for an RNN cell")

    @property
    def kind(self):
        return "lstm" if isinstance(self.cell, LSTMParams) else "rnn"

    @property
    def hidden_size(self):
        return self.V.shape[0]

    @property
    def overrides(self):
        return None if self.forget_gate else NO_FORGET


def init_model(kind, input_size, hidden_size, seed=0, forget_bias=1.0, per_step=False,
               forget_gate=True, dtype=np.float64):
    """A fresh Model.  kind: "lstm" or "rnn".  The cell is drawn by LSTMParams.random (forget_bias
    added to b_f) or RNNParams.random with `seed`; V is U(-1/√H, 1/√H) from the same seed, b_y = 0.
    """
    if kind not in ("lstm", "rnn"):
        raise ValueError(f"kind: expected 'lstm' or 'rnn', got {kind!r}")
    if kind == "rnn" and not forget_gate:
        raise ValueError("forget_gate: a vanilla RNN has no forget gate; expected True for kind='rnn'")
    if kind == "lstm":
        cell = LSTMParams.random(input_size, hidden_size, seed=seed, forget_bias=forget_bias, dtype=dtype)
    else:
        cell = RNNParams.random(input_size, hidden_size, seed=seed, dtype=dtype)
    rng = np.random.default_rng([seed, 1])     # the readout gets its own stream
    k = 1.0 / np.sqrt(hidden_size)
    V = rng.uniform(-k, k, size=(hidden_size, 1)).astype(dtype)
    return Model(cell, V, np.zeros(1, dtype), per_step=per_step, forget_gate=forget_gate)


# ----- forward and backward ---------------------------------------------------------------
def forward(model, xs):
    """Run the cell and the readout.  xs: (T, n, X).  Returns (pred, trace): pred is (n,), or
    (T, n) with per_step; trace is the cell's Trace / RNNTrace (trace.h is (T, n, H))."""
    xs = float_array("xs", xs, model.V.dtype)
    if xs.ndim != 3:
        raise ValueError(f"xs: expected shape (T, n, X), got {xs.shape}")
    if model.kind == "lstm":
        trace = lstm_forward(model.cell, xs, overrides=model.overrides)
    else:
        trace = rnn_forward(model.cell, xs)
    hs = trace.h
    out = hs if model.per_step else hs[-1]
    return (out @ model.V + model.b_y)[..., 0], trace


def predict(model, xs, batch=1024):
    """Predictions only, in chunks of `batch` sequences to keep memory small."""
    xs = np.asarray(xs)
    parts = [forward(model, xs[:, k:k + batch])[0] for k in range(0, xs.shape[1], batch)]
    return np.concatenate(parts, axis=-1)


def loss_and_grads(model, xs, y):
    """MSE loss and its gradient for every array of the model (full BPTT).

    xs: (T, n, X); y: (n,), or (T, n) with per_step.  Returns (loss, grads) where grads is a dict
    {name: array} with the names of model_arrays(model).
    """
    pred, trace = forward(model, xs)
    y = check_shape("y", float_array("y", y, pred.dtype), pred.shape,
                    "(T, n) for a per-step readout" if model.per_step else "(n,) for a readout on h_T")
    err = pred - y
    loss = float(np.mean(err * err))
    dpred = (2.0 / err.size) * err                      # dL/dŷ
    hs = trace.h
    dh = np.zeros_like(hs)
    if model.per_step:
        dh[:] = dpred[..., None] * model.V[:, 0]
        dV = np.einsum("tnh,tn->h", hs, dpred)[:, None]
    else:
        dh[-1] = dpred[:, None] * model.V[:, 0]
        dV = (hs[-1].T @ dpred)[:, None]
    if model.kind == "lstm":
        cell_grads = lstm_backward(model.cell, trace, dh).grads
    else:
        cell_grads = rnn_backward(model.cell, trace, dh)[0]
    grads = cell_arrays(cell_grads)
    grads["V"] = dV
    grads["b_y"] = np.array([dpred.sum()], dtype=dV.dtype)
    return loss, grads


def cell_arrays(cell):
    """{name: array} of a cell's weights (LSTMParams, LSTMGrads or RNNParams), None fields left out."""
    return {f.name: getattr(cell, f.name) for f in fields(cell) if getattr(cell, f.name) is not None}


def model_arrays(model):
    """{name: array} of every trainable array: the cell's weights, then V and b_y."""
    arrays = cell_arrays(model.cell)
    arrays["V"], arrays["b_y"] = model.V, model.b_y
    return arrays


def with_arrays(model, arrays):
    """A copy of `model` whose arrays are taken from the dict `arrays` (names of model_arrays)."""
    names = cell_arrays(model.cell)
    cell = type(model.cell)(**{n: arrays[n] for n in names})
    return replace(model, cell=cell, V=arrays["V"], b_y=arrays["b_y"])


# ----- optimiser --------------------------------------------------------------------------
def global_norm(grads):
    """sqrt of the sum of squares of every entry of every array in the dict."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients together so their global norm is at most max_norm.

    The rule of torch.nn.utils.clip_grad_norm_: factor min(1, max_norm / (norm + 1e-6)).
    Returns (clipped dict, norm before clipping).  max_norm=None leaves them alone.
    """
    norm = global_norm(grads)
    if max_norm is None:
        return dict(grads), norm
    if not max_norm > 0:
        raise ValueError(f"max_norm: expected a positive number or None, got {max_norm!r}")
    factor = min(1.0, max_norm / (norm + 1e-6))
    if factor == 1.0:
        return dict(grads), norm
    return {n: g * factor for n, g in grads.items()}, norm


@dataclass
class Adam:
    """Adam (Kingma & Ba 2015) as torch.optim.Adam computes it (no weight decay, no amsgrad):
        m ← β1 m + (1-β1) g,  v ← β2 v + (1-β2) g²,
        θ ← θ - lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps).
    """
    lr: float = 1e-2
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    m: dict = field(default_factory=dict)
    v: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.lr > 0:
            raise ValueError(f"lr: expected a positive learning rate, got {self.lr!r}")
        for name in ("beta1", "beta2"):
            b = getattr(self, name)
            if not 0 <= b < 1:
                raise ValueError(f"{name}: expected a value in [0, 1), got {b!r}")

    def step(self, params, grads):
        """One update.  params, grads: dicts {name: array} with the same names and shapes.
        Returns the new params (a new dict; the arrays passed in are not modified)."""
        self.t += 1
        bc1 = 1.0 - self.beta1 ** self.t
        sqrt_bc2 = np.sqrt(1.0 - self.beta2 ** self.t)
        new = {}
        for n, p in params.items():
            g = grads[n]
            if n not in self.m:
                self.m[n], self.v[n] = np.zeros_like(p), np.zeros_like(p)
            m, v = self.m[n], self.v[n]
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            denom = np.sqrt(v)
            denom /= sqrt_bc2
            denom += self.eps
            new[n] = p - (self.lr / bc1) * m / denom
        return new


# ----- the training loop ------------------------------------------------------------------
@dataclass
class TrainResult:
    """What train() returns.  losses: the mini-batch loss of every step; evals: (step, score)
    pairs from `evaluate`; seconds: wall time of the run (evaluations included)."""
    model: Model
    losses: np.ndarray
    evals: list
    seconds: float
    stopped_early: bool

    @property
    def steps(self):
        return len(self.losses)


def batch_seed(seed, step):
    """The seed of mini-batch `step` in a run seeded `seed`: every batch is reproducible alone."""
    return [int(seed), int(step)]


def train(model, task, steps, batch_size=64, lr=1e-2, clip=1.0, seed=0, evaluate=None,
          eval_every=100, target=None, callback=None, report_every=10):
    """Train `model` with Adam on mini-batches drawn from `task`.

    task(n, seed) -> (xs (T, n, X), y): e.g. functools.partial(adding_problem, T=50).
    Mini-batch k is task(batch_size, seed=[seed, k]).  clip: max global gradient norm (None: off).
    evaluate(model) -> score is called every `eval_every` steps and after the last step; with a
    `target`, training stops as soon as the score reaches it.  callback(step, loss, score) is
    called every `report_every` steps (score is the latest evaluation or None): progress bars.
    """
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a Model from init_model, got {type(model).__name__}")
    steps = int(steps)
    if steps < 1:
        raise ValueError(f"steps: expected a positive number of steps, got {steps}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive integer, got {batch_size!r}")
    opt = Adam(lr=lr)
    arrays = model_arrays(model)
    losses = np.empty(steps)
    evals, score, stopped = [], None, False
    start = time.perf_counter()
    for k in range(steps):
        xs, y = task(batch_size, seed=batch_seed(seed, k))
        loss, grads = loss_and_grads(model, xs, y)
        if not np.isfinite(loss):
            raise FloatingPointError(f"loss became {loss} at step {k}; lower lr or set clip")
        grads, _ = clip_by_global_norm(grads, clip)
        arrays = opt.step(arrays, grads)
        model = with_arrays(model, arrays)
        losses[k] = loss
        last = k == steps - 1
        if evaluate is not None and ((k + 1) % eval_every == 0 or last):
            score = float(evaluate(model))
            evals.append((k + 1, score))
            if target is not None and score >= target:
                stopped = not last
                losses = losses[:k + 1]
        if callback is not None and ((k + 1) % report_every == 0 or last or stopped):
            callback(k + 1, loss, score)
        if stopped:
            break
    return TrainResult(model, losses, evals, time.perf_counter() - start, stopped)


# ----- saving -----------------------------------------------------------------------------
def save_model(path, model, **meta):
    """Write the model to an .npz (plain arrays, no pickle).  meta: numbers or strings to keep
    with it, e.g. seed=0, steps=600."""
    arrays = {f"w_{n}": np.asarray(a) for n, a in model_arrays(model).items()}
    info = {"kind": model.kind, "per_step": int(model.per_step), "forget_gate": int(model.forget_gate)}
    info.update(meta)
    for n, v in info.items():
        arrays[f"meta_{n}"] = np.asarray(v)
    np.savez_compressed(path, **arrays)


def load_model(path):
    """(model, meta) from a file written by save_model, read with allow_pickle=False."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k[2:]: data[k] for k in data.files if k.startswith("w_")}
        meta = {k[5:]: data[k][()] for k in data.files if k.startswith("meta_")}
    meta = {k: (v.item() if hasattr(v, "item") else v) for k, v in meta.items()}
    kind = str(meta["kind"])
    cell_cls = LSTMParams if kind == "lstm" else RNNParams
    cell_names = [f.name for f in fields(cell_cls) if f.name in arrays]
    model = Model(cell_cls(**{n: arrays[n] for n in cell_names}), arrays["V"], arrays["b_y"],
                  per_step=bool(meta["per_step"]), forget_gate=bool(meta["forget_gate"]))
    return model, meta


# ----- the recipes the course uses (tests, benchmark, shipped weights and notebook 06) --------
ADDING_RECIPE = dict(T=50, hidden_size=16, batch_size=64, lr=2e-2, clip=1.0, forget_bias=1.0, seed=4,
                     max_steps=1500, target=0.95, eval_every=50)
ADDING_TEST = dict(n=1000, seed=12345)     # the held-out sequences every solve rate is measured on


def adding_test_set(T=50):
    """(xs (T, 1000, 2), y (1000,)): the fixed held-out adding-problem sequences."""
    return adding_problem(ADDING_TEST["n"], T, seed=ADDING_TEST["seed"])


def train_adding(kind="lstm", steps=None, callback=None, **changes):
    """Train on the adding problem with ADDING_RECIPE (any entry can be changed by keyword).

    The LSTM stops as soon as its test solve rate reaches the recipe's target (checked every
    eval_every steps); give `steps` to run exactly that many steps instead, e.g. the RNN with the
    LSTM's budget.  Returns a TrainResult whose evals hold (step, test solve rate).
    """
    r = dict(ADDING_RECIPE, **changes)
    xs_test, y_test = adding_test_set(r["T"])
    model = init_model(kind, 2, r["hidden_size"], seed=r["seed"], forget_bias=r["forget_bias"])
    return train(model, functools.partial(adding_problem, T=r["T"]),
                 r["max_steps"] if steps is None else steps, batch_size=r["batch_size"], lr=r["lr"],
                 clip=r["clip"], seed=r["seed"], evaluate=lambda m: solve_rate(predict(m, xs_test), y_test),
                 eval_every=r["eval_every"], target=r["target"] if steps is None else None,
                 callback=callback)


RESET_RECIPE = dict(T=60, hidden_size=16, batch_size=32, lr=1e-2, clip=1.0, forget_bias=2.0, seed=0,
                    steps=400)
RESET_TEST = dict(n=100, T=400, seed=777)  # long streams: far longer than the training streams


def reset_test_set():
    """(xs (400, 100, 2), y (400, 100)): fixed held-out reset-task streams, 400 steps long."""
    return reset_task(RESET_TEST["n"], RESET_TEST["T"], seed=RESET_TEST["seed"])


def train_reset(forget_gate=True, callback=None, **changes):
    """Train an LSTM (forget_gate=False: f pinned to 1) on the reset task with RESET_RECIPE (any
    entry can be changed by keyword), a prediction at every step.  Returns a TrainResult."""
    r = dict(RESET_RECIPE, **changes)
    model = init_model("lstm", 2, r["hidden_size"], seed=r["seed"], forget_bias=r["forget_bias"],
                       per_step=True, forget_gate=forget_gate)
    return train(model, functools.partial(reset_task, T=r["T"]), r["steps"], batch_size=r["batch_size"],
                 lr=r["lr"], clip=r["clip"], seed=r["seed"], callback=callback)


# ----- reading a trained network --------------------------------------------------------------
def gate_saturation(trace, low=0.1, high=0.9):
    """Karpathy et al. (2015): how often each unit's gate is saturated.

    Returns {gate: (frac_low (H,), frac_high (H,))} for f, i, o: the fraction of all steps and
    sequences at which the gate is below `low` ("shut") and above `high` ("open").
    """
    out = {}
    for g in ("f", "i", "o"):
        a = getattr(trace, g)
        axes = tuple(range(a.ndim - 1))
        out[g] = ((a < low).mean(axis=axes), (a > high).mean(axis=axes))
    return out


def memory_unit(trace, y):
    """The unit whose cell state tracks the target best: argmax over units of |corr(c, y)|.

    With y (n,) (a readout on h_T) the final cells c_T are used; with y (T, n), c_t at every step.
    Returns (unit, correlation).
    """
    c = trace.c
    c = c[-1] if np.ndim(y) == 1 else c.reshape(-1, c.shape[-1])
    y = np.asarray(y, float).reshape(-1)
    cc = c - c.mean(0)
    yc = y - y.mean()
    corr = (cc * yc[:, None]).sum(0) / np.sqrt((cc ** 2).sum(0) * (yc ** 2).sum() + 1e-300)
    unit = int(np.argmax(np.abs(corr)))
    return unit, float(corr[unit])
